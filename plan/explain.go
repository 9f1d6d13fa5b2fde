package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Explain describes the stage graph as text: per stage, what each map and
// reduce phase runs (the fused chains), where the shuffles are, what is
// materialized, and the planner's notes on why. The text depends only on the
// graph, so it can be a golden file.
// Fingerprint hashes the plan as Explain prints it: every stage, phase,
// materialization and note. A worker or task that plans the driver's graph
// again compares it with the driver's, since a plan depends on more than
// the graph (the sources' sizes), and running a phase of another plan
// would give wrong output without an error.
func (sg *StageGraph) Fingerprint() string {
	sum := sha256.Sum256([]byte(sg.Explain()))
	return hex.EncodeToString(sum[:8])
}

func (sg *StageGraph) Explain() string {
	var b strings.Builder
	g := sg.Graph
	shuffles := 0
	for _, st := range sg.Stages {
		shuffles += len(st.Channels)
	}
	fmt.Fprintf(&b, "%d nodes planned into %d stage(s), %d shuffle(s), %d materialized intermediate(s)\n",
		len(g.Nodes()), len(sg.Stages), shuffles, len(sg.Intermediates))
	for _, st := range sg.Stages {
		fmt.Fprintf(&b, "\nstage %d", st.ID)
		if len(st.Channels) == 0 {
			b.WriteString(" (map only)")
		}
		b.WriteString("\n")
		for _, in := range st.Inputs {
			n := g.Node(in.Node)
			switch {
			case in.Shuffled != nil:
				fmt.Fprintf(&b, "  map input: intermediate %s, already shuffle %d's map output\n", n.Label(), in.Shuffled.Index)
			case in.Intermediate:
				fmt.Fprintf(&b, "  map input: intermediate %s\n", n.Label())
			default:
				fmt.Fprintf(&b, "  map input: %s%s\n", n.Label(), describe(n))
			}
			sg.explainPhase(&b, st, in.Phase)
		}
		for _, ch := range st.Channels {
			gbk := g.Node(ch.GroupByKey)
			fmt.Fprintf(&b, "  shuffle %d: %s, groups as %s", ch.Index, gbk.Label(), keyType(gbk))
			if ch.Partitions > 0 {
				fmt.Fprintf(&b, ", %d partitions", ch.Partitions)
			}
			if p, ok := gbk.Payload.(Partitioner); ok {
				b.WriteString(", partitioned by " + p.PartitionedBy())
			}
			if ch.Combiner != NoNode {
				fmt.Fprintf(&b, ", map-side combiner %s", g.Node(ch.Combiner).Label())
			}
			b.WriteString("\n")
			fmt.Fprintf(&b, "  reduce %d:\n", ch.Index)
			sg.explainPhase(&b, st, ch.Reduce)
		}
	}
	if len(sg.Notes) > 0 {
		b.WriteString("\nnotes:\n")
		for _, n := range sg.Notes {
			fmt.Fprintf(&b, "  - %s\n", n)
		}
	}
	return b.String()
}

// explainPhase prints the phase as the tree of nodes it runs, from its entry.
func (sg *StageGraph) explainPhase(b *strings.Builder, st *Stage, ph *Phase) {
	seen := map[NodeID]bool{}
	var walk func(id NodeID, depth int)
	walk = func(id NodeID, depth int) {
		g := sg.Graph
		for _, c := range g.Consumers(id) {
			cn := g.Node(c)
			indent := strings.Repeat("  ", depth)
			switch {
			case ph.Has(c):
				if seen[c] {
					fmt.Fprintf(b, "%s-> %s (joins above)\n", indent, cn.Label())
					continue
				}
				seen[c] = true
				fmt.Fprintf(b, "%s-> %s%s%s%s\n", indent, cn.Label(), describe(cn), sides(g, cn), sg.materialized(ph, c))
				walk(c, depth+1)
			case cn.Op == OpGroupByKey && ph.Kind == MapPhase && st.ChannelOf(c) != nil:
				fmt.Fprintf(b, "%s-> shuffle %d (%s)\n", indent, st.ChannelOf(c).Index, cn.Label())
			}
		}
	}
	entry := sg.Graph.Node(ph.Entry)
	if ph.Kind == ReducePhase {
		fmt.Fprintf(b, "    %s%s\n", entry.Label(), sg.materialized(ph, entry.ID))
	}
	walk(ph.Entry, 2)
}

func (sg *StageGraph) materialized(ph *Phase, id NodeID) string {
	if !ph.Writes(id) {
		return ""
	}
	if ch := sg.ShuffledFor(id); ch != nil {
		how := ""
		if ch.Combiner != NoNode {
			how = ", combined"
		}
		return fmt.Sprintf(" => materialized as stage %d's shuffle %d map output%s", ch.Reduce.Stage, ch.Index, how)
	}
	if users := sg.Graph.SideUsers(id); len(users) > 0 {
		var names []string
		for _, u := range users {
			names = append(names, sg.Graph.Node(u).Label())
		}
		return " => materialized as a side input of " + strings.Join(names, ", ")
	}
	return " => materialized"
}

// sides names a node's side inputs, and says how a source side input is
// read, since no phase of the plan reads or writes it.
func sides(g *Graph, n *Node) string {
	if len(n.Side) == 0 {
		return ""
	}
	var names []string
	for _, id := range n.Side {
		s := g.Node(id)
		name := s.Label()
		if s.Op == OpSource {
			name += ", read " + fromSource(s) + " by every task"
		}
		names = append(names, name)
	}
	return " (side input " + strings.Join(names, "; ") + ")"
}

// fromSource says where source n is read from.
func fromSource(n *Node) string {
	if _, ok := n.Payload.(FileSource); ok {
		return "from its files"
	}
	return "from its source"
}

func describe(n *Node) string {
	switch p := n.Payload.(type) {
	case SourcePayload:
		return " [" + p.Describe() + "]"
	case SinkPayload:
		return " [" + p.URL() + "]"
	}
	return ""
}

func keyType(n *Node) string {
	if n.Type == nil {
		return "?"
	}
	// The output type is Pair[K, iter.Seq[V]]; show it whole, it names K.
	return n.Type.String()
}

// DOT renders the stage graph for Graphviz: a cluster per stage holding its
// phases, nodes labelled with their transform, shuffles as bold edges and
// materialized intermediates as dashed ones.
func (sg *StageGraph) DOT() string {
	var b strings.Builder
	g := sg.Graph
	b.WriteString("digraph plan {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n")
	placed := map[NodeID]bool{}
	for _, st := range sg.Stages {
		fmt.Fprintf(&b, "  subgraph cluster_stage%d {\n    label=\"stage %d\"; style=rounded; color=gray40;\n", st.ID, st.ID)
		for i, ph := range st.Phases() {
			fmt.Fprintf(&b, "    subgraph cluster_s%dp%d {\n      label=%q; style=dashed; color=gray70;\n", st.ID, i, phaseLabel(g, ph))
			ids := ph.Nodes
			if g.Node(ph.Entry).Op != OpSource || !placed[ph.Entry] {
				if ph.Kind == ReducePhase || g.Node(ph.Entry).Op == OpSource {
					ids = append([]NodeID{ph.Entry}, ids...)
				}
			}
			for _, id := range ids {
				if placed[id] {
					continue // a node replicated into several phases is drawn once
				}
				placed[id] = true
				n := g.Node(id)
				fmt.Fprintf(&b, "      n%d [label=%q%s];\n", id, n.Label()+"\n"+n.Op.String(), shape(n))
			}
			b.WriteString("    }\n")
		}
		b.WriteString("  }\n")
	}
	for _, n := range g.Nodes() {
		if !placed[n.ID] {
			fmt.Fprintf(&b, "  n%d [label=%q%s];\n", n.ID, n.Label()+"\n"+n.Op.String(), shape(n))
		}
	}
	inter := map[NodeID]bool{}
	for _, id := range sg.Intermediates {
		inter[id] = true
	}
	for _, n := range g.Nodes() {
		for _, in := range n.Inputs {
			attr := ""
			switch {
			case n.Op == OpGroupByKey:
				attr = " [style=bold, label=\"shuffle\"]"
			case inter[in] && crossesStage(sg, in, n.ID):
				attr = " [style=dashed, label=\"materialized\"]"
			}
			fmt.Fprintf(&b, "  n%d -> n%d%s;\n", in, n.ID, attr)
		}
		for _, in := range n.Side {
			fmt.Fprintf(&b, "  n%d -> n%d [style=dashed, label=\"side input\"];\n", in, n.ID)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

func crossesStage(sg *StageGraph, from, to NodeID) bool {
	for _, st := range sg.Stages {
		for _, ph := range st.Phases() {
			if (ph.Has(from) || ph.Entry == from && ph.Kind == ReducePhase) && ph.Has(to) {
				return false
			}
		}
	}
	return true
}

func phaseLabel(g *Graph, ph *Phase) string {
	if ph.Kind == ReducePhase {
		return fmt.Sprintf("reduce %d", ph.Channel)
	}
	return "map " + g.Node(ph.Entry).Label()
}

func shape(n *Node) string {
	switch n.Op {
	case OpSource, OpSink:
		return ", shape=cylinder"
	case OpGroupByKey:
		return ", shape=diamond"
	case OpMaterialize:
		return ", shape=note"
	}
	return ""
}
