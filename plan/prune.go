package plan

import (
	"fmt"
	"slices"
	"strings"
)

// Prune returns a view of g without the nodes whose output reaches no Sink
// or Materialize, through consumers or as a side input, and the labels of
// the nodes it left out. As in FlumeJava and Crunch, only what a job writes
// or materializes runs. The view keeps g's node IDs, which payloads hold
// (a side input's reader asks for its node by ID): its Nodes, Consumers and
// SideUsers leave the pruned nodes out, and Len still counts them. It
// returns g itself when every node counts.
func Prune(g *Graph) (*Graph, []string) {
	live := make([]bool, g.Len())
	var stack []NodeID
	for _, n := range g.Nodes() {
		if n.Op == OpSink || n.Op == OpMaterialize {
			live[n.ID] = true
			stack = append(stack, n.ID)
		}
	}
	for len(stack) > 0 {
		n := g.Node(stack[len(stack)-1])
		stack = stack[:len(stack)-1]
		for _, in := range slices.Concat(n.Inputs, n.Side) {
			if !live[in] {
				live[in] = true
				stack = append(stack, in)
			}
		}
	}
	var dropped []string
	for _, n := range g.Nodes() {
		if !live[n.ID] {
			dropped = append(dropped, n.Label())
		}
	}
	if len(dropped) == 0 {
		return g, nil
	}
	keep := func(ids []NodeID) []NodeID {
		return slices.DeleteFunc(slices.Clone(ids), func(id NodeID) bool { return !live[id] })
	}
	view := &Graph{nodes: g.nodes, consumers: make([][]NodeID, g.Len()), sideUsers: make([][]NodeID, g.Len())}
	for _, n := range g.Nodes() {
		if live[n.ID] {
			view.listed = append(view.listed, n)
			view.consumers[n.ID] = keep(g.consumers[n.ID])
			view.sideUsers[n.ID] = keep(g.sideUsers[n.ID])
		}
	}
	return view, dropped
}

// droppedNote says which transforms do not run.
func droppedNote(dropped []string) string {
	const most = 8
	list := strings.Join(dropped[:min(len(dropped), most)], ", ")
	if len(dropped) > most {
		list += fmt.Sprintf(" and %d more", len(dropped)-most)
	}
	return fmt.Sprintf("%d transform(s) lead to no sink or Materialize and do not run: %s", len(dropped), list)
}
