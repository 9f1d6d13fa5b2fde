package mem_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/runner/runnertest"
)

// TestRandomPipelines runs random pipelines planned (with each planner
// option) and unplanned, and checks that every run gives the same
// collections: the planner's rewrites (fusion, lifted combiners, shuffled
// intermediates, side-input placement, fusion blocks) must not change a
// result.
func TestRandomPipelines(t *testing.T) {
	variants := []runner.Options{
		{},
		{Workers: 3, Partitions: 2},
		{Plan: plan.Options{NoShuffledIntermediates: true, SideInputsFromEarlierStages: true}},
		{Plan: plan.Options{NoCombinerLifting: true, NoFusionBlocks: true}},
	}
	seeds := 150
	if testing.Short() {
		seeds = 30
	}
	// What the plans used, so that the test cannot pass by never building
	// the shapes it is about.
	var stages2, shuffled, sides, reducerSides, lifted, sourceSides, reread int
	var fileSides, mainAndSide, sideOfSide, delayed, written, multiUse, prefixed, wide int
	for seed := range uint64(seeds) {
		p := pcollection.NewPipeline("random")
		dir := t.TempDir()
		if err := runnertest.WriteRandomFiles(dir, seed); err != nil {
			t.Fatal(err)
		}
		runnertest.RandomPipelineFiles(p, seed, dir)
		sg, err := plan.Optimize(context.Background(), p.Graph(), plan.Options{})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for _, v := range variants {
			vsg, err := plan.Optimize(context.Background(), p.Graph(), v.Plan)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			if err := runnertest.CheckPlan(vsg, v.Plan); err != nil {
				t.Errorf("seed %d, plan options %+v: %v\n%s", seed, v.Plan, err, vsg.Explain())
			}
		}
		if len(sg.Stages) >= 2 {
			stages2++
		}
		for _, st := range sg.Stages {
			for _, in := range st.Inputs {
				if in.Shuffled != nil {
					shuffled++
				}
			}
			for _, ph := range st.Phases() {
				if len(ph.Sides) > 0 {
					sides++
					if ph.Kind == plan.ReducePhase {
						reducerSides++
					}
				}
				for _, id := range ph.Sides {
					if sg.Graph.SourceSide(id) {
						sourceSides++
						if _, mem := sg.Graph.Node(id).Payload.(plan.ContentHasher); !mem {
							fileSides++
						}
					}
				}
			}
			for _, ch := range st.Channels {
				if ch.Combiner != plan.NoNode {
					lifted++
				}
			}
		}
		reread += strings.Count(sg.Explain(), "rather than copied")
		for i, st := range sg.Stages {
			for _, in := range st.Inputs {
				if in.Intermediate || len(in.Phase.Nodes) == 0 {
					continue
				}
				if i > 0 {
					delayed++ // source work computed in a later stage
				}
				if len(in.Phase.Materialize) > 0 {
					written++ // source work written out
				}
			}
		}
		groupings := map[plan.NodeID]bool{}
		for _, n := range sg.Graph.Nodes() {
			users := sg.Graph.SideUsers(n.ID)
			if len(users) > 0 && len(sg.Graph.Consumers(n.ID)) > 0 {
				mainAndSide++ // a side input also read as a main input
			}
			if len(users) > 0 && usesSide(sg.Graph, n.ID, map[plan.NodeID]bool{}) {
				sideOfSide++ // computed with another side input
			}
			if n.Op == plan.OpGroupByKey && groupings[n.Inputs[0]] {
				multiUse++ // a grouping of a table grouped already
			}
			if n.Op == plan.OpGroupByKey {
				groupings[n.Inputs[0]] = true
			}
			if _, ok := n.Payload.(plan.GroupPrefixer); ok && strings.HasPrefix(n.Name, "ReduceSorted") {
				prefixed++
			}
			if strings.Contains(fmt.Sprint(n.Type), "randomRecord") {
				wide++
			}
		}
	}
	t.Logf("plans of %d seeds: %d with 2+ stages; %d shuffled intermediates, %d phases reading side inputs (%d reducers, %d sources), %d lifted combiners, %d sources read again",
		seeds, stages2, shuffled, sides, reducerSides, sourceSides, lifted, reread)
	t.Logf("%d source side inputs read from files, %d side inputs also main inputs, %d computed with side inputs, %d sources' map work computed in a later stage and %d written out, %d groupings used twice, %d secondary sorts, %d nodes of wide records",
		fileSides, mainAndSide, sideOfSide, delayed, written, multiUse, prefixed, wide)
	if stages2 == 0 || shuffled == 0 || sides == 0 || reducerSides == 0 || lifted == 0 || sourceSides == 0 || reread == 0 ||
		fileSides == 0 || mainAndSide == 0 || sideOfSide == 0 || delayed == 0 || written == 0 || multiUse == 0 || prefixed == 0 || wide == 0 {
		t.Errorf("the random pipelines do not cover every planner feature the test is about")
	}
	for i, opts := range variants {
		t.Run(fmt.Sprintf("variant-%d", i), func(t *testing.T) {
			runnertest.RunRandom(t, mem.Runner{}, func(int) runner.Options { return opts },
				mem.Runner{}, runner.Options{Unoptimized: true}, seeds)
		})
	}
}

// usesSide reports whether id or a node upstream of it (through inputs)
// reads a side input.
func usesSide(g *plan.Graph, id plan.NodeID, seen map[plan.NodeID]bool) bool {
	if seen[id] {
		return false
	}
	seen[id] = true
	if len(g.Node(id).Side) > 0 {
		return true
	}
	for _, in := range g.Node(id).Inputs {
		if usesSide(g, in, seen) {
			return true
		}
	}
	return false
}
