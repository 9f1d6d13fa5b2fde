package runnertest

import (
	"fmt"
	"slices"

	"github.com/crunchgo/crunchgo/plan"
)

// CheckPlan checks that a plan computes what its graph says, without
// running it: it follows, stage by stage and phase by phase, how many times
// each source's elements reach every node, and compares that with the
// number of paths from the source to the node in the graph. A node run in
// no phase, run twice, fed an intermediate before it is written or fed by
// the wrong phase gets other counts. It also checks that every side input
// a phase reads is complete before the phase runs. opts are the options
// the plan was made with.
func CheckPlan(sg *plan.StageGraph, opts plan.Options) error {
	f := newFlow(sg.Graph)
	for _, st := range sg.Stages {
		if err := f.runStage(sg, st); err != nil {
			return err
		}
		if err := f.checkSides(sg.Graph, st, opts); err != nil {
			return err
		}
	}
	paths := f.paths()
	for _, n := range sg.Graph.Nodes() {
		if n.Op == plan.OpSource {
			continue
		}
		if want, got := paths[n.ID], f.got[n.ID]; !slices.Equal(want, f.counts(got)) {
			return fmt.Errorf("%s gets its sources' elements %v times, want %v", n.Label(), f.counts(got), want)
		}
	}
	return nil
}

// flow holds, per node, how many times each source's elements have reached
// it so far (a count per source, in source order).
type flow struct {
	g       *plan.Graph
	sources map[plan.NodeID]int // source -> its index in the counts
	got     map[plan.NodeID][]int
	written map[plan.NodeID][]int // intermediates, as written
	stageOf map[plan.NodeID]int   // intermediates: the stage that wrote them
	byMap   map[plan.NodeID]bool  // intermediates written by a map phase
}

func newFlow(g *plan.Graph) *flow {
	f := &flow{g: g, sources: map[plan.NodeID]int{}, got: map[plan.NodeID][]int{},
		written: map[plan.NodeID][]int{}, stageOf: map[plan.NodeID]int{}, byMap: map[plan.NodeID]bool{}}
	for _, n := range g.Nodes() {
		if n.Op == plan.OpSource {
			f.sources[n.ID] = len(f.sources)
		}
	}
	return f
}

// counts is c, or zeros for nil.
func (f *flow) counts(c []int) []int {
	if c == nil {
		return make([]int, len(f.sources))
	}
	return c
}

func (f *flow) add(a, b []int) []int {
	a = slices.Clone(f.counts(a))
	for i, v := range b {
		a[i] += v
	}
	return a
}

// paths counts, for every node, the graph's paths from each source to it
// through inputs (side inputs are read whole, not fed), in one pass in ID
// order, which is topological.
func (f *flow) paths() map[plan.NodeID][]int {
	out := map[plan.NodeID][]int{}
	for _, n := range f.g.Nodes() {
		c := f.counts(nil)
		if i, ok := f.sources[n.ID]; ok {
			c[i] = 1
		}
		for _, in := range n.Inputs {
			c = f.add(c, out[in])
		}
		out[n.ID] = c
	}
	return out
}

// runStage runs st's map phases, then its reduce phases.
func (f *flow) runStage(sg *plan.StageGraph, st *plan.Stage) error {
	shuffled := map[plan.NodeID][]int{} // GroupByKey -> what its map side got
	for _, in := range st.Inputs {
		entry := f.counts(nil)
		if in.Intermediate {
			if s, ok := f.stageOf[in.Node]; !ok || s >= st.ID {
				return fmt.Errorf("stage %d reads %s before it is written", st.ID, f.g.Node(in.Node).Label())
			}
			entry = f.written[in.Node]
		} else if i, ok := f.sources[in.Node]; ok {
			entry[i] = 1
		} else {
			return fmt.Errorf("stage %d reads %s, no source, as a source", st.ID, f.g.Node(in.Node).Label())
		}
		local := f.runPhase(st, in.Phase, entry)
		for id, c := range local {
			for _, ch := range st.Channels {
				if slices.Contains(f.g.Consumers(id), ch.GroupByKey) {
					shuffled[ch.GroupByKey] = f.add(shuffled[ch.GroupByKey], c)
				}
			}
		}
	}
	for _, ch := range st.Channels {
		f.got[ch.GroupByKey] = f.add(f.got[ch.GroupByKey], shuffled[ch.GroupByKey])
		if ch.Reduce.Entry != ch.GroupByKey { // a lifted combiner
			f.got[ch.Reduce.Entry] = f.add(f.got[ch.Reduce.Entry], shuffled[ch.GroupByKey])
		}
		f.runPhase(st, ch.Reduce, shuffled[ch.GroupByKey])
	}
	return nil
}

// runPhase feeds ph's nodes from its entry's counts and records what each
// gets and what the phase writes; it returns the counts of the phase's
// nodes, entry included.
func (f *flow) runPhase(st *plan.Stage, ph *plan.Phase, entry []int) map[plan.NodeID][]int {
	local := map[plan.NodeID][]int{ph.Entry: entry}
	for _, id := range ph.Nodes {
		c := f.counts(nil)
		for _, in := range f.g.Node(id).Inputs {
			if lc, ok := local[in]; ok {
				c = f.add(c, lc)
			}
		}
		local[id] = c
		f.got[id] = f.add(f.got[id], c)
	}
	for _, id := range ph.Materialize {
		f.written[id] = f.add(f.written[id], local[id])
		f.stageOf[id] = st.ID
		f.byMap[id] = f.byMap[id] || ph.Kind == plan.MapPhase
	}
	return local
}

// checkSides checks that every computed side input a phase of st reads is
// complete when it runs: written by an earlier stage, or, for a reducer
// when the plan allows it, by a map phase of st. A source side input is
// read from the source, always complete.
func (f *flow) checkSides(g *plan.Graph, st *plan.Stage, opts plan.Options) error {
	for _, ph := range st.Phases() {
		for _, id := range ph.Sides {
			if g.SourceSide(id) {
				continue
			}
			s, ok := f.stageOf[id]
			early := ok && s < st.ID
			sameStage := ok && s == st.ID && ph.Kind == plan.ReducePhase && f.byMap[id] && !opts.SideInputsFromEarlierStages
			if !early && !sameStage {
				return fmt.Errorf("stage %d: a %s phase reads side input %s before it is complete", st.ID, ph.Kind, g.Node(id).Label())
			}
		}
	}
	return nil
}
