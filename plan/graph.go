package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Op is the kind of a node. The set is closed: every transform of the typed
// layer is built from these.
type Op uint8

const (
	OpSource        Op = iota + 1 // reads external data; no inputs
	OpParDo                       // element-wise user function; one input
	OpGroupByKey                  // shuffles Pair[K,V] into Pair[K, iter.Seq[V]]; one input
	OpCombineValues               // folds each group of a GroupByKey; its one input is a GroupByKey
	OpFlatten                     // union of inputs of one type
	OpSink                        // writes its input to a directory of part files
	OpMaterialize                 // hands its input back to the driver after the run
)

var opNames = map[Op]string{
	OpSource: "Source", OpParDo: "ParDo", OpGroupByKey: "GroupByKey",
	OpCombineValues: "CombineValues", OpFlatten: "Flatten", OpSink: "Sink",
	OpMaterialize: "Materialize",
}

func (o Op) String() string {
	if s, ok := opNames[o]; ok {
		return s
	}
	return fmt.Sprintf("Op(%d)", o)
}

// NodeID identifies a node in its graph. IDs are dense and increase in the
// order nodes are added, which is a topological order.
type NodeID int

// Node is one transform in the graph.
type Node struct {
	ID     NodeID
	Op     Op
	Name   string   // transform name shown in plans and errors, e.g. "Filter"
	Caller string   // file:line where the user added the transform
	Inputs []NodeID // producers, in order
	// Side are side inputs of a ParDo: collections its function reads whole,
	// in every task, before its first element (a broadcast). The planner
	// materializes a computed one before the ParDo's phase runs; a Source
	// is read from the source by every task instead (SourceSide).
	Side    []NodeID
	Type    ElemType // element type of the output; the input's type for Sink and Materialize
	Payload any      // one of the *Payload interfaces, by Op; nil for Flatten
	// Scale estimates output size / input size, for placing fusion blocks;
	// 0 means the default for the op.
	Scale float64
}

// Label is the node's name and ID, as plans show it.
func (n *Node) Label() string { return fmt.Sprintf("%s#%d", n.Name, n.ID) }

// CheckInput wraps in, the input of ParDo node n, in its input type's
// CheckUnmodified, naming n and where it was added.
func (g *Graph) CheckInput(n *Node, in Emitter) Emitter {
	return g.Node(n.Inputs[0]).Type.CheckUnmodified(in, fmt.Sprintf("%s (%s)", n.Label(), n.Caller))
}

// Graph is the untyped graph of a pipeline. It is append-only.
type Graph struct {
	nodes     []*Node
	consumers [][]NodeID
	sideUsers [][]NodeID
	// listed, in a planner's pruned view of a graph (see Prune), are the
	// nodes Nodes returns; the others keep their IDs but are not listed.
	listed []*Node
}

// Add appends n, assigns its ID and returns it. Inputs must already be in the graph.
func (g *Graph) Add(n *Node) NodeID {
	if g.listed != nil {
		panic("plan: adding to a plan's pruned view of a graph")
	}
	n.ID = NodeID(len(g.nodes))
	for _, in := range n.Inputs {
		if in < 0 || int(in) >= len(g.nodes) {
			panic(fmt.Sprintf("plan: node %s has unknown input %d", n.Name, in))
		}
		g.consumers[in] = append(g.consumers[in], n.ID)
	}
	for _, in := range n.Side {
		if in < 0 || int(in) >= len(g.nodes) {
			panic(fmt.Sprintf("plan: node %s has unknown side input %d", n.Name, in))
		}
		g.sideUsers[in] = append(g.sideUsers[in], n.ID)
	}
	g.nodes = append(g.nodes, n)
	g.consumers = append(g.consumers, nil)
	g.sideUsers = append(g.sideUsers, nil)
	return n.ID
}

// Node returns the node with the given ID.
func (g *Graph) Node(id NodeID) *Node { return g.nodes[id] }

// Nodes returns all nodes in topological (ID) order; in a plan's pruned
// view, those that run.
func (g *Graph) Nodes() []*Node {
	if g.listed != nil {
		return g.listed
	}
	return g.nodes
}

// Len is one more than the highest node ID: the number of nodes, counting
// those a pruned view does not list.
func (g *Graph) Len() int { return len(g.nodes) }

// Consumers returns the nodes that take id as an input, in ID order.
func (g *Graph) Consumers(id NodeID) []NodeID { return g.consumers[id] }

// SideUsers returns the nodes that take id as a side input, in ID order.
func (g *Graph) SideUsers(id NodeID) []NodeID { return g.sideUsers[id] }

// SourceSide reports whether id is a Source that a node takes as a side
// input. Such a side input is never materialized: every task that needs it
// reads it whole from the source itself (a small lookup file, say), as
// Crunch's map-side joins read a readable source. It is complete before
// any stage runs, so it moves none of its users to a later stage.
func (g *Graph) SourceSide(id NodeID) bool {
	return g.nodes[id].Op == OpSource && len(g.sideUsers[id]) > 0
}

// Fingerprint hashes the graph's structure: ops, names, callers, types and
// edges, and the content of payloads that carry data (ContentHasher). Two
// processes that built the same pipeline get the same fingerprint, which is
// how a worker proves it runs the driver's plan.
func (g *Graph) Fingerprint() string {
	h := sha256.New()
	for _, n := range g.nodes {
		typ := ""
		if n.Type != nil {
			typ = n.Type.String()
		}
		desc := ""
		switch p := n.Payload.(type) {
		case SourcePayload:
			desc = p.Describe()
		case SinkPayload:
			desc = p.URL()
		}
		fmt.Fprintf(h, "%d|%s|%s|%s|%s|%v|%s|%g", n.ID, n.Op, n.Name, n.Caller, typ, n.Inputs, desc, n.Scale)
		if len(n.Side) > 0 {
			fmt.Fprintf(h, "|side %v", n.Side)
		}
		if c, ok := n.Payload.(ContentHasher); ok {
			fmt.Fprintf(h, "|content %s", c.ContentHash())
		}
		fmt.Fprintln(h)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
