package local

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/internal/shuffle"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/runner/runnertest"
)

func build(t *testing.T, j *runner.Job, args ...string) *pcollection.Pipeline {
	t.Helper()
	p, err := j.Build(args)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runFunc runs a pipeline: Run, or the in-memory runner's mem.Run.
type runFunc = func(context.Context, *pcollection.Pipeline, runner.Options) (*runner.Result, error)

// runJob builds job with args, runs it and returns what it materialized
// into outs (the job's map from pipeline to output).
func runJob[T any](t *testing.T, run runFunc, opts runner.Options, job *runner.Job, outs map[*pcollection.Pipeline]*pcollection.Materialized[T], args ...string) ([]T, *runner.Result) {
	t.Helper()
	p := build(t, job, args...)
	res, err := run(context.Background(), p, opts)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := outs[p].Values()
	if err != nil {
		t.Fatal(err)
	}
	return vs, res
}

func wordCounts(t *testing.T, run runFunc, opts runner.Options, args ...string) ([]string, *runner.Result) {
	t.Helper()
	vs, res := runJob(t, run, opts, wordCountJob, outputs, args...)
	var out []string
	for _, kv := range vs {
		out = append(out, kv.Key+"="+strings.Repeat("|", 0)+itoa(kv.Value))
	}
	return out, res
}

func itoa(n int64) string { return strings.TrimSpace(strings.Repeat(" ", 0)) + fmtInt(n) }

func fmtInt(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func bigSummaries(t *testing.T, run runFunc, opts runner.Options, args ...string) []string {
	t.Helper()
	vs, _ := runJob(t, run, opts, bigShuffleJob, bigResults, args...)
	return vs
}

func TestNoRecipe(t *testing.T) {
	p := pcollection.NewPipeline("adhoc")
	pcollection.Materialize(pcollection.Of(p, 1, 2, 3))
	_, err := Run(context.Background(), p, runner.Options{})
	if !errors.Is(err, ErrNoRecipe) {
		t.Fatalf("got %v, want ErrNoRecipe", err)
	}
}

// TestRefusesToRunInAWorker checks that a process started as a worker
// that runs a pipeline instead of serving tasks (its main or TestMain does
// not call WorkerMain) is refused rather than starting workers of its own,
// each of which would do the same.
func TestRefusesToRunInAWorker(t *testing.T) {
	t.Setenv(WorkerEnv, "1")
	p, err := wordCountJob.Build([]string{"--lines", "10"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), p, runner.Options{}); !errors.Is(err, ErrInWorker) {
		t.Fatalf("got %v, want ErrInWorker", err)
	}
}

// TestMatchesMem runs the same jobs on mem and on local with several worker
// counts and budgets: the materialized outputs must be equal, in order.
func TestMatchesMem(t *testing.T) {
	wantWC, _ := wordCounts(t, mem.Run, runner.Options{})
	wantBig := bigSummaries(t, mem.Run, runner.Options{}, "--records=6000")
	for _, o := range []runner.Options{
		{Workers: 1},
		{Workers: 2},
		{Workers: 4},
		{Workers: 2, Memory: 64 << 10}, // spills everywhere
	} {
		t.Run(fmtInt(int64(o.Workers))+"w-"+fmtInt(o.Memory), func(t *testing.T) {
			o.TmpDir = t.TempDir()
			got, res := wordCounts(t, Run, o)
			if !slices.Equal(got, wantWC) {
				t.Errorf("word count: got %d results, want %d (first: %v vs %v)", len(got), len(wantWC), head(got), head(wantWC))
			}
			if len(res.Stages) == 0 || res.Stages[0].MapTasks == 0 || res.Stages[0].ReduceTasks == 0 {
				t.Errorf("stage results %+v, want map and reduce tasks", res.Stages)
			}
			if o.Memory > 0 && res.Counters.Get(CounterGroup, "spilled runs") <= int64(res.Stages[0].MapTasks) {
				t.Errorf("with a tiny budget got counters\n%v\nwant more runs than map tasks", res.Counters)
			}
			if gotBig := bigSummaries(t, Run, o, "--records=6000"); !slices.Equal(gotBig, wantBig) {
				t.Errorf("big shuffle: got %v, want %v", head(gotBig), head(wantBig))
			}
			assertEmpty(t, o.TmpDir)
		})
	}
}

func head(s []string) []string { return s[:min(3, len(s))] }

// assertEmpty checks that a run left nothing in its scratch directory.
func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 0 {
		t.Errorf("scratch directory %s holds %d entries after the run, want none", dir, len(ents))
	}
}

// tree reads every file under dir into a map by relative path.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func equalTrees(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got files %v, want %v", keys(got), keys(want))
	}
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("missing file %s", name)
		} else if g != w {
			t.Errorf("file %s differs: %d bytes, want %d", name, len(g), len(w))
		}
	}
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// runSink runs word count writing to out, returning both output trees.
func runSink(t *testing.T, out string, o runner.Options) (*runner.Result, error) {
	t.Helper()
	p := build(t, wordCountJob, "--lines=3000", "--out="+out)
	return Run(context.Background(), p, o)
}

func TestOutputsIdenticalAcrossWorkersAndBudgets(t *testing.T) {
	base := t.TempDir()
	var trees []map[string]string
	for i, o := range []runner.Options{{Workers: 1}, {Workers: 3, Memory: 32 << 10}} {
		out := filepath.Join(base, "out"+fmtInt(int64(i)))
		o.TmpDir = t.TempDir()
		if _, err := runSink(t, out, o); err != nil {
			t.Fatal(err)
		}
		tr := tree(t, out)
		if _, ok := tr["_SUCCESS"]; !ok {
			t.Errorf("no _SUCCESS in %v", keys(tr))
		}
		for name := range tree(t, out+"-lines") {
			tr["lines/"+name] = tree(t, out+"-lines")[name]
		}
		trees = append(trees, tr)
		assertEmpty(t, o.TmpDir)
	}
	equalTrees(t, trees[1], trees[0])
}

// TestGroupValuesIteratedOnce checks that a reducer reading its values
// twice fails here as on the in-memory runner, where it used to see no
// values the second time (ptable's test covers the other misuses).
func TestGroupValuesIteratedOnce(t *testing.T) {
	_, err := Run(context.Background(), build(t, twiceJob), runner.Options{Workers: 1, TmpDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "were iterated twice") {
		t.Fatalf("err = %v, want the values refused a second iteration", err)
	}
}

// TestFailedRerunLeavesNoStaleValues checks that a second run of a
// pipeline that fails clears what the first one materialized.
func TestFailedRerunLeavesNoStaleValues(t *testing.T) {
	p := build(t, wordCountJob, "--lines=100")
	if _, err := Run(context.Background(), p, runner.Options{Workers: 1, TmpDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if vs, err := outputs[p].Values(); err != nil || len(vs) == 0 {
		t.Fatalf("first run: %v, %v; want word counts", vs, err)
	}
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), p, runner.Options{Workers: 1, TmpDir: notDir}); err == nil {
		t.Fatal("a run with a file for its temporary directory succeeded")
	}
	if vs, err := outputs[p].Values(); err == nil {
		t.Errorf("after the failed run Values gave %d values, want an error", len(vs))
	}
}

// TestPrestartedWorkersStopped checks that the workers started while the
// driver prepares a run are stopped when it fails before any task took
// them: the output exists, so opening the sink fails (write mode fail).
func TestPrestartedWorkersStopped(t *testing.T) {
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("needs /proc to list child processes")
	}
	out := t.TempDir()
	_, err := runSink(t, out, runner.Options{Workers: 2, TmpDir: t.TempDir()})
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("got %v, want an error for the existing output", err)
	}
	if kids := children(t); len(kids) > 0 {
		t.Errorf("child processes %v still there after Run returned", kids)
	}
}

// children lists the test process's child processes.
func children(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("/proc/self/task/*/children")
	if err != nil {
		t.Fatal(err)
	}
	var pids []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil && !errors.Is(err, fs.ErrNotExist) { // a thread that ended
			t.Fatal(err)
		}
		pids = append(pids, strings.Fields(string(b))...)
	}
	return pids
}

func TestKilledWorkerIsRetried(t *testing.T) {
	want := t.TempDir() + "/want"
	if _, err := runSink(t, want, runner.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, kill string }{
		{"map", "stage=0,role=map,task=1,attempt=0,after=100"},
		{"reduce", "stage=0,role=reduce,task=0,attempt=0,after=50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(KillEnv, tt.kill)
			out := t.TempDir() + "/out"
			res, err := runSink(t, out, runner.Options{Workers: 2, TmpDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Counters.Get(CounterGroup, "failed task attempts"); got == 0 {
				t.Errorf("got %d failed attempts, want the injected kill to have happened", got)
			}
			equalTrees(t, tree(t, out), tree(t, want))
			equalTrees(t, tree(t, out+"-lines"), tree(t, want+"-lines"))
		})
	}
}

func TestTaskFailingEveryAttempt(t *testing.T) {
	tests := []struct {
		name, kill string
		args       []string
		want       string
	}{
		{"user error", "", []string{"--fail=wb "}, "FailOn"},
		{"killed every time", "stage=0,role=map,task=0,attempt=*,after=5", nil, "signal: killed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.kill != "" {
				t.Setenv(KillEnv, tt.kill)
			}
			out := t.TempDir() + "/out"
			tmp := t.TempDir()
			p := build(t, wordCountJob, append([]string{"--out=" + out}, tt.args...)...)
			_, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: tmp})
			var te *TaskError
			if !errors.As(err, &te) || te.Attempts != MaxAttempts {
				t.Fatalf("got %v, want a TaskError after %d attempts", err, MaxAttempts)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if tt.kill == "" {
				var tre *plan.TransformError
				if !errors.As(err, &tre) || tre.Transform != "FailOn" {
					t.Errorf("got %v, want a TransformError naming FailOn", err)
				}
			}
			for _, dir := range []string{out, out + "-lines"} {
				if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("output %s exists after a failed job (stat: %v)", dir, err)
				}
			}
			assertEmpty(t, tmp)
		})
	}
}

func TestFingerprintMismatch(t *testing.T) {
	p := build(t, clockJob)
	_, err := Run(context.Background(), p, runner.Options{Workers: 1, TmpDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "different plan") {
		t.Fatalf("got %v, want a plan fingerprint mismatch", err)
	}
}

// TestFingerprintCoversValues checks that in-memory values that differ in a
// worker (a map's iteration order) fail the run, where the worker read its
// split of other values: the count had 133 of 200 keys, some twice.
func TestFingerprintCoversValues(t *testing.T) {
	p := build(t, mapOrderJob)
	_, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "different plan") {
		t.Fatalf("got %v, want a plan fingerprint mismatch", err)
	}
}

// TestWorkerStartFailure checks that a worker that cannot be started (out
// of processes or file descriptors) gives its slot up while other workers
// run the tasks, where it failed the job; with no worker at all, the job
// fails naming why.
func TestWorkerStartFailure(t *testing.T) {
	defer func() { failWorkerStart = nil }()
	failWorkerStart = func(slot int) error {
		if slot > 0 {
			return errors.New("starting a worker: pipe2: too many open files")
		}
		return nil
	}
	want, _ := wordCounts(t, mem.Run, runner.Options{})
	got, res := wordCounts(t, Run, runner.Options{Workers: 4, TmpDir: t.TempDir()})
	if n := res.Counters.Get(CounterGroup, "workers not started"); n < 1 {
		t.Errorf("workers not started = %d, want at least 1", n)
	}
	if !slices.Equal(got, want) {
		t.Errorf("word counts: got %d, want the mem runner's %d", len(got), len(want))
	}
	failWorkerStart = func(int) error { return errors.New("starting a worker: fork: resource temporarily unavailable") }
	p := build(t, wordCountJob, "--lines=10")
	if _, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "resource temporarily unavailable") {
		t.Errorf("with no worker: got %v, want the start failure", err)
	}
}

func TestWriteModes(t *testing.T) {
	out := t.TempDir() + "/out"
	o := runner.Options{Workers: 2, TmpDir: t.TempDir()}
	if _, err := runSink(t, out, o); err != nil {
		t.Fatal(err)
	}
	first := tree(t, out)
	if _, err := runSink(t, out, o); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second run with write mode fail: got %v, want ErrExist", err)
	}
	equalTrees(t, tree(t, out), first)
	o.WriteMode = runner.WriteOverwrite
	if _, err := runSink(t, out, o); err != nil {
		t.Fatal(err)
	}
	equalTrees(t, tree(t, out), first)
	o.WriteMode = runner.WriteAppend
	if _, err := runSink(t, out, o); err != nil {
		t.Fatal(err)
	}
	if got, want := len(tree(t, out)), 2*len(first)-1; got != want {
		t.Errorf("after append: got %d files, want %d", got, want)
	}
}

func TestCancelLeavesNothing(t *testing.T) {
	out := t.TempDir() + "/out"
	tmp := t.TempDir()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	stop := errors.New("stopped by the test")
	var once sync.Once
	var events []runner.Event
	p := build(t, wordCountJob, "--lines=3000", "--out="+out)
	_, err := Run(ctx, p, runner.Options{Workers: 2, TmpDir: tmp, Progress: func(ev runner.Event) {
		events = append(events, ev)
		once.Do(func() { cancel(stop) })
	}})
	if !errors.Is(err, stop) {
		t.Fatalf("got %v, want the cancellation cause", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("output exists after a cancelled job (stat: %v)", err)
	}
	assertEmpty(t, tmp)
	if len(events) == 0 || events[0].TasksTotal == 0 || events[0].Phase != "map" {
		t.Errorf("got events %+v, want a map progress event", events)
	}
}

func TestProgressAndCounters(t *testing.T) {
	var events []runner.Event
	_, res := wordCounts(t, Run, runner.Options{Workers: 2, TmpDir: t.TempDir(), Progress: func(ev runner.Event) { events = append(events, ev) }})
	last := events[len(events)-1]
	if !last.Done || last.TasksDone != last.TasksTotal {
		t.Errorf("last event %+v, want the stage done", last)
	}
	var sawReduce bool
	for _, ev := range events {
		sawReduce = sawReduce || ev.Phase == "reduce" && ev.BytesIn > 0
	}
	if !sawReduce {
		t.Errorf("no reduce event with bytes in: %+v", events)
	}
	if got, want := res.Stages[0].RecordsIn, int64(2000); got != want {
		t.Errorf("stage 0 records in: got %d, want %d", got, want)
	}
}

// TestCorruptInputNotRetried checks that a task failing on corrupt input
// fails the job at its first attempt: reading the same bytes again would
// fail the same way, and "failed 3 times" would read as flaky.
func TestCorruptInputNotRetried(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Join(genLines(1000), "\n")))
	zw.Close()
	path := filepath.Join(t.TempDir(), "words.txt.gz")
	if err := os.WriteFile(path, gz.Bytes()[:gz.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	p := build(t, fileWordCountJob, "--input="+path)
	_, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: t.TempDir()})
	var te *TaskError
	if !errors.As(err, &te) || te.Attempts != 1 || !plan.IsPermanent(err) {
		t.Fatalf("got %v, want a permanent TaskError after 1 attempt", err)
	}
	msg := err.Error()
	if want := "stage 0: map task 0 failed: textio: " + path + ": offset "; !strings.HasPrefix(msg, want) || !strings.Contains(msg, "corrupt data") {
		t.Errorf("error %q does not start with %q and say corrupt data", msg, want)
	}
}

func TestSideInputLargerThanBudget(t *testing.T) {
	// 256 KiB for one worker: a side input of 2,000 100-byte values (about
	// 210 KiB encoded) is more than half of it, one of 10 values is not;
	// computed and written as an intermediate, or read by each task from
	// its source.
	for _, computed := range []string{"--computed=true", "--computed=false"} {
		t.Run(computed, func(t *testing.T) {
			opts := runner.Options{Workers: 1, Memory: 256 << 10, TmpDir: t.TempDir()}
			small := build(t, sideJob, computed)
			if _, err := Run(context.Background(), small, opts); err != nil {
				t.Fatalf("a small side input: %v", err)
			}
			got, err := sideOutputs[small].Values()
			if err != nil || len(got) != 3 {
				t.Errorf("a small side input: got %v (%v), want 3 rows", got, err)
			}
			big := build(t, sideJob, "--side-rows", "2000", computed)
			_, err = Run(context.Background(), big, opts)
			if err == nil || !strings.Contains(err.Error(), "more than half of a worker's memory budget (256.0 KiB)") || !strings.Contains(err.Error(), "side input") {
				t.Fatalf("a side input larger than the budget: err = %v, want one saying it does not fit", err)
			}
			// Retrying cannot make it fit: the job fails on the first attempt.
			var te *TaskError
			if !errors.As(err, &te) || te.Attempts != 1 {
				t.Errorf("a side input larger than the budget: err = %#v, want a TaskError after 1 attempt", err)
			}
		})
	}
}

// TestSourceSideInputReadByWorkers checks that a side input that is a file
// source is read from its file by the workers, with the splits the driver
// listed (no intermediate is written for it), decoded once per worker, and
// joined right.
func TestSourceSideInputReadByWorkers(t *testing.T) {
	stop := filepath.Join(t.TempDir(), "stop.txt")
	if err := os.WriteFile(stop, []byte(word(0)+"\n"+word(1)+"\n"+word(2)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := build(t, stopwordsJob, "--stop="+stop)
	var mu sync.Mutex
	var given [][]plan.Split
	observeTask = func(m taskMsg) {
		mu.Lock()
		defer mu.Unlock()
		if len(m.Sides) > 0 {
			t.Errorf("task %+v was given intermediate side inputs %v", m.Info, m.Sides)
		}
		for _, splits := range m.SourceSides {
			given = append(given, splits)
		}
	}
	defer func() { observeTask = nil }()
	res, err := Run(context.Background(), p, runner.Options{Workers: 1, TmpDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	for _, l := range genLines(2000) {
		for _, w := range strings.Fields(l) {
			if w != word(0) && w != word(1) && w != word(2) {
				want[w]++
			}
		}
	}
	got, err := stopOutputs[p].Values()
	if err != nil {
		t.Fatal(err)
	}
	gotMap := map[string]int64{}
	for _, kv := range got {
		gotMap[kv.Key] = kv.Value
	}
	if len(got) != len(gotMap) || !maps.Equal(gotMap, want) {
		t.Errorf("got %d counts, want %d (of the words not in %s)", len(got), len(want), stop)
	}
	if len(given) < 2 {
		t.Fatalf("%d tasks were given the side input's splits, want every map task (several)", len(given))
	}
	for _, splits := range given {
		if len(splits) != 1 || splits[0].Path != stop {
			t.Fatalf("a task was given splits %+v, want the one of %s", splits, stop)
		}
	}
	if n := len(res.Plan.Intermediates); n != 0 {
		t.Errorf("%d intermediates, want none:\n%s", n, res.Plan.Explain())
	}
	decoded := res.Counters.Get(pcollection.CounterGroup, pcollection.CounterSideInputsDecoded)
	reused := res.Counters.Get(pcollection.CounterGroup, pcollection.CounterSideInputsReused)
	if decoded != 1 || reused != int64(len(given)-1) {
		t.Errorf("side input decoded %d times and reused %d times over %d tasks, want decoded once", decoded, reused, len(given))
	}
}

// TestMissingSideInputFile checks that a side input file that does not
// exist fails the run once, before any task runs, naming the file.
func TestMissingSideInputFile(t *testing.T) {
	stop := filepath.Join(t.TempDir(), "stopwords.txt")
	p := build(t, stopwordsJob, "--stop="+stop)
	var tasks atomic.Int64
	observeTask = func(taskMsg) { tasks.Add(1) }
	defer func() { observeTask = nil }()
	tmp := t.TempDir()
	_, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: tmp})
	if err == nil {
		t.Fatal("a run whose side input file is missing succeeded")
	}
	if !strings.Contains(err.Error(), "splitting side input text "+stop) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want one naming side input %s, matching fs.ErrNotExist", err, stop)
	}
	var te *TaskError
	if errors.As(err, &te) || tasks.Load() != 0 {
		t.Errorf("%d task attempts ran before the run failed (err %v), want none", tasks.Load(), err)
	}
	assertEmpty(t, tmp)
}

// TestCorruptSideInputFile checks that a side input file that cannot be
// read fails the task that reads it with the source's error, naming the
// file, at its first attempt.
func TestCorruptSideInputFile(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat(word(0)+"\n", 1000)))
	zw.Close()
	stop := filepath.Join(t.TempDir(), "stopwords.txt.gz")
	if err := os.WriteFile(stop, gz.Bytes()[:gz.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	p := build(t, stopwordsJob, "--stop="+stop)
	_, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: t.TempDir()})
	var te *TaskError
	if !errors.As(err, &te) || te.Attempts != 1 || !plan.IsPermanent(err) {
		t.Fatalf("got %v, want a permanent TaskError after 1 attempt", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "side input textio.Read") || !strings.Contains(msg, "textio: "+stop) || !strings.Contains(msg, "corrupt data") {
		t.Errorf("error %q does not name the side input and its file %s and say corrupt data", msg, stop)
	}
}

// TestMemoryShareTooSmall checks that a budget that leaves a worker less
// than MinWorkerMemory is refused, rather than rounded down to no limit.
func TestMemoryShareTooSmall(t *testing.T) {
	p := build(t, wordCountJob, "--lines=10")
	for _, o := range []runner.Options{{Workers: 2, Memory: 1}, {Workers: 32, Memory: 64 << 10}} {
		o.TmpDir = t.TempDir()
		_, err := Run(context.Background(), p, o)
		if err == nil || !strings.Contains(err.Error(), "less than the 4.0 KiB a worker needs") {
			t.Errorf("%d workers, %d bytes: err = %v, want the budget refused", o.Workers, o.Memory, err)
		}
		assertEmpty(t, o.TmpDir)
	}
}

// TestSideInputDecodedOncePerWorker checks that a worker decodes a side
// input once and hands it to its later tasks, and that the join is right.
func TestSideInputDecodedOncePerWorker(t *testing.T) {
	for _, computed := range []string{"--computed=true", "--computed=false"} {
		t.Run(computed, func(t *testing.T) { testSideInputDecodedOncePerWorker(t, computed) })
	}
}

func testSideInputDecodedOncePerWorker(t *testing.T, computed string) {
	p := build(t, sideMapJob, computed)
	res, err := Run(context.Background(), p, runner.Options{Workers: 1, TmpDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := sideMapOutputs[p].Values()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4000 {
		t.Fatalf("got %d joined rows, want 4000", len(got))
	}
	for _, r := range got {
		if want := "v" + strings.TrimPrefix(r.Key, "k"); r.Value.Value != want || fmt.Sprintf("k%d", r.Value.Key%10) != r.Key {
			t.Fatalf("joined row %+v, want key k%d joined with %s", r, r.Value.Key%10, want)
		}
	}
	tasks := 0
	for _, st := range res.Stages {
		tasks += st.MapTasks
	}
	decoded := res.Counters.Get(pcollection.CounterGroup, pcollection.CounterSideInputsDecoded)
	reused := res.Counters.Get(pcollection.CounterGroup, pcollection.CounterSideInputsReused)
	if decoded != 1 || reused < 2 {
		t.Errorf("side input decoded %d times and reused %d times over %d map tasks, want decoded once and reused by the other tasks", decoded, reused, tasks)
	}
}

// TestSideInputSizedByWriters checks that a task reading a side input is
// told how many records its files hold, as the tasks that wrote them
// counted, so that it sizes the side input without reading it twice; the
// worker checks the count against what it reads.
func TestSideInputSizedByWriters(t *testing.T) {
	p := build(t, sideMapJob, "--table", "37", "--computed")
	var mu sync.Mutex
	var counts []int64
	observeTask = func(m taskMsg) {
		mu.Lock()
		defer mu.Unlock()
		for id := range m.Sides {
			counts = append(counts, m.SideRecords[id])
		}
	}
	defer func() { observeTask = nil }()
	if _, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if got, err := sideMapOutputs[p].Values(); err != nil || len(got) != 4000 {
		t.Fatalf("got %d joined rows (%v), want 4000", len(got), err)
	}
	if len(counts) == 0 {
		t.Fatal("no task was given a side input")
	}
	for _, n := range counts {
		if n != 37 {
			t.Fatalf("side input counts given to the tasks: %v, want 37 (the table's rows) each", counts)
		}
	}
}

// TestRandomPipelines runs runnertest.RandomPipeline on worker processes
// and checks each result against the mem runner's unplanned run:
// intermediate and side-input files, partitions and tasks must not change a
// result.
func TestRandomPipelines(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	runnertest.RunRandom(t, Runner{}, func(seed int) runner.Options {
		return runner.Options{Workers: 2, Partitions: seed%3 + 1, TmpDir: t.TempDir()}
	}, mem.Runner{}, runner.Options{Unoptimized: true}, seeds)
}

// TestInputGroups checks how intermediate files are divided among map
// tasks: one each, unless they hold shuffle records, which are read
// together in file order up to BytesPerSplit a task.
func TestInputGroups(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, size := range []int64{10, BytesPerSplit / 2, BytesPerSplit / 2, 10, BytesPerSplit + 1, 10} {
		f := filepath.Join(dir, fmt.Sprintf("inter-%d", i))
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(f, size); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	count := func(groups [][]string) (n []int) {
		var all []string
		for _, g := range groups {
			n = append(n, len(g))
			all = append(all, g...)
		}
		if !slices.Equal(all, files) {
			t.Errorf("groups %v do not hold the files in order", groups)
		}
		return n
	}
	if got, want := count(inputGroups(files, false)), []int{1, 1, 1, 1, 1, 1}; !slices.Equal(got, want) {
		t.Errorf("other intermediates: group sizes %v, want %v", got, want)
	}
	// 10 B + 32 MiB fit; the next 32 MiB would pass 64 MiB; the file over
	// 64 MiB is a task of its own.
	if got, want := count(inputGroups(files, true)), []int{2, 2, 1, 1}; !slices.Equal(got, want) {
		t.Errorf("shuffle records: group sizes %v, want %v", got, want)
	}
	if got := inputGroups([]string{filepath.Join(dir, "missing")}, true); len(got) != 1 {
		t.Errorf("a file that cannot be read: %v, want one task that will fail reading it", got)
	}
}

// TestStagesOverlap checks that a stage starts as soon as what it reads is
// done: local-test/overlap finishes only if a second-stage reducer runs
// while a first-stage reducer still waits for it.
func TestStagesOverlap(t *testing.T) {
	p, err := overlapJob.Build([]string{"--marker", filepath.Join(t.TempDir(), "marker")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stages) != 2 {
		t.Fatalf("%d stages, want 2:\n%s", len(res.Stages), res.Plan.Explain())
	}
	if s0, s1 := res.Stages[0], res.Stages[1]; s1.Start >= s0.Start+s0.Duration {
		t.Errorf("stage 1 started at %v, after stage 0 (started at %v) ended %v later", s1.Start, s0.Start, s0.Duration)
	}
	counted, err := overlapOutputs[p].counted.Values()
	if err != nil {
		t.Fatal(err)
	}
	waited, err := overlapOutputs[p].waited.Values()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(counted)
	slices.Sort(waited)
	if want := []string{"a=3", "b=1", "c=1"}; !slices.Equal(counted, want) {
		t.Errorf("counted %v, want %v", counted, want)
	}
	if want := []string{"a", "b", "c"}; !slices.Equal(waited, want) {
		t.Errorf("waited %v, want %v", waited, want)
	}
}

// TestCheckFeeds checks that a map task's shuffle records in a channel its
// phase does not feed fail the run instead of being lost.
func TestCheckFeeds(t *testing.T) {
	m := &unit{input: 0, channel: -1}
	sr := &stageRun{st: &plan.Stage{ID: 3}, parts: []int{2, 1},
		reduces: []*unit{{channel: 0, feeders: []*unit{m}}, {channel: 1}}}
	task := &task{unit: m, msg: taskMsg{Info: plan.TaskInfo{Stage: 3, Role: "map", Task: 5}},
		res: &resultMsg{Runs: []shuffle.Run{{Path: "run-0", Offsets: []int64{0, 10, 30, 30}}}}}
	if err := sr.checkFeeds(task); err != nil {
		t.Errorf("records for the fed channel only: %v", err)
	}
	task.res.Runs = append(task.res.Runs, shuffle.Run{Path: "run-1", Offsets: []int64{0, 0, 0, 8}})
	err := sr.checkFeeds(task)
	if err == nil || !strings.Contains(err.Error(), "stage 3 map task 5 wrote shuffle records to channel 1") {
		t.Errorf("records for a channel not fed: err = %v", err)
	}
}

// TestValueOrderAcrossStages checks that a reducer fed by an intermediate
// that two reduce phases wrote gets each key's values in the same order on
// one worker, where stages run one after another, on three, where they
// overlap and tasks finish in any order, and on the in-memory runner: file
// lists follow task order, not timing.
func TestValueOrderAcrossStages(t *testing.T) {
	run := func(r runFunc, o runner.Options) []string {
		t.Helper()
		vs, _ := runJob(t, r, o, orderJob, orderOutputs)
		return vs
	}
	want := run(mem.Run, runner.Options{Partitions: 3})
	for _, w := range []int{1, 3} {
		got := run(Run, runner.Options{Workers: w, Partitions: 3, TmpDir: t.TempDir()})
		if !slices.Equal(got, want) {
			t.Errorf("%d workers:\n%v\nwant (mem runner)\n%v", w, got, want)
		}
	}
	if len(want) != 3 || !strings.Contains(want[0], ",") {
		t.Errorf("got %q, want three groups of several values", want)
	}
}

// TestWarmWorkersFirst checks that a task goes to a worker that has run
// one before a new worker starts: word count on 8 worker slots runs 4 map
// tasks, then 4 reducers, on 4 processes.
func TestWarmWorkersFirst(t *testing.T) {
	var started atomic.Int64
	observeWorkerStart = func() { started.Add(1) }
	defer func() { observeWorkerStart = nil }()
	p := build(t, wordCountJob, "--lines=2000")
	res, err := Run(context.Background(), p, runner.Options{Workers: 8, Partitions: 4, TmpDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Stages[0]; st.MapTasks != 4 || st.ReduceTasks != 4 {
		t.Fatalf("%d map and %d reduce tasks, want 4 and 4", st.MapTasks, st.ReduceTasks)
	}
	if n := started.Load(); n != 4 {
		t.Errorf("started %d workers for at most 4 tasks at a time, want 4", n)
	}
}

// TestWorkerProcs checks that workers share out the driver's GOMAXPROCS:
// a worker runs one task at a time, and more Ps would only let its
// collector compete with the other workers.
func TestWorkerProcs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, tt := range []struct{ workers, want int }{{1, 4}, {2, 2}, {3, 1}, {8, 1}} {
		got, _ := runJob(t, Run, runner.Options{Workers: tt.workers, TmpDir: t.TempDir()}, procsJob, procsResults)
		if len(got) != 4 {
			t.Fatalf("%d workers: %d results, want 4", tt.workers, len(got))
		}
		for _, n := range got {
			if n != tt.want {
				t.Errorf("%d workers with 4 Ps: a task ran with GOMAXPROCS %d, want %d", tt.workers, n, tt.want)
			}
		}
	}
}

// readParts returns the part files of output directory dir in name order,
// and their contents.
func readParts(t testing.TB, dir string) (files []string, contents [][]byte) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "part-*"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		contents = append(contents, b)
	}
	return files, contents
}

// runLineParts runs job (with --out, --n and --parts) on two workers and returns
// its part files, which must be parts, and their lines.
func runLineParts(t *testing.T, job *runner.Job, n, parts int) (files []string, lines [][]string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	p := build(t, job, "--out", out, "--n", strconv.Itoa(n), "--parts", strconv.Itoa(parts))
	if _, err := Run(context.Background(), p, runner.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	files, contents := readParts(t, out)
	if len(files) != parts {
		t.Fatalf("part files %v, want %d", files, parts)
	}
	for _, b := range contents {
		lines = append(lines, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"))
	}
	return files, lines
}

// Shard writes as many part files as it has shards, of about equal size,
// holding every line once.
func TestShardWritesEvenParts(t *testing.T) {
	const n, parts = 10007, 7
	files, contents := runLineParts(t, shardJob, n, parts)
	seen := map[string]bool{}
	for i, lines := range contents {
		// Each map task deals its lines in turn: a part is off an even
		// share by at most one line per map task.
		if d := len(lines) - n/parts; d < -MinSplits || d > MinSplits+1 {
			t.Errorf("%s holds %d lines, want %d ± %d", filepath.Base(files[i]), len(lines), n/parts, MinSplits)
		}
		for _, l := range lines {
			if seen[l] {
				t.Fatalf("%q written twice", l)
			}
			seen[l] = true
		}
	}
	if len(seen) != n {
		t.Errorf("the parts hold %d lines, want %d", len(seen), n)
	}
}

// A sort's part files, read in name order, hold every record in order, and
// its ranges split the records about evenly.
func TestSortWritesOrderedParts(t *testing.T) {
	const n, parts = 50000, 4
	files, contents := runLineParts(t, sortJob, n, parts)
	var all []string
	for i, lines := range contents {
		// "hot" is a tenth of the records and lands in one range whole.
		if len(lines) < n/parts/2 || len(lines) > n/parts*3/2 {
			t.Errorf("%s holds %d records, want about %d", filepath.Base(files[i]), len(lines), n/parts)
		}
		all = append(all, lines...)
	}
	if len(all) != n {
		t.Fatalf("the parts hold %d records, want %d", len(all), n)
	}
	if !slices.IsSorted(all) {
		for i := 1; i < len(all); i++ {
			if all[i] < all[i-1] {
				t.Fatalf("record %d (%q) comes after %q", i, all[i], all[i-1])
			}
		}
	}
}

// TestLargestReducersFirst checks that one worker runs a stage's reduce
// tasks largest input first, so that on several workers the small ones
// fill in at the end instead of a large one running alone.
func TestLargestReducersFirst(t *testing.T) {
	sizes := observeSizes(t, func(m taskMsg) bool { return m.Info.Role == "reduce" && m.Info.Stage == 0 })
	p := build(t, wordCountJob, "--lines=2000")
	if _, err := Run(context.Background(), p, runner.Options{Workers: 1, Partitions: 6, TmpDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	checkLargestFirst(t, "reduce tasks", sizes(), 6)
}

// TestLargestSplitsFirst checks that map tasks of a source go largest split
// first, as reducers do: in file order a worker could take every small one.
func TestLargestSplitsFirst(t *testing.T) {
	dir := t.TempDir()
	for i, lines := range []int{50, 2000, 400} {
		data := strings.Repeat("some line of text\n", lines)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("in-%d.txt", i)), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sizes := observeSizes(t, func(m taskMsg) bool { return len(m.Splits) > 0 && strings.HasSuffix(m.Splits[0].Path, ".txt") })
	p := build(t, sideMapJob, "--input="+filepath.Join(dir, "*.txt"))
	if _, err := Run(context.Background(), p, runner.Options{Workers: 1, TmpDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	checkLargestFirst(t, "map tasks", sizes(), 3)
}

// TestSmallFilesShareTasks checks that many small input files are read a
// few to a map task, not one each, and that every line is read once.
func TestSmallFilesShareTasks(t *testing.T) {
	dir := t.TempDir()
	var lines strings.Builder
	for i := range 10 {
		fmt.Fprintf(&lines, "k%d\n", i)
	}
	const files = 300
	for i := range files {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("in-%03d.txt", i)), []byte(lines.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := build(t, sideMapJob, "--input="+filepath.Join(dir, "*.txt"))
	res, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// 300 files of 30 bytes, asked for MinSplits splits: tasks of a
	// quarter of the input.
	if got := res.Stages[0].MapTasks; got != MinSplits {
		t.Errorf("%d files made %d map tasks, want %d", files, got, MinSplits)
	}
	got, err := sideMapOutputs[p].Values()
	if err != nil {
		t.Fatal(err)
	}
	perKey := map[string]int{}
	for _, kv := range got {
		if kv.Value.Value != "v"+kv.Key[1:] {
			t.Errorf("line %q joined %q", kv.Key, kv.Value.Value)
		}
		perKey[kv.Key]++
	}
	for i := range 10 {
		if n := perKey[fmt.Sprint("k", i)]; n != files {
			t.Errorf("line k%d read %d times, want %d (once per file)", i, n, files)
		}
	}
}

// observeSizes records the input size of each task sent to a worker that
// keep accepts, in the order sent, until the test ends.
func observeSizes(t *testing.T, keep func(taskMsg) bool) func() []int64 {
	var mu sync.Mutex
	var sizes []int64
	observeTask = func(m taskMsg) {
		if keep(m) {
			mu.Lock()
			defer mu.Unlock()
			sizes = append(sizes, (&task{msg: m}).inputSize())
		}
	}
	t.Cleanup(func() { observeTask = nil })
	return func() []int64 {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(sizes)
	}
}

// checkLargestFirst checks that at least n tasks of different sizes ran,
// largest first.
func checkLargestFirst(t *testing.T, what string, sizes []int64, n int) {
	t.Helper()
	if len(sizes) < n || slices.Min(sizes) == slices.Max(sizes) {
		t.Fatalf("%s with inputs of %v bytes: want %d or more of different sizes", what, sizes, n)
	}
	if !slices.IsSortedFunc(sizes, func(a, b int64) int { return cmp.Compare(b, a) }) {
		t.Errorf("%s ran with inputs of %v bytes, want largest first", what, sizes)
	}
}

// TestTmpDirOnThisMachine checks that the scratch directory may be given as
// a file:// URL and is refused elsewhere.
func TestTmpDirOnThisMachine(t *testing.T) {
	p := build(t, wordCountJob, "--lines=10")
	dir := t.TempDir()
	if _, err := Run(context.Background(), p, runner.Options{Workers: 1, TmpDir: "file://" + dir}); err != nil {
		t.Errorf("a file:// scratch directory: %v", err)
	}
	_, err := Run(context.Background(), p, runner.Options{Workers: 1, TmpDir: "hdfs://nn/tmp"})
	if err == nil || err.Error() != "hdfs://nn/tmp is not on this machine: the local runner's scratch directory is a local one" {
		t.Errorf("an HDFS scratch directory: %v, want it refused", err)
	}
}

// TestPlannedTasks checks that a stage's planned tasks are its source's
// splits and its channels' partitions from the start, and that its map
// tasks are not known until those of an input an earlier stage writes are
// made, when they are exact, not the upper bound used before.
func TestPlannedTasks(t *testing.T) {
	sr := &stageRun{st: &plan.Stage{Inputs: []*plan.Input{{Intermediate: false}, {Intermediate: true}}}}
	source := &unit{st: sr, input: 0, channel: -1, splits: make([][]plan.Split, 3), bound: 3}
	inter := &unit{st: sr, input: 1, channel: -1, bound: 5}
	sr.maps = []*unit{source, inter}
	sr.reduces = []*unit{{st: sr, input: -1, channel: 0, bound: 4}, {st: sr, input: -1, channel: 1, bound: 2}}
	if got := sr.plannedTasks("reduce"); got != 6 {
		t.Errorf("reduce tasks %d, want the 6 partitions", got)
	}
	if got := sr.plannedTasks("map"); got != 0 {
		t.Errorf("map tasks %d before the intermediate's tasks are made, want 0 (not known)", got)
	}
	inter.made, inter.tasks = true, []*task{{}, {}}
	if got := sr.plannedTasks("map"); got != 3+2 {
		t.Errorf("map tasks %d, want 3 splits and 2 tasks of the intermediate", got)
	}
}

// TestUnfinishedStageWithUnwrittenInput checks what a run that fails in its
// first stage says of a second stage that had started, on its input from a
// source, while its input from the first stage was never written: its done
// map tasks, of a total not known (0), since the tasks of that input are
// one per file the first stage writes; its partitions are known.
func TestUnfinishedStageWithUnwrittenInput(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "marker")
	p := build(t, earlyFailJob, "--marker="+marker)
	res, err := Run(context.Background(), p, runner.Options{Workers: 2, Partitions: 3, TmpDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "the first stage fails on purpose") {
		t.Fatalf("run error %v, want the first stage's failure", err)
	}
	if res == nil || len(res.Stages) != 2 {
		t.Fatalf("result %+v, want both stages, unfinished", res)
	}
	if s := res.Stages[0]; !s.Unfinished || s.MapTasks != s.MapTasksTotal || s.ReduceTasks != 0 || s.ReduceTasksTotal != 3 {
		t.Errorf("stage 0 %+v: want unfinished with all its map tasks and none of its 3 reduce tasks done", s)
	}
	if s := res.Stages[1]; !s.Unfinished || s.MapTasks < 1 || s.MapTasksTotal != 0 || s.ReduceTasks != 0 || s.ReduceTasksTotal != 3 {
		t.Errorf("stage 1 %+v: want unfinished with map tasks of its source done, of a map total not known (0), and 0 of 3 reduce tasks", s)
	}
}
