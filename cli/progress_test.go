package cli

import (
	"context"
	"errors"
	"io"
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
