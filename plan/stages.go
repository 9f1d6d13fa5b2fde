package plan

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// NoNode marks an absent node reference.
const NoNode NodeID = -1

// PhaseKind says whether a phase runs in map tasks or reduce tasks.
type PhaseKind uint8

const (
	MapPhase PhaseKind = iota + 1
	ReducePhase
)

func (k PhaseKind) String() string {
	if k == ReducePhase {
		return "reduce"
	}
	return "map"
}

// Phase is one fused kernel: an entry node and the nodes a task instantiates
// behind it. A map phase's entry is a Source (read split by split) or an
// intermediate written by an earlier stage; a reduce phase's entry is the
// channel's GroupByKey, or its CombineValues when the combiner was lifted.
type Phase struct {
	Kind    PhaseKind
	Stage   int
	Channel int    // reduce phases: the channel index; map phases: -1
	Entry   NodeID // see above
	// Nodes are instantiated in this phase behind Entry, in ID order.
	Nodes []NodeID
	// Materialize lists nodes of this phase (Entry included) whose output
	// this phase writes as an intermediate for later stages.
	Materialize []NodeID
	// Sides lists the side inputs of this phase's nodes, which every task
	// reads whole: intermediates written before the phase runs (by an
	// earlier stage, or, for a reduce phase, by its own stage's map phase),
	// and sources, which each task reads from the source itself (see
	// Graph.SourceSide).
	Sides []NodeID

	has map[NodeID]bool
}

// Has reports whether the phase instantiates id.
func (p *Phase) Has(id NodeID) bool { return p.has[id] }

// Writes reports whether the phase writes id as an intermediate.
func (p *Phase) Writes(id NodeID) bool { return slices.Contains(p.Materialize, id) }

// Input is one map-side input of a stage.
type Input struct {
	Node NodeID
	// Intermediate: the input is the materialized output of Node, written by
	// an earlier stage; otherwise Node is a Source read in this stage.
	Intermediate bool
	// Shuffled is set when the intermediate holds shuffle records for this
	// channel of the stage, (key, value) as the channel's shuffle writer
	// encodes them, combined by its lifted combiner when it has one: the
	// producing phase ran the channel's map side, so this map phase passes
	// the records straight to the shuffle. The intermediate is then the
	// channel's only use of Node, and Phase runs nothing but Flattens.
	Shuffled *Channel
	Phase    *Phase
}

// Channel is one shuffle of a stage: a GroupByKey, fed by the stage's map
// phases, with its own reduce phase.
type Channel struct {
	Index      int
	GroupByKey NodeID
	Combiner   NodeID // the CombineValues lifted into the map side, or NoNode
	Partitions int    // requested partitions; 0 = runner default
	Reduce     *Phase
}

// Stage is one map–shuffle–reduce step: every input's map phase runs first,
// then every channel's reduce phase. A stage without channels is map-only.
type Stage struct {
	ID       int
	Inputs   []*Input
	Channels []*Channel
}

// ChannelOf returns the channel of stage s that shuffles for GroupByKey id, or nil.
func (s *Stage) ChannelOf(id NodeID) *Channel {
	for _, c := range s.Channels {
		if c.GroupByKey == id {
			return c
		}
	}
	return nil
}

// StageGraph is the planner's result and all that runners execute.
type StageGraph struct {
	Graph  *Graph
	Stages []*Stage
	// Intermediates are the nodes whose outputs are written by one stage and
	// read by later ones, in ID order; each is written once.
	Intermediates []NodeID
	// Sizes are the estimated output sizes in bytes, by node ID.
	Sizes []float64
	// Notes explain the planner's decisions, in a stable order.
	Notes []string
	// SinkWriters counts, per Sink node, how many phases write part files to it.
	SinkWriters map[NodeID]int
}

// ShuffledFor returns the channel for which intermediate id is written as
// shuffle records (see Input.Shuffled), or nil when it is written as
// encoded elements.
func (sg *StageGraph) ShuffledFor(id NodeID) *Channel {
	for _, st := range sg.Stages {
		for _, in := range st.Inputs {
			if in.Node == id && in.Shuffled != nil {
				return in.Shuffled
			}
		}
	}
	return nil
}

// Feeds reports whether map phase ph writes shuffle records to channel ch
// of its stage: whether ch's GroupByKey consumes its entry or one of its
// nodes. A reducer of ch reads the map tasks of such phases only.
func (sg *StageGraph) Feeds(ph *Phase, ch *Channel) bool {
	if ph.Kind != MapPhase {
		return false
	}
	for _, id := range append([]NodeID{ph.Entry}, ph.Nodes...) {
		if slices.Contains(sg.Graph.Consumers(id), ch.GroupByKey) {
			return true
		}
	}
	return false
}

// Options tune planning.
type Options struct {
	// NoCombinerLifting keeps every CombineValues on the reduce side.
	NoCombinerLifting bool
	// NoFusionBlocks keeps every chain after a shuffle in its reducer,
	// instead of cutting it at the smallest estimated intermediate.
	NoFusionBlocks bool
	// NoShuffledIntermediates writes every intermediate as encoded elements,
	// even one whose only use is a later shuffle (see Input.Shuffled).
	NoShuffledIntermediates bool
	// SideInputsFromEarlierStages keeps a reducer from reading a side input
	// written by its own stage's map phase, for executors that publish a
	// stage's files only when the whole stage ends (Hadoop commits a job's
	// map and reduce output together).
	SideInputsFromEarlierStages bool
	// SourceSizes, when set, are the sources' estimated sizes by node
	// (MeasureSources), used instead of asking the sources again. A driver
	// measures them once and ships them with the options, so that every
	// process that plans the graph again (a worker, a task) plans it as the
	// driver did: the plan depends on the sources' relative sizes
	// (delaySourceWork), and their files can change in between.
	SourceSizes map[NodeID]int64 `json:"source_sizes,omitempty"`
}

// MeasureSources asks every source of g for its estimated size, for
// Options.SourceSizes.
func MeasureSources(ctx context.Context, g *Graph) map[NodeID]int64 {
	out := map[NodeID]int64{}
	for _, n := range g.Nodes() {
		if n.Op == OpSource {
			out[n.ID] = sourceSize(ctx, n)
		}
	}
	return out
}

// sourceSize is the size source n estimates for itself, or -1.
func sourceSize(ctx context.Context, n *Node) int64 {
	if sp, ok := n.Payload.(SourcePayload); ok {
		return sp.EstimateSize(ctx)
	}
	return -1
}

// DefaultSourceSize is the size assumed for a source that cannot estimate its own.
const DefaultSourceSize = 1 << 30

type planner struct {
	g     *Graph
	opts  Options
	notes []string

	lifted   map[NodeID]NodeID // GroupByKey -> lifted CombineValues
	gbkStage map[NodeID]int
	side     [][]NodeID // reduce-side nodes: the GroupByKeys whose reduce phases compute them; nil: map side
	forceMap map[NodeID]bool
	sizes    []float64
	mstage   []int // stage of map-side nodes
}

func (p *planner) note(format string, args ...any) {
	p.notes = append(p.notes, fmt.Sprintf(format, args...))
}

// Optimize plans g into stages. The passes run in this order: validation,
// pruning of what leads to no output (the StageGraph's Graph is then a view
// of g without those nodes, with the same IDs), combiner lifting, size
// estimation, map/reduce side assignment (which sinks flattens and fuses
// producers with consumers and siblings), fusion block placement (each
// followed by side assignment again), then, until side inputs need no
// more moves, stage numbering of shuffles and of map work with the
// placement of side inputs' users; last, stage formation with shared
// shuffles (MSCR) and materialization of intermediates.
func Optimize(ctx context.Context, g *Graph, opts Options) (*StageGraph, error) {
	if err := Validate(g); err != nil {
		return nil, err
	}
	g, dropped := Prune(g)
	p := &planner{g: g, opts: opts, forceMap: map[NodeID]bool{}}
	if len(dropped) > 0 {
		p.note("%s", droppedNote(dropped))
	}
	p.lifted = LiftCombiners(g, opts)
	for gbk, c := range sortedPairs(p.lifted) {
		p.note("combiner %s lifted into the map side of %s: it is the only consumer of the grouping", g.Node(c).Label(), g.Node(gbk).Label())
	}
	p.sizes = estimateSizes(ctx, g, opts.SourceSizes)
	p.side = ReduceSide(g, p.forceMap)
	if !opts.NoFusionBlocks {
		p.placeFusionBlocks()
		p.side = ReduceSide(g, p.forceMap)
		p.placeBranchBlocks()
		p.side = ReduceSide(g, p.forceMap)
	}
	for {
		p.gbkStage = shuffleStages(g, p.side)
		p.mstage = p.mapStages()
		if !p.placeSideUsers() {
			break
		}
		p.side = ReduceSide(g, p.forceMap)
	}
	return p.form()
}

// Validate checks the structural rules the planner relies on.
func Validate(g *Graph) error {
	for _, n := range g.Nodes() {
		want := -1
		switch n.Op {
		case OpSource:
			want = 0
		case OpParDo, OpGroupByKey, OpCombineValues, OpSink, OpMaterialize:
			want = 1
		case OpFlatten:
			if len(n.Inputs) == 0 {
				return fmt.Errorf("plan: %s (%s) has no inputs", n.Label(), n.Caller)
			}
		default:
			return fmt.Errorf("plan: %s has unknown op %v", n.Label(), n.Op)
		}
		if want >= 0 && len(n.Inputs) != want {
			return fmt.Errorf("plan: %s (%s) has %d inputs, want %d", n.Label(), n.Caller, len(n.Inputs), want)
		}
		if len(n.Side) > 0 && n.Op != OpParDo {
			return fmt.Errorf("plan: %s (%s) has side inputs, which only ParDos take", n.Label(), n.Caller)
		}
		for _, in := range n.Side {
			if op := g.Node(in).Op; op == OpSink || op == OpMaterialize {
				return fmt.Errorf("plan: %s (%s) takes %s as a side input, which has no output", n.Label(), n.Caller, g.Node(in).Label())
			}
		}
		if n.Op == OpCombineValues && g.Node(n.Inputs[0]).Op != OpGroupByKey {
			return fmt.Errorf("plan: %s (%s) must follow a GroupByKey", n.Label(), n.Caller)
		}
		for _, in := range n.Inputs {
			if g.Node(in).Op == OpSink || g.Node(in).Op == OpMaterialize {
				return fmt.Errorf("plan: %s (%s) reads the output of %s, which has none", n.Label(), n.Caller, g.Node(in).Label())
			}
		}
	}
	return checkSinkDirs(g)
}

// LiftCombiners finds the CombineValues that can also run map-side: those
// that are the only consumer of their GroupByKey.
func LiftCombiners(g *Graph, opts Options) map[NodeID]NodeID {
	lifted := map[NodeID]NodeID{}
	if opts.NoCombinerLifting {
		return lifted
	}
	for _, n := range g.Nodes() {
		if n.Op != OpGroupByKey {
			continue
		}
		cs := g.Consumers(n.ID)
		if len(cs) == 1 && g.Node(cs[0]).Op == OpCombineValues {
			lifted[n.ID] = cs[0]
		}
	}
	return lifted
}

// ShuffleStages numbers every GroupByKey with its stage: one more than the
// highest-numbered GroupByKey upstream of it, 0 when there is none. Shuffles
// with the same number share a stage.
func ShuffleStages(g *Graph) map[NodeID]int { return shuffleStages(g, ReduceSide(g, nil)) }

// shuffleStages is ShuffleStages given the reduce-side assignment, which
// side inputs need: a transform's side inputs are complete before it runs,
// so one computed on the map side counts as one more shuffle upstream of its
// users (one computed in a reducer is complete at the end of that shuffle's
// stage already). A source side input is complete before any stage and
// counts for nothing.
func shuffleStages(g *Graph, side [][]NodeID) map[NodeID]int {
	level := make([]int, g.Len()) // highest shuffle stage at or above each node
	stages := map[NodeID]int{}
	for _, n := range g.Nodes() {
		l := -1
		for _, in := range n.Inputs {
			l = max(l, level[in])
		}
		for _, in := range n.Side {
			if g.SourceSide(in) {
				continue
			}
			if side[in] == nil {
				l = max(l, level[in]+1)
			} else {
				l = max(l, level[in])
			}
		}
		if n.Op == OpGroupByKey {
			l++
			stages[n.ID] = l
		}
		level[n.ID] = l
	}
	return stages
}

// Default scale factors, output size / input size, where a node sets none.
const (
	defaultParDoScale   = 1.0
	defaultCombineScale = 0.1
)

// EstimateSizes estimates every node's output size in bytes from the sources'
// sizes and the scale factors.
func EstimateSizes(ctx context.Context, g *Graph) []float64 { return estimateSizes(ctx, g, nil) }

// estimateSizes is EstimateSizes with the sources' sizes given by known,
// where it has them.
func estimateSizes(ctx context.Context, g *Graph, known map[NodeID]int64) []float64 {
	sizes := make([]float64, g.Len())
	for _, n := range g.Nodes() {
		var in float64
		for _, id := range n.Inputs {
			in += sizes[id]
		}
		scale := n.Scale
		switch n.Op {
		case OpSource:
			s, ok := known[n.ID]
			if !ok {
				s = sourceSize(ctx, n)
			}
			if s < 0 {
				s = DefaultSourceSize
			}
			in, scale = float64(s), 1
		case OpParDo:
			if scale == 0 {
				scale = defaultParDoScale
			}
		case OpCombineValues:
			if scale == 0 {
				scale = defaultCombineScale
			}
		default:
			if scale == 0 {
				scale = 1
			}
		}
		sizes[n.ID] = in * scale
	}
	return sizes
}

// ReduceSide returns, for each node computed in reduce phases, the
// GroupByKeys whose reduce phases compute it (nil for map-side nodes). A node
// all of whose inputs come out of reducers runs in each of those reducers:
// this is how Flatten is sunk into its consumers and how ParDos fuse into the
// reducer before them. forceMap nodes are kept on the map side.
func ReduceSide(g *Graph, forceMap map[NodeID]bool) [][]NodeID {
	side := make([][]NodeID, g.Len())
	for _, n := range g.Nodes() {
		switch {
		case n.Op == OpGroupByKey:
			side[n.ID] = []NodeID{n.ID}
		case n.Op == OpCombineValues:
			side[n.ID] = []NodeID{n.Inputs[0]}
		case n.Op == OpSource || forceMap[n.ID]:
		default:
			var u []NodeID
			for _, in := range n.Inputs {
				if side[in] == nil {
					u = nil
					break
				}
				u = append(u, side[in]...)
			}
			if u != nil {
				slices.Sort(u)
				side[n.ID] = slices.Compact(u)
			}
		}
	}
	return side
}

// crossing reports whether the edge from -> to leaves from's phase, so that
// from's output must be materialized (or re-read, for a source).
func (p *planner) crossing(from, to NodeID) bool {
	toN := p.g.Node(to)
	if toN.Op == OpGroupByKey {
		return p.side[from] != nil || p.mstage[from] != p.gbkStage[to]
	}
	if p.side[to] != nil {
		return false // reduce side: same reducer(s) as its inputs
	}
	return p.side[from] != nil || p.mstage[from] != p.mstage[to]
}

// placeSideUsers keeps a transform with side inputs in its input's reducer
// only where every side input is complete before that reducer runs:
// written by the map phase of the same stage (unless
// SideInputsFromEarlierStages) or earlier, or by an earlier stage's
// reducer; a source always is. The others move to the next map phase; it
// reports whether any moved.
func (p *planner) placeSideUsers() bool {
	moved := false
	for _, n := range p.g.Nodes() {
		if len(n.Side) == 0 || p.side[n.ID] == nil {
			continue
		}
		for _, gbk := range p.side[n.ID] {
			for _, in := range n.Side {
				if p.g.SourceSide(in) {
					continue
				}
				done := p.side[in] != nil || p.mstage[in] < p.gbkStage[gbk] ||
					p.mstage[in] == p.gbkStage[gbk] && !p.opts.SideInputsFromEarlierStages
				for _, g := range p.side[in] {
					done = done && p.gbkStage[g] < p.gbkStage[gbk]
				}
				if !done && !p.forceMap[n.ID] {
					p.forceMap[n.ID] = true
					moved = true
				}
			}
		}
	}
	return moved
}

// placeFusionBlocks moves the tail of a reducer's chain into the next stage's
// map phase when a node earlier in the chain has a smaller estimated output,
// so the intermediate written between the stages is as small as possible.
func (p *planner) placeFusionBlocks() {
	g := p.g
	for _, n := range g.Nodes() {
		u := n.ID
		if p.side[u] == nil || n.Op == OpGroupByKey || n.Op == OpSink || n.Op == OpMaterialize {
			continue
		}
		cs := g.Consumers(u)
		if len(cs) == 0 {
			continue
		}
		leaves := true
		for _, c := range cs {
			if g.Node(c).Op != OpGroupByKey && p.side[c] != nil {
				leaves = false
			}
		}
		if !leaves {
			continue
		}
		// Walk up the single-consumer chain of ParDos ending at u.
		chain := []NodeID{u}
		for {
			x := g.Node(chain[0])
			if x.Op != OpParDo {
				break
			}
			in := x.Inputs[0]
			inN := g.Node(in)
			if inN.Op != OpParDo && inN.Op != OpCombineValues || len(g.Consumers(in)) != 1 {
				break
			}
			chain = append([]NodeID{in}, chain...)
		}
		best := len(chain) - 1
		for i := len(chain) - 2; i >= 0; i-- {
			if p.sizes[chain[i]] < p.sizes[chain[best]] {
				best = i
			}
		}
		if best == len(chain)-1 {
			continue
		}
		for _, id := range chain[best+1:] {
			p.forceMap[id] = true
		}
		p.note("fusion block after %s: its estimated output (%s) is the smallest on the chain to %s, so %d node(s) after it run in the next map phase",
			g.Node(chain[best]).Label(), humanBytes(p.sizes[chain[best]]), g.Node(u).Label(), len(chain)-1-best)
	}
}

// placeBranchBlocks handles a reducer output that several branches of
// ParDos carry to later stages: writing the node itself once is cheaper than
// writing every branch's end, so the branches move to the next map phase.
// Only the ends that the next stage reads count: a branch whose shuffle is
// further on (it waits for a side input: the ranking of a sort, the
// filtered side of a Bloom join) is written out wherever it runs, so moving
// it saves nothing, and the block would only add a write and a read of the
// node.
func (p *planner) placeBranchBlocks() {
	g := p.g
	gbkStage := shuffleStages(g, p.side)
	for _, n := range g.Nodes() {
		u := n.ID
		if p.side[u] == nil || p.forceMap[u] || (n.Op != OpParDo && n.Op != OpCombineValues) || len(g.Consumers(u)) < 2 {
			continue
		}
		next := 0 // the stage after u's reducer
		for _, gbk := range p.side[u] {
			next = max(next, gbkStage[gbk]+1)
		}
		var desc []NodeID
		leafSize, ends, ok := 0.0, 0, true
		var visit func(id NodeID)
		visit = func(id NodeID) {
			crosses := false
			for _, c := range g.Consumers(id) {
				cn := g.Node(c)
				switch {
				case p.shuffledLater(c, next, gbkStage):
					// written out either way
				case cn.Op == OpGroupByKey || p.side[c] == nil:
					crosses = true
				case cn.Op == OpParDo && !p.forceMap[c]:
					desc = append(desc, c)
					visit(c)
				default:
					ok = false // a sink, a flatten or a combine: leave this subtree alone
				}
			}
			if crosses {
				leafSize += p.sizes[id]
				ends++
			}
		}
		visit(u)
		if !ok || len(desc) == 0 || p.sizes[u] >= leafSize {
			continue
		}
		for _, id := range desc {
			p.forceMap[id] = true
		}
		// The ends counted are those written only if u is not: a branch
		// shuffled later is written either way.
		p.note("fusion block after %s: writing it once (%s) is cheaper than writing the ends of its %d branches (%s)",
			n.Label(), humanBytes(p.sizes[u]), ends, humanBytes(leafSize))
	}
}

// shuffledLater reports whether everything id's output becomes is shuffled
// after stage next, through map-side ParDos and Flattens: then id's input is
// written out whether the branch to id runs in a reducer before next or in
// next's map phase.
func (p *planner) shuffledLater(id NodeID, next int, gbkStage map[NodeID]int) bool {
	g, n := p.g, p.g.Node(id)
	switch {
	case n.Op == OpGroupByKey:
		return gbkStage[id] > next
	case p.side[id] != nil || n.Op != OpParDo && n.Op != OpFlatten || len(g.SideUsers(id)) > 0 || len(g.Consumers(id)) == 0:
		return false
	}
	for _, c := range g.Consumers(id) {
		if !p.shuffledLater(c, next, gbkStage) {
			return false
		}
	}
	return true
}

// mapStages gives every map-side node the stage whose map phase computes it:
// sources are read in the earliest stage that needs them (as inputs: a
// source's side users read it themselves), other nodes run as early as
// their inputs allow.
func (p *planner) mapStages() []int {
	g := p.g
	const inf = math.MaxInt
	need := make([]int, g.Len())
	for i := g.Len() - 1; i >= 0; i-- {
		need[i] = inf
		if p.side[i] != nil {
			continue
		}
		for _, c := range g.Consumers(NodeID(i)) {
			switch {
			case g.Node(c).Op == OpGroupByKey:
				need[i] = min(need[i], p.gbkStage[c])
			case p.side[c] == nil:
				need[i] = min(need[i], need[c])
			}
		}
		for _, c := range g.SideUsers(NodeID(i)) {
			if need[c] != inf && !g.SourceSide(NodeID(i)) {
				need[i] = min(need[i], need[c]-1)
			}
		}
	}
	stage := make([]int, g.Len())
	for _, n := range g.Nodes() {
		if p.side[n.ID] != nil {
			stage[n.ID] = -1
			continue
		}
		if n.Op == OpSource {
			if need[n.ID] != inf {
				stage[n.ID] = need[n.ID]
			}
			continue
		}
		stage[n.ID] = p.mapStage(n, stage)
	}
	// A source that feeds only map work (no shuffle needs it by a stage) is
	// read in stage 0, but if all that work ends in a later stage (it
	// waits for a side input, say: a map-side join), what it read in stage
	// 0 would be written out and read again there. Such a source is read
	// where its earliest output is made instead, and the stages of what
	// follows it are worked out again.
	moved := false
	for _, n := range g.Nodes() {
		if n.Op != OpSource || need[n.ID] != inf || p.side[n.ID] != nil {
			continue
		}
		if at := p.earliestOutput(n.ID, stage); at != inf && at > stage[n.ID] {
			stage[n.ID], moved = at, true
		}
	}
	if moved {
		for _, n := range g.Nodes() {
			if n.Op != OpSource && p.side[n.ID] == nil {
				stage[n.ID] = p.mapStage(n, stage)
			}
		}
	}
	p.delaySourceWork(stage)
	return stage
}

// delaySourceWork moves map work computed from sources alone, whose every
// consumer runs in one later stage, into that stage: written out where it
// is computed and read back there, it would cost a write and a read of its
// output, where reading its sources again in that stage costs one read of
// theirs (as Spark recomputes a lineage rather than cache it). Work whose
// estimated output is under half its sources' (a filter marked with a
// small Scale) is still written out, and so is a side input, which must be
// complete before its users' stage.
func (p *planner) delaySourceWork(stage []int) {
	g := p.g
	from, srcWidth := p.sourceBytes()
	for i := g.Len() - 1; i >= 0; i-- {
		n := g.Node(NodeID(i))
		if n.Op == OpSource || from[i] < 0 || len(g.SideUsers(n.ID)) > 0 {
			continue
		}
		// Its size, scaled by its records' width against its sources':
		// a projection to a few fields is much smaller than its input,
		// though element-wise steps keep the number of records.
		size := p.sizes[i]
		if w := width(n.Type); w > 0 && srcWidth[i] > 0 {
			size *= w / srcWidth[i]
		}
		if 2*size < from[i] {
			continue
		}
		at, cs := -1, g.Consumers(n.ID)
		for _, c := range cs {
			s := stage[c]
			if g.Node(c).Op == OpGroupByKey {
				s = p.gbkStage[c]
			}
			if at != -1 && s != at {
				at = -1
				break
			}
			at = s
		}
		if len(cs) > 0 && at > stage[i] {
			stage[i] = at
		}
	}
}

// sourceBytes gives each map-side node computed from sources alone (through
// ParDos without side inputs and Flattens) the estimated size of those
// sources, and the widest of their element types' widths (0 if one cannot
// tell); every other node gets -1 bytes.
func (p *planner) sourceBytes() (from, srcWidth []float64) {
	g := p.g
	from, srcWidth = make([]float64, g.Len()), make([]float64, g.Len())
	for _, n := range g.Nodes() {
		from[n.ID], srcWidth[n.ID] = -1, -1
		switch {
		case p.side[n.ID] != nil:
		case n.Op == OpSource:
			from[n.ID], srcWidth[n.ID] = p.sizes[n.ID], width(n.Type)
		case n.Op == OpParDo && len(n.Side) == 0, n.Op == OpFlatten:
			total, w, known := 0.0, 0.0, true
			for _, in := range n.Inputs {
				if from[in] < 0 {
					total = -1
					break
				}
				total, w = total+from[in], max(w, srcWidth[in])
				known = known && srcWidth[in] > 0
			}
			if !known {
				w = 0 // a source that cannot guess: widths are not compared
			}
			from[n.ID], srcWidth[n.ID] = total, w
		}
	}
	return from, srcWidth
}

// width is t's WidthEstimator's guess, or 0 when t cannot guess.
func width(t ElemType) float64 {
	if we, ok := t.(WidthEstimator); ok {
		return max(we.Width(), 0)
	}
	return 0
}

// mapStage is the stage of map-side node n given its inputs' stages: the
// latest of them, and the one after its side inputs are complete (sources
// are complete before stage 0).
func (p *planner) mapStage(n *Node, stage []int) int {
	s := 0
	for _, in := range n.Inputs {
		if p.side[in] == nil {
			s = max(s, stage[in])
			continue
		}
		for _, gbk := range p.side[in] {
			s = max(s, p.gbkStage[gbk]+1)
		}
	}
	for _, in := range n.Side {
		if p.side[in] == nil && !p.g.SourceSide(in) {
			s = max(s, stage[in]+1)
		}
		for _, gbk := range p.side[in] {
			s = max(s, p.gbkStage[gbk]+1)
		}
	}
	return s
}

// earliestOutput is the lowest stage, by stage, at which the map work
// downstream of id (not crossing a shuffle) puts something out: a sink, a
// materialized collection, or a side input other than a source (which is
// not written out); math.MaxInt if none.
func (p *planner) earliestOutput(id NodeID, stage []int) int {
	g := p.g
	best := math.MaxInt
	seen := map[NodeID]bool{}
	var walk func(NodeID)
	walk = func(n NodeID) {
		if seen[n] {
			return
		}
		seen[n] = true
		node := g.Node(n)
		if node.Op == OpSink || node.Op == OpMaterialize || len(g.SideUsers(n)) > 0 && !g.SourceSide(n) {
			best = min(best, stage[n])
		}
		for _, c := range g.Consumers(n) {
			if g.Node(c).Op == OpGroupByKey || p.side[c] != nil {
				best = min(best, stage[n]) // cannot happen for need == inf; be safe
				continue
			}
			walk(c)
		}
	}
	walk(id)
	return best
}

func (p *planner) form() (*StageGraph, error) {
	g := p.g
	sg := &StageGraph{Graph: g, Sizes: p.sizes, SinkWriters: map[NodeID]int{}}
	last := -1
	for _, s := range p.gbkStage {
		last = max(last, s)
	}
	for _, n := range g.Nodes() {
		if p.side[n.ID] == nil {
			last = max(last, p.mstage[n.ID])
		}
	}
	stages := make([]*Stage, last+1)
	for i := range stages {
		stages[i] = &Stage{ID: i}
	}

	// Materialized intermediates and re-read sources.
	materialize := map[NodeID]bool{}
	readIn := map[NodeID]map[int]bool{} // source or intermediate -> stages that read it
	addRead := func(id NodeID, s int) {
		if readIn[id] == nil {
			readIn[id] = map[int]bool{}
		}
		readIn[id][s] = true
	}
	for _, n := range g.Nodes() {
		consumers := g.Consumers(n.ID)
		// A source is read in its own stage unless every consumer is in a
		// later one (a transform whose side input an earlier stage's
		// reducer writes): that stage would read it for nothing. One that
		// is only a side input has no consumers and is read by its side
		// users' tasks alone.
		ownStage := n.Op == OpSource && p.side[n.ID] == nil &&
			slices.ContainsFunc(consumers, func(c NodeID) bool { return !p.crossing(n.ID, c) })
		if ownStage {
			addRead(n.ID, p.mstage[n.ID])
		}
		for _, c := range consumers {
			if !p.crossing(n.ID, c) {
				continue
			}
			to := p.mstage[c]
			if g.Node(c).Op == OpGroupByKey {
				to = p.gbkStage[c]
			}
			switch {
			case n.Op != OpSource:
				materialize[n.ID] = true
			case ownStage && to != p.mstage[n.ID]:
				p.note("%s is read again in stage %d, rather than copied", n.Label(), to)
			case !ownStage:
				p.note("%s is read in stage %d, where its consumers are", n.Label(), to)
			}
			addRead(n.ID, to)
		}
	}
	for _, n := range g.Nodes() {
		for _, in := range n.Side {
			if !g.SourceSide(in) {
				materialize[in] = true
			}
		}
	}
	for id := range sortedKeys(materialize) {
		sg.Intermediates = append(sg.Intermediates, id)
		var readers []int
		for s := range sortedKeys(readIn[id]) {
			readers = append(readers, s)
		}
		if len(readers) > 0 {
			p.note("%s is materialized once and read by stage(s) %v", g.Node(id).Label(), readers)
		}
		for _, u := range g.SideUsers(id) {
			p.note("%s is materialized once and read whole by every task of %s (side input)", g.Node(id).Label(), g.Node(u).Label())
		}
	}
	for _, n := range g.Nodes() {
		if !g.SourceSide(n.ID) {
			continue
		}
		for _, u := range g.SideUsers(n.ID) {
			p.note("%s is read whole %s by every task of %s (side input), not materialized", n.Label(), fromSource(n), g.Node(u).Label())
		}
	}

	// Channels, in GroupByKey ID order.
	for _, n := range g.Nodes() {
		if n.Op != OpGroupByKey {
			continue
		}
		st := stages[p.gbkStage[n.ID]]
		ch := &Channel{Index: len(st.Channels), GroupByKey: n.ID, Combiner: NoNode}
		if gp, ok := n.Payload.(GroupByKeyPayload); ok {
			ch.Partitions = gp.Partitions()
		}
		entry := n.ID
		if c, ok := p.lifted[n.ID]; ok {
			ch.Combiner, entry = c, c
		}
		ph := &Phase{Kind: ReducePhase, Stage: st.ID, Channel: ch.Index, Entry: entry, has: map[NodeID]bool{}}
		for _, m := range g.Nodes() {
			if m.ID <= entry || !slices.Contains(p.side[m.ID], n.ID) {
				continue
			}
			ph.Nodes = append(ph.Nodes, m.ID)
			ph.has[m.ID] = true
		}
		for _, id := range append([]NodeID{entry}, ph.Nodes...) {
			if materialize[id] {
				ph.Materialize = append(ph.Materialize, id)
			}
		}
		ch.Reduce = ph
		st.Channels = append(st.Channels, ch)
	}

	// Map inputs, in node ID order.
	for _, n := range g.Nodes() {
		for s := range sortedKeys(readIn[n.ID]) {
			st := stages[s]
			ph := &Phase{Kind: MapPhase, Stage: s, Channel: -1, Entry: n.ID, has: map[NodeID]bool{}}
			p.reach(ph, n.ID, s)
			slices.Sort(ph.Nodes)
			for _, id := range ph.Nodes {
				if materialize[id] {
					ph.Materialize = append(ph.Materialize, id)
				}
			}
			if n.Op == OpSource && materialize[n.ID] {
				ph.Materialize = append([]NodeID{n.ID}, ph.Materialize...)
			}
			st.Inputs = append(st.Inputs, &Input{Node: n.ID, Intermediate: n.Op != OpSource, Phase: ph})
		}
	}

	if !p.opts.NoShuffledIntermediates {
		p.shuffleIntermediates(stages, readIn)
	}

	for _, st := range stages {
		for _, ph := range st.Phases() {
			for _, id := range ph.Nodes {
				ph.Sides = append(ph.Sides, g.Node(id).Side...)
			}
			slices.Sort(ph.Sides)
			ph.Sides = slices.Compact(ph.Sides)
		}
	}

	// Drop empty stages and renumber.
	for _, st := range stages {
		if len(st.Inputs) == 0 && len(st.Channels) == 0 {
			continue
		}
		st.ID = len(sg.Stages)
		for _, in := range st.Inputs {
			in.Phase.Stage = st.ID
		}
		for _, c := range st.Channels {
			c.Reduce.Stage = st.ID
			if len(c.Reduce.Nodes) == 0 && len(c.Reduce.Materialize) == 0 && g.Node(c.Reduce.Entry).Op == OpGroupByKey {
				return nil, fmt.Errorf("plan: the output of %s (%s) is never used", g.Node(c.GroupByKey).Label(), g.Node(c.GroupByKey).Caller)
			}
		}
		sg.Stages = append(sg.Stages, st)
	}
	for _, st := range sg.Stages {
		for _, ph := range st.Phases() {
			for _, id := range ph.Nodes {
				if g.Node(id).Op == OpSink {
					sg.SinkWriters[id]++
				}
			}
		}
	}
	sg.Notes = p.notes
	return sg, nil
}

// shuffleIntermediates finds the intermediates whose one use is a shuffle
// of the stage that reads them, directly or through Flattens, and has
// their producers write them as that channel's shuffle records (combined
// when the channel has a lifted combiner). The reading map phase then does
// nothing but copy records into the shuffle, and a combined intermediate
// holds one record per key and producing task instead of one per element:
// Count after Distinct, say, writes and reads a few partial counts rather
// than every distinct element.
func (p *planner) shuffleIntermediates(stages []*Stage, readIn map[NodeID]map[int]bool) {
	g := p.g
	for _, st := range stages {
		for _, in := range st.Inputs {
			if !in.Intermediate || len(readIn[in.Node]) != 1 || len(in.Phase.Materialize) > 0 || len(g.SideUsers(in.Node)) > 0 {
				continue
			}
			var target *Channel
			ok := true
			for _, id := range append([]NodeID{in.Node}, in.Phase.Nodes...) {
				if id != in.Node && g.Node(id).Op != OpFlatten {
					ok = false
					break
				}
				for _, c := range g.Consumers(id) {
					switch ch := st.ChannelOf(c); {
					case in.Phase.Has(c):
					case ch != nil && (target == nil || target == ch):
						target = ch
					case id == in.Node && !p.crossing(id, c):
						// a consumer in the producing phase
					default:
						ok = false
					}
				}
			}
			if !ok || target == nil || paths(g, in.Node, in.Phase, st, target) != 1 {
				continue
			}
			in.Shuffled = target
			how := "as shuffle records"
			if target.Combiner != NoNode {
				how = "combined by " + g.Node(target.Combiner).Label()
			}
			p.note("%s is written as %s's map output (%s): its only use is that shuffle",
				g.Node(in.Node).Label(), g.Node(target.GroupByKey).Label(), how)
		}
	}
}

// paths counts the ways id's elements reach channel ch through phase ph's
// Flattens. A union that lists an input twice holds its elements twice: it
// cannot be written as that input's shuffle records, which hold them once.
func paths(g *Graph, id NodeID, ph *Phase, st *Stage, ch *Channel) int {
	n := 0
	for _, c := range g.Consumers(id) {
		switch {
		case st.ChannelOf(c) == ch:
			n++
		case ph.Has(c):
			n += paths(g, c, ph, st, ch)
		}
	}
	return n
}

// reach adds to ph the map-side nodes of stage s reachable from id.
func (p *planner) reach(ph *Phase, id NodeID, s int) {
	for _, c := range p.g.Consumers(id) {
		if ph.has[c] || p.g.Node(c).Op == OpGroupByKey || p.side[c] != nil || p.mstage[c] != s {
			continue
		}
		ph.has[c] = true
		ph.Nodes = append(ph.Nodes, c)
		p.reach(ph, c, s)
	}
}

// Phases lists the stage's map phases, then its reduce phases.
func (s *Stage) Phases() []*Phase {
	var out []*Phase
	for _, in := range s.Inputs {
		out = append(out, in.Phase)
	}
	for _, c := range s.Channels {
		out = append(out, c.Reduce)
	}
	return out
}

func humanBytes(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	return fmt.Sprintf("%.3g %s", b, units[i])
}
