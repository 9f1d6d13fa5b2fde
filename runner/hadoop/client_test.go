package hadoop_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/examples/listening"
	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/hadoop"
	"github.com/crunchgo/crunchgo/storage"
)

// clientRunner runs every stage in the client: its hadoop command does not
// exist, so a stage sent to the cluster fails the run.
func clientRunner(t *testing.T) hadoop.Runner {
	r := simRunner(t)
	r.HadoopBin = "/nonexistent/hadoop-must-not-run"
	r.ClientStageMax = 1 << 40
	return r
}

// TestClientStageResult checks that a stage run in the client reports what
// the same stage reports as a Hadoop job, says where it ran, and reports
// its progress: each task in the client, the job client's percentages as
// tasks done on the cluster.
func TestClientStageResult(t *testing.T) {
	results := map[string]runner.StageResult{}
	counters := map[string]runner.Counters{}
	for name, limit := range map[string]int64{"cluster": 0, "client": 1 << 40} {
		var events []runner.Event
		r := simRunner(t)
		r.ClientStageMax = limit
		var log bytes.Buffer
		r.Log = &log
		p := suitePipeline(t, "dofn-lifecycle-and-counters")
		res, err := r.Run(context.Background(), p, runner.Options{Partitions: 2,
			Progress: func(ev runner.Event) { events = append(events, ev) }})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(res.Stages) != 1 {
			t.Fatalf("%s: got %d stage results, want 1", name, len(res.Stages))
		}
		checkProgress(t, name, events, res.Stages[0])
		sr := res.Stages[0]
		if want := regexp.MustCompile(map[string]string{"cluster": `^job_\d+_\d+$`, "client": `^client$`}[name]); !want.MatchString(sr.RanAs) {
			t.Errorf("%s: stage ran as %q, want %s", name, sr.RanAs, want)
		}
		sr.Start, sr.Duration, sr.RanAs = 0, 0, ""
		results[name], counters[name] = sr, res.Counters
		jobs := strings.Count(log.String(), "Running job: ")
		inClient := strings.Contains(log.String(), "stage 0 reads")
		// The binary is described before the first job, if one runs.
		binary := strings.Count(log.String(), "the cluster's tasks run job binary "+r.Binary+" (linux/")
		if want := name == "cluster"; (jobs == 1) != want || inClient == want || (binary == 1) != want {
			t.Errorf("%s: %d hadoop jobs ran, in-client line %v, %d binary lines; log:\n%s", name, jobs, inClient, binary, log.String())
		}
	}
	if results["client"] != results["cluster"] {
		t.Errorf("stage result in the client %+v, as a job %+v", results["client"], results["cluster"])
	}
	if got, want := counters["client"].String(), counters["cluster"].String(); got != want {
		t.Errorf("counters in the client:\n%s\nas a job:\n%s", got, want)
	}
}

// checkProgress checks a one-stage run's events: map tasks done rising to
// all of them, then reduce tasks likewise, then the stage done.
func checkProgress(t *testing.T, name string, events []runner.Event, sr runner.StageResult) {
	t.Helper()
	done := map[string]int{}
	for i, ev := range events {
		switch {
		case ev.Done:
			if i != len(events)-1 || ev.TasksDone != sr.MapTasks+sr.ReduceTasks || ev.RecordsIn != sr.RecordsIn {
				t.Errorf("%s: event %d %+v: want the last, with every task done and the stage's records", name, i, ev)
			}
		case ev.Phase == "map" || ev.Phase == "reduce":
			total := map[string]int{"map": sr.MapTasks, "reduce": sr.ReduceTasks}[ev.Phase]
			if ev.TasksTotal != total || ev.TasksDone < done[ev.Phase] || (ev.Phase == "reduce" && done["map"] != sr.MapTasks) {
				t.Errorf("%s: event %d %+v: want %d %s tasks in all, done not falling, reduces after every map", name, i, ev, total, ev.Phase)
			}
			done[ev.Phase] = ev.TasksDone
		default:
			t.Errorf("%s: event %d %+v has no phase", name, i, ev)
		}
	}
	if done["map"] != sr.MapTasks || done["reduce"] != sr.ReduceTasks {
		t.Errorf("%s: progress reached %d map and %d reduce tasks done, want %d and %d; events %+v", name, done["map"], done["reduce"], sr.MapTasks, sr.ReduceTasks, events)
	}
}

// TestClientFallsBack checks that a stage whose shuffle outgrows what the
// client holds goes to the cluster, with nothing left of the attempt.
func TestClientFallsBack(t *testing.T) {
	defer hadoop.SetClientHeldFactor(0)()
	r := simRunner(t)
	r.ClientStageMax = 1 << 40
	var log bytes.Buffer
	r.Log = &log
	p := suitePipeline(t, "dofn-lifecycle-and-counters")
	res, err := r.Run(context.Background(), p, runner.Options{Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "outgrew what the client holds in memory; running it on the cluster") || strings.Count(log.String(), "Running job: ") != 1 {
		t.Errorf("want the stage to fall back to one job; log:\n%s", log.String())
	}
	if sr := res.Stages[0]; sr.RecordsIn != 1000 || sr.RecordsOut != 1 {
		t.Errorf("stage result %+v: want 1000 records in, 1 out", sr)
	}
}

// TestClientFallsBackAfterTasks checks that a stage abandoned after some of
// its map tasks ran in the client counts each task once: its counters and
// results are those of a run on the cluster alone.
func TestClientFallsBackAfterTasks(t *testing.T) {
	defer hadoop.SetBeforeClientMapTask(func(task int) error {
		if task == 1 {
			return hadoop.ErrClientFull
		}
		return nil
	})()
	run := func(limit int64) *runner.Result {
		r := simRunner(t)
		r.ClientStageMax = limit
		p := suitePipeline(t, "dofn-lifecycle-and-counters")
		res, err := r.Run(context.Background(), p, runner.Options{Partitions: 2})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	fellBack, cluster := run(1<<40), run(0)
	if got, want := fellBack.Counters.String(), cluster.Counters.String(); got != want {
		t.Errorf("counters after falling back:\n%s\non the cluster alone:\n%s", got, want)
	}
	a, b := fellBack.Stages[0], cluster.Stages[0]
	if !strings.HasPrefix(a.RanAs, "job_") {
		t.Errorf("the stage that fell back ran as %q, want a job", a.RanAs)
	}
	a.Start, a.Duration, a.RanAs, b.Start, b.Duration, b.RanAs = 0, 0, "", 0, 0, ""
	if a != b {
		t.Errorf("stage result after falling back %+v, on the cluster alone %+v", a, b)
	}
}

// TestClientFailedTask checks that a task failing in the client fails the
// run with the user function's error, naming the stage and the task.
func TestClientFailedTask(t *testing.T) {
	p := suitePipeline(t, "dofn-error-names-transform")
	_, err := clientRunner(t).Run(context.Background(), p, runner.Options{})
	if err == nil {
		t.Fatal("run succeeded, want a failure")
	}
	want := regexp.MustCompile(`^stage 0: run in the client: map task \d+: transform FailAtThree \(.*\.go:\d+\): three is right out`)
	if !want.MatchString(err.Error()) {
		t.Errorf("error does not match %s:\n%v", want, err)
	}
}

// TestClientStageSize checks the size a stage is judged by: daily-plays'
// last stage reads the catalogue, the ranked rows' join side (map input)
// and the ranked rows again as a side input, all written by stage 1.
func TestClientStageSize(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen, err := listening.Generate(ctx, listening.GenConfig{Events: 2_000, Users: 50, Tracks: 80, Seed: 5,
		Format: fileio.Parquet, Files: 1, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	r := clientRunner(t)
	r.KeepTemp, r.RunID = true, "size"
	var log bytes.Buffer
	r.Log = &log
	p, err := listening.DailyPlaysJob.Build([]string{"--events", gen.EventsDir, "--tracks", gen.TracksDir,
		"--output", storage.Join(dir, "out")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, p, runner.Options{Partitions: 2}); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`stage 2 reads (\d+) bytes`).FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("no size for stage 2 in the log:\n%s", log.String())
	}
	got, _ := strconv.ParseInt(m[1], 10, 64)
	var want int64
	tracks, err := storage.DataFiles(ctx, gen.TracksDir)
	if err != nil {
		t.Fatal(err)
	}
	inter, err := filepath.Glob(filepath.Join(r.TempDir, "crunchgo-size", "stage-1", "out", "inter-*", "*"))
	if err != nil || len(inter) == 0 {
		t.Fatalf("no intermediate files of stage 1 (%v)", err)
	}
	for _, f := range tracks {
		want += f.Size
	}
	for _, f := range inter {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		want += fi.Size()
	}
	if got != want {
		t.Errorf("stage 2 was sized %d bytes, want %d (the catalogue and all of stage 1's intermediates)", got, want)
	}
}
