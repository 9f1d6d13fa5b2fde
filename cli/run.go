package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/hadoop"
	"github.com/crunchgo/crunchgo/runner/local"
	"github.com/crunchgo/crunchgo/runner/mem"
)

// Runners lists the names --runner accepts.
var Runners = []string{"mem", "local", "hadoop"}

// newRunner returns the runner called name, configured from f.
func newRunner(cmd *cobra.Command, name string, f *runFlags) (runner.Runner, error) {
	switch name {
	case "mem":
		return mem.Runner{}, nil
	case "local":
		return local.Runner{}, nil
	case "hadoop":
		r := f.hadoop // its flags: hadoop.Runner.AddFlags
		r.Out = cmd.OutOrStdout()
		if !f.quiet {
			// The runner copies the hadoop command's output here; a failed
			// write would end that copy and fail the stage.
			r.Log = bestEffort{cmd.ErrOrStderr()}
		}
		return r, nil
	}
	return nil, Usagef("unknown runner %q (want %s)", name, strings.Join(Runners, ", "))
}

type runFlags struct {
	runner    string
	workers   int
	memory    string
	tmp       string
	writeMode string
	reports   []string // --report, repeatable
	quiet     bool
	timeout   time.Duration
	hadoop    hadoop.Runner // the hadoop runner's settings, bound to its flags
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run JOB [job flags]",
		Short: "run a registered job",
		Long: `run builds the job's pipeline from its flags and runs it. Job flags and run's
own flags may be mixed after the job name; "crunchgo run JOB --help" lists the
job's flags. Progress goes to stderr (live bars on a terminal, one line per
stage event otherwise); a summary of stages, counters and outputs goes to
stdout at the end. Exit code 1 means the job failed, 2 a usage error.`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			inv, err := parseJobArgs(cmd.Root().Name(), cmd.Flags(), args)
			if err != nil {
				// A command line that does not parse fails the run before
				// it starts too: parseJobArgs sets every --report given.
				// A path --report would refuse is left as it is.
				if paths, perr := reportPaths(f.reports); perr == nil {
					err = dropReports(cmd.Context(), err, slices.DeleteFunc(paths, func(rp string) bool {
						return checkReportPath(cmd.Context(), rp) != nil
					}))
				}
				return err
			}
			if inv.help {
				jobHelp(cmd.OutOrStdout(), cmd, inv.job)
				return nil
			}
			return runJob(cmd, inv, f)
		},
	}
	f.addFlags(cmd.Flags())
	return cmd
}

// addFlags defines run's own flags on fl, bound to f. explain takes them
// too, so that a run command line pasted after it works.
func (f *runFlags) addFlags(fl *pflag.FlagSet) {
	fl.SortFlags = false
	fl.StringVar(&f.runner, "runner", "local", "where to run: "+strings.Join(Runners, ", "))
	fl.IntVar(&f.workers, "workers", 0, "parallel tasks (0: the runner's default: local, the number of CPUs; hadoop, at least 8 map tasks; mem runs one task at a time, splitting sources as for 2)")
	fl.StringVar(&f.memory, "memory", "", "the job's memory budget, e.g. 512MiB or 2GiB (default 1GiB): the workers' share of it bounds their sort and merge buffers; each keeps at least 16 MiB more than those, and map-side combiners about a quarter of the share at most; the Go runtime and decoded records come on top (the mem runner holds all its data in memory and has no budget)")
	fl.StringVar(&f.tmp, "tmp", "", "scratch directory (default: the OS temp dir)")
	fl.StringVar(&f.writeMode, "write-mode", "fail", "when an output exists: fail, overwrite, append, or overwrite-partitions (of a table partitioned into key=value directories, replace only the partitions the run writes)")
	// StringArray, not StringSlice: a comma is part of a file name.
	fl.StringArrayVar(&f.reports, "report", nil, "write a report of the run to `FILE` (HTML if it ends in .html, else JSON; repeatable: --report run.json --report run.html writes both), of a failed or interrupted run too; a run that fails before it starts writes none and removes one already there")
	fl.DurationVar(&f.timeout, "task-timeout", 0, "kill and retry a task that takes in and puts out no record for this long; 0: never (default 10m, on hadoop the cluster's mapreduce.task.timeout)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print neither progress nor the summary")
	f.hadoop.AddFlags(fl)
}

// runSetup checks run's own flags and returns the runner and options they
// ask for.
func runSetup(cmd *cobra.Command, f *runFlags) (r runner.Runner, opts runner.Options, err error) {
	if opts.WriteMode, err = runner.ParseWriteMode(f.writeMode); err != nil {
		return nil, opts, &UsageError{Err: fmt.Errorf("--write-mode: %w", err)}
	}
	if f.memory != "" {
		if opts.Memory, err = runner.ParseSize(f.memory); err != nil {
			return nil, opts, &UsageError{Err: fmt.Errorf("--memory: %w", err)}
		}
	}
	if f.workers < 0 {
		return nil, opts, Usagef("--workers: %d is negative", f.workers)
	}
	opts.Workers, opts.TmpDir = f.workers, f.tmp
	// Unset, the runner's default: the hadoop runner then leaves the
	// cluster's own setting alone.
	switch {
	case !cmd.Flags().Changed("task-timeout"):
	case f.timeout < 0:
		return nil, opts, Usagef("--task-timeout: %v is negative", f.timeout)
	case f.timeout == 0:
		opts.TaskTimeout = -1 // never
	default:
		opts.TaskTimeout = f.timeout
	}
	if r, err = newRunner(cmd, f.runner, f); err != nil {
		return nil, opts, err
	}
	if f.runner == "local" {
		if err := local.CheckTmpDir(&opts); err != nil {
			return nil, opts, Usagef("--tmp: %w", err)
		}
		check := opts
		if err := local.CheckBudget(&check); err != nil {
			return nil, opts, &UsageError{Err: err}
		}
	}
	return r, opts, nil
}

// dropReports removes the reports at paths after err, a run's failure
// before it started: a report there from an earlier run would read as
// this one's.
func dropReports(ctx context.Context, err error, paths []string) error {
	for _, path := range paths {
		if rerr := removeReport(context.WithoutCancel(ctx), path); rerr != nil {
			err = fmt.Errorf("%w\n(and the report of an earlier run at %s could not be removed: %v)", err, path, rerr)
		}
	}
	return err
}

func runJob(cmd *cobra.Command, inv *jobInvocation, f runFlags) error {
	reports, err := reportPaths(f.reports)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("--report: %w", err)}
	}
	for _, rp := range reports {
		// A path refused is left as it is, and so are the others.
		if err := checkReportPath(cmd.Context(), rp); err != nil {
			return &UsageError{Err: fmt.Errorf("--report: %w", err)}
		}
	}
	r, opts, err := runSetup(cmd, &f)
	if err != nil {
		return dropReports(cmd.Context(), err, reports)
	}
	p, err := buildJob(inv)
	if err != nil {
		return dropReports(cmd.Context(), err, reports)
	}
	if writesNothing(p.Graph()) { // even with -q: the job has a bug
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: warning: job %s writes nothing: its pipeline has no sink, and only transforms whose output reaches one run\n", cmd.Root().Name(), inv.job.Name)
	}
	// Checked now that the outputs are known: a report inside one would
	// fail after the run, or be committed as part of it.
	for _, rp := range reports {
		r := plan.CleanDir(rp)
		for _, d := range plan.SinkDirs(p.Graph()) {
			if plan.InDir(r, d) {
				return &UsageError{Err: fmt.Errorf("--report: %s is inside the job's output %s: write the report elsewhere", rp, d)}
			}
		}
	}
	var prog progress
	if !f.quiet {
		prog = newProgress(cmd.Context(), cmd.ErrOrStderr())
	}
	bytes := stageBytes{}
	var retries []string
	opts.Progress = func(ev runner.Event) {
		if ev.Retry != "" {
			retries = append(retries, retryLine(ev))
		}
		bytes.event(ev)
		if prog != nil {
			prog.event(ev)
		}
	}
	start := time.Now()
	res, err := r.Run(cmd.Context(), p, opts)
	if prog != nil {
		prog.finish(err == nil)
	}
	if err != nil {
		var failed error
		switch {
		case cmd.Context().Err() != nil:
			// A run stopped by a signal did not fail: say so, as the report does.
			failed = fmt.Errorf("job %s was interrupted on the %s runner after %s: %w", inv.job.Name, f.runner, roundDuration(time.Since(start)), err)
		case !res.Started():
			// Refused before any stage ran (an output that exists, an
			// input that does not split): nothing failed after a while.
			failed = fmt.Errorf("job %s did not run: %w", inv.job.Name, err)
		default:
			failed = fmt.Errorf("job %s failed on the %s runner after %s: %w", inv.job.Name, f.runner, roundDuration(time.Since(start)), err)
		}
		if res != nil {
			for _, s := range res.Stages {
				if !s.Unfinished || s.MapTasksTotal == 0 && s.MapTasks == 0 && s.ReduceTasks == 0 {
					continue // nothing done of nothing known: the error says it all
				}
				why := ""
				if s.MapTasksTotal == 0 {
					why = "; " + unknownMapTasks
				}
				failed = fmt.Errorf("%w\n(stage %d stopped with %s done%s)", failed, s.Stage,
					tasksDone(s.MapTasks, s.MapTasksTotal, s.ReduceTasks, s.ReduceTasksTotal), why)
			}
		}
		if len(reports) == 0 || res == nil || res.DryRun {
			return dropReports(cmd.Context(), failed, reports) // no report asked for, or nothing ran
		}
		rep := newReport(inv.job, inv.jobArgs, f.runner, opts, res, start, bytes, retries)
		rep.Status, rep.Error = RunFailed, err.Error()
		if cmd.Context().Err() != nil {
			rep.Status = RunInterrupted
		}
		// Written even when interrupted: the report says how far it got.
		// One that cannot be written does not keep the others from it.
		for _, rp := range reports {
			if werr := writeReport(context.WithoutCancel(cmd.Context()), rp, rep); werr != nil {
				failed = fmt.Errorf("%w\n(and its report %s was not written: %v)", failed, rp, werr)
			} else {
				failed = fmt.Errorf("%w\n(the run's report: %s)", failed, rp)
			}
		}
		return failed
	}
	for _, w := range res.Warnings { // even with -q: something is left to clean up
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: warning: %s\n", cmd.Root().Name(), w)
	}
	if res.DryRun {
		// Nothing ran: no summary claiming success, and no report of it.
		if !f.quiet {
			fmt.Fprintf(cmd.OutOrStdout(), "dry run of job %s on the %s runner: nothing ran\n", inv.job.Name, f.runner)
		}
		return nil
	}
	var written []string
	var reportErr error
	if len(reports) > 0 {
		rep := newReport(inv.job, inv.jobArgs, f.runner, opts, res, start, bytes, retries)
		// The job has committed: an interrupt from now on must not turn
		// its success into a failure for want of a report.
		for _, rp := range reports {
			switch err := writeReport(context.WithoutCancel(cmd.Context()), rp, rep); {
			case err == nil:
				written = append(written, rp)
			case reportErr == nil:
				reportErr = fmt.Errorf("job %s succeeded but its report %s was not written: %w", inv.job.Name, rp, err)
			default:
				reportErr = fmt.Errorf("%w\n(and its report %s was not written either: %v)", reportErr, rp, err)
			}
		}
	}
	if reportErr != nil {
		// The error may be all a -q run shows: it names the reports that
		// were written too.
		for _, rp := range written {
			reportErr = fmt.Errorf("%w\n(the run's report: %s)", reportErr, rp)
		}
	}
	if !f.quiet {
		writeSummary(cmd.OutOrStdout(), inv.job.Name, f.runner, res, written)
	}
	return reportErr
}

// bestEffort writes to w and never fails: progress and logs inform, and a
// reader that went away (a closed pipe, a hung-up terminal) must not fail a
// job that otherwise succeeds.
type bestEffort struct{ w io.Writer }

func (b bestEffort) Write(p []byte) (int, error) {
	_, _ = b.w.Write(p)
	return len(p), nil
}

// writeSummary prints what a successful run did. Write errors are ignored:
// the job has succeeded whether or not anyone reads this.
func writeSummary(w io.Writer, job, runnerName string, res *runner.Result, reports []string) {
	fmt.Fprintf(w, "job %s succeeded on the %s runner in %s\n", job, runnerName, roundDuration(res.Wall))
	if len(res.Stages) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		// The time is trailing text, not a cell: it is left-aligned and its
		// width does not move the other columns.
		// Where each stage ran (a Hadoop job ID) is a column when the
		// runner says.
		withRanAs := slices.ContainsFunc(res.Stages, func(s runner.StageResult) bool { return s.RanAs != "" })
		ranAs := func(cell string) string {
			if withRanAs {
				return cell + "\t"
			}
			return ""
		}
		fmt.Fprintf(tw, "stage\tmap tasks\treduce tasks\trecords in\tshuffled\trecords out\t%s  time\n", ranAs("ran as"))
		var in, out int64
		for _, s := range res.Stages {
			fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\t%s\t%s  %s\n", s.Stage, s.MapTasks, s.ReduceTasks,
				count(s.RecordsIn), count(s.Shuffled), count(s.RecordsOut), ranAs(s.RanAs), roundDuration(s.Duration))
			in += s.RecordsIn
			out += s.RecordsOut
		}
		fmt.Fprintf(tw, "total\t\t\t%s\t\t%s\t%s  %s\n", count(in), count(out), ranAs(""), roundDuration(res.Wall))
		tw.Flush()
	}
	if len(res.Counters) > 0 {
		fmt.Fprintln(w, "\ncounters:")
		for _, g := range slices.Sorted(maps.Keys(res.Counters)) {
			for _, n := range slices.Sorted(maps.Keys(res.Counters[g])) {
				fmt.Fprintf(w, "  %s/%s = %s\n", g, n, count(res.Counters[g][n]))
			}
		}
	}
	if len(res.Outputs) > 0 {
		fmt.Fprintln(w, "\noutputs:")
		for _, o := range res.Outputs {
			fmt.Fprintf(w, "  %s\n", o)
			if parts, ok := res.Partitions[o]; ok {
				writePartitions(w, parts)
			}
		}
	}
	if len(reports) > 0 {
		fmt.Fprintln(w)
		for _, rp := range reports {
			fmt.Fprintf(w, "report: %s\n", rp)
		}
	}
}

// summaryPartitions is how many partitions of an output the summary
// names; a backfill of years by country would otherwise bury the rest.
const summaryPartitions = 20

// writePartitions lists the partitions a run wrote in a partitioned
// output and what became of each, so that a daily job's user sees which
// days it replaced: the first summaryPartitions, then how many more of
// each action.
func writePartitions(w io.Writer, parts []runner.PartitionWrite) {
	if len(parts) == 0 {
		fmt.Fprintln(w, "    "+noPartitions)
		return
	}
	sum := summarizePartitions(parts)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, p := range sum.Shown {
		fmt.Fprintf(tw, "    %s\t%s\n", p.Path, p.Action)
	}
	tw.Flush()
	if sum.More > 0 {
		fmt.Fprintf(w, "    and %d more: %s\n", sum.More, sum.MoreByAction)
	}
}

// noPartitions says why a partitioned output lists no partitions.
const noPartitions = "no partitions written: the run wrote no rows"

// partitionSummary is what the summary and the HTML report show of the
// partitions a run wrote in one output: a backfill of years by country
// would otherwise bury the rest.
type partitionSummary struct {
	Shown        []runner.PartitionWrite // the first summaryPartitions
	More         int                     // how many are not shown
	MoreByAction string                  // of those, how many of each action: "2 replaced, 3 new"
}

func summarizePartitions(parts []runner.PartitionWrite) partitionSummary {
	sum := partitionSummary{Shown: parts[:min(len(parts), summaryPartitions)]}
	if len(parts) <= summaryPartitions {
		return sum
	}
	rest := map[string]int{}
	for _, p := range parts[summaryPartitions:] {
		rest[p.Action]++
	}
	var counts []string
	for _, a := range []string{runner.PartitionReplaced, runner.PartitionNew, runner.PartitionAppended, runner.PartitionRemoved} {
		if rest[a] > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", rest[a], a))
		}
	}
	sum.More, sum.MoreByAction = len(parts)-summaryPartitions, strings.Join(counts, ", ")
	return sum
}

// roundDuration rounds d for people: 1.234s, 12ms, 2m3s.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// tasksDone says how far an unfinished stage got, as "3/4 map and 0/2
// reduce tasks"; a stage with no reduce phase has no reduce tasks to say.
func tasksDone(maps, mapsTotal, reduces, reducesTotal int) string {
	if reducesTotal == 0 {
		return ofTotal(maps, mapsTotal) + " map tasks"
	}
	return ofTotal(maps, mapsTotal) + " map and " + ofTotal(reduces, reducesTotal) + " reduce tasks"
}

// ofTotal is "3/4", tasks done of the tasks a stage was to run, in every
// report; "3/?" when the runner did not know how many (a total of 0).
func ofTotal(done, total int) string {
	if total == 0 {
		return fmt.Sprintf("%d/?", done)
	}
	return fmt.Sprintf("%d/%d", done, total)
}

// unknownMapTasks says why a stage's map tasks read "3/?": a runner knows
// them once the stage's inputs are split, and the local runner makes the
// tasks of an input an earlier stage writes one per file written.
const unknownMapTasks = "how many map tasks it was to run was not known yet: its input was not yet split, or not yet written by an earlier stage"

// count formats n with thousands separators.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// humanBytes formats a byte count: 512 B, 1.5 KiB, 20.0 MiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
