package hadoop_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/examples/wordcount"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/hadoop"
	"github.com/crunchgo/crunchgo/textio"
)

// TestRunReport checks what a successful run reports and leaves behind:
// stage results from the task counters, no temp directory.
func TestRunReport(t *testing.T) {
	r := simRunner(t)
	p := suitePipeline(t, "dofn-lifecycle-and-counters")
	res, err := r.Run(context.Background(), p, runner.Options{Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stages) != 1 {
		t.Fatalf("got %d stage results, want 1", len(res.Stages))
	}
	sr := res.Stages[0]
	if sr.MapTasks != 2 || sr.ReduceTasks != 2 || sr.RecordsIn != 1000 || sr.Shuffled == 0 || sr.RecordsOut != 1 {
		t.Errorf("stage result %+v: want 2 map and 2 reduce tasks, 1000 records in, some shuffled, 1 out", sr)
	}
	left, _ := os.ReadDir(r.TempDir)
	if len(left) != 0 {
		t.Errorf("temp dir %s still holds %d entries after the run", r.TempDir, len(left))
	}
}

// TestRefusesToRunInATask checks that a binary run as a task of a
// crunchgo job that runs a pipeline instead of serving the task (its main
// is not built on cli.Main) is refused, not left to submit jobs from
// every task; a Hadoop task of another job may run one.
func TestRefusesToRunInATask(t *testing.T) {
	r := simRunner(t)
	t.Setenv("mapreduce_task_attempt_id", "attempt_1_0001_m_000000_0")
	t.Setenv("mapreduce_job_name", "crunchgo wordcount stage 1/2")
	_, err := r.Run(context.Background(), suitePipeline(t, "dofn-lifecycle-and-counters"), runner.Options{})
	if err == nil || !strings.Contains(err.Error(), "is a task of a crunchgo Hadoop job") {
		t.Errorf("in a crunchgo task: %v, want a refusal", err)
	}
	t.Setenv("mapreduce_job_name", "oozie:launcher:T=shell")
	if _, err := r.Run(context.Background(), suitePipeline(t, "dofn-lifecycle-and-counters"), runner.Options{}); err != nil {
		t.Errorf("in another job's task: %v", err)
	}
}

// TestFailedJob checks that a failing task stops the chain with the job ID,
// the task's own error and the hadoop client's tail, and that
// -D settings reach Hadoop (one attempt instead of four).
func TestFailedJob(t *testing.T) {
	r := simRunner(t)
	r.Defines = []string{"mapreduce.map.maxattempts=1"}
	r.KeepTemp = true
	p := suitePipeline(t, "dofn-error-names-transform")
	_, err := r.Run(context.Background(), p, runner.Options{})
	if err == nil {
		t.Fatal("run succeeded, want a failure")
	}
	msg := err.Error()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`stage 0: hadoop job job_\d+_\d+ failed`),
		regexp.MustCompile(`task attempt_\d+_\d+_m_\d{6}_0: transform FailAtThree \(.*\.go:\d+\): three is right out`),
		regexp.MustCompile(`Streaming Command Failed!`),
	} {
		if !want.MatchString(msg) {
			t.Errorf("error does not match %s:\n%s", want, msg)
		}
	}
	errs, _ := filepath.Glob(filepath.Join(r.TempDir, "*", "errors", "stage-0-*.json"))
	if len(errs) != 1 {
		t.Errorf("got %d task error files, want 1 (one attempt): %v", len(errs), errs)
	}
	if strings.Count(msg, "Status : FAILED") != 1 {
		t.Errorf("want exactly one failed attempt in the client output:\n%s", msg)
	}
}

// hiccupFn fails the first Failures attempts of map task 0; the next one
// succeeds.
type hiccupFn struct {
	Failures int
	ctx      *pcollection.Context
}

func (f *hiccupFn) Setup(ctx *pcollection.Context) error {
	f.ctx = ctx
	return nil
}

func (f *hiccupFn) Process(s string, emit func(string)) error {
	if info := f.ctx.Task(); info.Task == 0 && info.Attempt < f.Failures {
		return errors.New("a transient hiccup")
	}
	emit(s)
	return nil
}

var hiccupThenBrokenReducer = runner.Register("hadoop-test/hiccup-then-broken-reducer", "a map attempt fails once, every reduce attempt fails",
	func(p *pcollection.Pipeline, a *struct {
		In          string `flag:"in"`
		Out         string `flag:"out"`
		MapFailures int    `flag:"map-failures" default:"1"`
	}) error {
		words := pcollection.ParDo(textio.Read(p, a.In), &hiccupFn{Failures: a.MapFailures}, pcollection.Name("Hiccup"))
		broken := ptable.Reduce(ptable.GroupByKey(ptable.ByKey(words, func(s string) string { return s })),
			func(string, iter.Seq[string], func(string)) error { return errors.New("the reducer is broken") }, pcollection.Name("Broken"))
		textio.Write(broken, a.Out)
		return nil
	})

// TestFailedJobNamesTheCause checks that a failed job's error is the
// failure that ended it, on its first line: not the map attempt that failed
// earlier and was retried successfully.
func TestFailedJobNamesTheCause(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(in, []byte("a\nb\na\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mapFailures, reduceAttempts int
		want                        string
	}{
		// The reducer's last attempt is the latest failed attempt.
		{1, 2, `_r_000000_1: `},
		// The map's second attempt is, yet the log names the reducer.
		{2, 1, `_r_000000_0: `},
	} {
		p, err := hiccupThenBrokenReducer.Build([]string{"--in", in, "--out", filepath.Join(dir, fmt.Sprint("out", tc.mapFailures)), "--map-failures", fmt.Sprint(tc.mapFailures)})
		if err != nil {
			t.Fatal(err)
		}
		r := simRunner(t)
		r.Defines = []string{"mapreduce.map.maxattempts=3", fmt.Sprintf("mapreduce.reduce.maxattempts=%d", tc.reduceAttempts)}
		res, err := r.Run(context.Background(), p, runner.Options{})
		if err == nil {
			t.Fatal("run succeeded, want the reducer's failure")
		}
		// The failed run's result has the job, and the records its map
		// task read, from the counters the client printed.
		if res == nil || len(res.Stages) != 1 || !res.Stages[0].Unfinished || !strings.HasPrefix(res.Stages[0].RanAs, "job_") || res.Stages[0].RecordsIn != 3 {
			t.Errorf("the failed run's result %+v, want one unfinished stage, its job, and 3 records read", res)
		}
		first, _, _ := strings.Cut(err.Error(), "\n")
		if !regexp.MustCompile(`hadoop job job_\d+_\d+ failed.*: task attempt_\d+_\d+` + tc.want + `.*the reducer is broken`).MatchString(first) {
			t.Errorf("map failing %d times, %d reduce attempts: first line of the error %q, want the reducer's last attempt", tc.mapFailures, tc.reduceAttempts, first)
		}
	}
}

// TestCombinerErrorNamesGroup checks that a user function failing in the
// combiner Hadoop runs names the group's key and the task, as a reduce
// task's error does.
func TestCombinerErrorNamesGroup(t *testing.T) {
	job, ok := runner.Lookup("runnertest/merge-panic-names-group-key")
	if !ok {
		t.Fatal("conformance case merge-panic-names-group-key is not registered")
	}
	p, err := job.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = simRunner(t).Run(context.Background(), p, runner.Options{})
	if err == nil {
		t.Fatal("run succeeded, want the aggregation's Merge to fail")
	}
	first, _, _ := strings.Cut(err.Error(), "\n")
	if !regexp.MustCompile(`transform RefuseNegative \(.*\) panicked at .* on the group of key "boom" \(combiner in map task \d+ of stage 0\): negative partial sum`).MatchString(first) {
		t.Errorf("first line of the error %q, want the combiner's failure on the group of key \"boom\"", first)
	}
}

// TestTempLeftAfterCommit checks that a run whose outputs are committed
// succeeds when its temp dir cannot be removed, with a warning saying so.
func TestTempLeftAfterCommit(t *testing.T) {
	defer hadoop.SetRemoveTemp(func(context.Context, string) error { return errors.New("the namenode said no") })()
	p := suitePipeline(t, "wordcount")
	res, err := simRunner(t).Run(context.Background(), p, runner.Options{})
	if err != nil {
		t.Fatalf("run failed after committing its outputs: %v", err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "could not remove the run's temp dir") || !strings.Contains(res.Warnings[0], "the namenode said no") {
		t.Errorf("warnings %q, want the temp dir left behind", res.Warnings)
	}
	// A failed run says so in its error.
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(in, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err = hiccupThenBrokenReducer.Build([]string{"--in", in, "--out", filepath.Join(dir, "out"), "--map-failures", "0"})
	if err != nil {
		t.Fatal(err)
	}
	r := simRunner(t)
	r.Defines = []string{"mapreduce.reduce.maxattempts=1"}
	_, err = r.Run(context.Background(), p, runner.Options{})
	if err == nil || !strings.Contains(err.Error(), "the reducer is broken") || !strings.Contains(err.Error(), "could not be removed: the namenode said no") {
		t.Errorf("failed run: err %v, want the failure and the temp dir left behind", err)
	}
}

// TestRelativeSourceRefused checks that an input given as a relative path
// is refused before anything runs, whatever the size of its stage.
func TestRelativeSourceRefused(t *testing.T) {
	job, _ := runner.Lookup(wordcount.Job.Name)
	p, err := job.Build([]string{"--input", "books/*.txt", "--output", filepath.Join(t.TempDir(), "out")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = clientRunner(t).Run(context.Background(), p, runner.Options{})
	if err == nil || !strings.Contains(err.Error(), "books/*.txt, a relative path") {
		t.Errorf("err %v, want the relative input refused", err)
	}
}

// TestCancelKillsJob checks that cancelling a run while its job runs kills
// the job on the cluster (which a killed client leaves running), and says
// so. The hadoop command is a script that submits nothing: "jar" prints a
// job ID and waits, "job -kill" records its arguments, unless the waiting
// is over (then the client was waited for until the job's end).
func TestCancelKillsJob(t *testing.T) {
	exe, err := os.Executable()
	if err != nil || runtime.GOOS != "linux" {
		t.Skip("needs a Linux test binary and /bin/sh")
	}
	const running = "INFO mapreduce.Job: Running job: job_1700000000000_0042"
	for _, tc := range []struct{ name, jar, match string }{
		{"running", `echo "` + running + `" >&2; exec sleep 60`, "Running job:"},
		// Cancelled between submitting the job and its running.
		{"submitted", `echo "INFO mapreduce.JobSubmitter: Submitting tokens for job: job_1700000000000_0042" >&2; exec sleep 60`, "Submitting tokens"},
		// A client whose JVM is a child of the hadoop command, as some
		// vendors' wrappers start it.
		{"forking client", `sh -c 'echo "` + running + `" >&2; sleep 10; touch over'; echo done >&2`, "Running job:"},
	} {
		dir := t.TempDir()
		t.Chdir(dir)
		kills := filepath.Join(dir, "kills")
		script := filepath.Join(dir, "hadoop")
		if err := os.WriteFile(script, []byte(`#!/bin/sh
case "$1" in
jar) `+tc.jar+`;;
job) [ -e over ] || echo "$@" >> '`+kills+`'; echo "Killed job job_1700000000000_0042";;
esac
`), 0o755); err != nil {
			t.Fatal(err)
		}
		job, _ := runner.Lookup(wordcount.Job.Name)
		p, err := job.Build([]string{"--output", filepath.Join(dir, "out")})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancelCause(context.Background())
		r := hadoop.Runner{HadoopBin: script, StreamingJar: "x.jar", Binary: exe, TempDir: filepath.Join(dir, "tmp"),
			Log: &onLine{match: tc.match, do: func() { cancel(errors.New("interrupted")) }}}
		_, err = r.Run(ctx, p, runner.Options{})
		cancel(nil)
		if err == nil || !strings.Contains(err.Error(), "job_1700000000000_0042 cancelled and killed on the cluster") || !strings.Contains(err.Error(), "interrupted") {
			t.Errorf("%s: err %v, want the job named as killed, and the cause", tc.name, err)
		}
		if b, _ := os.ReadFile(kills); string(b) != "job -kill job_1700000000000_0042\n" {
			t.Errorf("%s: the hadoop command was asked %q, want one 'job -kill job_1700000000000_0042'", tc.name, b)
		}
	}
}

// TestCancelAfterJobSucceeded checks a run cancelled just as a stage's job
// succeeds: the job is not killed (it is over), the next one is not
// submitted, and the run fails with the cause, committing no output and
// leaving no temp directory.
func TestCancelAfterJobSucceeded(t *testing.T) {
	exe, err := os.Executable()
	if err != nil || runtime.GOOS != "linux" {
		t.Skip("needs a Linux test binary and /bin/sh")
	}
	r := simRunner(t)
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	r.HadoopBin = filepath.Join(dir, "hadoop")
	// The simulator runs jobs; anything else (job -kill) is recorded.
	if err := os.WriteFile(r.HadoopBin, []byte(`#!/bin/sh
echo "$1" >> '`+calls+`'
case "$1" in
jar) exec '`+exe+`' "$@";;
esac
exit 1
`), 0o755); err != nil {
		t.Fatal(err)
	}
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out")
	if err := os.WriteFile(in, []byte("b a\nc b a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	job, _ := runner.Lookup(wordcount.Job.Name)
	p, err := job.Build([]string{"--input", in, "--output", out, "--sorted"}) // three stages
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	_, err = r.Run(ctx, p, runner.Options{Progress: func(ev runner.Event) {
		if ev.Stage == 0 && ev.Done {
			cancel(errors.New("interrupted"))
		}
	}})
	if err == nil || err.Error() != "cancelled before stage 1: interrupted" {
		t.Fatalf("err %v, want the run cancelled before stage 1, with its cause", err)
	}
	if b, _ := os.ReadFile(calls); string(b) != "jar\n" {
		t.Errorf("the hadoop command was called for %q, want one job and nothing after it", b)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("output %s: %v, want none", out, err)
	}
	if left, _ := os.ReadDir(r.TempDir); len(left) != 0 {
		t.Errorf("temp dir %s still holds %d entries after the run", r.TempDir, len(left))
	}
}

// onLine calls do once, when a write holds match.
type onLine struct {
	match string
	do    func()
	done  bool
}

func (o *onLine) Write(b []byte) (int, error) {
	if !o.done && strings.Contains(string(b), o.match) {
		o.done = true
		o.do()
	}
	return len(b), nil
}

// TestDryRunWithoutHadoop checks that a dry run on a machine without Hadoop
// prints its plan, saying which jar it could not find.
func TestDryRunWithoutHadoop(t *testing.T) {
	t.Setenv("HADOOP_HOME", "")
	job, _ := runner.Lookup(wordcount.Job.Name)
	p, err := job.Build([]string{"--output", "hdfs://nn/user/me/wc"})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	r := hadoop.Runner{Binary: "/opt/jobs/crunchgo", TempDir: "hdfs://nn/tmp/crunchgo", DryRun: true, Out: &out}
	if _, err := r.Run(context.Background(), p, runner.Options{}); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if !strings.Contains(out.String(), "# no streaming jar given and HADOOP_HOME is not set: the commands below name hadoop-streaming.jar in its place") ||
		!strings.Contains(out.String(), " jar hadoop-streaming.jar ") {
		t.Errorf("dry run listing lacks the jar's problem or the placeholder:\n%s", out.String())
	}
	r.DryRun = false
	if _, err := r.Run(context.Background(), p, runner.Options{}); err == nil || !strings.Contains(err.Error(), "no streaming jar given") {
		t.Errorf("run without a jar: err %v, want the missing jar", err)
	}
}

// TestUnsubmittedStage checks that a stage whose job was never submitted
// (no hadoop command) is not reported as started: nothing of the run ran,
// so that it reads as refused, not as failed after a while.
func TestUnsubmittedStage(t *testing.T) {
	r := simRunner(t)
	r.HadoopBin = "/nonexistent/hadoop"
	res, err := r.Run(context.Background(), suitePipeline(t, "dofn-lifecycle-and-counters"), runner.Options{Partitions: 2})
	if err == nil || !strings.Contains(err.Error(), "the hadoop command") {
		t.Fatalf("got error %v, want the missing hadoop command", err)
	}
	if res == nil || res.Plan == nil || res.Started() {
		t.Errorf("the failed run's result %+v: want its plan and no stage started", res)
	}
}

// TestUnsubmittedStageAfterClient checks that a stage whose map tasks ran
// in the client before it outgrew the client's memory has started, though
// its job could not be submitted (no hadoop command): the run did run, for
// as long as those tasks took, and the stage is reported unfinished.
func TestUnsubmittedStageAfterClient(t *testing.T) {
	defer hadoop.SetClientHeldFactor(0)() // the first shuffle record outgrows the client
	r := simRunner(t)
	r.HadoopBin = "/nonexistent/hadoop"
	r.ClientStageMax = 1 << 40
	res, err := r.Run(context.Background(), suitePipeline(t, "dofn-lifecycle-and-counters"), runner.Options{Partitions: 2})
	if err == nil || !strings.Contains(err.Error(), "the hadoop command") {
		t.Fatalf("got error %v, want the missing hadoop command", err)
	}
	if !res.Started() {
		t.Fatalf("the failed run's result %+v: want its stage started", res)
	}
	if st := res.Stages[0]; !st.Unfinished || st.MapTasks != 0 || st.ReduceTasks != 0 || st.MapTasksTotal == 0 || st.ReduceTasksTotal != 2 {
		t.Errorf("stage %+v: want it unfinished, with none of its map tasks and none of its 2 reduce tasks done", st)
	}
}
