//go:build unix

package local

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/runner"
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

// TestKilledDriverIsCleanedUp kills a driver outright while its task hangs:
// its workers see it die, and one removes the run's directory and the
// run's output, which the run had created, so that the job can run again
// in WriteFail mode.
func TestKilledDriverIsCleanedUp(t *testing.T) {
	tmp, marks, out := t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), driverEnv+"=--stall=hang --once="+marks+" --out="+out, driverTmpEnv+"="+tmp)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stalled := filepath.Join(marks, "stalled")
	waitFor(t, "the task to stall", func() bool { return exists(stalled) })
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
