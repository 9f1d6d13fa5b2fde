package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/hadoop"
)

// Bars whose display has stopped (a signal cancelled its context) take
// further events without panicking.
func TestBarsAfterDisplayStopped(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := newBars(ctx, io.Discard)
	b.p.Wait() // the display has shut down
	b.event(runner.Event{Stage: 0, Stages: 2, Phase: "map", TasksTotal: 4, TasksDone: 1})
	b.event(runner.Event{Stage: 1, Stages: 2, Done: true, TasksTotal: 1, TasksDone: 1})
	b.finish(true)
}

type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, errors.New("write |1: broken pipe") }

// The hadoop runner copies the hadoop command's output to its Log; a
// stderr nobody reads any more must not fail that copy.
func TestHadoopLogIgnoresWriteErrors(t *testing.T) {
	cmd := &cobra.Command{}
	cmd.SetErr(brokenPipe{})
	r, err := newRunner(cmd, "hadoop", &runFlags{})
	if err != nil {
		t.Fatal(err)
	}
	log := r.(hadoop.Runner).Log
	if n, err := log.Write([]byte("a line\n")); n != 7 || err != nil {
		t.Errorf("Log.Write = %d, %v; want 7, nil", n, err)
	}
}

// TestLinesThinPartialEvents checks that plain-line progress prints every
// task's end but a running task's counts only now and then.
func TestLinesThinPartialEvents(t *testing.T) {
	var b strings.Builder
	l := newProgress(context.Background(), &b)
	map0 := runner.Event{Stage: 0, Stages: 1, Phase: "map", TasksTotal: 2}
	partial := func(n int64) runner.Event {
		ev := map0
		ev.Partial, ev.RecordsIn = true, n
		return ev
	}
	l.event(partial(10)) // the phase's first line
	l.event(partial(20)) // within partialEvery of it: dropped
	done := map0
	done.TasksDone, done.RecordsIn = 1, 25
	l.event(done) // a task's end always prints
	l.event(partial(30))
	got := b.String()
	if n := strings.Count(got, "\n"); n != 2 {
		t.Fatalf("got %d lines, want the first partial one and the task's end:\n%s", n, got)
	}
	if !strings.Contains(got, "stage 0 (1 of 1) map so far: 0/2 tasks, 10 records in") || !strings.Contains(got, "stage 0 (1 of 1) map: 1/2 tasks, 25 records in") {
		t.Errorf("lines:\n%s", got)
	}
}

// TestLinesPrintNotes checks that a note about the run (a commit waiting
// for another run's) prints as it is, not as a stage's line.
func TestLinesPrintNotes(t *testing.T) {
	var b strings.Builder
	l := newProgress(context.Background(), &b)
	l.event(runner.Event{Note: "output /out: waiting for run r1 to finish its commit"})
	if got := b.String(); got != "output /out: waiting for run r1 to finish its commit\n" {
		t.Errorf("got %q", got)
	}
}

func TestProgramName(t *testing.T) {
	for arg0, want := range map[string]string{
		"/usr/local/bin/crunchgo":        "crunchgo",
		"./letters":                      "letters",
		"/tmp/go-build1/b001/exe/myjobs": "myjobs",
		"":                               "crunchgo",
		"/":                              "crunchgo",
	} {
		if got := programName(arg0, "crunchgo"); got != want {
			t.Errorf("programName(%q) = %q, want %q", arg0, got, want)
		}
	}
}

// TestRename checks that a binary of another name says its own name in
// help texts and usage errors.
func TestRename(t *testing.T) {
	root := NewRoot()
	rename(root, "letters")
	var out, errOut bytes.Buffer
	code := Execute(context.Background(), root, []string{"run", "no-such-job"}, &out, &errOut)
	if code != ExitUsage || !strings.Contains(errOut.String(), `letters: unknown job "no-such-job" (letters jobs lists them)`) || strings.Contains(errOut.String(), "crunchgo") {
		t.Errorf("exit %d, stderr %q: want the usage error in letters' name", code, errOut.String())
	}
	run, _, _ := root.Find([]string{"run"})
	if !strings.Contains(run.Long, `"letters run JOB --help"`) || strings.Contains(root.Long, "crunchgo ") {
		t.Errorf("help texts still name crunchgo:\n%s\n%s", root.Long, run.Long)
	}
}
