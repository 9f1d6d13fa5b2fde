package mem_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/runner/runnertest"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/textio"
)

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts runner.Options
	}{
		{"optimized", runner.Options{}},
		{"optimized-4-workers-3-partitions", runner.Options{Workers: 4, Partitions: 3}},
		{"no-lifting-no-fusion-blocks", runner.Options{Plan: planOpts()}},
		{"intermediates-as-elements", runner.Options{Plan: plan.Options{NoShuffledIntermediates: true}}},
		{"unoptimized", runner.Options{Unoptimized: true}},
	} {
		t.Run(tc.name, func(t *testing.T) { runnertest.Run(t, mem.Runner{}, tc.opts) })
	}
}

// TestCancelGivesCause checks that a run cancelled while a source reads
// fails with the cancellation's cause, not the "context canceled" the
// source returns.
func TestCancelGivesCause(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	storage.ResetMem("mem-cancel")
	if err := storage.WriteFile(ctx, "mem://mem-cancel/in.txt", []byte(strings.Repeat("line\n", 20_000))); err != nil {
		t.Fatal(err)
	}
	p := pcollection.NewPipeline("cancel")
	pcollection.Materialize(pcollection.Map(textio.Read(p, "mem://mem-cancel/in.txt"), func(s string) string {
		cancel(errors.New("interrupt signal received"))
		return s
	}))
	_, err := mem.Run(ctx, p, runner.Options{})
	if err == nil || err.Error() != "interrupt signal received" {
		t.Errorf("got %v, want the cause", err)
	}
}

// TestUnfinishedStageTasks checks that a failed stage counts the tasks
// that succeeded.
func TestUnfinishedStageTasks(t *testing.T) {
	runnertest.CheckUnfinishedTasks(t, mem.Runner{}, runner.Options{Workers: 3, Partitions: 4})
}
