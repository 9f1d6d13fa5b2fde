package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
)

type dirSink string

func (d dirSink) URL() string { return string(d) }
func (dirSink) Ext() string   { return ".txt" }
func (dirSink) NewWriter(_ context.Context, _ plan.TaskContext, w io.Writer) (plan.Emitter, func() error, error) {
	return func(line string) { fmt.Fprintln(w, line) }, func() error { return nil }, nil
}

// TestOpenSinksAbortsOnFailure checks that a sink that cannot be opened
// leaves no trace of the sinks opened before it.
func TestOpenSinksAbortsOnFailure(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("sinks")
	if err := storage.WriteFile(ctx, "mem://sinks/old/part-r-00000.txt", []byte("x")); err != nil {
		t.Fatal(err)
	}
	g := &plan.Graph{}
	src := g.Add(&plan.Node{Op: plan.OpSource, Name: "Src"})
	g.Add(&plan.Node{Op: plan.OpSink, Name: "New", Inputs: []plan.NodeID{src}, Payload: dirSink("mem://sinks/new")})
	g.Add(&plan.Node{Op: plan.OpSink, Name: "Old", Inputs: []plan.NodeID{src}, Payload: dirSink("mem://sinks/old")})

	_, err := runner.OpenSinks(ctx, g, runner.WriteFail, "run1")
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("OpenSinks error = %v, want fs.ErrExist for the existing output", err)
	}
	if ok, _ := storage.Exists(ctx, "mem://sinks/new"); ok {
		t.Error("mem://sinks/new was left behind by a failed OpenSinks")
	}
	if ok, _ := storage.Exists(ctx, "mem://sinks/old/part-r-00000.txt"); !ok {
		t.Error("the existing output was touched")
	}

	s, err := runner.OpenSinks(ctx, g, runner.WriteOverwrite, "run2")
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := s.CommitJob(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != 2 || dirs[0] != "mem://sinks/new" || dirs[1] != "mem://sinks/old" {
		t.Errorf("committed %v, want the two sinks in node order", dirs)
	}
}

// flakyFS is the memory FS mem://<host>/ seen as flaky://<host>/, failing
// as its faults say.
type flakyFS struct {
	storage.FS
	host   string
	faults *faults
}

// faults are what a flakyFS does wrong.
type faults struct {
	failOn  string // a Create or Rename to this path fails, once
	always  bool   // or every time
	missing bool   // Stat finds nothing (as before another run created it)
	// beforeRemove, if set, runs before each Remove: another run acting
	// between a check and the removal.
	beforeRemove func(fs storage.FS, name string)
	// beforeRename, if set, runs before each Rename.
	beforeRename func(from, to string)
	// beforeCreate, if set, runs before each Create.
	beforeCreate func(name string)
	// beforeOpen, if set, runs before each Open: another run acting
	// between two reads of a file.
	beforeOpen func(name string)
	// mkdirGone, if set, makes a MkdirAll of this path fail once with
	// fs.ErrNotExist: another run removed a parent as it ran.
	mkdirGone string
	// change, if set, runs before each Create, Rename, Remove, RemoveAll
	// and MkdirAll: a test's process dies there by panicking.
	change func()
	// lookups counts the Stat and List calls, each a namenode call on
	// HDFS.
	lookupsMu sync.Mutex
	lookups   int
}

func (f *faults) lookedUp() {
	f.lookupsMu.Lock()
	f.lookups++
	f.lookupsMu.Unlock()
}

// lookupCount is how many Stat and List calls were made so far.
func (f *faults) lookupCount() int {
	f.lookupsMu.Lock()
	defer f.lookupsMu.Unlock()
	return f.lookups
}

func (f flakyFS) changing() {
	if f.faults.change != nil {
		f.faults.change()
	}
}

func (f flakyFS) MkdirAll(ctx context.Context, name string) error {
	f.changing()
	if name == f.faults.mkdirGone {
		f.faults.mkdirGone = ""
		return &fs.PathError{Op: "mkdir", Path: name, Err: fs.ErrNotExist}
	}
	return f.FS.MkdirAll(ctx, name)
}

func (f flakyFS) Remove(ctx context.Context, name string) error {
	f.changing()
	if f.faults.beforeRemove != nil {
		f.faults.beforeRemove(f.FS, name)
	}
	return f.FS.Remove(ctx, name)
}

func (f flakyFS) RemoveAll(ctx context.Context, name string) error {
	f.changing()
	return f.FS.RemoveAll(ctx, name)
}

func (f *faults) fail(name string) bool {
	if name != f.failOn {
		return false
	}
	if !f.always {
		f.failOn = ""
	}
	return true
}

var errInjected = errors.New("injected failure")

func (f flakyFS) fix(fi storage.FileInfo) storage.FileInfo {
	fi.URL = "flaky://" + f.host + strings.TrimPrefix(fi.URL, "mem://"+f.host)
	return fi
}

func (f flakyFS) List(ctx context.Context, dir string) ([]storage.FileInfo, error) {
	f.faults.lookedUp()
	fis, err := f.FS.List(ctx, dir)
	for i := range fis {
		fis[i] = f.fix(fis[i])
	}
	return fis, err
}

func (f flakyFS) Stat(ctx context.Context, name string) (storage.FileInfo, error) {
	f.faults.lookedUp()
	if f.faults.missing {
		return storage.FileInfo{}, fs.ErrNotExist
	}
	fi, err := f.FS.Stat(ctx, name)
	return f.fix(fi), err
}

func (f flakyFS) Create(ctx context.Context, name string) (storage.Writer, error) {
	f.changing()
	if f.faults.beforeCreate != nil {
		f.faults.beforeCreate(name)
	}
	if f.faults.fail(name) {
		return nil, errInjected
	}
	return f.FS.Create(ctx, name)
}

func (f flakyFS) Open(ctx context.Context, name string) (storage.File, error) {
	if f.faults.beforeOpen != nil {
		f.faults.beforeOpen(name)
	}
	return f.FS.Open(ctx, name)
}

func (f flakyFS) Rename(ctx context.Context, from, to string) error {
	f.changing()
	if f.faults.beforeRename != nil {
		f.faults.beforeRename(from, to)
	}
	if f.faults.fail(to) {
		return errInjected
	}
	return f.FS.Rename(ctx, from, to)
}

// mountFlaky mounts a fresh flaky://<host>/ with no faults, and returns
// them, to be set.
func mountFlaky(t *testing.T, host string) *faults {
	t.Helper()
	f := &faults{}
	storage.ResetMem(host)
	mem, _, err := storage.Resolve(context.Background(), "mem://"+host+"/")
	if err != nil {
		t.Fatal(err)
	}
	storage.Register("flaky", func(context.Context, *url.URL) (storage.FS, error) {
		return flakyFS{FS: mem, host: host, faults: f}, nil
	})
	return f
}

// files returns every file under url (a tree) with its content.
func files(t *testing.T, url string) map[string]string { return tree(t, url, false) }

// filesAndDirs is files with every directory too, ending in "/".
func filesAndDirs(t *testing.T, url string) map[string]string { return tree(t, url, true) }

func tree(t *testing.T, url string, dirs bool) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(string)
	walk = func(dir string) {
		fis, err := storage.List(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, fi := range fis {
			if fi.IsDir {
				if dirs {
					out[strings.TrimPrefix(fi.URL, url)+"/"] = ""
				}
				walk(fi.URL)
				continue
			}
			b, err := storage.ReadFile(context.Background(), fi.URL)
			if err != nil {
				t.Fatal(err)
			}
			out[strings.TrimPrefix(fi.URL, url)] = string(b)
		}
	}
	walk(url)
	return out
}

// twoSinks is a graph writing two text sinks, a and b, under base.
func twoSinks(base string) *plan.Graph {
	g := &plan.Graph{}
	src := g.Add(&plan.Node{Op: plan.OpSource, Name: "Src"})
	g.Add(&plan.Node{Op: plan.OpSink, Name: "A", Inputs: []plan.NodeID{src}, Payload: dirSink(base + "/a")})
	g.Add(&plan.Node{Op: plan.OpSink, Name: "B", Inputs: []plan.NodeID{src}, Payload: dirSink(base + "/b")})
	return g
}

// twoOutputs is the files of twoSinks' outputs once a run that wrote
// content in one part of each has committed.
func twoOutputs(content string) map[string]string {
	return map[string]string{"/a/_SUCCESS": "", "/a/part-r-00000.txt": content, "/b/_SUCCESS": "", "/b/part-r-00000.txt": content}
}

// commitTwo commits the twoSinks run s and checks that its outputs
// under url hold content.
func commitTwo(ctx context.Context, t *testing.T, s runner.Sinks, url, content string) {
	t.Helper()
	if _, err := s.CommitJob(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := files(t, url), twoOutputs(content); !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// writeParts commits one task writing part-r-00000.txt with content in
// every sink.
func writeParts(t *testing.T, s runner.Sinks, content string) {
	t.Helper()
	writePart(t, s, "part-r-00000.txt", content)
}

// writePart commits one task writing part file name with content in every
// sink.
func writePart(t *testing.T, s runner.Sinks, name, content string) {
	t.Helper()
	ctx := context.Background()
	for _, c := range s {
		if err := storage.WriteFile(ctx, c.TaskFile("attempt_r_0", name), []byte(content)); err != nil {
			t.Fatal(err)
		}
		if err := c.CommitTask(ctx, "attempt_r_0"); err != nil {
			t.Fatal(err)
		}
	}
}

// openWritten opens g's sinks for run in mode and commits a task writing
// part-r-00000.txt with content in every sink: a run ready for its job
// commit.
func openWritten(t *testing.T, g *plan.Graph, mode runner.WriteMode, run, content string) runner.Sinks {
	t.Helper()
	s, err := runner.OpenSinks(context.Background(), g, mode, run)
	if err != nil {
		t.Fatal(err)
	}
	writeParts(t, s, content)
	return s
}

// commitOld commits a first run of g writing "old" into new outputs.
func commitOld(t *testing.T, g *plan.Graph) {
	t.Helper()
	if _, err := openWritten(t, g, runner.WriteFail, "run1", "old").CommitJob(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestCommitJobAllOrNothing checks that a job commit that fails part way,
// at any step, leaves every output as it was, for each write mode: the
// first sink already published when the second one fails.
func TestCommitJobAllOrNothing(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []runner.WriteMode{runner.WriteOverwrite, runner.WriteAppend} {
		part := "/out/b/part-r-00000.txt"
		if mode == runner.WriteAppend {
			part = "/out/b/part-r-00000-run2.txt"
		}
		for _, failOn := range []string{part, "/out/b/_SUCCESS", "/out/b/_temporary/run2/replaced/_SUCCESS"} {
			t.Run(mode.String()+failOn, func(t *testing.T) {
				faults := mountFlaky(t, "commit")
				g := twoSinks("flaky://commit/out")
				commitOld(t, g)
				before := files(t, "flaky://commit/out")
				faults.failOn = failOn

				s := openWritten(t, g, mode, "run2", "new")
				_, err := s.CommitJob(ctx)
				if !errors.Is(err, errInjected) || !strings.Contains(err.Error(), "every output was left as it was") {
					t.Fatalf("CommitJob: %v, want the injected failure and a rollback", err)
				}
				s.AbortJob()
				if after := files(t, "flaky://commit/out"); !maps.Equal(after, before) {
					t.Errorf("after the failed commit and abort:\n%v\nwant as before:\n%v", after, before)
				}
			})
		}
	}
}

// TestRetryAfterFailedTaskCommit checks that a task whose commit failed in
// its second sink, after the first sink's part was committed, can be
// aborted and retried under the same part names, and that only the retry's
// parts are published.
func TestRetryAfterFailedTaskCommit(t *testing.T) {
	ctx := context.Background()
	faults := mountFlaky(t, "retry")
	s, err := runner.OpenSinks(ctx, twoSinks("flaky://retry/out"), runner.WriteFail, "run1")
	if err != nil {
		t.Fatal(err)
	}
	faults.failOn = "/out/b/_temporary/run1/committed/part-r-00000.txt"
	commit := func(attempt, content string) error {
		for _, id := range slices.Sorted(maps.Keys(s)) {
			if err := storage.WriteFile(ctx, s[id].TaskFile(attempt, "part-r-00000.txt"), []byte(content)); err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range slices.Sorted(maps.Keys(s)) {
			if err := s[id].CommitTask(ctx, attempt); err != nil {
				return err
			}
		}
		return nil
	}
	if err := commit("attempt_r_0", "first"); !errors.Is(err, errInjected) {
		t.Fatalf("first commit: %v, want the injected failure", err)
	}
	for _, c := range s {
		if err := c.AbortTask(ctx, "attempt_r_0"); err != nil {
			t.Fatal(err)
		}
	}
	if err := commit("attempt_r_1", "retry"); err != nil {
		t.Fatalf("the retry's commit: %v", err)
	}
	commitTwo(ctx, t, s, "flaky://retry/out", "retry")
}

// TestCommitIntoLockedRunsBeforeMoves checks that CommitInto's locked
// callback runs once every output's lock is taken and before any part
// moves, and that its error fails the commit with every output as it was.
func TestCommitIntoLockedRunsBeforeMoves(t *testing.T) {
	ctx := context.Background()
	mountFlaky(t, "locked")
	g := twoSinks("flaky://locked/out")
	commitOld(t, g)
	before := files(t, "flaky://locked/out")
	for _, fail := range []bool{false, true} {
		s := openWritten(t, g, runner.WriteOverwrite, fmt.Sprint("run-", fail), fmt.Sprint("new-", fail))
		calls := 0
		locked := func() error {
			calls++
			for _, out := range []string{"a", "b"} {
				if ok, err := storage.Exists(ctx, "flaky://locked/out/"+out+"/_temporary/_commit.lock"); err != nil || !ok {
					t.Errorf("output %s is not locked when locked runs (%v)", out, err)
				}
			}
			if got := files(t, "flaky://locked/out"); got["/a/part-r-00000.txt"] != before["/a/part-r-00000.txt"] || got["/b/part-r-00000.txt"] != before["/b/part-r-00000.txt"] {
				t.Errorf("parts moved before locked ran: %v", got)
			}
			if fail {
				return errInjected
			}
			return nil
		}
		var res runner.Result
		err := s.CommitInto(ctx, &res, locked)
		if calls != 1 {
			t.Errorf("locked ran %d times, want once", calls)
		}
		if fail {
			if !errors.Is(err, errInjected) {
				t.Fatalf("CommitInto: %v, want the callback's error", err)
			}
			s.AbortJob()
			if after := files(t, "flaky://locked/out"); !maps.Equal(after, before) {
				t.Errorf("after the failed commit:\n%v\nwant as before:\n%v", after, before)
			}
		} else if err != nil || len(res.Outputs) != 2 {
			t.Fatalf("CommitInto: %v, outputs %v", err, res.Outputs)
		}
		before = files(t, "flaky://locked/out")
	}
}

// TestCommitJobKeepsWhatItCannotPutBack checks that when the rollback fails
// too, the error says where the replaced output is, and aborting the run
// does not delete it.
func TestCommitJobKeepsWhatItCannotPutBack(t *testing.T) {
	ctx := context.Background()
	faults := mountFlaky(t, "keep")
	g := twoSinks("flaky://keep/out")
	commitOld(t, g)
	s := openWritten(t, g, runner.WriteOverwrite, "run2", "new")
	faults.failOn, faults.always = "/out/b/part-r-00000.txt", true
	_, err := s.CommitJob(ctx)
	if err == nil || !strings.Contains(err.Error(), "failed too") || !strings.Contains(err.Error(), "flaky://keep/out/b/_temporary/run2") {
		t.Fatalf("CommitJob: %v, want a failed rollback naming where the old output is", err)
	}
	s.AbortJob()
	want := map[string]string{
		"/a/_SUCCESS": "", "/a/part-r-00000.txt": "old",
		"/b/_temporary/run2/committed/part-r-00000.txt": "new",
		"/b/_temporary/run2/replaced/part-r-00000.txt":  "old",
		"/b/_SUCCESS": "",
	}
	got := files(t, "flaky://keep/out")
	// The journal of the commit's renames stays with what it moved aside.
	if _, ok := got["/b/_temporary/run2/commit.json"]; !ok {
		t.Error("the failed commit's journal was not kept")
	}
	delete(got, "/b/_temporary/run2/commit.json")
	if !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestCommitJobIgnoresCancellation checks that a commit whose context is
// cancelled (an interrupt arriving as the job ends) still completes.
func TestCommitJobIgnoresCancellation(t *testing.T) {
	mountFlaky(t, "cancel")
	s := openWritten(t, twoSinks("flaky://cancel/out"), runner.WriteFail, "run1", "x")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	commitTwo(ctx, t, s, "flaky://cancel/out", "x")
}

// TestCommitJobConcurrentRuns checks two runs that both found a new output
// directory missing: the first to commit wins, and the other fails without
// touching its output, even when it aborts (it created the directory too).
func TestCommitJobConcurrentRuns(t *testing.T) {
	ctx := context.Background()
	faults := mountFlaky(t, "race")
	g := twoSinks("flaky://race/out")
	first := openWritten(t, g, runner.WriteFail, "run1", "first")
	faults.missing = true // the second run looked before the first created them
	second, err := runner.OpenSinks(ctx, g, runner.WriteFail, "run2")
	faults.missing = false
	if err != nil {
		t.Fatal(err)
	}
	writePart(t, second, "part-r-00001.txt", "second") // no name in common
	if _, err := first.CommitJob(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := second.CommitJob(ctx); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second CommitJob: %v, want fs.ErrExist", err)
	}
	second.AbortJob()
	want := twoOutputs("first")
	if got := files(t, "flaky://race/out"); !maps.Equal(got, want) {
		t.Errorf("got %v, want the first run's output %v", got, want)
	}
}

// TestCommitJobsTakeTurns checks that two runs overwriting the same
// outputs commit one after the other: the second waits while the first,
// paused part way through publishing, holds the outputs' commit locks.
// Without them the second moved the first's published parts aside, and the
// first, which then wrote _SUCCESS and exited 0, lost its files.
func TestCommitJobsTakeTurns(t *testing.T) {
	ctx := context.Background()
	faults := mountFlaky(t, "turns")
	g := twoSinks("flaky://turns/out")
	commitOld(t, g)
	first := openWritten(t, g, runner.WriteOverwrite, "run2", "first")
	second := openWritten(t, g, runner.WriteOverwrite, "run3", "second")
	paused, resume := make(chan struct{}), make(chan struct{})
	var once sync.Once
	faults.beforeRename = func(from, to string) {
		if strings.Contains(from, "/_temporary/run2/committed/") {
			once.Do(func() {
				close(paused)
				<-resume
			})
		}
	}
	firstDone := make(chan error, 1)
	go func() { _, err := first.CommitJob(ctx); firstDone <- err }()
	<-paused
	var notes []string
	second.ReportWaits(func(ev runner.Event) { notes = append(notes, ev.Note) })
	secondDone := make(chan error, 1)
	go func() { _, err := second.CommitJob(ctx); secondDone <- err }()
	select {
	case err := <-secondDone:
		t.Fatalf("the second commit ended (%v) while the first was publishing", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(resume)
	if err := <-firstDone; err != nil {
		t.Fatalf("first CommitJob: %v", err)
	}
	if err := <-secondDone; err != nil {
		t.Fatalf("second CommitJob: %v", err)
	}
	if len(notes) == 0 || !strings.Contains(notes[0], "waiting for run run2 (process") || !strings.Contains(notes[0], "flaky://turns/out/a/_temporary/_commit.lock") {
		t.Errorf("notes %q, want the wait for run2's lock reported", notes)
	}
	want := twoOutputs("second")
	if got := files(t, "flaky://turns/out"); !maps.Equal(got, want) {
		t.Errorf("got %v, want the second run's output alone %v", got, want)
	}
}

// TestCommitLockLeftBehind checks that a commit lock nobody releases (a run
// killed during its commit) fails the next commit after the wait, naming
// the lock and its holder, with every output left as it was.
func TestCommitLockLeftBehind(t *testing.T) {
	ctx := context.Background()
	defer runner.SetCommitLockWait(50 * time.Millisecond)()
	mountFlaky(t, "stale")
	g := twoSinks("flaky://stale/out")
	commitOld(t, g)
	lock := "mem://stale/out/b/_temporary/_commit.lock"
	if err := storage.WriteFile(ctx, lock, []byte(`{"run":"dead","host":"h1","pid":42}`)); err != nil {
		t.Fatal(err)
	}
	s := openWritten(t, g, runner.WriteOverwrite, "run2", "new")
	_, err := s.CommitJob(ctx)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), "run dead (process 42 on h1") || !strings.Contains(err.Error(), "remove the lock") {
		t.Fatalf("CommitJob: %v, want the lock and its holder named", err)
	}
	s.AbortJob()
	want := map[string]string{"/a/_SUCCESS": "", "/a/part-r-00000.txt": "old", "/b/_SUCCESS": "", "/b/part-r-00000.txt": "old",
		"/b/_temporary/_commit.lock": `{"run":"dead","host":"h1","pid":42}`}
	if got := files(t, "flaky://stale/out"); !maps.Equal(got, want) {
		t.Errorf("got %v, want the old outputs and the lock, untouched: %v", got, want)
	}
}

// TestCommitLockOfExitedProcess checks that a commit lock left by a process
// of this machine that has exited, and naming none of its outputs (an older
// crunchgo's), fails the next commit at once, rather than after the wait,
// saying so; a lock of a live process is waited for.
func TestCommitLockOfExitedProcess(t *testing.T) {
	if runner.ThisMachine() == "" {
		t.Skip("no boot ID or PID namespace to tell this machine's processes by")
	}
	ctx := context.Background()
	defer runner.SetCommitLockWait(time.Minute)()
	mountFlaky(t, "exited")
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	holder := func(pid int) []byte {
		b, err := json.Marshal(map[string]any{"run": "gone", "host": "h1", "pid": pid, "machine": runner.ThisMachine()})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	g := twoSinks("flaky://exited/out")
	commitOld(t, g)
	lock := "mem://exited/out/b/_temporary/_commit.lock"
	if err := storage.WriteFile(ctx, lock, holder(cmd.Process.Pid)); err != nil {
		t.Fatal(err)
	}
	s := openWritten(t, g, runner.WriteOverwrite, "run2", "new")
	start := time.Now()
	_, err := s.CommitJob(ctx)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), fmt.Sprintf("run gone (process %d on h1", cmd.Process.Pid)) ||
		!strings.Contains(err.Error(), "holds the commit lock flaky://exited/out/b/_temporary/_commit.lock but has exited") {
		t.Fatalf("CommitJob: %v, want the exited holder named", err)
	}
	if waited := time.Since(start); waited > 30*time.Second {
		t.Errorf("failed after %s, want at once", waited)
	}
	s.AbortJob()

	// A live holder (this process) is waited for.
	defer runner.SetCommitLockWait(50 * time.Millisecond)()
	if err := storage.Remove(ctx, lock); err != nil {
		t.Fatal(err)
	}
	if err := storage.WriteFile(ctx, lock, holder(os.Getpid())); err != nil {
		t.Fatal(err)
	}
	s = openWritten(t, g, runner.WriteOverwrite, "run3", "new")
	if _, err := s.CommitJob(ctx); err == nil || !strings.Contains(err.Error(), "has held the commit lock") {
		t.Fatalf("CommitJob with a live holder: %v, want it waited for", err)
	}
	s.AbortJob()
}

// TestCommitLockWaitCancelled checks that a commit waiting for another
// run's lock stops waiting when its context is cancelled (an interrupted
// run), with every output as it was: nothing has moved yet.
func TestCommitLockWaitCancelled(t *testing.T) {
	defer runner.SetCommitLockWait(2 * time.Second)() // not minutes, if the wait ignored ctx
	mountFlaky(t, "cancelwait")
	g := twoSinks("flaky://cancelwait/out")
	commitOld(t, g)
	if err := storage.WriteFile(context.Background(), "mem://cancelwait/out/a/_temporary/_commit.lock", []byte(`{"run":"busy"}`)); err != nil {
		t.Fatal(err)
	}
	s := openWritten(t, g, runner.WriteOverwrite, "run2", "new")
	ctx, cancel := context.WithCancel(context.Background())
	s.ReportWaits(func(runner.Event) { cancel() }) // interrupted as it starts to wait
	if _, err := s.CommitJob(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("CommitJob: %v, want context.Canceled", err)
	}
	s.AbortJob()
	want := map[string]string{"/a/_SUCCESS": "", "/a/part-r-00000.txt": "old", "/b/_SUCCESS": "", "/b/part-r-00000.txt": "old",
		"/a/_temporary/_commit.lock": `{"run":"busy"}`}
	if got := files(t, "flaky://cancelwait/out"); !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestCommitJobSharedTemporary checks that a commit does not fail, its
// outputs in place, when another run's commit removes the shared
// _temporary directory first, or starts writing there again, between this
// run's check that it is empty and its removal.
func TestCommitJobSharedTemporary(t *testing.T) {
	ctx := context.Background()
	for name, other := range map[string]func(storage.FS, string){
		"removed": func(fsys storage.FS, dir string) { fsys.Remove(ctx, dir) },
		"in use": func(fsys storage.FS, dir string) {
			storage.WriteFile(ctx, "mem://shared/out/a/_temporary/run3/x", []byte("y"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			faults := mountFlaky(t, "shared")
			s := openWritten(t, twoSinks("flaky://shared/out"), runner.WriteFail, "run1", "x")
			faults.beforeRemove = func(fsys storage.FS, dir string) {
				if strings.HasSuffix(dir, "/a/_temporary") {
					faults.beforeRemove = nil
					other(fsys, dir)
				}
			}
			if _, err := s.CommitJob(ctx); err != nil {
				t.Fatalf("CommitJob: %v", err)
			}
			if got := files(t, "flaky://shared/out/a"); got["/part-r-00000.txt"] != "x" || len(got) < 2 {
				t.Errorf("got %v, want the committed output", got)
			}
		})
	}
}

// TestOpenSinksAfterSharedTemporaryRemoved checks that opening a sink
// does not fail when another run's commit removes the shared _temporary
// directory while this run makes its own directory in it.
func TestOpenSinksAfterSharedTemporaryRemoved(t *testing.T) {
	faults := mountFlaky(t, "gone")
	faults.mkdirGone = "/out/a/_temporary/run1"
	s := openWritten(t, twoSinks("flaky://gone/out"), runner.WriteFail, "run1", "x")
	if faults.mkdirGone != "" {
		t.Fatal("the fault was not injected")
	}
	if _, err := s.CommitJob(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestFailModeIgnoresOtherRunsTemporaryFiles checks that in write mode
// fail an output holding only another run's _temporary directory (one under
// way, or a killed one whose workers are still removing it) is not taken
// for an output: a run restarted at once after a crash failed on it. An
// empty directory, or one with anything else, is still refused.
func TestFailModeIgnoresOtherRunsTemporaryFiles(t *testing.T) {
	ctx := context.Background()
	mountFlaky(t, "restart")
	if err := storage.WriteFile(ctx, "mem://restart/out/a/_temporary/dead/attempt/part-r-00000.txt", []byte("x")); err != nil {
		t.Fatal(err)
	}
	s := openWritten(t, twoSinks("flaky://restart/out"), runner.WriteFail, "run2", "new")
	if _, err := s.CommitJob(ctx); err != nil {
		t.Fatalf("CommitJob: %v", err)
	}
	if got := files(t, "flaky://restart/out/a"); got["/part-r-00000.txt"] != "new" || got["/_temporary/dead/attempt/part-r-00000.txt"] != "x" {
		t.Errorf("got %v, want the new output beside the dead run's files", got)
	}
	for _, dir := range []string{"mem://restart/empty", "mem://restart/other"} {
		if err := storage.MkdirAll(ctx, dir); err != nil {
			t.Fatal(err)
		}
	}
	if err := storage.WriteFile(ctx, "mem://restart/other/notes.txt", nil); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"flaky://restart/empty", "flaky://restart/other"} {
		if _, err := runner.NewCommitter(ctx, dir, runner.WriteFail, "run3"); !errors.Is(err, fs.ErrExist) {
			t.Errorf("%s: got %v, want refused as existing", dir, err)
		}
	}
}

// TestAppendRefusesOtherFormat checks that appending part files of one
// format to a directory of another fails before the run writes anything.
func TestAppendRefusesOtherFormat(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("append")
	if err := storage.WriteFile(ctx, "mem://append/out/a/part-r-00000.avro", []byte("x")); err != nil {
		t.Fatal(err)
	}
	_, err := runner.OpenSinks(ctx, twoSinks("mem://append/out"), runner.WriteAppend, "run1")
	if err == nil || !strings.Contains(err.Error(), "mix formats") {
		t.Fatalf("OpenSinks: %v, want a refusal to mix formats", err)
	}
	want := map[string]string{"/a/part-r-00000.avro": "x"}
	if got := files(t, "mem://append/out"); !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// fileSource is a plan.FileSource over pattern.
type fileSource struct{ pattern string }

func (s fileSource) Describe() string                                { return "files " + s.pattern }
func (fileSource) EstimateSize(context.Context) int64                { return -1 }
func (fileSource) Splits(context.Context, int) ([]plan.Split, error) { return nil, nil }
func (fileSource) Read(context.Context, plan.TaskContext, plan.Split, plan.Emitter) error {
	return nil
}
func (s fileSource) Pattern() string { return s.pattern }

// TestOverwriteRefusesInput checks that overwriting a directory that holds
// files the job reads (the input's own directory or one above it) is
// refused before anything is touched, while writing next to or below the
// input is not.
func TestOverwriteRefusesInput(t *testing.T) {
	ctx := context.Background()
	t.Chdir(t.TempDir())
	storage.ResetMem("ow")
	for _, f := range []string{"mem://ow/in/a.txt", "in/a.txt"} {
		if err := storage.WriteFile(ctx, f, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	abs, err := filepath.Abs("in")
	if err != nil {
		t.Fatal(err)
	}
	// Links to the input's directory, and one to its parent with the
	// output below it not yet created.
	for link, to := range map[string]string{"link": "in", "up": "."} {
		if err := os.Symlink(to, link); err != nil {
			t.Fatal(err)
		}
	}
	// An input file that links elsewhere: overwriting its directory
	// deletes the link, the job's input, where it is.
	if err := storage.WriteFile(ctx, "other/a.txt", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir("in2", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../other/a.txt", "in2/a.txt"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		input, output string
		refused       bool
	}{
		{"mem://ow/in", "mem://ow/in", true},
		{"mem://ow/in/*.txt", "mem://ow", true},
		{"mem://ow/in/a.txt", "mem://ow/in/", true},
		{"mem://ow/in", "mem://ow/in/out", false},
		{"mem://ow/in", "mem://ow/inside", false},
		{"in", abs, true},
		{"./in/a.txt", "file://" + filepath.Dir(abs), true},
		{abs, "in/out", false},
		{"link", "in", true},
		{"in", "link", true},
		{"link/a.txt", abs, true},
		{"in", "up/in", true},
		{"up/link/a.txt", "up/in/", true},
		{"in", "up/new/out", false},
		{"link", "link/out", false},
		{"in2", "in2", true},
		{"in2", "other", true},
	} {
		err := openCopy(ctx, tt.input, tt.output, runner.WriteOverwrite)
		if refused := err != nil && strings.Contains(err.Error(), "would delete"); refused != tt.refused {
			t.Errorf("input %s, output %s: OpenSinks error %v, want refused %v", tt.input, tt.output, err, tt.refused)
		}
	}
	if got := files(t, "mem://ow"); !maps.Equal(got, map[string]string{"/in/a.txt": "x"}) {
		t.Errorf("mem://ow holds %v, want only its input", got)
	}
}

// openCopy opens the sink of a job copying input to output in mode, and
// aborts it: it returns OpenSinks' error.
func openCopy(ctx context.Context, input, output string, mode runner.WriteMode) error {
	g := &plan.Graph{}
	src := g.Add(&plan.Node{Op: plan.OpSource, Name: "Src", Payload: fileSource{input}})
	g.Add(&plan.Node{Op: plan.OpSink, Name: "Out", Inputs: []plan.NodeID{src}, Payload: dirSink(output)})
	s, err := runner.OpenSinks(ctx, g, mode, "run1")
	if err == nil {
		s.AbortJob()
	}
	return err
}

// TestOutputInsideInputRefused checks that an output inside a directory
// a source lists is refused, in every write mode, before anything is
// created, unless its name leaves it out of listings.
func TestOutputInsideInputRefused(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("inside")
	if err := storage.WriteFile(ctx, "mem://inside/in/a.txt", []byte("x")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		input, output string
		refused       bool
	}{
		{"mem://inside/in", "mem://inside/in/out", true},
		{"mem://inside/in/", "mem://inside/in/day/out", true},
		{"mem://inside/in", "mem://inside/in/_out", false},
		{"mem://inside/in", "mem://inside/in/.out", false},
		{"mem://inside/in", "mem://inside/inside", false},
		{"mem://inside/in/*.txt", "mem://inside/in/out", false}, // listed, but not matched
		{"mem://inside/in/a.txt", "mem://inside/out", false},
	} {
		for _, mode := range []runner.WriteMode{runner.WriteFail, runner.WriteAppend} {
			err := openCopy(ctx, tt.input, tt.output, mode)
			if refused := err != nil && strings.Contains(err.Error(), "reads as an input directory"); refused != tt.refused {
				t.Errorf("%s: input %s, output %s: OpenSinks error %v, want refused %v", mode, tt.input, tt.output, err, tt.refused)
			}
		}
	}
	if got := files(t, "mem://inside"); !maps.Equal(got, map[string]string{"/in/a.txt": "x"}) {
		t.Errorf("mem://inside holds %v, want only its input", got)
	}
}

// TestOutputMatchedByBareGlobRefused checks that a glob without a
// directory (*.txt) lists the current directory, like any other: an output
// there that it matches would be read by the next run.
func TestOutputMatchedByBareGlobRefused(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("a.txt", []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		output  string
		refused bool
	}{
		{"res.txt", true},
		{"res.txt/day", true},
		{"out", false},
		{"_res.txt", false},
	} {
		err := openCopy(context.Background(), "*.txt", tt.output, runner.WriteFail)
		if refused := err != nil && strings.Contains(err.Error(), "reads as an input directory"); refused != tt.refused {
			t.Errorf("input *.txt, output %s: OpenSinks error %v, want refused %v", tt.output, err, tt.refused)
		}
	}
}

// TestAbortRemovesCreatedParents checks that an aborted run removes the
// directories it created above its outputs, and only those.
func TestAbortRemovesCreatedParents(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("parents")
	if err := storage.WriteFile(ctx, "mem://parents/keep/x", nil); err != nil {
		t.Fatal(err)
	}
	s, err := runner.OpenSinks(ctx, twoSinks("mem://parents/keep/new/day"), runner.WriteFail, "run1")
	if err != nil {
		t.Fatal(err)
	}
	s.AbortJob()
	if got := files(t, "mem://parents"); !maps.Equal(got, map[string]string{"/keep/x": ""}) {
		t.Errorf("after abort: %v, want only what was there before", got)
	}
	if ok, _ := storage.Exists(ctx, "mem://parents/keep/new"); ok {
		t.Error("mem://parents/keep/new, created by the run, is still there")
	}
}

// TestOpenSinksRecordsBeforeCreating checks that OpenSinksRecorded records
// each output before it creates anything for it, and that RecoverCommit
// with what it recorded last undoes what a run that died there made.
func TestOpenSinksRecordsBeforeCreating(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("recorded")
	if err := storage.WriteFile(ctx, "mem://recorded/keep/x", nil); err != nil {
		t.Fatal(err)
	}
	var last []runner.Leftover
	calls := 0
	_, err := runner.OpenSinksRecorded(ctx, twoSinks("mem://recorded/keep/new"), runner.WriteFail, "run1", func(ls []runner.Leftover) error {
		calls++
		if len(ls) != calls {
			t.Errorf("call %d records %d outputs, want %d", calls, len(ls), calls)
		}
		for i, l := range ls {
			made, _ := storage.Exists(ctx, l.Dir)
			if want := i < len(ls)-1; made != want {
				t.Errorf("call %d: %s exists: %v, want %v", calls, l.Dir, made, want)
			}
			if !l.Created || l.Run != "run1" {
				t.Errorf("call %d: %+v, want a created output of run1", calls, l)
			}
		}
		last = ls
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Fatalf("record was called %d times, want once per output", calls)
	}
	runner.RecoverCommit(last, false) // the run dies before its tasks ran
	if got := files(t, "mem://recorded"); !maps.Equal(got, map[string]string{"/keep/x": ""}) {
		t.Errorf("after RecoverCommit: %v, want only what was there before", got)
	}
	if ok, _ := storage.Exists(ctx, "mem://recorded/keep/new"); ok {
		t.Error("mem://recorded/keep/new, created by the run, is still there")
	}
}

// halfMkdir is a file system whose MkdirAll of a run's temporary
// directory creates the output, then fails.
type halfMkdir struct{ storage.FS }

func (h halfMkdir) MkdirAll(ctx context.Context, dir string) error {
	if strings.Contains(dir, "/_temporary/") {
		if err := h.FS.MkdirAll(ctx, path.Dir(path.Dir(dir))); err != nil {
			return err
		}
		return errors.New("injected: mkdir failed half way")
	}
	return h.FS.MkdirAll(ctx, dir)
}

// TestOpenSinksAbortsHalfCreated checks that an output whose creation
// failed half way is aborted with the others: what it made goes.
func TestOpenSinksAbortsHalfCreated(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("half")
	mem, _, err := storage.Resolve(ctx, "mem://half/")
	if err != nil {
		t.Fatal(err)
	}
	storage.Register("half", func(context.Context, *url.URL) (storage.FS, error) { return halfMkdir{mem}, nil })
	if err := storage.WriteFile(ctx, "mem://half/keep/x", nil); err != nil {
		t.Fatal(err)
	}
	g := &plan.Graph{}
	src := g.Add(&plan.Node{Op: plan.OpSource, Name: "Src"})
	g.Add(&plan.Node{Op: plan.OpSink, Name: "A", Inputs: []plan.NodeID{src}, Payload: dirSink("half://half/keep/new/out")})
	if _, err := runner.OpenSinks(ctx, g, runner.WriteFail, "run1"); err == nil {
		t.Fatal("OpenSinks succeeded where creating the output failed")
	}
	if ok, _ := storage.Exists(ctx, "mem://half/keep/new"); ok {
		t.Error("mem://half/keep/new, made by the failed open, is still there")
	}
}

// TestOutputThatIsAFileIsRefused checks that an output path holding a
// file is refused in every write mode, naming it, and left alone.
func TestOutputThatIsAFileIsRefused(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("outfile")
	out := "mem://outfile/out"
	if err := storage.WriteFile(ctx, out, []byte("keep")); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []runner.WriteMode{runner.WriteFail, runner.WriteOverwrite, runner.WriteAppend} {
		g := &plan.Graph{}
		src := g.Add(&plan.Node{Op: plan.OpSource, Name: "Src", Payload: fileSource{"mem://outfile/in"}})
		g.Add(&plan.Node{Op: plan.OpSink, Name: "Out", Inputs: []plan.NodeID{src}, Payload: dirSink(out)})
		if _, err := runner.OpenSinks(ctx, g, mode, "run1"); err == nil || !strings.Contains(err.Error(), out+" is a file, not a directory") {
			t.Errorf("mode %v: OpenSinks error %v, want the file refused", mode, err)
		}
	}
	if b, err := storage.ReadFile(ctx, out); err != nil || string(b) != "keep" {
		t.Errorf("the file holds %q (%v)", b, err)
	}
}

// crash is the panic that stands for the process dying.
type crash struct{}

// crashAt makes the flaky file system's change number dies (from 0; -1:
// never) panic with crash{}, as if the process died just before it.
func crashAt(f *faults, dies int) {
	changes := 0
	f.change = func() {
		if changes == dies {
			panic(crash{})
		}
		changes++
	}
}

// recoverCrash, deferred, ends crashAt's changes and recovers its crash,
// setting died; any other panic goes on.
func recoverCrash(f *faults, died *bool) {
	f.change = nil
	if r := recover(); r != nil {
		if _, ok := r.(crash); !ok {
			panic(r)
		}
		*died = true
	}
}

// TestRecoverCommitAfterCrash kills a job commit at each of its steps in
// turn, in each write mode, and checks that RecoverCommit then leaves both
// outputs either as they were before the run or as a completed commit
// leaves them, never in between, with no temporary files or locks left.
func TestRecoverCommitAfterCrash(t *testing.T) {
	for _, mode := range []runner.WriteMode{runner.WriteFail, runner.WriteOverwrite, runner.WriteAppend, runner.WriteOverwritePartitions} {
		t.Run(mode.String(), func(t *testing.T) {
			recoverAfterCrash(t, mode, twoSinks, func(string) []string { return []string{"part-r-00000.txt"} })
		})
	}
}

// TestRecoverPartitionedCommitAfterCrash is TestRecoverCommitAfterCrash
// for outputs partitioned into directories: the new run writes into a
// partition the old one wrote (dt=2) and into a new one (dt=3), and no
// directory the commit made may be left behind either.
func TestRecoverPartitionedCommitAfterCrash(t *testing.T) {
	for _, mode := range []runner.WriteMode{runner.WriteFail, runner.WriteOverwrite, runner.WriteAppend, runner.WriteOverwritePartitions} {
		t.Run(mode.String(), func(t *testing.T) {
			recoverAfterCrash(t, mode, twoPartitionedSinks, func(content string) []string {
				if content == "old" {
					return []string{"dt=1/part-r-00000.txt", "dt=2/part-r-00000.txt"}
				}
				return []string{"dt=2/part-r-00000.txt", "dt=3/k=x/part-r-00000.txt"}
			})
		})
	}
}

// partSink is a dirSink partitioned by keys (plan.PartitionedSinkPayload).
type partSink struct {
	dirSink
	keys []string
}

func (p partSink) PartitionKeys() []string { return p.keys }
func (partSink) NewPartitionedWriter(context.Context, plan.TaskContext, plan.OpenPart) (plan.Emitter, func() error, error) {
	return nil, nil, errors.New("partSink writes nothing")
}

// twoPartitionedSinks is twoSinks with sinks partitioned by dt.
func twoPartitionedSinks(base string) *plan.Graph {
	g := &plan.Graph{}
	src := g.Add(&plan.Node{Op: plan.OpSource, Name: "Src"})
	g.Add(&plan.Node{Op: plan.OpSink, Name: "A", Inputs: []plan.NodeID{src}, Payload: partSink{dirSink(base + "/a"), []string{"dt"}}})
	g.Add(&plan.Node{Op: plan.OpSink, Name: "B", Inputs: []plan.NodeID{src}, Payload: partSink{dirSink(base + "/b"), []string{"dt"}}})
	return g
}

// recoverAfterCrash is TestRecoverCommitAfterCrash for mode and the sinks
// graph makes under a base URL, a run writing content in part files names.
func recoverAfterCrash(t *testing.T, mode runner.WriteMode, graph func(base string) *plan.Graph, names func(content string) []string) {
	open := func(g *plan.Graph, mode runner.WriteMode, run, content string) runner.Sinks {
		t.Helper()
		s, err := runner.OpenSinks(context.Background(), g, mode, run)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names(content) {
			writePart(t, s, n, content)
		}
		return s
	}
	// commit sets up the outputs, then commits a run that dies
	// before its change number dies (-1: never). It returns the
	// outputs as they were before, and whether the run died and
	// after its commit had begun, with its leftovers.
	commit := func(dies int) (before map[string]string, died, committing bool, ls []runner.Leftover) {
		faults := mountFlaky(t, "crash")
		g := graph("flaky://crash/out")
		if mode != runner.WriteFail {
			if _, err := open(g, runner.WriteFail, "run1", "old").CommitJob(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		before = filesAndDirs(t, "flaky://crash/")
		s := open(g, mode, "run2", "new")
		ls = s.Leftovers()
		crashAt(faults, dies)
		defer recoverCrash(faults, &died)
		var res runner.Result
		// As the local runner does, the leftovers are recorded
		// again once the journals are written.
		if err := s.CommitInto(context.Background(), &res, func() error { committing, ls = true, s.Leftovers(); return nil }); err != nil {
			t.Fatal(err)
		}
		return before, false, committing, ls
	}
	commit(-1)
	after := filesAndDirs(t, "flaky://crash/")
	rolledBack, finished := 0, 0
	for dies := 0; ; dies++ {
		before, died, committing, ls := commit(dies)
		if !died {
			break
		}
		if err := runner.RecoverCommit(ls, committing); err != nil {
			t.Fatalf("dying at change %d: RecoverCommit: %v", dies, err)
		}
		got := filesAndDirs(t, "flaky://crash/")
		switch {
		case maps.Equal(got, before):
			rolledBack++
		case maps.Equal(got, after) && committing:
			finished++
		default:
			t.Errorf("dying at change %d (commit begun: %v), then recovering, left\n%v\nwant as before:\n%v\nor as committed:\n%v", dies, committing, got, before, after)
		}
	}
	t.Logf("%d crashes rolled back, %d finished", rolledBack, finished)
	if rolledBack == 0 || finished == 0 {
		t.Errorf("%d crashes rolled back, %d finished: want some of each", rolledBack, finished)
	}
}

// TestRecoverCommitDuringCleanup checks that RecoverCommit finishes a
// commit killed while it removed its temporary files, after it had
// published every output: one output's journal is gone but files of its
// temporary directory are left (os.RemoveAll removes entries in directory
// order), the other's directory is gone. Its locks and temporary files
// must go, and the outputs stay as committed.
func TestRecoverCommitDuringCleanup(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("cleanup")
	g := twoSinks("mem://cleanup/out")
	commitOld(t, g)
	s := openWritten(t, g, runner.WriteOverwrite, "run2", "new")
	var ls []runner.Leftover
	var res runner.Result
	if err := s.CommitInto(ctx, &res, func() error { ls = s.Leftovers(); return nil }); err != nil {
		t.Fatal(err)
	}
	committed := files(t, "mem://cleanup/")
	// What the killed commit left: both locks, and a file it had moved
	// aside in a's temporary directory, whose journal it had removed.
	for _, dir := range []string{"a", "b"} {
		lock := "mem://cleanup/out/" + dir + "/_temporary/_commit.lock"
		if err := storage.WriteFile(ctx, lock, []byte(`{"run":"run2"}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := storage.WriteFile(ctx, "mem://cleanup/out/a/_temporary/run2/replaced/part-r-00000.txt", []byte("old")); err != nil {
		t.Fatal(err)
	}
	if err := runner.RecoverCommit(ls, true); err != nil {
		t.Fatal(err)
	}
	if got := files(t, "mem://cleanup/"); !maps.Equal(got, committed) {
		t.Errorf("after recovering, the outputs hold\n%v\nwant as committed:\n%v", got, committed)
	}
}
