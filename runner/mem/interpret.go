package mem

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
)

// interpret runs the graph as built, one node at a time, keeping every
// node's whole output encoded in memory. It shares no code with the planner
// or the kernel, so it is a reference for them: the conformance suite checks
// that both give the same results.
func (e *exec) interpret(g *plan.Graph) error {
	out := make([][][]byte, g.Len())      // encoded outputs
	grouped := map[plan.NodeID][]record{} // GroupByKey outputs: sorted shuffle records
	tc := runner.NewTask(plan.TaskInfo{Role: "map"})
	defer func() { e.counters.Merge(tc.Counters()) }()
	for _, n := range g.Nodes() {
		collect := func(b []byte) { out[n.ID] = append(out[n.ID], bytes.Clone(b)) }
		// feed pushes the node's input(s) into in, then finishes.
		feed := func(in plan.Emitter) error {
			for _, id := range n.Inputs {
				if recs, ok := grouped[id]; ok {
					gp := g.Node(id).Payload.(plan.GroupByKeyPayload)
					read := gp.NewGroupReader(in)
					var prefix func([]byte) []byte
					if p, ok := gp.(plan.GroupPrefixer); ok {
						prefix = p.GroupPrefix
					}
					for key, values := range groups(recs, prefix) {
						if err := call(func() error { return read(key, values) }); err != nil {
							return onGroup(err, gp, key)
						}
					}
					continue
				}
				dec := g.Node(id).Type.NewDecoder(in)
				for _, r := range out[id] {
					if err := call(func() error { return dec(r) }); err != nil {
						return err
					}
				}
			}
			return nil
		}
		var err error
		switch n.Op {
		case plan.OpSource:
			src := n.Payload.(plan.SourcePayload)
			splits, serr := src.Splits(e.ctx, 1)
			if serr != nil {
				return serr
			}
			enc := n.Type.NewEncoder(collect)
			for _, s := range splits {
				if err = call(func() error { return src.Read(e.ctx, tc, s, enc) }); err != nil {
					break
				}
			}
		case plan.OpParDo, plan.OpCombineValues:
			var b plan.Bound
			b, err = n.Payload.(interface {
				Bind(plan.TaskContext, plan.Emitter) (plan.Bound, error)
			}).Bind(sides{tc, out}, n.Type.NewEncoder(collect))
			if err == nil {
				in := b.In
				if n.Op == plan.OpParDo {
					in = g.CheckInput(n, in)
				}
				err = feed(in)
				if err == nil {
					err = call(b.Finish)
				}
				b.Teardown()
			}
		case plan.OpFlatten:
			for _, id := range n.Inputs {
				out[n.ID] = append(out[n.ID], out[id]...)
			}
		case plan.OpGroupByKey:
			var recs []record
			w := n.Payload.(plan.GroupByKeyPayload).NewShuffleWriter(func(k, v []byte) {
				recs = append(recs, record{bytes.Clone(k), bytes.Clone(v)})
			})
			err = feed(w)
			slices.SortStableFunc(recs, func(a, b record) int { return bytes.Compare(a.key, b.key) })
			grouped[n.ID] = recs
		case plan.OpMaterialize:
			err = feed(n.Type.NewEncoder(func(b []byte) { e.collect[n.ID] = append(e.collect[n.ID], bytes.Clone(b)) }))
		case plan.OpSink:
			err = e.interpretSink(n, tc, feed)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// onGroup makes a user function's error name the group of key it failed
// on, as the kernel's reduce tasks do, though without a task: the
// interpreter runs none.
func onGroup(err error, gp plan.GroupByKeyPayload, key []byte) error {
	var te *plan.TransformError
	if errors.As(err, &te) && te.Input == "" {
		te.Input = plan.InputGroupIn(plan.DescribeKey(gp, key), "")
	}
	return err
}

// sides offers the interpreter's encoded outputs as side inputs.
type sides struct {
	plan.TaskContext
	out [][][]byte
}

func (s sides) ReadSide(id plan.NodeID, fn func([]byte) error) error {
	return eachRecord(s.out[id], fn)
}

func (e *exec) interpretSink(n *plan.Node, tc plan.TaskContext, feed func(plan.Emitter) error) error {
	sink := n.Payload.(plan.SinkPayload)
	attempt := "attempt_0_m_000000_0"
	var files taskFiles
	open := func(dir string, seq int) (io.Writer, func() error, error) {
		return files.create(e.ctx, e.committers[n.ID].TaskFile(attempt, runner.PartPath("part-m-00000"+sink.Ext(), dir, seq)))
	}
	var in plan.Emitter
	var closeFn func() error
	var err error
	if ps, ok := sink.(plan.PartitionedSinkPayload); ok && len(ps.PartitionKeys()) > 0 {
		in, closeFn, err = ps.NewPartitionedWriter(e.ctx, tc, open)
	} else {
		var w io.Writer
		if w, _, err = open("", 0); err == nil {
			in, closeFn, err = sink.NewWriter(e.ctx, tc, w)
		}
	}
	if err == nil {
		err = feed(in)
	}
	if err == nil {
		err = call(closeFn)
	}
	if err != nil {
		files.abort()
		return err
	}
	if err := files.close(); err != nil {
		return err
	}
	return e.committers[n.ID].CommitTask(e.ctx, attempt)
}

// call runs f, turning an Abort panic into its error.
func call(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if a, ok := r.(plan.Abort); ok {
				err = a.Err
				return
			}
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return f()
}
