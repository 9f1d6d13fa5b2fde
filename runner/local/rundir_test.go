//go:build unix

package local

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/internal/kernel"
	"github.com/crunchgo/crunchgo/runner/internal/shuffle"
	"github.com/crunchgo/crunchgo/storage"
)

// deadRun makes a run directory in tmp as a driver killed outright leaves
// it: recorded state, lock dropped. Its one output, out, holds the run's
// temporary files, and was created by the run.
func deadRun(t *testing.T, tmp, out string, committing bool) string {
	t.Helper()
	d, err := newRunDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	run := "20260101T000000-dead" + filepath.Base(d.path)
	part := filepath.Join(out, "_temporary", run, "attempt_m_0", "part-m-00000.txt")
	if err := os.MkdirAll(filepath.Dir(part), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(part, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.path, "shuffle-run"), make([]byte, 1<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	st := runState{Outputs: []runner.Leftover{{Dir: out, Run: run, Created: true}}, Committing: committing}
	if err := d.save(st); err != nil {
		t.Fatal(err)
	}
	d.lock.Close() // the driver dies
	return d.path
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// TestRunSweepsDeadRuns checks that a run removes the private directories
// of runs whose drivers died, with their temporary files in their outputs,
// and leaves live runs' directories alone.
func TestRunSweepsDeadRuns(t *testing.T) {
	tmp, base := t.TempDir(), t.TempDir()
	live, err := newRunDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	defer live.remove()
	dead := deadRun(t, tmp, filepath.Join(base, "dead-out"), false)
	committing := deadRun(t, tmp, filepath.Join(base, "committing-out"), true)
	starting := filepath.Join(tmp, runDirPrefix+"starting") // no state yet
	if err := os.MkdirAll(starting, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(starting, lockName), nil, 0o600); err != nil {
		t.Fatal(err)
	}

	// The dead run created its output: a new run in WriteFail mode may
	// write there once the dead run's files are gone.
	out := filepath.Join(base, "dead-out")
	_, _, err = runStall(t, runner.Options{TmpDir: tmp}, "--records=8", "--out="+out)
	if err != nil {
		t.Fatal(err)
	}
	if exists(dead) {
		t.Errorf("the dead run's directory %s was not removed", dead)
	}
	if exists(filepath.Join(out, "_temporary")) {
		t.Errorf("the dead run's temporary files in %s were not removed", out)
	}
	if !exists(filepath.Join(out, "_SUCCESS")) {
		t.Errorf("the new run did not commit %s", out)
	}
	if exists(committing) {
		t.Errorf("the directory %s of a run that died committing was not removed", committing)
	}
	if !exists(filepath.Join(base, "committing-out", "_temporary")) {
		t.Error("the temporary files of a run that died committing were removed; they may hold what its commit moved aside")
	}
	if !exists(live.path) || !exists(starting) {
		t.Error("a live run's directory, or one without state, was removed")
	}
}

// TestKilledDriverIsCleanedUp kills a driver outright while its task runs:
// its workers see it die, and one removes the run's directory and the
// run's output, which the run had created, so that the job can run again
// in WriteFail mode. The task hangs, or writes to stderr (a pipe to the
// dead driver, where a write raises SIGPIPE).
func TestKilledDriverIsCleanedUp(t *testing.T) {
	for _, tc := range []struct{ name, args string }{
		{"hanging", "--stall=hang"},
		{"logging", "--stall=log --records=2000 --sleep-ms=10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp, marks, out := t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "out")
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), driverEnv+"="+tc.args+" --once="+marks+" --out="+out, driverTmpEnv+"="+tmp)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			stalled := filepath.Join(marks, "stalled")
			waitFor(t, "the task to run", func() bool { return exists(stalled) })
			if !exists(filepath.Join(out, "_temporary")) {
				t.Fatal("the run's output holds no temporary files while its task runs")
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			waitFor(t, "the workers to clean up", func() bool {
				ents, err := os.ReadDir(tmp)
				return err == nil && len(ents) == 0 && !exists(out)
			})
			// The job runs again (its marker says it stalled already).
			if _, _, err := runStall(t, runner.Options{TmpDir: tmp}, "--stall=hang", "--once="+marks, "--out="+out); err != nil {
				t.Fatal(err)
			}
			if !exists(filepath.Join(out, "_SUCCESS")) {
				t.Errorf("the rerun did not commit %s", out)
			}
		})
	}
}

// TestDriverKilledWaitingForCommitLock kills a driver while its job commit
// waits for another run's commit lock on its output: it has moved nothing,
// so the next run's sweep removes its temporary files from the output.
func TestDriverKilledWaitingForCommitLock(t *testing.T) {
	tmp, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
	lock := filepath.Join(out, "_temporary", "_commit.lock")
	if err := os.MkdirAll(filepath.Dir(lock), 0o755); err != nil {
		t.Fatal(err)
	}
	// A lock that names no run: the driver waits for it.
	if err := os.WriteFile(lock, []byte("held by the test"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), driverEnv+"=--out="+out, driverTmpEnv+"="+tmp)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waiting, _ := bufio.NewReader(stdout).ReadString('\n')
	if !strings.Contains(waiting, "waiting for another run to finish its commit") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the driver printed %q, want it waiting for the lock", waiting)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	sweepRunDirs(tmp, time.Minute)
	ents, err := os.ReadDir(filepath.Dir(lock))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "_commit.lock" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("after the sweep %s holds %v, want only the test's lock", filepath.Dir(lock), names)
	}
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestTimeoutCoversSendingTheTask checks that a task larger than a pipe's
// buffer, sent to a worker that reads nothing (one stopped between tasks),
// times out instead of blocking the driver.
func TestTimeoutCoversSendingTheTask(t *testing.T) {
	toR, toW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fromR, fromW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "60") // reads nothing
	cmd.ExtraFiles = []*os.File{toR, fromW}
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toR.Close()
	fromW.Close()
	p := &proc{cmd: cmd, to: toW, fr: fromR, from: bufio.NewReader(fromR), tail: &tail{}, pid: cmd.Process.Pid}
	defer p.kill()
	msg := &taskMsg{}
	for range 2000 {
		msg.Segments = append(msg.Segments, shuffle.Segment{Path: "/tmp/crunchgo-local-123456789/s0/attempt_r_000000_0/run-00000", Offset: 123456789, Length: 987654321})
	}
	done := make(chan error, 1)
	go func() {
		_, err := p.runTask(context.Background(), msg, 200*time.Millisecond, func(kernel.Stats) {})
		done <- err
	}()
	select {
	case err := <-done:
		var se *stalledError
		if !errors.As(err, &se) {
			t.Errorf("got %v, want a stalledError", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("runTask has not returned after 20 s: it blocks writing the task")
	}
}

// TestSweepIgnoresPlantedRunDirs checks that a run directory this user did
// not make, or one whose state names a run that is not a plain name, makes
// the sweep remove nothing: in a shared temp dir anyone can plant one.
func TestSweepIgnoresPlantedRunDirs(t *testing.T) {
	tmp, home := t.TempDir(), t.TempDir()
	precious := filepath.Join(home, "data")
	if err := os.MkdirAll(precious, 0o755); err != nil {
		t.Fatal(err)
	}
	thesis := filepath.Join(precious, "thesis.tex")
	if err := os.WriteFile(thesis, []byte("years of work"), 0o644); err != nil {
		t.Fatal(err)
	}
	plant := func(name string, perm os.FileMode, run string) string {
		dir := filepath.Join(tmp, runDirPrefix+name)
		if err := os.Mkdir(dir, perm); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, perm); err != nil { // past the umask
			t.Fatal(err)
		}
		b, err := json.Marshal(runState{Outputs: []runner.Leftover{{Dir: precious, Run: run, Created: true}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, lockName), nil, 0o666); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, stateName), b, 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	open := plant("open", 0o777, "..") // not made by MkdirTemp
	dotdot := plant("dotdot", 0o700, "..")
	path := plant("path", 0o700, "../../"+filepath.Base(home))
	if os.Geteuid() == 0 {
		// As root, planting means another user's files.
		other := plant("other", 0o700, "..")
		for _, p := range []string{other, filepath.Join(other, lockName), filepath.Join(other, stateName)} {
			if err := os.Lchown(p, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}
	}
	sweepRunDirs(tmp, time.Minute)
	if !exists(thesis) {
		t.Fatalf("the sweep deleted %s, which a planted run.json named", precious)
	}
	if !exists(open) {
		t.Errorf("the sweep removed %s, a run directory others could write to", open)
	}
	// Ours and well-formed but for the run name: the directory goes, and
	// nothing outside it.
	for _, d := range []string{dotdot, path} {
		if exists(d) {
			t.Errorf("the sweep left %s", d)
		}
	}
}

// TestFailedSweepKeepsLockAndState checks that a sweep that cannot remove
// everything in a run directory leaves its lock file and state, so that a
// later sweep takes it up again.
func TestFailedSweepKeepsLockAndState(t *testing.T) {
	dir := deadRun(t, t.TempDir(), filepath.Join(t.TempDir(), "out"), false)
	if err := os.MkdirAll(filepath.Join(dir, "s0"), 0o700); err != nil {
		t.Fatal(err)
	}
	defer func(old func(string) error) { removeEntry = old }(removeEntry)
	removeEntry = func(path string) error {
		if filepath.Base(path) == "s0" {
			return fs.ErrPermission
		}
		return os.RemoveAll(path)
	}
	if sweepRunDir(dir) {
		t.Fatal("the sweep says it removed a directory it could not")
	}
	for _, name := range []string{lockName, stateName} {
		if !exists(filepath.Join(dir, name)) {
			t.Errorf("the failed sweep removed %s", name)
		}
	}
	removeEntry = os.RemoveAll
	if !sweepRunDir(dir) || exists(dir) {
		t.Error("a second sweep did not remove the directory")
	}
}

// TestOrphanedSweepsBeforeReturning checks that each goroutine that learns
// of the driver's death returns from orphaned only once the run directory
// is gone, though another goroutine is sweeping it, and though this
// process's task writes a file into it meanwhile: the worker exits when
// the first of them returns.
func TestOrphanedSweepsBeforeReturning(t *testing.T) {
	tmp := t.TempDir()
	dir := deadRun(t, tmp, filepath.Join(t.TempDir(), "out"), false)
	for i := range 2000 { // a sweep that takes a while
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprint("f", i)), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "s0"), 0o700); err != nil {
		t.Fatal(err)
	}
	orphanSweeps.Store(&dir)
	defer orphanSweeps.Store(nil)
	stop := make(chan struct{})
	writer := make(chan struct{})
	go func() { // a task still writing spills
		defer close(writer)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if os.WriteFile(filepath.Join(dir, "s0", fmt.Sprint("run-", i)), nil, 0o600) != nil {
				return // the task fails, its directory gone
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	var wg sync.WaitGroup
	gone := make([]bool, 3)
	for i := range gone {
		wg.Go(func() {
			orphaned(-1) // not this process's parent: adopted already
			gone[i] = !exists(dir)
		})
	}
	wg.Wait()
	close(stop)
	<-writer
	for i, g := range gone {
		if !g {
			t.Errorf("caller %d returned with the run directory still there", i)
		}
	}
}

// TestScratchLeftAfterCommit checks that a run whose outputs are committed
// succeeds when its scratch directory cannot be removed, with a warning
// saying so.
func TestScratchLeftAfterCommit(t *testing.T) {
	defer func(old func(string) error) { removeEntry = old }(removeEntry)
	removeEntry = func(path string) error {
		if filepath.Base(path) == "s0" {
			return fs.ErrPermission
		}
		return os.RemoveAll(path)
	}
	out := filepath.Join(t.TempDir(), "out")
	_, res, err := runStall(t, runner.Options{}, "--records=8", "--out="+out)
	if err != nil {
		t.Fatalf("run failed after committing its outputs: %v", err)
	}
	if !exists(filepath.Join(out, "_SUCCESS")) {
		t.Errorf("the run did not commit %s", out)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "could not remove the run's temporary directory") {
		t.Errorf("warnings %q, want the scratch directory left behind", res.Warnings)
	}
}

// TestTmpInsideInput checks that a scratch directory in the directory an
// input lists is refused before the run, naming --tmp, where the run failed
// on its own directory as "a directory inside input directory"; a glob that
// reads only deeper matches leaves it alone.
func TestTmpInsideInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.MkdirAll(filepath.Join(in, "scratch"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(in, "x.txt"), []byte("k1\nk2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, input := range []string{in, filepath.Join(in, "*"), filepath.Join(in, "crunchgo-*")} {
		p := build(t, sideMapJob, "--input="+input)
		_, err := Run(context.Background(), p, runner.Options{Workers: 1, TmpDir: in})
		if err == nil || !strings.Contains(err.Error(), "--tmp "+in+", is inside input") {
			t.Errorf("input %s: got %v, want --tmp refused", input, err)
		}
	}
	// A glob that cannot match the run's directory is left alone.
	if _, err := Run(context.Background(), build(t, sideMapJob, "--input="+filepath.Join(in, "*.txt")), runner.Options{Workers: 1, TmpDir: in}); err != nil {
		t.Errorf("input *.txt with --tmp its directory: %v", err)
	}
	if _, err := Run(context.Background(), build(t, sideMapJob, "--input="+filepath.Join(in, "*.txt")), runner.Options{Workers: 1, TmpDir: filepath.Join(in, "scratch")}); err != nil {
		t.Errorf("input *.txt with --tmp a subdirectory: %v", err)
	}
	p := build(t, sideMapJob, "--input="+filepath.Join(dir, "*", "x.txt"))
	if _, err := Run(context.Background(), p, runner.Options{Workers: 1, TmpDir: filepath.Join(in, "scratch")}); err != nil {
		t.Errorf("a deeper glob: %v", err)
	}
}

// TestTmpDirMade checks that a scratch directory that does not exist yet
// is made, parents and all, rather than failing the run.
func TestTmpDirMade(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "x.txt")
	if err := os.WriteFile(in, []byte("k1\nk2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "scratch", "new")
	if _, err := Run(context.Background(), build(t, sideMapJob, "--input="+in), runner.Options{Workers: 1, TmpDir: tmp}); err != nil {
		t.Fatalf("--tmp %s, not there yet: %v", tmp, err)
	}
	if fi, err := os.Stat(tmp); err != nil || !fi.IsDir() {
		t.Errorf("scratch directory %s: %v", tmp, err)
	}
}

// TestSweepRecoversDeadCommit checks that the sweep cleans up after a run
// killed once its job commit had begun (its locks taken and its moves
// journalled), where it used to leave the commit locks, which failed every
// later run writing those outputs until a person removed them.
func TestSweepRecoversDeadCommit(t *testing.T) {
	tmp, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
	d, err := newRunDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := runner.NewCommitter(ctx, out, runner.WriteFail, "20260101T000000-dead")
	if err != nil {
		t.Fatal(err)
	}
	if err := storage.WriteFile(ctx, c.TaskFile("attempt_m_0", "part-m-00000.txt"), []byte("x\n")); err != nil {
		t.Fatal(err)
	}
	if err := c.CommitTask(ctx, "attempt_m_0"); err != nil {
		t.Fatal(err)
	}
	sinks := runner.Sinks{0: c}
	func() {
		defer func() { _ = recover() }()
		sinks.CommitInto(ctx, &runner.Result{}, func() error {
			if err := d.save(runState{Outputs: sinks.Leftovers(), Committing: true}); err != nil {
				t.Fatal(err)
			}
			panic("the driver dies")
		})
	}()
	if !exists(filepath.Join(out, "_temporary", "_commit.lock")) {
		t.Fatal("the dead run holds no commit lock: the test does not kill it mid-commit")
	}
	d.lock.Close()
	sweepRunDirs(tmp, time.Minute)
	if exists(out) || exists(d.path) {
		t.Errorf("after the sweep, the dead run's output %s (exists: %v) or directory (exists: %v) is still there", out, exists(out), exists(d.path))
	}
}

// TestNextRunRecoversDeadCommit checks that a run killed once its job
// commit had begun, on this machine, is put right by the commit of the
// next run writing its output, even one with another --tmp, which does not
// sweep the dead run's directory: that commit used to fail, naming the
// lock, for a person to clean up.
func TestNextRunRecoversDeadCommit(t *testing.T) {
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "out")
	c, err := runner.NewCommitter(ctx, out, runner.WriteFail, "20260101T000000-dead")
	if err != nil {
		t.Fatal(err)
	}
	if err := storage.WriteFile(ctx, c.TaskFile("attempt_m_0", "part-m-00000.txt"), []byte("x\n")); err != nil {
		t.Fatal(err)
	}
	if err := c.CommitTask(ctx, "attempt_m_0"); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() { _ = recover() }()
		runner.Sinks{0: c}.CommitInto(ctx, &runner.Result{}, func() error { panic("the driver dies") })
	}()
	// The lock names this process: make it name one that has exited.
	lock := filepath.Join(out, "_temporary", "_commit.lock")
	b, err := os.ReadFile(lock)
	if err != nil {
		t.Fatal("the dead run holds no commit lock: the test does not kill it mid-commit")
	}
	var holder map[string]any
	if err := json.Unmarshal(b, &holder); err != nil {
		t.Fatal(err)
	}
	if holder["machine"] == nil {
		t.Skip("no boot ID or PID namespace to tell this machine's processes by")
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	holder["pid"] = gone.Process.Pid
	if b, err = json.Marshal(holder); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lock, b, 0o644); err != nil {
		t.Fatal(err)
	}

	var notes []string
	o := runner.Options{Workers: 2, TmpDir: t.TempDir(), Progress: func(ev runner.Event) {
		if ev.Note != "" {
			notes = append(notes, ev.Note)
		}
	}}
	if _, err := Run(ctx, build(t, wordCountJob, "--lines=30", "--out="+out), o); err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "undid the commit of dead run 20260101T000000-dead") {
		t.Errorf("notes %q, want one saying the dead run's commit was undone", notes)
	}
	if exists(filepath.Join(out, "_temporary")) || exists(filepath.Join(out, "part-m-00000.txt")) || !exists(filepath.Join(out, "_SUCCESS")) {
		t.Errorf("after the next run, %s holds temporary files or the dead run's part, or is not committed", out)
	}
}
