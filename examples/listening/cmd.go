package listening

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/crunchgo/crunchgo/cli"
	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
)

// Commands returns this package's CLI commands, for cli.Main: "gen" (with
// its "listening-log" generator) and "demo".
func Commands() []*cobra.Command {
	return []*cobra.Command{genCommand(), demoCommand()}
}

func genFlags(cmd *cobra.Command, cfg *GenConfig, format *string) {
	fl := cmd.Flags()
	fl.Int64Var(&cfg.Events, "events", 1_000_000, "number of events")
	fl.IntVar(&cfg.Users, "users", 100_000, "number of distinct users")
	fl.IntVar(&cfg.Tracks, "tracks", 100_000, "number of tracks in the catalogue")
	fl.Int64Var(&cfg.Seed, "seed", 1, "random seed: the same flags give the same files")
	fl.StringVar(format, "format", "parquet", "file format: avro or parquet")
	fl.IntVar(&cfg.Files, "files", 4, "number of event files, written in parallel (each draws its own events: another number of files gives another day)")
	cfg.Day = DefaultDay
	fl.Var((*dayFlag)(&cfg.Day), "day", "the UTC day the events fall in, YYYY-MM-DD (the same flags with another day give the same listening, shifted)")
}

// dayFlag is a time.Time flag given as a date, YYYY-MM-DD: UTC midnight.
type dayFlag time.Time

func (d *dayFlag) String() string { return time.Time(*d).Format(time.DateOnly) }
func (d *dayFlag) Type() string   { return "date" }
func (d *dayFlag) Set(s string) error {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return fmt.Errorf("want a date, YYYY-MM-DD")
	}
	*d = dayFlag(t)
	return nil
}

func genCommand() *cobra.Command {
	gen := &cobra.Command{
		Use:   "gen",
		Short: "generate example data sets",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var cfg GenConfig
	var format string
	ll := &cobra.Command{
		Use:   "listening-log --out DIR",
		Short: "generate one day of listening events and the track catalogue",
		Long: `listening-log writes a deterministic day of listening events (DIR/events,
--files part files) and the track catalogue (DIR/tracks), in Avro or Parquet.
Users, tracks and countries have Zipf-like popularity; each country mixes
global hits with its own taste; each user listens in three windows of the day;
a fifth of the events are skips, and 1% of the tracks are missing from the
catalogue. The same flags always give the same rows.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := fileio.ParseFormat(format)
			if err != nil {
				return cli.Usagef("--format: %v", err)
			}
			if cfg.Events < 0 || cfg.Users < 1 || cfg.Tracks < 1 || cfg.Files < 1 {
				return cli.Usagef("need --events >= 0 and --users, --tracks, --files >= 1")
			}
			cfg.Format = f
			start := time.Now()
			res, err := Generate(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d events to %s and %d tracks to %s in %s\n",
				res.Events, res.EventsDir, res.Tracks, res.TracksDir, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	genFlags(ll, &cfg, &format)
	ll.Flags().StringVar(&cfg.Out, "out", "", "output directory (any storage URL) (required)")
	if err := ll.MarkFlagRequired("out"); err != nil {
		panic(err) // the flag was just defined
	}
	gen.AddCommand(ll)
	return gen
}

// demoCountries are the countries whose top tracks demo prints.
var demoCountries = []string{"US", "BR", "DE", "SE"}

func demoCommand() *cobra.Command {
	var cfg GenConfig
	var format, dir, runnerName string
	var workers int
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "generate a day of listening events and run daily-plays on it",
		Long: `demo generates one day of listening events (1M by default) and the track
catalogue, runs the daily-plays job on them on the local runner (worker
processes of this binary) with progress, and prints the top 5 tracks of a few
countries and where the outputs, the plan and the report are. Without --dir it
works in a new temporary directory, which it keeps.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := fileio.ParseFormat(format)
			if err != nil {
				return cli.Usagef("--format: %v", err)
			}
			// Checked before generating a day of events, not after.
			if cfg.Events < 0 || cfg.Users < 1 || cfg.Tracks < 1 || cfg.Files < 1 {
				return cli.Usagef("need --events >= 0 and --users, --tracks, --files >= 1")
			}
			if runnerName != "local" && runnerName != "mem" {
				return cli.Usagef("--runner %q: want local or mem", runnerName)
			}
			if workers < 0 {
				return cli.Usagef("--workers: %d is negative", workers)
			}
			if dir != "" {
				if ok, err := storage.Exists(cmd.Context(), storage.Join(dir, "input")); err != nil {
					return err
				} else if ok {
					return cli.Usagef("--dir %s already holds a demo's input: give a new or empty directory", dir)
				}
			}
			cfg.Format = f
			return demo(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), demoConfig{gen: cfg, dir: dir, runner: runnerName, workers: workers, program: cmd.Root().Name()})
		},
	}
	genFlags(cmd, &cfg, &format)
	cmd.Flags().StringVar(&dir, "dir", "", "working directory (default: a new temporary directory)")
	cmd.Flags().StringVar(&runnerName, "runner", "local", "runner: local or mem")
	cmd.Flags().IntVar(&workers, "workers", 0, "worker processes (0: number of CPUs)")
	return cmd
}

type demoConfig struct {
	gen     GenConfig
	dir     string
	runner  string
	workers int
	// program is the binary's name as its command line goes by (a user's
	// own binary need not be crunchgo), for the command the demo shows.
	program string
}

func demo(ctx context.Context, stdout, stderr io.Writer, c demoConfig) error {
	start := time.Now()
	if c.dir == "" {
		d, err := os.MkdirTemp("", "crunchgo-demo-")
		if err != nil {
			return err
		}
		c.dir = d
	}
	if abs, err := filepath.Abs(c.dir); err == nil && !strings.Contains(c.dir, "://") {
		c.dir = abs
	}
	c.gen.Out = storage.Join(c.dir, "input")
	fmt.Fprintf(stdout, "generating %d listening events of %d users over %d tracks (%s) in %s\n",
		c.gen.Events, c.gen.Users, c.gen.Tracks, c.gen.Format, c.gen.Out)
	gen, err := Generate(ctx, c.gen)
	if err != nil {
		return err
	}
	genTime := time.Since(start)
	fmt.Fprintf(stdout, "generated in %s\n\n", genTime.Round(time.Millisecond))

	output := storage.Join(c.dir, "output")
	planFile := storage.Join(c.dir, "plan.txt")
	report := storage.Join(c.dir, "report.html")
	jobArgs := []string{"--events", gen.EventsDir, "--tracks", gen.TracksDir, "--output", output}

	// The plan, as crunchgo explain shows it.
	p, err := DailyPlaysJob.Build(jobArgs)
	if err != nil {
		return err
	}
	sg, err := plan.Optimize(ctx, p.Graph(), plan.Options{})
	if err != nil {
		return fmt.Errorf("planning daily-plays: %w", err)
	}
	if err := storage.WriteFile(ctx, planFile, []byte(sg.Explain())); err != nil {
		return err
	}

	// Run it as crunchgo run would, with its progress, summary and report.
	runArgs := append([]string{"run", DailyPlaysJob.Name}, jobArgs...)
	runArgs = append(runArgs, runFlags(c.runner, c.workers, report)...)
	fmt.Fprintf(stdout, "running: %s %s\n", cmp.Or(c.program, "crunchgo"), strings.Join(runArgs, " "))
	runStart := time.Now()
	if code := cli.Execute(ctx, cli.NewRoot(), runArgs, stdout, stderr); code != cli.ExitOK {
		return fmt.Errorf("daily-plays failed (exit code %d)", code)
	}
	runTime := time.Since(runStart)

	var top []TopTrack
	if err := fileio.ScanFiles(ctx, storage.Join(output, TopTracksByCountryDir), func(t TopTrack) { top = append(top, t) }); err != nil {
		return fmt.Errorf("reading the top tracks: %w", err)
	}
	slices.SortFunc(top, compareTop)
	fmt.Fprintln(stdout)
	for _, country := range demoCountries {
		fmt.Fprintf(stdout, "top tracks in %s:\n", country)
		for _, t := range top {
			if t.Country != country || t.Rank > 5 {
				continue
			}
			title := "(not in the catalogue)"
			if t.Title != nil {
				title = *t.Title
			}
			fmt.Fprintf(stdout, "  %d. %-26s %s %7d plays\n", t.Rank, title, t.TrackID, t.Plays)
		}
	}
	fmt.Fprintf(stdout, "\ngenerated in %s, daily-plays ran in %s, %s in all\n",
		genTime.Round(time.Millisecond), runTime.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	// Where everything is, at the end, where a reader of the top
	// tracks looks; the run's summary above lists the outputs too.
	fmt.Fprintf(stdout, "input:   %s, %s\n", gen.EventsDir, gen.TracksDir)
	for _, d := range []string{PlaysByCountryTrackDir, ListenersByArtistDir, TopTracksByCountryDir} {
		fmt.Fprintf(stdout, "output:  %s\n", storage.Join(output, d))
	}
	fmt.Fprintf(stdout, "plan:    %s\n", planFile)
	fmt.Fprintf(stdout, "report:  %s\n", report)
	return nil
}

// runFlags are run's flags for the demo's settings, those at run's
// defaults left out: the command shown is the one a user would type.
func runFlags(runnerName string, workers int, report string) []string {
	var flags []string
	if runnerName != "local" {
		flags = append(flags, "--runner", runnerName)
	}
	if workers != 0 {
		flags = append(flags, "--workers", fmt.Sprint(workers))
	}
	return append(flags, "--report", report)
}
