package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/runner"
)

// deadPID is the ID of a process of this machine that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	if runner.ThisMachine() == "" {
		t.Skip("no boot ID or PID namespace to tell this machine's processes by")
	}
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// outputsOnly leaves out the temporary files of files' tree.
func outputsOnly(files map[string]string) map[string]string {
	maps.DeleteFunc(files, func(name, _ string) bool { return strings.Contains(name, "/_temporary/") })
	return files
}

// TestNextCommitRecoversDeadRun kills a job commit at each of its steps in
// turn, in each write mode, as a process of this machine that has exited,
// and checks that the next run's commit to the same outputs puts them
// right before it moves anything: both outputs are as they were before the
// killed run or as its completed commit leaves them, byte for byte, and
// once the next run has committed no lock or temporary file is left.
func TestNextCommitRecoversDeadRun(t *testing.T) {
	pid := deadPID(t)
	for _, mode := range []runner.WriteMode{runner.WriteFail, runner.WriteOverwrite, runner.WriteAppend} {
		t.Run(mode.String(), func(t *testing.T) {
			// commit sets up the outputs, then commits run2, which dies
			// before its change number dies (-1: never). It returns the
			// outputs as they were before, and whether run2 died.
			commit := func(dies int) (before map[string]string, died bool) {
				faults := mountFlaky(t, "nextcommit")
				g := twoSinks("flaky://nextcommit/out")
				if mode != runner.WriteFail {
					commitOld(t, g)
				}
				before = files(t, "flaky://nextcommit/")
				defer runner.SetLockPID(pid)()
				s := openWritten(t, g, mode, "run2", "new")
				crashAt(faults, dies)
				defer recoverCrash(faults, &died)
				if _, err := s.CommitJob(context.Background()); err != nil {
					t.Fatal(err)
				}
				return before, false
			}
			commit(-1)
			after := files(t, "flaky://nextcommit/")
			rolledBack, finished := 0, 0
			for dies := 0; ; dies++ {
				before, died := commit(dies)
				if !died {
					break
				}
				g := twoSinks("flaky://nextcommit/out")
				locked := strings.Contains(files(t, "flaky://nextcommit/")["/out/a/_temporary/_commit.lock"]+
					files(t, "flaky://nextcommit/")["/out/b/_temporary/_commit.lock"], `"run":"run2"`)
				s := openWritten(t, g, runner.WriteAppend, "run3", "third")
				var notes []string
				s.ReportWaits(func(ev runner.Event) { notes = append(notes, ev.Note) })
				var got map[string]string
				var res runner.Result
				err := s.CommitInto(context.Background(), &res, func() error {
					got = outputsOnly(files(t, "flaky://nextcommit/"))
					return nil
				})
				if err != nil {
					t.Fatalf("dying at change %d: the next commit: %v", dies, err)
				}
				switch {
				case maps.Equal(got, before):
					rolledBack++
				case maps.Equal(got, after):
					finished++
				default:
					t.Errorf("dying at change %d, then recovered by the next commit, left\n%v\nwant as before:\n%v\nor as committed:\n%v", dies, got, before, after)
				}
				if !locked {
					continue // no lock: nothing for the next commit to recover
				}
				if len(notes) != 1 || !strings.Contains(notes[0], "dead run run2") {
					t.Errorf("dying at change %d: notes %q, want one saying what was done with run2's commit", dies, notes)
				}
				for name := range files(t, "flaky://nextcommit/") {
					if strings.Contains(name, "_temporary") {
						t.Errorf("dying at change %d: %s left after the next commit", dies, name)
					}
				}
			}
			t.Logf("%d crashes rolled back, %d finished", rolledBack, finished)
			if rolledBack == 0 || finished == 0 {
				t.Errorf("%d crashes rolled back, %d finished: want some of each", rolledBack, finished)
			}
		})
	}
}

// TestConcurrentRecoverersOfDeadRun has two runs commit at once to the
// outputs of a run that died half way through its commit, and checks that
// only one of them recovers the dead run's commit, which the other waits
// for: the first is held in its first undoing rename until the other has
// tried to claim the recovery too, or has started undoing as well.
func TestConcurrentRecoverersOfDeadRun(t *testing.T) {
	ctx := context.Background()
	faults := mountFlaky(t, "recoverers")
	g := twoSinks("flaky://recoverers/out")
	commitOld(t, g)
	restore := runner.SetLockPID(deadPID(t))
	s := openWritten(t, g, runner.WriteAppend, "run2", "new")
	faults.beforeRename = func(_, to string) {
		if to == "/out/b/part-r-00000-run2.txt" { // a's part is published
			panic(crash{})
		}
	}
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Fatal("run2 did not die")
			}
		}()
		s.CommitJob(ctx)
	}()
	restore()

	var mu sync.Mutex
	undoing, both := 0, false
	otherTried := make(chan struct{})
	signalled := false
	signal := func() { // mu held
		if !signalled {
			signalled = true
			close(otherTried)
		}
	}
	faults.beforeRename = func(_, to string) {
		if !strings.Contains(to, "/_temporary/run2/") {
			return
		}
		mu.Lock()
		undoing++
		if undoing > 1 {
			both = true
			signal()
		}
		first := undoing == 1
		mu.Unlock()
		if first {
			<-otherTried
		}
	}
	claims := 0
	faults.beforeCreate = func(name string) {
		if !strings.HasSuffix(name, "/_recovering.run2") {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if claims++; claims == 2 {
			signal()
		}
	}
	var notes []string
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, run := range []string{"run3", "run4"} {
		s := openWritten(t, g, runner.WriteAppend, run, run)
		s.ReportWaits(func(ev runner.Event) {
			mu.Lock()
			defer mu.Unlock()
			if strings.Contains(ev.Note, "dead run") {
				notes = append(notes, ev.Note)
			}
		})
		wg.Go(func() { _, errs[i] = s.CommitJob(ctx) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if both || len(notes) != 1 || !strings.Contains(notes[0], "undid the commit of dead run run2") {
		t.Errorf("both runs undid run2's commit: %v; notes %q, want one saying it was undone", both, notes)
	}
	want := map[string]string{}
	for _, dir := range []string{"/a", "/b"} {
		want[dir+"/_SUCCESS"] = ""
		want[dir+"/part-r-00000.txt"] = "old"
		want[dir+"/part-r-00000-run3.txt"] = "run3"
		want[dir+"/part-r-00000-run4.txt"] = "run4"
	}
	if got := files(t, "flaky://recoverers/out"); !maps.Equal(got, want) {
		t.Errorf("got %v, want run2's commit undone and both other runs' parts: %v", got, want)
	}
}

// TestRecoveryRemovesStrayFiles checks that the commit recovering a dead
// run that had taken its lock but journalled nothing (nothing moved)
// removes the lock, and the hidden files storage was writing _SUCCESS and
// lock files under when processes died (stray), but not a lock file's that
// may be another run's being written now: an old one, or one naming the
// dead run, goes.
func TestRecoveryRemovesStrayFiles(t *testing.T) {
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "out")
	temporary := filepath.Join(out, "_temporary")
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(out, "part-r-00000.txt"), "old")
	lock, err := json.Marshal(map[string]any{"run": "run2", "pid": deadPID(t), "machine": runner.ThisMachine(),
		"outputs": []runner.Leftover{{Dir: out, Run: "run2"}}})
	if err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(temporary, "_commit.lock"), string(lock))
	write(filepath.Join(temporary, "run2", "committed", "part-r-00000.txt"), "new")
	write(filepath.Join(out, "._SUCCESS.tmp-0123"), "")
	write(filepath.Join(temporary, "._commit.lock.tmp-old"), "{")
	write(filepath.Join(temporary, "._commit.lock.tmp-new"), "{")
	// Written whole by run2 as it died taking the lock: its own, so gone
	// however new; one naming another run may be that run's, now.
	write(filepath.Join(temporary, "._commit.lock.tmp-run2"), `{"run":"run2","pid":1}`)
	write(filepath.Join(temporary, "._commit.lock.tmp-run9"), `{"run":"run9","pid":1}`)
	hourAgo := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(temporary, "._commit.lock.tmp-old"), hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}

	c, err := runner.NewCommitter(ctx, out, runner.WriteAppend, "run3")
	if err != nil {
		t.Fatal(err)
	}
	s := runner.Sinks{0: c}
	var notes []string
	s.ReportWaits(func(ev runner.Event) { notes = append(notes, ev.Note) })
	if _, err := s.CommitJob(ctx); err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "removed the locks and temporary files of dead run run2") {
		t.Errorf("notes %q, want one saying run2's lock was removed", notes)
	}
	want := map[string]string{"/part-r-00000.txt": "old", "/_SUCCESS": "", "/_temporary/._commit.lock.tmp-new": "{",
		"/_temporary/._commit.lock.tmp-run9": `{"run":"run9","pid":1}`}
	if got := files(t, out); !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
