package mem_test

import (
	"testing"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/runner/runnertest"
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
