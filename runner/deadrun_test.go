package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
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

// emptyTemporary returns the _temporary directory of output a or b under
// base that is there but holds no file, if one is.
func emptyTemporary(t *testing.T, base string) string {
	t.Helper()
	for _, out := range []string{"a", "b"} {
		dir := base + "/" + out + "/_temporary"
		if ok, _ := storage.Exists(context.Background(), dir); ok && len(files(t, dir)) == 0 {
			return dir
		}
	}
	return ""
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
				// A kill between unlocking and removing the empty
				// _temporary leaves it, for the next commit to remove.
				if dir := emptyTemporary(t, "flaky://nextcommit/out"); dir != "" {
					t.Errorf("dying at change %d: the empty %s left after the next commit", dies, dir)
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
// for (raceRecoverers).
func TestConcurrentRecoverersOfDeadRun(t *testing.T) {
	faults := mountFlaky(t, "recoverers")
	g := twoSinks("flaky://recoverers/out")
	commitOld(t, g)
	killRun2Publishing(t, g, faults, deadPID(t))
	raceRecoverers(t, g, faults, "flaky://recoverers/out")
}

// killRun2Publishing has run2, as process pid, die committing g's two
// outputs once it has published a's part.
func killRun2Publishing(t *testing.T, g *plan.Graph, faults *faults, pid int) {
	t.Helper()
	defer runner.SetLockPID(pid)()
	s := openWritten(t, g, runner.WriteAppend, "run2", "new")
	faults.beforeRename = func(_, to string) {
		if to == "/out/b/part-r-00000-run2.txt" { // a's part is published
			panic(crash{})
		}
	}
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("run2 did not die")
		}
	}()
	s.CommitJob(context.Background())
}

// raceRecoverers has run3 and run4 commit at once to out, g's outputs,
// where run2 died committing (killRun2Publishing), and checks that exactly
// one of them undoes run2's commit and both commit their own parts. The
// first to undo is held in its first undoing rename until the other has
// tried to claim the recovery while it undoes, or has started undoing as
// well (which fails the test).
func raceRecoverers(t *testing.T, g *plan.Graph, faults *faults, out string) {
	t.Helper()
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
	faults.beforeCreate = func(name string) {
		if !strings.Contains(name, "/_recovering.run2") {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if undoing > 0 { // the other run, while the first undoes
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
		wg.Go(func() { _, errs[i] = s.CommitJob(context.Background()) })
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
	if got := files(t, out); !maps.Equal(got, want) {
		t.Errorf("got %v, want run2's commit undone, both other runs' parts and no claim: %v", got, want)
	}
}

// TestRecoveryRemovesStrayFiles checks that the commit recovering a dead
// run that had taken its lock but journalled nothing (nothing moved)
// removes the lock, and the hidden files storage was writing _SUCCESS and
// lock files under when processes died (stray), but not a lock file's that
// may be another run's being written now: an old one, or one naming the
// dead run, goes; so do old ones of claim files, of every generation.
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
	// Those of claims, of any generation, go once old.
	write(filepath.Join(temporary, "._recovering.run2.tmp-old"), "{")
	write(filepath.Join(temporary, "._recovering.run2.3.tmp-old"), "{")
	write(filepath.Join(temporary, "._recovering.run2.3.tmp-new"), "{")
	// Written whole by run2 as it died taking the lock: its own, so gone
	// however new; one naming another run may be that run's, now.
	write(filepath.Join(temporary, "._commit.lock.tmp-run2"), `{"run":"run2","pid":1}`)
	write(filepath.Join(temporary, "._commit.lock.tmp-run9"), `{"run":"run9","pid":1}`)
	hourAgo := time.Now().Add(-time.Hour)
	for _, name := range []string{"._commit.lock.tmp-old", "._recovering.run2.tmp-old", "._recovering.run2.3.tmp-old"} {
		if err := os.Chtimes(filepath.Join(temporary, name), hourAgo, hourAgo); err != nil {
			t.Fatal(err)
		}
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
		"/_temporary/._recovering.run2.3.tmp-new": "{",
		"/_temporary/._commit.lock.tmp-run9":      `{"run":"run9","pid":1}`}
	if got := files(t, out); !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// killedRecoveryRoot is where killRecovery writes.
const killedRecoveryRoot = "flaky://killedrecovery"

// killedRecovery is what killRecovery leaves.
type killedRecovery struct {
	before     map[string]string // the outputs before run2
	died2      bool              // run2 died
	locked     bool              // and left a lock
	died3      bool              // run3 died
	leftovers  []runner.Leftover // run2's, as its runner records them
	committing bool              // run2's job commit had begun
}

// killRecovery commits twoSinks under killedRecoveryRoot: run2 in mode,
// which dies before its change number dies2; then, if run2 left a lock,
// run3, which dies before change number dies3 of its recovery of run2's
// commit (-1: neither dies). Both are processes of this machine that have
// exited.
func killRecovery(t *testing.T, mode runner.WriteMode, pid, dies2, dies3 int) (k killedRecovery) {
	t.Helper()
	faults := mountFlaky(t, "killedrecovery")
	g := twoSinks(killedRecoveryRoot + "/out")
	if mode != runner.WriteFail {
		commitOld(t, g)
	}
	k.before = files(t, killedRecoveryRoot)
	defer runner.SetLockPID(pid)()
	s := openWritten(t, g, mode, "run2", "new")
	k.leftovers = s.Leftovers()
	func() {
		crashAt(faults, dies2)
		defer recoverCrash(faults, &k.died2)
		var res runner.Result
		// As the local runner does, the leftovers are recorded again
		// once the journals are written.
		if err := s.CommitInto(context.Background(), &res, func() error { k.committing, k.leftovers = true, s.Leftovers(); return nil }); err != nil {
			t.Fatal(err)
		}
	}()
	left := files(t, killedRecoveryRoot)
	k.locked = strings.Contains(left["/out/a/_temporary/_commit.lock"]+left["/out/b/_temporary/_commit.lock"], `"run":"run2"`)
	if !k.locked || dies3 < 0 {
		return k
	}
	s = openWritten(t, g, runner.WriteAppend, "run3", "third")
	// run3 is killed only while it recovers run2: the note says the
	// recovery is done.
	s.ReportWaits(func(ev runner.Event) {
		if strings.Contains(ev.Note, "dead run run2") {
			faults.change = nil
		}
	})
	crashAt(faults, dies3)
	defer recoverCrash(faults, &k.died3)
	if _, err := s.CommitJob(context.Background()); err != nil {
		t.Fatal(err)
	}
	return k
}

// eachKilledRecovery calls check after each killRecovery in mode that
// kills run2 leaving a lock, then run3 during its recovery, with the
// outputs as run2's completed commit leaves them.
func eachKilledRecovery(t *testing.T, mode runner.WriteMode, check func(k killedRecovery, dies2, dies3 int, after map[string]string)) {
	pid := deadPID(t)
	killRecovery(t, mode, pid, -1, -1)
	after := files(t, killedRecoveryRoot)
	for dies2 := 0; ; dies2++ {
		k := killRecovery(t, mode, pid, dies2, -1)
		if !k.died2 {
			return
		}
		if !k.locked {
			continue // nothing for a commit to recover
		}
		for dies3 := 0; ; dies3++ {
			k := killRecovery(t, mode, pid, dies2, dies3)
			if !k.died3 {
				break
			}
			check(k, dies2, dies3, after)
		}
	}
}

// TestNextCommitRecoversKilledRecovery kills run2's commit at each step
// that leaves its lock, as a process of this machine that has exited; then
// kills run3's commit, which recovers run2's, at each step of that
// recovery, as an exited process too; and checks that run4's commit takes
// over the recovery from run3 and puts the outputs right before it moves
// anything: both are as they were before run2 or as its completed commit
// leaves them, byte for byte, and once run4 has committed no lock, claim
// or temporary file is left.
func TestNextCommitRecoversKilledRecovery(t *testing.T) {
	root := killedRecoveryRoot
	for _, mode := range []runner.WriteMode{runner.WriteFail, runner.WriteOverwrite, runner.WriteAppend} {
		t.Run(mode.String(), func(t *testing.T) {
			rolledBack, finished := 0, 0
			eachKilledRecovery(t, mode, func(k killedRecovery, dies2, dies3 int, after map[string]string) {
				// A recovery killed once only its claims were left leaves
				// nothing to report.
				left := filesAndDirs(t, root)
				unfinished := strings.Contains(strings.Join(slices.Collect(maps.Keys(left)), " "), "/_temporary/run2/") ||
					strings.Contains(left["/out/a/_temporary/_commit.lock"]+left["/out/b/_temporary/_commit.lock"], `"run":"run2"`)
				s := openWritten(t, twoSinks(root+"/out"), runner.WriteAppend, "run4", "fourth")
				var notes []string
				s.ReportWaits(func(ev runner.Event) {
					if strings.Contains(ev.Note, "dead run run2") {
						notes = append(notes, ev.Note)
					}
				})
				var got map[string]string
				var res runner.Result
				err := s.CommitInto(context.Background(), &res, func() error {
					got = outputsOnly(files(t, root))
					return nil
				})
				if err != nil {
					t.Fatalf("run2 dying at change %d, run3 at change %d of its recovery: the next commit: %v", dies2, dies3, err)
				}
				switch {
				case maps.Equal(got, k.before):
					rolledBack++
				case maps.Equal(got, after):
					finished++
				default:
					t.Errorf("run2 dying at change %d, run3 at change %d of its recovery, then run4 committing, left\n%v\nwant as before:\n%v\nor as committed:\n%v", dies2, dies3, got, k.before, after)
				}
				if want := map[bool]int{true: 1}[unfinished]; len(notes) != want {
					t.Errorf("run2 dying at change %d, run3 at change %d of its recovery: notes %q, want %d on run2", dies2, dies3, notes, want)
				}
				if dir := emptyTemporary(t, root+"/out"); dir != "" {
					t.Errorf("run2 dying at change %d, run3 at change %d of its recovery: the empty %s left after the next commit", dies2, dies3, dir)
				}
				for name := range files(t, root) {
					// run3's own files, when it died before it took a
					// lock, are for its runner to abort.
					if strings.Contains(name, "_temporary") && !strings.Contains(name, "/_temporary/run3/") {
						t.Errorf("run2 dying at change %d, run3 at change %d of its recovery: %s left after the next commit", dies2, dies3, name)
					}
				}
			})
			t.Logf("%d killed recoveries rolled back, %d finished", rolledBack, finished)
			if rolledBack == 0 || finished == 0 {
				t.Errorf("%d killed recoveries rolled back, %d finished: want some of each", rolledBack, finished)
			}
		})
	}
}

// TestSweepRecoversKilledRecovery is TestNextCommitRecoversKilledRecovery
// with a local run's sweep of run2 (RecoverCommit) after run3 is killed:
// it takes over the recovery too, leaving the outputs as they were before
// run2 or as its completed commit leaves them, and none of run2's locks,
// claims or temporary files.
func TestSweepRecoversKilledRecovery(t *testing.T) {
	root := killedRecoveryRoot
	for _, mode := range []runner.WriteMode{runner.WriteFail, runner.WriteOverwrite, runner.WriteAppend} {
		t.Run(mode.String(), func(t *testing.T) {
			eachKilledRecovery(t, mode, func(k killedRecovery, dies2, dies3 int, after map[string]string) {
				if err := runner.RecoverCommit(k.leftovers, k.committing); err != nil {
					t.Fatalf("run2 dying at change %d, run3 at change %d of its recovery: RecoverCommit: %v", dies2, dies3, err)
				}
				left := files(t, root)
				got := outputsOnly(maps.Clone(left))
				if !maps.Equal(got, k.before) && !maps.Equal(got, after) {
					t.Errorf("run2 dying at change %d, run3 at change %d of its recovery, then swept, left\n%v\nwant as before:\n%v\nor as committed:\n%v", dies2, dies3, got, k.before, after)
				}
				for name, content := range left {
					if strings.Contains(name, "/_temporary/") && (strings.Contains(name, "run2") || strings.Contains(content, `"run":"run2"`)) {
						t.Errorf("run2 dying at change %d, run3 at change %d of its recovery: %s left after the sweep", dies2, dies3, name)
					}
				}
			})
		})
	}
}

// TestConcurrentTakersOfDeadClaim has two runs commit at once to the
// outputs of a run that died half way through its commit, whose recovery
// was claimed by a process that has exited too, and checks that only one
// of them takes the claim over and recovers the dead run's commit, which
// the other waits for (raceRecoverers).
func TestConcurrentTakersOfDeadClaim(t *testing.T) {
	ctx := context.Background()
	faults := mountFlaky(t, "takers")
	g := twoSinks("flaky://takers/out")
	commitOld(t, g)
	pid := deadPID(t)
	killRun2Publishing(t, g, faults, pid)
	// The claim of a recoverer killed before it moved anything, as a
	// crunchgo before claim generations writes it.
	claim, err := json.Marshal(map[string]any{"run": "run2", "pid": pid, "machine": runner.ThisMachine()})
	if err != nil {
		t.Fatal(err)
	}
	if err := storage.WriteFile(ctx, "flaky://takers/out/a/_temporary/_recovering.run2", claim); err != nil {
		t.Fatal(err)
	}
	raceRecoverers(t, g, faults, "flaky://takers/out")
}

// TestLockTakenMeanwhileNotRecovered has a commit find the lock of dead
// run2, then, before it acts on it, another process recover run2 and
// release its locks, or also take the lock for its own commit, run4. The
// commit must then take the lock in turn, or wait for run4's: not fail
// for want of a lock to read, nor recover run4's live commit as if run4
// were the dead run.
func TestLockTakenMeanwhileNotRecovered(t *testing.T) {
	ctx := context.Background()
	pid := deadPID(t)
	defer runner.SetCommitLockWait(50 * time.Millisecond)()
	for _, taken := range []bool{false, true} {
		t.Run(map[bool]string{false: "released", true: "taken"}[taken], func(t *testing.T) {
			faults := mountFlaky(t, "meanwhile")
			root := "flaky://meanwhile/out"
			g := twoSinks(root)
			commitOld(t, g)
			lockOf := func(run string, pid int) []byte {
				b, err := json.Marshal(map[string]any{"run": run, "pid": pid, "machine": runner.ThisMachine(),
					"outputs": []runner.Leftover{{Dir: root + "/a", Run: run}, {Dir: root + "/b", Run: run}}})
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			for _, out := range []string{"a", "b"} {
				if err := storage.WriteFile(ctx, root+"/"+out+"/_temporary/_commit.lock", lockOf("run2", pid)); err != nil {
					t.Fatal(err)
				}
			}
			s := openWritten(t, g, runner.WriteAppend, "run3", "run3")
			var notes []string
			s.ReportWaits(func(ev runner.Event) {
				if strings.Contains(ev.Note, "dead run") {
					notes = append(notes, ev.Note)
				}
			})
			// The first read of a's lock finds run2 gone; before the
			// second, the other process acts.
			reads := 0
			faults.beforeOpen = func(name string) {
				if name != "/out/a/_temporary/_commit.lock" {
					return
				}
				if reads++; reads != 2 {
					return
				}
				for _, out := range []string{"a", "b"} {
					if err := storage.Remove(ctx, root+"/"+out+"/_temporary/_commit.lock"); err != nil {
						t.Error(err)
					}
				}
				if taken {
					if err := storage.WriteFile(ctx, root+"/a/_temporary/_commit.lock", lockOf("run4", os.Getpid())); err != nil {
						t.Error(err)
					}
					if err := storage.WriteFile(ctx, root+"/a/_temporary/run4/part-r-00000.txt", []byte("run4")); err != nil {
						t.Error(err)
					}
				}
			}
			_, err := s.CommitJob(ctx)
			if reads < 2 {
				t.Fatalf("a's lock was read %d times, want the other process to act before the second", reads)
			}
			if len(notes) != 0 {
				t.Errorf("notes %q, want none: run2 was recovered by another process", notes)
			}
			got := files(t, root)
			if !taken {
				if err != nil {
					t.Fatalf("got %v, want run3 to commit once run2's locks are released", err)
				}
				if got["/a/part-r-00000-run3.txt"] != "run3" || got["/b/part-r-00000-run3.txt"] != "run3" {
					t.Errorf("got %v, want run3's parts committed", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "run run4") {
				t.Errorf("got %v, want run3 to give up waiting for run4's lock", err)
			}
			if !strings.Contains(got["/a/_temporary/_commit.lock"], `"run":"run4"`) || got["/a/_temporary/run4/part-r-00000.txt"] != "run4" {
				t.Errorf("got %v, want run4's lock and temporary files as they were", got)
			}
		})
	}
}

// TestFinishedRecoveryNotReportedKilled has a commit find the claims on
// run2's recovery while their live claimant, which has undone run2's
// commit, removes them: its own generation first, then the dead one below
// (or both before the commit tries to claim). The commit may then claim
// the run, but must not report a killed recovery it finished, as
// TestConcurrentTakersOfDeadClaim saw under load.
func TestFinishedRecoveryNotReportedKilled(t *testing.T) {
	ctx := context.Background()
	pid := deadPID(t)
	for _, tc := range []struct {
		name    string
		removed []string // claims the claimant removes as the commit first tries to claim
	}{
		{"dead generation left", []string{"_recovering.run2.1"}},
		{"both removed", []string{"_recovering.run2.1", "_recovering.run2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			faults := mountFlaky(t, "finished")
			root := "flaky://finished/out"
			g := twoSinks(root)
			commitOld(t, g)
			outputs := []runner.Leftover{{Dir: root + "/a", Run: "run2"}, {Dir: root + "/b", Run: "run2"}}
			claims := map[string]map[string]any{
				"_recovering.run2":   {"run": "run2", "pid": pid, "machine": runner.ThisMachine()},
				"_recovering.run2.1": {"run": "run2", "pid": os.Getpid(), "machine": runner.ThisMachine(), "outputs": outputs},
			}
			for name, claim := range claims {
				b, err := json.Marshal(claim)
				if err != nil {
					t.Fatal(err)
				}
				if err := storage.WriteFile(ctx, root+"/a/_temporary/"+name, b); err != nil {
					t.Fatal(err)
				}
			}
			faults.beforeCreate = func(name string) {
				if strings.HasSuffix(name, "/_recovering.run2") {
					faults.beforeCreate = nil
					for _, claim := range tc.removed {
						if err := storage.Remove(ctx, root+"/a/_temporary/"+claim); err != nil {
							t.Error(err)
						}
					}
				}
			}
			s := openWritten(t, g, runner.WriteAppend, "run3", "run3")
			var notes []string
			s.ReportWaits(func(ev runner.Event) { notes = append(notes, ev.Note) })
			if _, err := s.CommitJob(ctx); err != nil {
				t.Fatal(err)
			}
			if faults.beforeCreate != nil {
				t.Fatal("the commit did not try to claim run2's recovery")
			}
			if len(notes) != 0 {
				t.Errorf("notes %q, want none: nothing of run2 was left to recover", notes)
			}
			want := map[string]string{}
			for _, dir := range []string{"/a", "/b"} {
				want[dir+"/_SUCCESS"] = ""
				want[dir+"/part-r-00000.txt"] = "old"
				want[dir+"/part-r-00000-run3.txt"] = "run3"
			}
			if got := files(t, root); !maps.Equal(got, want) {
				t.Errorf("got %v, want run3's parts added and no claim left: %v", got, want)
			}
		})
	}
}

// TestClaimNotTakenOverUnlessSafe checks that a claim on the recovery of a
// dead run is left to its claimant, and the dead run's commit with it,
// when no one can tell that the claimant is gone: it names a process of
// another machine, or cannot be read. One that cannot be read and is old
// is reported, naming it for a person; the others are waited for.
func TestClaimNotTakenOverUnlessSafe(t *testing.T) {
	ctx := context.Background()
	pid := deadPID(t)
	defer runner.SetCommitLockWait(50 * time.Millisecond)()
	for _, tc := range []struct {
		name, claim string
		old         bool
		want        string
	}{
		{"another machine", fmt.Sprintf(`{"run":"run2","pid":%d,"machine":"elsewhere"}`, pid), false, "has held the commit lock"},
		{"being written", "", false, "has held the commit lock"},
		{"unreadable", "", true, "_recovering.run2 on the recovery of run run2's commit cannot be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			temporary := filepath.Join(out, "_temporary")
			lock, err := json.Marshal(map[string]any{"run": "run2", "pid": pid, "machine": runner.ThisMachine(),
				"outputs": []runner.Leftover{{Dir: out, Run: "run2"}}})
			if err != nil {
				t.Fatal(err)
			}
			left := map[string]string{
				"/part-r-00000.txt":                           "old",
				"/_temporary/_commit.lock":                    string(lock),
				"/_temporary/run2/committed/part-r-00000.txt": "new",
				"/_temporary/_recovering.run2":                tc.claim,
			}
			for name, content := range left {
				if err := os.MkdirAll(filepath.Dir(out+name), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(out+name, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tc.old {
				hourAgo := time.Now().Add(-time.Hour)
				if err := os.Chtimes(filepath.Join(temporary, "_recovering.run2"), hourAgo, hourAgo); err != nil {
					t.Fatal(err)
				}
			}
			c, err := runner.NewCommitter(ctx, out, runner.WriteAppend, "run3")
			if err != nil {
				t.Fatal(err)
			}
			_, err = runner.Sinks{0: c}.CommitJob(ctx)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("commit error %v, want one saying %q", err, tc.want)
			}
			got := files(t, out)
			maps.DeleteFunc(got, func(name, _ string) bool { return strings.HasPrefix(name, "/_temporary/run3/") })
			if !maps.Equal(got, left) {
				t.Errorf("got %v, want run2's commit and its claim left as they were: %v", got, left)
			}
		})
	}
}

// TestKilledRecoveryLeavesNoJournals checks that a recovery that finished
// a dead run's commit, killed once it had removed the run's locks, leaves
// no journal for the next commit that takes it over to undo by: by then
// another run may be moving files in the outputs, which the journals do not
// tell about. run2 dies with every output published, run3 finishes its
// commit and dies once it has removed run2's locks, and run4, committing
// to output a while run5 overwrites b, takes over run3's claim: run2's
// parts must stay in a, and run5's commit succeed.
func TestKilledRecoveryLeavesNoJournals(t *testing.T) {
	ctx := context.Background()
	faults := mountFlaky(t, "journals")
	root := "flaky://journals/out"
	commitOld(t, twoSinks(root))
	restore := runner.SetLockPID(deadPID(t))
	defer restore()
	s := openWritten(t, twoSinks(root), runner.WriteOverwrite, "run2", "new")
	faults.beforeRemove = func(_ storage.FS, name string) {
		if strings.HasSuffix(name, "/commit.json") {
			panic(crash{})
		}
	}
	func() {
		defer recoverCrash(faults, new(bool))
		s.CommitJob(ctx)
		t.Fatal("run2 did not die")
	}()
	unlocked := 0
	faults.beforeRemove = func(_ storage.FS, name string) {
		if strings.HasSuffix(name, "/_commit.lock") {
			unlocked++
		}
	}
	faults.change = func() {
		if unlocked == 2 {
			panic(crash{})
		}
	}
	s = openWritten(t, twoSinks(root), runner.WriteAppend, "run3", "third")
	func() {
		defer recoverCrash(faults, new(bool))
		s.CommitJob(ctx)
		t.Fatal("run3 did not die")
	}()
	faults.beforeRemove = nil
	restore()

	oneSink := func(dir string) *plan.Graph {
		g := &plan.Graph{}
		src := g.Add(&plan.Node{Op: plan.OpSource, Name: "Src"})
		g.Add(&plan.Node{Op: plan.OpSink, Name: "Out", Inputs: []plan.NodeID{src}, Payload: dirSink(root + "/" + dir)})
		return g
	}
	run4 := openWritten(t, oneSink("a"), runner.WriteAppend, "run4", "fourth")
	faults.beforeRename = func(from, to string) {
		if to == "/out/b/part-r-00000.txt" && strings.Contains(from, "/run5/") {
			faults.beforeRename = nil
			if _, err := run4.CommitJob(ctx); err != nil {
				t.Errorf("run4: %v", err)
			}
		}
	}
	if _, err := openWritten(t, oneSink("b"), runner.WriteOverwrite, "run5", "fifth").CommitJob(ctx); err != nil {
		t.Errorf("run5: %v", err)
	}
	want := map[string]string{"/a/_SUCCESS": "", "/a/part-r-00000.txt": "new", "/a/part-r-00000-run4.txt": "fourth",
		"/b/_SUCCESS": "", "/b/part-r-00000.txt": "fifth"}
	got := files(t, root)
	// run3's own files, as it died before it took a lock, are for its
	// runner to abort.
	maps.DeleteFunc(got, func(name, _ string) bool { return strings.Contains(name, "/_temporary/run3/") })
	if !maps.Equal(got, want) {
		t.Errorf("got %v, want run2's parts in a, run5's in b, and no other temporary files: %v", got, want)
	}
}
