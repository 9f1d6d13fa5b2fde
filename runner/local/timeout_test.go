package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/textio"
)

type stallArgs struct {
	Records int `flag:"records" default:"40"`
	SleepMs int `flag:"sleep-ms"` // per record
	// Stall is how the map function stalls at record 0: "hang", "stop"
	// (SIGSTOP its own process) or "busy" (1.6 s of work calling
	// Context.Progress); Once, a directory, makes it stall only the first
	// time, in whichever attempt creates a marker file there. "log" does
	// not stall but writes a line to stderr per record.
	Stall  string `flag:"stall"`
	Once   string `flag:"once"`
	Marker string `flag:"marker"` // where a stalling process says so (markHanging)
	Out    string `flag:"out"`    // also write the keys as text here
}

var stallResults = map[*pcollection.Pipeline]*pcollection.Materialized[ptable.Pair[string, int64]]{}

// stallJob maps generated records, one split of them, through a function
// that can be slow on every record or stall on the first, and counts them
// per key.
var stallJob = runner.Register("local-test/stall", "a map task that is slow or stalls",
	func(p *pcollection.Pipeline, a *stallArgs) error {
		recs := pcollection.NewSource[ptable.Pair[string, string]](p, "Generate", &genSource{n: a.Records, value: 12, splits: 1})
		slow := pcollection.ParDo(recs, &stallFn{args: a}, pcollection.Name("MaybeStall"))
		stallResults[p] = pcollection.Materialize(ptable.Count(slow))
		if a.Out != "" {
			writeLines(slow, a.Out)
		}
		return nil
	})

// stallFn passes on each record's key, sleeping SleepMs first; at record
// 0 it stalls as Stall says.
type stallFn struct {
	args *stallArgs
	ctx  *pcollection.Context
}

func (f *stallFn) Setup(ctx *pcollection.Context) error {
	f.ctx = ctx
	return nil
}

func (f *stallFn) Process(kv ptable.Pair[string, string], emit func(string)) error {
	a := f.args
	time.Sleep(time.Duration(a.SleepMs) * time.Millisecond)
	if a.Stall == "log" {
		fmt.Fprintln(os.Stderr, "processing", kv.Key)
	}
	if kv.Value == "000000000000" && a.Stall != "" && firstTime(a.Once) {
		switch a.Stall {
		case "busy":
			// Long on one record, but saying it is alive.
			for range 40 {
				time.Sleep(40 * time.Millisecond)
				f.ctx.Progress()
			}
		case "log": // only the marker, for a test to see the task run
		default:
			if err := stallHere(a.Stall, a.Marker); err != nil {
				return err
			}
		}
	}
	emit(kv.Key)
	return nil
}

// firstTime reports whether this is the first call for marker directory
// dir across processes; with no dir, always.
func firstTime(dir string) bool {
	if dir == "" {
		return true
	}
	f, err := os.OpenFile(filepath.Join(dir, "stalled"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// stallHere stalls as how says, having marked the process hanging in
// marker.
func stallHere(how, marker string) error {
	if err := markHanging(marker); err != nil {
		return err
	}
	if how == "stop" {
		stopSelf()
	}
	time.Sleep(time.Hour)
	return nil
}

// markHanging writes this process's ID to the file "hanging" in dir, if
// dir is set: the process is about to hang, and endOnlyHanging's
// deadlines may end it.
func markHanging(dir string) error {
	if dir == "" {
		return nil
	}
	f, err := os.CreateTemp(dir, "hanging-*.tmp")
	if err != nil {
		return err
	}
	_, err = f.WriteString(strconv.Itoa(os.Getpid()))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, "hanging"))
	}
	return err
}

// waitHanging waits until worker pid marked itself hanging in dir (true)
// or done is closed (false).
func waitHanging(done <-chan struct{}, dir string, pid int) bool {
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "hanging")); err == nil && string(b) == strconv.Itoa(pid) {
			return true
		}
		select {
		case <-done:
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// endOnlyHangingStarts makes the worker-start deadline, for the rest of
// test t, end only the start of a worker that marked itself hanging in dir
// (markHanging): no limit short enough for a test tells a hung start from
// one slowed down by a loaded machine.
func endOnlyHangingStarts(t *testing.T, dir string) {
	orig := startDeadline
	t.Cleanup(func() { startDeadline = orig })
	startDeadline = func(ctx context.Context, pid int, _ time.Duration, cause error) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancelCause(ctx)
		go func() {
			if waitHanging(ctx.Done(), dir, pid) {
				cancel(cause)
			}
		}()
		return ctx, func() { cancel(context.Canceled) }
	}
}

// endOnlyHangingTasks makes the task deadline, for the rest of test t,
// end only a task whose worker marked itself hanging in dir, once the
// task timeout has also passed without a heartbeat: a healthy task, however
// slowed down, never races it.
func endOnlyHangingTasks(t *testing.T, dir string) {
	orig := taskDeadline
	t.Cleanup(func() { taskDeadline = orig })
	taskDeadline = func(pid int, timeout time.Duration) (<-chan time.Time, func(), func()) {
		expired, reset, stop := orig(pid, timeout)
		gated, done := make(chan time.Time), make(chan struct{})
		go func() {
			for {
				var at time.Time
				select {
				case <-done:
					return
				case at = <-expired:
				}
				if !waitHanging(done, dir, pid) {
					return
				}
				select {
				case <-done:
					return
				case gated <- at:
				}
			}
		}()
		return gated, reset, func() { stop(); close(done) }
	}
}

// endOnlyHanging is endOnlyHangingStarts and endOnlyHangingTasks.
func endOnlyHanging(t *testing.T, dir string) {
	endOnlyHangingStarts(t, dir)
	endOnlyHangingTasks(t, dir)
}

// runStall runs stallJob with args and returns its counts by key.
func runStall(t *testing.T, opts runner.Options, args ...string) (map[string]int64, *runner.Result, error) {
	t.Helper()
	p := build(t, stallJob, args...)
	opts.Workers = 2
	if opts.TmpDir == "" {
		opts.TmpDir = t.TempDir()
	}
	res, err := Run(context.Background(), p, opts)
	if err != nil {
		return nil, nil, err
	}
	vals, err := stallResults[p].Values()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, kv := range vals {
		counts[kv.Key] = kv.Value
	}
	return counts, res, nil
}

func TestStalledTaskIsKilledAndRetried(t *testing.T) {
	want, _, err := runStall(t, runner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want["hot"] != 10 {
		t.Fatalf("the unstalled run counted %d hot records, want 10", want["hot"])
	}
	for _, how := range []string{"hang", "stop"} {
		t.Run(how, func(t *testing.T) {
			marker := t.TempDir()
			endOnlyHanging(t, marker)
			got, res, err := runStall(t, runner.Options{TaskTimeout: 500 * time.Millisecond},
				"--stall="+how, "--once="+marker, "--marker="+marker)
			if err != nil {
				t.Fatal(err)
			}
			if n := res.Counters.Get(CounterGroup, "failed task attempts"); n != 1 {
				t.Errorf("%d failed task attempts, want the stalled one", n)
			}
			if len(got) != len(want) {
				t.Fatalf("got %d keys, want %d", len(got), len(want))
			}
			for k, n := range want {
				if got[k] != n {
					t.Errorf("key %s: got %d, want %d", k, got[k], n)
				}
			}
		})
	}
}

func TestTaskStallingEveryAttempt(t *testing.T) {
	marker := t.TempDir()
	endOnlyHanging(t, marker)
	_, _, err := runStall(t, runner.Options{TaskTimeout: 300 * time.Millisecond}, "--stall=hang", "--marker="+marker)
	var te *TaskError
	if !errors.As(err, &te) || te.Attempts != MaxAttempts {
		t.Fatalf("got %v, want a TaskError after %d attempts", err, MaxAttempts)
	}
	var se *stalledError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want it to wrap a stalledError", err)
	}
	msg := err.Error()
	if first := strings.SplitN(msg, "\n", 2)[0]; !strings.Contains(first, "no progress for 300ms (the task timeout)") {
		t.Errorf("first line %q does not give the timeout", first)
	}
	// The worker's stack at the time points at the stalling function.
	if !strings.Contains(msg, "local.stallHere(") || !strings.Contains(msg, "time.Sleep(") {
		t.Errorf("error does not show where the task stood:\n%s", msg)
	}
}

type crowdArgs struct {
	Goroutines int    `flag:"goroutines"`
	Marker     string `flag:"marker"` // where the hanging process says so (markHanging)
}

// crowdJob's map function starts goroutines, then hangs.
var crowdJob = runner.Register("local-test/crowd", "a map function that hangs among many goroutines",
	func(p *pcollection.Pipeline, a *crowdArgs) error {
		recs := pcollection.NewSource[ptable.Pair[string, string]](p, "Generate", &genSource{n: 4, value: 12, splits: 1})
		n := a.Goroutines
		pcollection.Materialize(pcollection.Map(ptable.Keys(recs), func(k string) string {
			block := make(chan struct{})
			for range n {
				go func() { <-block }()
			}
			hangInCrowd(a.Marker)
			return k
		}))
		return nil
	})

func hangInCrowd(marker string) {
	if err := markHanging(marker); err != nil {
		panic(err)
	}
	time.Sleep(time.Hour)
}

// TestStalledStackAmongManyGoroutines checks that the error finds the
// task's goroutine in a goroutine dump much longer than the output the
// runner keeps of a worker.
func TestStalledStackAmongManyGoroutines(t *testing.T) {
	marker := t.TempDir()
	endOnlyHanging(t, marker)
	p := build(t, crowdJob, "--goroutines=300", "--marker="+marker)
	_, err := Run(context.Background(), p, runner.Options{Workers: 1, TmpDir: t.TempDir(), TaskTimeout: 300 * time.Millisecond})
	var se *stalledError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a stalledError", err)
	}
	if !strings.Contains(se.stack, "local.hangInCrowd(") {
		t.Errorf("the error does not show where the task stood:\n%v", err)
	}
}

func TestSlowTaskMakingProgressIsNotKilled(t *testing.T) {
	// One task of 40 records at 40 ms each runs 1.6 s, past the timeout,
	// with a heartbeat every 100 ms: a loaded machine has to hold back
	// the task or its heartbeats for 900 ms for it to time out.
	endOnlyHangingStarts(t, t.TempDir())
	_, res, err := runStall(t, runner.Options{TaskTimeout: time.Second}, "--records=40", "--sleep-ms=40")
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Counters.Get(CounterGroup, "failed task attempts"); n != 0 {
		t.Errorf("%d failed task attempts, want none", n)
	}
}

func TestBusyFunctionReportingProgressIsNotKilled(t *testing.T) {
	// 1.6 s on one record, calling Context.Progress every 40 ms, past the
	// timeout, with a heartbeat every 100 ms (as above).
	endOnlyHangingStarts(t, t.TempDir())
	_, res, err := runStall(t, runner.Options{TaskTimeout: time.Second}, "--stall=busy")
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Counters.Get(CounterGroup, "failed task attempts"); n != 0 {
		t.Errorf("%d failed task attempts, want none", n)
	}
}

type buildHangArgs struct {
	Once string `flag:"once"` // the marker directory: one worker's build hangs
}

var buildHangResults = map[*pcollection.Pipeline]*pcollection.Materialized[string]{}

// buildHangJob's pipeline build hangs in the first worker that builds it,
// which marks itself hanging in the marker directory first.
var buildHangJob = runner.Register("local-test/build-hang", "a job whose pipeline build hangs in one worker",
	func(p *pcollection.Pipeline, a *buildHangArgs) error {
		if IsWorker() && firstTime(a.Once) {
			if err := markHanging(a.Once); err != nil {
				return err
			}
			time.Sleep(time.Hour)
		}
		buildHangResults[p] = pcollection.Materialize(pcollection.Map(pcollection.Of(p, "a", "b"), strings.ToUpper))
		return nil
	})

func TestStartTimeout(t *testing.T) {
	for _, tc := range []struct{ task, want time.Duration }{
		{0, 0},
		{500 * time.Millisecond, minStartTimeout},
		{time.Hour, time.Hour},
	} {
		if got := startTimeout(tc.task); got != tc.want {
			t.Errorf("start timeout %v under a task timeout of %v, want %v", got, tc.task, tc.want)
		}
	}
}

func TestWorkerStartHangingIsRetried(t *testing.T) {
	// The start of the worker that hangs, and only that one, reaches its
	// deadline: a start timeout short enough for a test (it was 500 ms)
	// also killed workers that were only slow to start on a loaded
	// machine, failing more attempts than the one, or every attempt of a
	// task.
	marker := t.TempDir()
	endOnlyHangingStarts(t, marker)
	p := build(t, buildHangJob, "--once="+marker)
	res, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Counters.Get(CounterGroup, "failed task attempts"); n != 1 {
		t.Errorf("%d failed task attempts, want the one whose worker did not start", n)
	}
	got, err := buildHangResults[p].Values()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Sort(got); !slices.Equal(got, []string{"A", "B"}) {
		t.Errorf("got %q, want [A B]", got)
	}
}

// hangThenFailJob's pipeline build hangs in every worker, and its input
// is missing, so the run fails before any task takes a worker.
var hangThenFailJob = runner.Register("local-test/hang-then-fail", "a job whose workers never start and whose input is missing",
	func(p *pcollection.Pipeline, a *fileArgs) error {
		if IsWorker() {
			time.Sleep(time.Hour)
		}
		pcollection.Materialize(textio.Read(p, a.Input))
		return nil
	})

// TestFailedRunStopsStartingWorkers checks that a run that fails while its
// prestarted workers are still starting returns, with the task timeout
// off: it used to wait for their handshakes, which never came.
func TestFailedRunStopsStartingWorkers(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.txt")
	p := build(t, hangThenFailJob, "--input="+missing)
	_, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: t.TempDir(), TaskTimeout: -1})
	if err == nil || !strings.Contains(err.Error(), "missing.txt") {
		t.Fatalf("got %v, want the missing input's error", err)
	}
}

func TestBeatInterval(t *testing.T) {
	// With no timeout, heartbeats only carry progress.
	if got := beatInterval(runner.Options{TaskTimeout: -1}.EffectiveTaskTimeout()); got != 5*time.Second {
		t.Errorf("heartbeat interval %v with no timeout, want 5s", got)
	}
	if got := beatInterval(300 * time.Millisecond); got != 30*time.Millisecond {
		t.Errorf("heartbeat interval %v under a 300ms timeout, want 30ms", got)
	}
	if got := beatInterval(runner.Options{}.EffectiveTaskTimeout()); got != 5*time.Second {
		t.Errorf("heartbeat interval %v under the default timeout, want 5s", got)
	}
}

// driverEnv makes the test binary run the stall job as a driver, with the
// arguments it holds (separated by spaces) and the scratch directory in
// driverTmpEnv, then exit. It runs one worker: the one running the task is
// then the only one to clean up after the run if the driver dies.
const (
	driverEnv    = "CRUNCHGO_TEST_DRIVER"
	driverTmpEnv = "CRUNCHGO_TEST_DRIVER_TMP"
)

// runTestDriver is called from TestMain.
func runTestDriver() {
	args := os.Getenv(driverEnv)
	if args == "" {
		return
	}
	p, err := stallJob.Build(strings.Fields(args))
	if err == nil {
		// Notes (a wait for another run's commit) go to stdout, for a
		// test to see.
		notes := func(ev runner.Event) {
			if ev.Note != "" {
				fmt.Println(ev.Note)
			}
		}
		_, err = Run(context.Background(), p, runner.Options{Workers: 1, TmpDir: os.Getenv(driverTmpEnv), Progress: notes})
	}
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Exit(0)
}

// TestLiveProgress checks that a long task's records show in progress
// events before it ends, from its heartbeats.
func TestLiveProgress(t *testing.T) {
	// The timeout sets the heartbeats' interval; it ends no task here: one
	// killed on a loaded machine would take back the counts it showed.
	endOnlyHanging(t, t.TempDir())
	var events []runner.Event
	opts := runner.Options{TaskTimeout: 600 * time.Millisecond, Progress: func(ev runner.Event) { events = append(events, ev) }}
	// One map task of 30 records at 40 ms each: 1.2 s, heartbeats every 60 ms.
	if _, _, err := runStall(t, opts, "--records=30", "--sleep-ms=40"); err != nil {
		t.Fatal(err)
	}
	var live, last int64
	midway := false // a partial count strictly between none and all
	for _, ev := range events {
		if ev.Stage != 0 || ev.Phase != "map" {
			continue
		}
		if ev.Partial {
			if ev.TasksDone != 0 {
				t.Errorf("a partial event after the only map task ended: %+v", ev)
			}
			if ev.RecordsIn < live {
				t.Errorf("records in went from %d to %d while the task ran", live, ev.RecordsIn)
			}
			live = ev.RecordsIn
			midway = midway || live > 0 && live < 30
		} else {
			last = ev.RecordsIn
		}
	}
	if !midway {
		t.Errorf("no partial event counted some but not all of the 30 records (the last: %d)", live)
	}
	if last != 30 {
		t.Errorf("the map phase ended with %d records in, want 30", last)
	}
}

type progressArgs struct {
	Records    int  `flag:"records" default:"60"`
	Splits     int  `flag:"splits" default:"2"`
	SleepMs    int  `flag:"sleep-ms" default:"40"`
	TeardownMs int  `flag:"teardown-ms"`
	Keepalive  bool `flag:"keepalive"` // call Context.Progress from a goroutine of the function's
}

// progressJob counts generated records through a slow DoFn.
var progressJob = runner.Register("local-test/progress", "a slow map function, for progress events",
	func(p *pcollection.Pipeline, a *progressArgs) error {
		recs := pcollection.NewSource[ptable.Pair[string, string]](p, "Generate", &genSource{n: a.Records, value: 12, splits: a.Splits})
		pcollection.Materialize(ptable.Count(pcollection.ParDo(recs, &slowFn{args: a}, pcollection.Name("Slow"))))
		return nil
	})

type slowFn struct {
	args *progressArgs
	ctx  *pcollection.Context
	stop chan struct{}
	once sync.Once
}

func (f *slowFn) Setup(ctx *pcollection.Context) error {
	f.ctx, f.stop = ctx, make(chan struct{})
	return nil
}

func (f *slowFn) Process(kv ptable.Pair[string, string], emit func(string)) error {
	if f.args.Keepalive {
		f.once.Do(func() {
			go func() {
				for {
					select {
					case <-f.stop:
						return
					case <-time.After(time.Millisecond):
						f.ctx.Progress()
					}
				}
			}()
		})
	}
	time.Sleep(time.Duration(f.args.SleepMs) * time.Millisecond)
	emit(kv.Key)
	return nil
}

func (f *slowFn) Teardown() {
	close(f.stop)
	time.Sleep(time.Duration(f.args.TeardownMs) * time.Millisecond)
}

// progressEvents runs progressJob on two workers and returns its events.
// The timeout sets the heartbeats' interval but ends no task (see
// TestLiveProgress).
func progressEvents(t *testing.T, timeout time.Duration, args ...string) []runner.Event {
	t.Helper()
	endOnlyHanging(t, t.TempDir())
	var events []runner.Event
	p := build(t, progressJob, args...)
	opts := runner.Options{Workers: 2, TmpDir: t.TempDir(), TaskTimeout: timeout, Progress: func(ev runner.Event) { events = append(events, ev) }}
	if _, err := Run(context.Background(), p, opts); err != nil {
		t.Fatal(err)
	}
	return events
}

// mapRecordsNeverGoBack checks that the map phase's records in, in every
// event, never fall.
func mapRecordsNeverGoBack(t *testing.T, events []runner.Event) {
	t.Helper()
	var shown int64
	for _, ev := range events {
		if ev.Stage != 0 || ev.Phase != "map" {
			continue
		}
		if ev.RecordsIn < shown {
			t.Errorf("map records in went back from %d to %d (partial %v, %d tasks done)", shown, ev.RecordsIn, ev.Partial, ev.TasksDone)
		}
		shown = ev.RecordsIn
	}
}

func TestLiveProgressAcrossTasks(t *testing.T) {
	// Two tasks of 30 records at 40 ms on two workers: one's end must not
	// take back what the other showed.
	mapRecordsNeverGoBack(t, progressEvents(t, 600*time.Millisecond))
}

func TestLiveProgressAtTaskEnd(t *testing.T) {
	// The task's teardown outlasts a heartbeat: it still shows its counts.
	mapRecordsNeverGoBack(t, progressEvents(t, 2*time.Second, "--splits=1", "--records=30", "--sleep-ms=20", "--teardown-ms=500"))
}

// TestProgressFromAnotherGoroutine runs a function whose keep-alive
// goroutine calls Context.Progress. Under the race detector (GORACE
// halt_on_error=1, as CI runs it) a worker reading the task's counts on
// that goroutine would die.
func TestProgressFromAnotherGoroutine(t *testing.T) {
	progressEvents(t, 200*time.Millisecond, "--splits=1", "--records=300", "--sleep-ms=1", "--keepalive")
}
