package runner

import (
	"context"
	"fmt"

	"github.com/crunchgo/crunchgo/plan"
)

// SourceSideSplits lists, by node, the splits of every side input of sg
// that is a source (plan.Graph.SourceSide): the tasks of its users read it
// whole, split after split, from the source (kernel.Outputs.SourceSides).
// Drivers call it before any task runs, as they split their inputs, so that
// a missing or unreadable file fails the run once, naming it, rather than
// in every task; and every task then reads the same files.
func SourceSideSplits(ctx context.Context, sg *plan.StageGraph) (map[plan.NodeID][]plan.Split, error) {
	var out map[plan.NodeID][]plan.Split
	g := sg.Graph
	for _, n := range g.Nodes() {
		if !g.SourceSide(n.ID) {
			continue
		}
		src, ok := n.Payload.(plan.SourcePayload)
		if !ok {
			return nil, fmt.Errorf("side input %s (%s) is a source without a source payload", n.Label(), n.Caller)
		}
		// One task reads all of it: as few splits as the source will cut.
		splits, err := src.Splits(ctx, 1)
		if err != nil {
			return nil, fmt.Errorf("splitting side input %s: %w", src.Describe(), err)
		}
		if out == nil {
			out = map[plan.NodeID][]plan.Split{}
		}
		out[n.ID] = splits
	}
	return out, nil
}
