package local

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
)

// TestTailKeepsCrashStart checks that the start of a Go crash report is
// kept when the report is longer than the tail, even when the writes split
// its first line, and that only a line's start begins one.
func TestTailKeepsCrashStart(t *testing.T) {
	var tl tail
	write := func(s string) {
		for len(s) > 0 { // in 7-byte writes, to split every marker
			n := min(7, len(s))
			tl.Write([]byte(s[:n]))
			s = s[n:]
		}
	}
	write("log: no panic: here\n")
	if c, _ := tl.crashReport(20); c != "" {
		t.Fatalf("crash line %q for a log line", c)
	}
	write("panic: the real cause\n\ngoroutine 7 [running]:\nmain.f()\n")
	write(strings.Repeat("goroutine 8 [chan receive]:\nmain.g()\n", 1000))
	c, got := tl.crashReport(20)
	if c != "panic: the real cause" {
		t.Errorf("crash line %q", c)
	}
	want := "panic: the real cause\n\ngoroutine 7 [running]:\nmain.f()\ngoroutine 8"
	if !strings.HasPrefix(got, want) || strings.Count(got, "\n") != 19 {
		t.Errorf("crash report =\n%s\nwant 20 lines starting\n%s", got, want)
	}
	if last := tl.lines(1); last != "main.g()" {
		t.Errorf("last line %q, want main.g()", last)
	}
	tl.reset()
	write("one\nfatal error: concurrent map writes\n")
	if c, _ := tl.crashReport(20); c != "fatal error: concurrent map writes" {
		t.Errorf("after reset, crash line %q", c)
	}
}

// crashOnGoroutine panics on a goroutine of its own, as user code that
// fans work out does: no task can recover that panic, so the worker dies.
type crashOnGoroutine struct{}

func (crashOnGoroutine) Process(s string, emit func(string)) error {
	if s == "exit" {
		// Not a crash, though a line looks like one's start.
		fmt.Fprintln(os.Stderr, "panic: only a log line")
		os.Exit(3)
	}
	if s == "boom" {
		var wg sync.WaitGroup
		wg.Go(func() { crashDeep(30) })
		wg.Wait()
	}
	emit(s)
	return nil
}

// crashDeep panics under n frames, so that the crashed goroutine's stack
// alone is longer than the lines an error shows.
func crashDeep(n int) {
	if n == 0 {
		var m map[string]int
		m["x"] = 1 // assignment to entry in nil map
	}
	crashDeep(n - 1)
}

type crashArgs struct {
	How string `flag:"how" default:"boom"` // boom: a panic; exit: exit status 3
}

var crashJob = runner.Register("local-test/crash", "a worker that dies of a panic on another goroutine, or exits",
	func(p *pcollection.Pipeline, a *crashArgs) error {
		c := pcollection.ParDo(pcollection.Of(p, "a", a.How, "b"), crashOnGoroutine{}, pcollection.Name("Crash"))
		pcollection.Materialize(c)
		return nil
	})

// TestWorkerCrashNamesCause checks that a worker that died of a Go panic
// is reported with the panic's message in the error's first line.
func TestWorkerCrashNamesCause(t *testing.T) {
	_, err := Run(context.Background(), build(t, crashJob), runner.Options{Workers: 1, TmpDir: t.TempDir()})
	if err == nil {
		t.Fatal("no error")
	}
	first, _, _ := strings.Cut(err.Error(), "\n")
	if !strings.Contains(first, "panic: assignment to entry in nil map") {
		t.Errorf("the error's first line does not say why the worker died:\n%v", err)
	}
}

// TestWorkerExitNotBlamedOnLogLine checks that a worker that exits (status
// 3) after writing a line that looks like a panic's is not reported as
// having crashed of it.
func TestWorkerExitNotBlamedOnLogLine(t *testing.T) {
	_, err := Run(context.Background(), build(t, crashJob, "--how=exit"), runner.Options{Workers: 1, TmpDir: t.TempDir()})
	if err == nil {
		t.Fatal("no error")
	}
	first, _, _ := strings.Cut(err.Error(), "\n")
	if !strings.Contains(first, "exit status 3") || strings.Contains(first, "panic:") {
		t.Errorf("the error's first line blames the log line, or not the exit:\n%v", err)
	}
}
