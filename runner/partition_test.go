package runner_test

import (
	"context"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
)

// TestPartitions checks the default number of reduce partitions against
// the estimated size of a shuffle's input, and that a setting overrides it.
func TestPartitions(t *testing.T) {
	const MiB = 1 << 20
	p := pcollection.NewPipeline("partitions")
	_ = pcollection.Materialize(ptable.Count(pcollection.Of(p, "a", "b")))
	sg, err := plan.Optimize(context.Background(), p.Graph(), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ch := sg.Stages[0].Channels[0]
	in := sg.Graph.Node(ch.GroupByKey).Inputs[0]
	for _, tt := range []struct {
		size float64
		want int
	}{
		{0, 1},
		{900 << 10, 1},  // under a MiB: one partition
		{2.5 * MiB, 2},  // one per MiB up to MinPartitions
		{11 * MiB, 4},   // a day of a million events: MinPartitions
		{200 * MiB, 4},  // 64 MiB each would be 4
		{300 * MiB, 5},  // 64 MiB each
		{100 << 30, 64}, // capped
	} {
		sg.Sizes[in] = tt.size
		if got := runner.Partitions(sg, ch, runner.Options{}); got != tt.want {
			t.Errorf("shuffle of %.1f MiB: %d partitions, want %d", tt.size/MiB, got, tt.want)
		}
	}
	sg.Sizes[in] = 11 * MiB
	if got := runner.Partitions(sg, ch, runner.Options{Partitions: 3}); got != 3 {
		t.Errorf("with Options.Partitions 3: got %d", got)
	}
	ch.Partitions = 7
	if got := runner.Partitions(sg, ch, runner.Options{Partitions: 3}); got != 7 {
		t.Errorf("with the channel asking for 7: got %d", got)
	}
}
