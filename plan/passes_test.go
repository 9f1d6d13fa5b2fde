package plan

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
)

// g builds a graph from (op, inputs...) rows; payloads are nil, which every
// pass tolerates.
func build(rows ...[]int) *Graph {
	g := &Graph{}
	for i, r := range rows {
		var in []NodeID
		for _, x := range r[1:] {
			in = append(in, NodeID(x))
		}
		g.Add(&Node{Op: Op(r[0]), Name: opNames[Op(r[0])], Inputs: in, Caller: "t.go:" + string(rune('0'+i%10))})
	}
	return g
}

var (
	src  = int(OpSource)
	par  = int(OpParDo)
	gbk  = int(OpGroupByKey)
	comb = int(OpCombineValues)
	flat = int(OpFlatten)
	mat  = int(OpMaterialize)
)

func TestLiftCombiners(t *testing.T) {
	g := build(
		[]int{src},     // 0
		[]int{gbk, 0},  // 1: only consumer is a combine -> lifted
		[]int{comb, 1}, // 2
		[]int{gbk, 0},  // 3: a combine and a ParDo -> not lifted
		[]int{comb, 3}, // 4
		[]int{par, 3},  // 5
		[]int{mat, 2},  // 6
		[]int{mat, 4},  // 7
		[]int{mat, 5},  // 8
	)
	got := LiftCombiners(g, Options{})
	if want := map[NodeID]NodeID{1: 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("LiftCombiners = %v, want %v", got, want)
	}
	if got := LiftCombiners(g, Options{NoCombinerLifting: true}); len(got) != 0 {
		t.Errorf("LiftCombiners with lifting off = %v, want none", got)
	}
}

func TestShuffleStages(t *testing.T) {
	g := build(
		[]int{src},        // 0
		[]int{gbk, 0},     // 1: stage 0
		[]int{par, 1},     // 2
		[]int{gbk, 2},     // 3: stage 1
		[]int{par, 0},     // 4
		[]int{flat, 3, 4}, // 5
		[]int{gbk, 5},     // 6: stage 2
		[]int{gbk, 4},     // 7: stage 0 (same inputs as 1: shares its stage)
	)
	want := map[NodeID]int{1: 0, 3: 1, 6: 2, 7: 0}
	if got := ShuffleStages(g); !reflect.DeepEqual(got, want) {
		t.Errorf("ShuffleStages = %v, want %v", got, want)
	}
}

func TestReduceSide(t *testing.T) {
	g := build(
		[]int{src},        // 0
		[]int{gbk, 0},     // 1
		[]int{par, 1},     // 2: reducer of 1
		[]int{gbk, 0},     // 3
		[]int{comb, 3},    // 4: reducer of 3
		[]int{flat, 2, 4}, // 5: sunk into both reducers
		[]int{par, 5},     // 6: both reducers
		[]int{flat, 6, 0}, // 7: mixes a source in: map side
		[]int{mat, 7},     // 8
	)
	side := ReduceSide(g, nil)
	want := [][]NodeID{nil, {1}, {1}, {3}, {3}, {1, 3}, {1, 3}, nil, nil}
	if !reflect.DeepEqual(side, want) {
		t.Errorf("ReduceSide = %v, want %v", side, want)
	}
	side = ReduceSide(g, map[NodeID]bool{6: true})
	if side[6] != nil || side[7] != nil {
		t.Errorf("forced node 6 and its consumer are on the reduce side: %v", side)
	}
}

func TestEstimateSizes(t *testing.T) {
	g := build([]int{src}, []int{par, 0}, []int{par, 1}, []int{flat, 1, 2}, []int{gbk, 3}, []int{comb, 4})
	g.Node(2).Scale = 0.25
	got := EstimateSizes(context.Background(), g)
	s := float64(DefaultSourceSize)
	want := []float64{s, s, s / 4, s * 1.25, s * 1.25, s * 1.25 * defaultCombineScale}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EstimateSizes = %v, want %v", got, want)
	}
}

func TestFusionBlockAtSmallestIntermediate(t *testing.T) {
	// source -> gbk -> combine -> p1 (x4) -> p2 (x0.1) -> p3 (x10) -> gbk2
	g := build([]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{par, 2}, []int{par, 3}, []int{par, 4}, []int{gbk, 5}, []int{comb, 6}, []int{mat, 7})
	g.Node(3).Scale, g.Node(4).Scale, g.Node(5).Scale = 4, 0.1, 10
	sg, err := Optimize(context.Background(), g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sg.Intermediates, []NodeID{4}) {
		t.Errorf("intermediates = %v, want [4] (the smallest output on the chain)\n%s", sg.Intermediates, sg.Explain())
	}
	sg, _ = Optimize(context.Background(), g, Options{NoFusionBlocks: true})
	if !reflect.DeepEqual(sg.Intermediates, []NodeID{5}) {
		t.Errorf("without fusion blocks intermediates = %v, want [5]", sg.Intermediates)
	}
}

func TestValidate(t *testing.T) {
	bad := []*Graph{
		build([]int{src}, []int{comb, 0}),               // combine not after a gbk
		build([]int{src}, []int{mat, 0}, []int{par, 1}), // reads a materialize
		build([]int{src}, []int{flat}),                  // flatten with no inputs
	}
	for i, g := range bad {
		if err := Validate(g); err == nil {
			t.Errorf("graph %d: Validate = nil, want an error", i)
		}
	}
}

func TestShuffledIntermediates(t *testing.T) {
	cases := []struct {
		name string
		g    *Graph
		opts Options
		// want maps each intermediate to the GroupByKey it is written for
		// (NoNode: written as elements), negated when that channel combines.
		want map[NodeID]NodeID
	}{{
		name: "a shuffle with a combiner is the only use",
		g:    build([]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{par, 2}, []int{gbk, 3}, []int{comb, 4}, []int{mat, 5}),
		want: map[NodeID]NodeID{3: -4},
	}, {
		name: "switched off",
		g:    build([]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{par, 2}, []int{gbk, 3}, []int{comb, 4}, []int{mat, 5}),
		opts: Options{NoShuffledIntermediates: true},
		want: map[NodeID]NodeID{3: NoNode},
	}, {
		name: "through a flatten with a map-side input",
		g:    build([]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{par, 2}, []int{src}, []int{par, 4}, []int{flat, 3, 5}, []int{gbk, 6}, []int{mat, 7}),
		want: map[NodeID]NodeID{3: 7},
	}, {
		name: "a ParDo after the flatten runs on the elements",
		g:    build([]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{par, 2}, []int{src}, []int{flat, 3, 4}, []int{par, 5}, []int{gbk, 6}, []int{mat, 7}),
		want: map[NodeID]NodeID{3: NoNode},
	}, {
		name: "two shuffles of the same stage",
		g:    build([]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{par, 2}, []int{gbk, 3}, []int{mat, 4}, []int{gbk, 3}, []int{mat, 6}),
		want: map[NodeID]NodeID{3: NoNode},
	}, {
		name: "read by a later stage and, through a flatten, by its own reducer",
		g: build([]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{par, 2}, []int{gbk, 3}, []int{comb, 4}, []int{par, 5},
			[]int{flat, 3, 6}, []int{gbk, 7}, []int{mat, 8}),
		want: map[NodeID]NodeID{3: -4, 7: 8},
	}, {
		name: "read by two later stages",
		g: build([]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{par, 2}, []int{gbk, 3}, []int{comb, 4}, []int{par, 5},
			[]int{src}, []int{par, 7}, []int{flat, 6, 3, 8}, []int{gbk, 9}, []int{mat, 10}),
		want: map[NodeID]NodeID{3: NoNode, 6: 10},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sg, err := Optimize(context.Background(), c.g, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := map[NodeID]NodeID{}
			for _, id := range sg.Intermediates {
				got[id] = NoNode
				if ch := sg.ShuffledFor(id); ch != nil {
					got[id] = ch.GroupByKey
					if ch.Combiner != NoNode {
						got[id] = -ch.GroupByKey
					}
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("intermediates written for = %v, want %v\n%s", got, c.want, sg.Explain())
			}
			// The reading input says the same as ShuffledFor.
			for _, st := range sg.Stages {
				for _, in := range st.Inputs {
					if in.Intermediate && in.Shuffled != sg.ShuffledFor(in.Node) {
						t.Errorf("stage %d input %d: Shuffled = %v, ShuffledFor = %v", st.ID, in.Node, in.Shuffled, sg.ShuffledFor(in.Node))
					}
				}
			}
		})
	}
}

func TestFeeds(t *testing.T) {
	cases := []struct {
		name string
		g    *Graph
		// want lists, per stage, per input, the GroupByKeys it feeds.
		want [][][]NodeID
	}{{
		name: "channels fed by one input, the other, and through the entry",
		g: build([]int{src}, []int{src}, []int{par, 0}, []int{gbk, 2}, []int{mat, 3},
			[]int{gbk, 1}, []int{mat, 5}, []int{gbk, 0}, []int{mat, 7}),
		want: [][][]NodeID{{{3, 7}, {5}}},
	}, {
		name: "a shuffled intermediate and a source through a flatten",
		g:    build([]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{par, 2}, []int{src}, []int{par, 4}, []int{flat, 3, 5}, []int{gbk, 6}, []int{mat, 7}),
		want: [][][]NodeID{{{1}}, {{7}, {7}}},
	}, {
		name: "a map-only input beside a shuffle",
		g:    build([]int{src}, []int{gbk, 0}, []int{mat, 1}, []int{src}, []int{mat, 3}),
		want: [][][]NodeID{{{1}, nil}},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sg, err := Optimize(context.Background(), c.g, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got [][][]NodeID
			for _, st := range sg.Stages {
				var ins [][]NodeID
				for _, in := range st.Inputs {
					var fed []NodeID
					for _, ch := range st.Channels {
						if sg.Feeds(in.Phase, ch) {
							fed = append(fed, ch.GroupByKey)
						}
						if sg.Feeds(ch.Reduce, ch) {
							t.Errorf("stage %d: the reduce phase of %d feeds its own channel", st.ID, ch.GroupByKey)
						}
					}
					ins = append(ins, fed)
				}
				got = append(got, ins)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("feeds = %v, want %v\n%s", got, c.want, sg.Explain())
			}
		})
	}
}

// buildSide is build with side inputs: side maps a row to its side inputs.
func buildSide(side map[int][]int, rows ...[]int) *Graph {
	g := &Graph{}
	for i, r := range rows {
		var in, sd []NodeID
		for _, x := range r[1:] {
			in = append(in, NodeID(x))
		}
		for _, x := range side[i] {
			sd = append(sd, NodeID(x))
		}
		g.Add(&Node{Op: Op(r[0]), Name: opNames[Op(r[0])], Inputs: in, Side: sd, Caller: "t.go:" + string(rune('0'+i%10))})
	}
	return g
}

func TestSideInputs(t *testing.T) {
	cases := []struct {
		name string
		g    *Graph
		opts Options
		user NodeID // the node with the side input
		// want: the phase that runs user ("map 1": stage 1's map phase,
		// "reduce 0": a reducer of stage 0), and every GroupByKey's stage.
		want    string
		wantGBK map[NodeID]int
	}{{
		name: "both from sources: the side input is written by a map-only stage first",
		g: buildSide(map[int][]int{3: {2}},
			[]int{src}, []int{src}, []int{par, 1}, []int{par, 0}, []int{mat, 3}),
		user: 3, want: "map 1", wantGBK: map[NodeID]int{},
	}, {
		name: "a later shuffle waits for the side input too",
		g: buildSide(map[int][]int{3: {2}},
			[]int{src}, []int{src}, []int{par, 1}, []int{par, 0}, []int{gbk, 3}, []int{mat, 4}),
		user: 3, want: "map 1", wantGBK: map[NodeID]int{4: 1},
	}, {
		name: "a side input from a reducer",
		g: buildSide(map[int][]int{4: {2}},
			[]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{src}, []int{par, 3}, []int{gbk, 4}, []int{mat, 5}),
		user: 4, want: "map 1", wantGBK: map[NodeID]int{1: 0, 5: 1},
	}, {
		name: "a side input written by the same stage's map phase: the user stays in the reducer",
		g: buildSide(map[int][]int{5: {4}},
			[]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{src}, []int{par, 3}, []int{par, 2}, []int{mat, 5}),
		user: 5, want: "reduce 0", wantGBK: map[NodeID]int{1: 0},
	}, {
		name: "the same, for an executor that publishes a stage's files when it ends",
		g: buildSide(map[int][]int{5: {4}},
			[]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{src}, []int{par, 3}, []int{par, 2}, []int{mat, 5}),
		opts: Options{SideInputsFromEarlierStages: true},
		user: 5, want: "map 1", wantGBK: map[NodeID]int{1: 0},
	}, {
		name: "a side input from a reducer of the same stage: the user moves to the next map phase",
		g: buildSide(map[int][]int{6: {5}},
			[]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{src}, []int{gbk, 3}, []int{comb, 4}, []int{par, 2}, []int{mat, 6}),
		user: 6, want: "map 1", wantGBK: map[NodeID]int{1: 0, 4: 0},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sg, err := Optimize(context.Background(), c.g, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			var where []string
			for _, st := range sg.Stages {
				for _, ph := range st.Phases() {
					if !ph.Has(c.user) {
						continue
					}
					where = append(where, fmt.Sprintf("%s %d", ph.Kind, st.ID))
					if !reflect.DeepEqual(ph.Sides, c.g.Node(c.user).Side) {
						t.Errorf("phase sides = %v, want %v", ph.Sides, c.g.Node(c.user).Side)
					}
				}
				for _, ch := range st.Channels {
					if want, ok := c.wantGBK[ch.GroupByKey]; !ok || want != st.ID {
						t.Errorf("GroupByKey %d in stage %d, want %v", ch.GroupByKey, st.ID, c.wantGBK)
					}
				}
			}
			if len(where) != 1 || where[0] != c.want {
				t.Errorf("%d runs in %v, want [%s]\n%s", c.user, where, c.want, sg.Explain())
			}
			// A source whose consumers all moved to a later stage is read
			// there only, not also by an idle map input of its own stage.
			for _, st := range sg.Stages {
				for _, in := range st.Inputs {
					ph := in.Phase
					feeds := slices.ContainsFunc(st.Channels, func(ch *Channel) bool { return sg.Feeds(ph, ch) })
					if len(ph.Nodes) == 0 && len(ph.Materialize) == 0 && !feeds {
						t.Errorf("stage %d reads %d and does nothing with it\n%s", st.ID, in.Node, sg.Explain())
					}
				}
			}
			side := c.g.Node(c.user).Side[0]
			if !slices.Contains(sg.Intermediates, side) {
				t.Errorf("side input %d is not materialized: intermediates %v", side, sg.Intermediates)
			}
			if sg.ShuffledFor(side) != nil {
				t.Errorf("side input %d is written as shuffle records", side)
			}
		})
	}
}

// TestSourceReadWhereItsWorkEnds checks that a source feeding only map
// work that waits for a side input (a map-side join after a keying step) is
// read in the stage of that work, where it was read in stage 0 and its
// keyed records written out and read back.
func TestSourceReadWhereItsWorkEnds(t *testing.T) {
	// 0 big source, 1 small source, 2 small's side value, 3 keying of big,
	// 4 the join (side input 2), 5 its sink.
	g := buildSide(map[int][]int{4: {2}},
		[]int{src}, []int{src}, []int{par, 1}, []int{par, 0}, []int{par, 3}, []int{mat, 4})
	sg, err := Optimize(context.Background(), g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(sg.Intermediates, 3) {
		t.Errorf("the keyed big side (3) is written out and read again:\n%s", sg.Explain())
	}
	for _, st := range sg.Stages {
		for _, in := range st.Inputs {
			if in.Node == 0 && (st.ID != 1 || !in.Phase.Has(4)) {
				t.Errorf("source 0 is read in stage %d, want only in stage 1 with the join:\n%s", st.ID, sg.Explain())
			}
		}
	}
}

func TestValidateSideInputs(t *testing.T) {
	bad := []*Graph{
		buildSide(map[int][]int{3: {1}}, []int{src}, []int{mat, 0}, []int{src}, []int{par, 2}), // a Materialize as side input
		buildSide(map[int][]int{3: {1}}, []int{src}, []int{par, 0}, []int{src}, []int{gbk, 2}), // a side input on a GroupByKey
	}
	for i, g := range bad {
		if err := Validate(g); err == nil {
			t.Errorf("graph %d: Validate = nil, want an error", i)
		}
	}
	// A source is a side input like any collection.
	if err := Validate(buildSide(map[int][]int{2: {0}}, []int{src}, []int{src}, []int{par, 1}, []int{mat, 2})); err != nil {
		t.Errorf("Validate with a source side input = %v, want nil", err)
	}
}

// TestSourceSideInputs checks that a side input that is a source delays
// its users by no stage, wherever they run, and is neither materialized
// nor read by a map input of its own: every task of its users reads it
// from the source, so the phases running them list it in Sides.
func TestSourceSideInputs(t *testing.T) {
	cases := []struct {
		name string
		g    *Graph
		opts Options
		user NodeID
		want string // the phase running user, as in TestSideInputs
		// reads: the sources read as map inputs, by stage.
		reads   map[NodeID]int
		wantGBK map[NodeID]int
	}{{
		name: "a map-side user",
		g: buildSide(map[int][]int{2: {1}},
			[]int{src}, []int{src}, []int{par, 0}, []int{mat, 2}),
		user: 2, want: "map 0", reads: map[NodeID]int{0: 0}, wantGBK: map[NodeID]int{},
	}, {
		name: "a later shuffle is not delayed",
		g: buildSide(map[int][]int{2: {1}},
			[]int{src}, []int{src}, []int{par, 0}, []int{gbk, 2}, []int{mat, 3}),
		user: 2, want: "map 0", reads: map[NodeID]int{0: 0}, wantGBK: map[NodeID]int{3: 0},
	}, {
		name: "a reduce-side user stays in its reducer",
		g: buildSide(map[int][]int{4: {3}},
			[]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{src}, []int{par, 2}, []int{mat, 4}),
		user: 4, want: "reduce 0", reads: map[NodeID]int{0: 0}, wantGBK: map[NodeID]int{1: 0},
	}, {
		name: "a reduce-side user stays in its reducer, for an executor that publishes a stage's files when it ends",
		g: buildSide(map[int][]int{4: {3}},
			[]int{src}, []int{gbk, 0}, []int{comb, 1}, []int{src}, []int{par, 2}, []int{mat, 4}),
		opts: Options{SideInputsFromEarlierStages: true},
		user: 4, want: "reduce 0", reads: map[NodeID]int{0: 0}, wantGBK: map[NodeID]int{1: 0},
	}, {
		name: "a source that is also a normal input is read as one, once",
		g: buildSide(map[int][]int{3: {0}},
			[]int{src}, []int{par, 0}, []int{src}, []int{par, 2}, []int{flat, 1, 3}, []int{gbk, 4}, []int{mat, 5}),
		user: 3, want: "map 0", reads: map[NodeID]int{0: 0, 2: 0}, wantGBK: map[NodeID]int{5: 0},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sg, err := Optimize(context.Background(), c.g, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			side := c.g.Node(c.user).Side[0]
			var where []string
			reads := map[NodeID]int{}
			for _, st := range sg.Stages {
				for _, in := range st.Inputs {
					if !in.Intermediate {
						if _, dup := reads[in.Node]; dup {
							t.Errorf("source %d is read by more than one map input\n%s", in.Node, sg.Explain())
						}
						reads[in.Node] = st.ID
					}
				}
				for _, ph := range st.Phases() {
					if ph.Has(c.user) {
						where = append(where, fmt.Sprintf("%s %d", ph.Kind, st.ID))
						if !slices.Contains(ph.Sides, side) {
							t.Errorf("phase sides = %v, want %d listed", ph.Sides, side)
						}
					}
				}
				for _, ch := range st.Channels {
					if want, ok := c.wantGBK[ch.GroupByKey]; !ok || want != st.ID {
						t.Errorf("GroupByKey %d in stage %d, want %v", ch.GroupByKey, st.ID, c.wantGBK)
					}
				}
			}
			if len(where) != 1 || where[0] != c.want {
				t.Errorf("%d runs in %v, want [%s]\n%s", c.user, where, c.want, sg.Explain())
			}
			if !reflect.DeepEqual(reads, c.reads) {
				t.Errorf("sources read as map inputs (by stage) = %v, want %v\n%s", reads, c.reads, sg.Explain())
			}
			if len(sg.Intermediates) != 0 {
				t.Errorf("intermediates %v, want none\n%s", sg.Intermediates, sg.Explain())
			}
		})
	}
}
