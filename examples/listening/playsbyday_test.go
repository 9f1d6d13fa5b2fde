package listening

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/local"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
)

func TestPlaysByDay(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	at := func(t time.Time) int64 { return t.UnixMilli() }
	events := []DayEvent{
		{TrackID: "t1", Country: "SE", MsPlayed: 40_000, TS: at(day(25))},                                        // first ms of the 25th
		{TrackID: "t1", Country: "SE", MsPlayed: 30_000, TS: at(day(26)) - 1},                                    // last ms of the 25th
		{TrackID: "t1", Country: "SE", MsPlayed: 50_000, TS: at(day(26))},                                        // the 26th
		{TrackID: "t1", Country: "NO", MsPlayed: 60_000, TS: at(day(26).Add(time.Hour))},                         // another country
		{TrackID: "t2", Country: "SE", MsPlayed: 29_999, TS: at(day(26))},                                        // too short
		{TrackID: "t2", Country: "SE", MsPlayed: 90_000, TS: at(day(26)), Skipped: true},                         // skipped
		{TrackID: "t3", Country: "SE", MsPlayed: 35_000, TS: at(time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC))}, // before the epoch
	}
	want := []DayPlays{
		{Day: day(25), Country: "SE", TrackID: "t1", Plays: 2, MsPlayed: 70_000},
		{Day: day(26), Country: "SE", TrackID: "t1", Plays: 1, MsPlayed: 50_000},
		{Day: day(26), Country: "NO", TrackID: "t1", Plays: 1, MsPlayed: 60_000},
		{Day: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), Country: "SE", TrackID: "t3", Plays: 1, MsPlayed: 35_000},
	}
	p := pcollection.NewPipeline("plays-by-day")
	got := pcollection.Materialize(PlaysByDay(pcollection.Of(p, events...)))
	crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), want)
}

// TestPlaysByDayReplacesDays runs the registered job as a daily job would:
// day 25, then day 26 into the same table, then day 26 again from other
// events with --write-mode overwrite-partitions. The table then holds the
// first day 25 and the second day 26, each as a reference count of its
// events, in both formats.
func TestPlaysByDayReplacesDays(t *testing.T) {
	ctx := context.Background()
	for _, f := range []fileio.Format{fileio.Parquet, fileio.Avro} {
		t.Run(string(f), func(t *testing.T) {
			dir := t.TempDir()
			gen := func(name string, d int, seed int64) string {
				t.Helper()
				res, err := Generate(ctx, GenConfig{Events: 3_000, Users: 100, Tracks: 200, Seed: seed, Format: f, Files: 2,
					Out: storage.Join(dir, name), Day: time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC)})
				if err != nil {
					t.Fatal(err)
				}
				return res.EventsDir
			}
			day25, day26, day26again := gen("d25", 25, 1), gen("d26", 26, 2), gen("d26b", 26, 3)
			table := storage.Join(dir, "table")
			for i, run := range []struct {
				events string
				r      runner.Runner
				mode   runner.WriteMode
			}{{day25, mem.Runner{}, runner.WriteFail}, {day26, local.Runner{}, runner.WriteOverwritePartitions}, {day26again, local.Runner{}, runner.WriteOverwritePartitions}} {
				p, err := PlaysByDayJob.Build([]string{"--events", run.events, "--output", table, "--output-format", string(f)})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := run.r.Run(ctx, p, runner.Options{Workers: 2, WriteMode: run.mode}); err != nil {
					t.Fatalf("run %d: %v", i, err)
				}
			}
			want := append(referenceByDay(t, day25), referenceByDay(t, day26again)...)
			crunchtest.EqualUnordered(t, scanAll[DayPlays](t, table), want)
		})
	}
}

// referenceByDay counts the plays of the events in dir in plain Go.
func referenceByDay(t *testing.T, dir string) []DayPlays {
	t.Helper()
	type key struct {
		day              time.Time
		country, trackID string
	}
	totals := map[key]*DayPlays{}
	if err := fileio.ScanFiles(context.Background(), dir, func(e Event) {
		if !IsPlay(e) {
			return
		}
		k := key{time.UnixMilli(e.TS).UTC().Truncate(24 * time.Hour), e.Country, e.TrackID}
		r := totals[k]
		if r == nil {
			r = &DayPlays{Day: k.day, Country: e.Country, TrackID: e.TrackID}
			totals[k] = r
		}
		r.Plays++
		r.MsPlayed += e.MsPlayed
	}); err != nil {
		t.Fatal(err)
	}
	var out []DayPlays
	for _, r := range totals {
		out = append(out, *r)
	}
	if len(out) < 50 {
		t.Fatalf("%s: %d rows: too few to test", dir, len(out))
	}
	return out
}

// TestPlaysByDayOnlyItsDay runs day 26 with --day over its events and a
// few late events of day 25, into a table that holds day 25: day 25 stays
// as it was, not replaced by the late events' counts, and the late events
// are counted. A --day that is not a date is a usage error.
func TestPlaysByDayOnlyItsDay(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen := func(name string, d int, events int64) string {
		t.Helper()
		res, err := Generate(ctx, GenConfig{Events: events, Users: 100, Tracks: 200, Seed: int64(d), Format: fileio.Parquet, Files: 1,
			Out: storage.Join(dir, name), Day: time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		return res.EventsDir
	}
	day25, day26 := gen("d25", 25, 3_000), gen("d26", 26, 3_000)
	gen("late25", 25, 40)
	table := storage.Join(dir, "table")
	run := func(mode runner.WriteMode, args ...string) *runner.Result {
		t.Helper()
		p, err := PlaysByDayJob.Build(append([]string{"--output", table}, args...))
		if err != nil {
			t.Fatal(err)
		}
		res, err := mem.Runner{}.Run(ctx, p, runner.Options{Workers: 2, WriteMode: mode})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	run(runner.WriteFail, "--events", day25)
	res := run(runner.WriteOverwritePartitions, "--events", dir+"/{d26,late25}/events", "--day", "2026-11-26")
	if got := res.Counters.Get("listening", CounterOutsideDay); got != 40 {
		t.Errorf("events outside --day: got %d, want 40", got)
	}
	want := append(referenceByDay(t, day25), referenceByDay(t, day26)...)
	crunchtest.EqualUnordered(t, scanAll[DayPlays](t, table), want)

	_, err := PlaysByDayJob.Build([]string{"--events", day26, "--output", table, "--day", "26-11-2026"})
	var argsErr *runner.ArgsError
	if !errors.As(err, &argsErr) || !strings.Contains(err.Error(), `--day "26-11-2026": want a date, YYYY-MM-DD`) {
		t.Errorf("--day 26-11-2026: got %v, want a usage error", err)
	}
}
