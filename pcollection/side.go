package pcollection

import (
	"fmt"

	"github.com/crunchgo/crunchgo/internal/gcpace"
	"github.com/crunchgo/crunchgo/internal/progress"
	"github.com/crunchgo/crunchgo/plan"
)

// TryFlatMapWithSide is FlatMap with a side input: every task passes the
// whole of side to setup before its first element, and setup returns the
// function called for each element of c (it typically indexes side in a map
// first). A runner may decode side once per process and hand the same slice
// to that process's later tasks (the local runner does: see the counters
// CounterSideInputsDecoded and CounterSideInputsReused), so setup must not
// modify side's elements. The planner computes side and writes it
// once, before any task of this transform runs (in an earlier stage, or in
// the map phase of the stage whose reducer runs the transform); the tasks
// then read it instead of shuffling c. A side that is a source (a lookup
// file read with textio.Read, say) is not copied: every task reads it
// whole from the source, which delays the transform by no stage. That is
// a broadcast, as in Spark's broadcast hash join or Crunch's map-side
// join: side must fit in every task's memory.
func TryFlatMapWithSide[In, S, Out any](c PCollection[In], side PCollection[S], setup func(side []S) (func(in In, emit func(Out)), error), opts ...Option) (PCollection[Out], error) {
	b := Build("FlatMapWithSide", opts)
	p, err := b.SamePipeline(c.p, side.p)
	if err != nil {
		return PCollection[Out]{}, err
	}
	if setup == nil {
		return PCollection[Out]{}, b.Errorf("nil setup function")
	}
	payload := &sidePayload[In, S, Out]{side: side.id, setup: setup, site: b.Site(), typ: TypeOf[S]()}
	n := newNode(b, plan.OpParDo, TypeOf[Out](), payload, []plan.NodeID{c.id})
	n.Side = []plan.NodeID{side.id}
	id := p.g.Add(n)
	return PCollection[Out]{p: p, id: id}, nil
}

// FlatMapWithSide is TryFlatMapWithSide that panics on misuse.
func FlatMapWithSide[In, S, Out any](c PCollection[In], side PCollection[S], setup func(side []S) (func(in In, emit func(Out)), error), opts ...Option) PCollection[Out] {
	return Must(TryFlatMapWithSide(c, side, setup, opts...))
}

type sidePayload[In, S, Out any] struct {
	side  plan.NodeID
	setup func([]S) (func(In, func(Out)), error)
	site  Site
	typ   plan.ElemType
}

func (p *sidePayload[In, S, Out]) Bind(tc plan.TaskContext, out plan.Emitter) (plan.Bound, error) {
	r, ok := tc.(plan.SideReader)
	if !ok {
		return plan.Bound{}, fmt.Errorf("%s: the executor offers no side inputs", p.site)
	}
	all, err := p.load(tc, r)
	if err != nil {
		return plan.Bound{}, err
	}
	var fn func(In, func(Out))
	if err := p.site.CallE(func() (err error) {
		fn, err = p.setup(all)
		return err
	}); err != nil {
		return plan.Bound{}, err
	}
	if fn == nil {
		return plan.Bound{}, fmt.Errorf("%s: setup returned a nil function", p.site)
	}
	emit, call, s := out.(func(Out)), unit(fn), p.site
	return plan.Bound{
		In:       func(v In) { Call2(s, call, v, emit) },
		Finish:   func() error { return nil },
		Teardown: func() {},
	}, nil
}

// Counter names, in group "pcollection": how many tasks decoded a side
// input, and how many got it already decoded from an earlier task of their
// process (plan.SideCache).
const (
	CounterGroup             = "pcollection"
	CounterSideInputsDecoded = "side inputs decoded"
	CounterSideInputsReused  = "side inputs reused"
)

// load returns the side input's elements: those an earlier task of this
// process decoded, when the runner keeps them, else decoded now.
func (p *sidePayload[In, S, Out]) load(tc plan.TaskContext, r plan.SideReader) ([]S, error) {
	cache, _ := tc.(plan.SideCache)
	if cache != nil {
		if v, ok := cache.CachedSide(p.side); ok {
			if all, ok := v.([]S); ok {
				tc.Counter(CounterGroup, CounterSideInputsReused).Inc(1)
				return all, nil
			}
		}
	}
	// Nearly everything the load allocates is the side input itself, which
	// lives as long as the task: collections during the load would only
	// trace it again and again (they took half the load time of a table of
	// 100,000 string pairs).
	defer gcpace.Pause()()
	var all []S
	if sz, ok := r.(plan.SideSizer); ok {
		n, err := sz.SideLen(p.side)
		if err != nil {
			return nil, fmt.Errorf("%s: reading side input: %w", p.site, err)
		}
		all = make([]S, 0, n)
	}
	decode := p.typ.NewDecoder(func(v S) {
		all = append(all, v)
		progress.Mark() // a large side input takes a while before the first record
	})
	if err := r.ReadSide(p.side, decode); err != nil {
		return nil, fmt.Errorf("%s: reading side input: %w", p.site, err)
	}
	tc.Counter(CounterGroup, CounterSideInputsDecoded).Inc(1)
	if cache != nil {
		cache.StoreSide(p.side, all)
	}
	return all, nil
}
