package pcollection

import (
	"math"
	"reflect"

	"github.com/crunchgo/crunchgo/internal/splitmix"
	"github.com/crunchgo/crunchgo/plan"
)

// DoFn is a user function applied to every element, with a lifecycle: a
// fresh instance per task (a shallow copy of the value given to ParDo, so
// per-task state belongs in fields set by Setup), then Setup, Process for
// every element, Finish (which may emit), Teardown.
type DoFn[In, Out any] interface {
	Process(in In, emit func(Out)) error
}

// Setupper is implemented by DoFns that prepare per-task state.
type Setupper interface{ Setup(ctx *Context) error }

// Finisher is implemented by DoFns that emit after their last element.
type Finisher[Out any] interface{ Finish(emit func(Out)) error }

// Teardowner is implemented by DoFns that release resources; it runs even
// after a failure.
type Teardowner interface{ Teardown() }

// TryParDo applies fn to every element of c.
func TryParDo[In, Out any](c PCollection[In], fn DoFn[In, Out], opts ...Option) (PCollection[Out], error) {
	b := Build("ParDo", opts)
	p, err := b.SamePipeline(c.p)
	if err != nil {
		return PCollection[Out]{}, err
	}
	if fn == nil || isNilPointer(fn) {
		return PCollection[Out]{}, b.Errorf("nil DoFn")
	}
	id := p.AddNode(b, plan.OpParDo, TypeOf[Out](), &doFnPayload[In, Out]{fn: fn, site: b.Site()}, c.id)
	return PCollection[Out]{p: p, id: id}, nil
}

// ParDo is TryParDo that panics on misuse.
func ParDo[In, Out any](c PCollection[In], fn DoFn[In, Out], opts ...Option) PCollection[Out] {
	return Must(TryParDo(c, fn, opts...))
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

type doFnPayload[In, Out any] struct {
	fn   DoFn[In, Out]
	site Site
}

// fresh returns a per-task instance: a shallow copy of a pointer to struct.
func (d *doFnPayload[In, Out]) fresh() DoFn[In, Out] {
	rv := reflect.ValueOf(d.fn)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return d.fn
	}
	cp := reflect.New(rv.Elem().Type())
	cp.Elem().Set(rv.Elem())
	return cp.Interface().(DoFn[In, Out])
}

func (d *doFnPayload[In, Out]) Bind(tc plan.TaskContext, out plan.Emitter) (plan.Bound, error) {
	fn := d.fresh()
	emit := out.(func(Out))
	s := d.site
	if su, ok := fn.(Setupper); ok {
		if err := s.CallE(func() error { return su.Setup(NewContext(tc)) }); err != nil {
			return plan.Bound{}, err
		}
	}
	b := plan.Bound{
		In: func(v In) {
			s.CallErr(func() error { return fn.Process(v, emit) })
		},
		Finish:   func() error { return nil },
		Teardown: func() {},
	}
	if f, ok := fn.(Finisher[Out]); ok {
		b.Finish = func() error { return s.CallE(func() error { return f.Finish(emit) }) }
	}
	if t, ok := fn.(Teardowner); ok {
		b.Teardown = func() { _ = s.CallE(func() error { t.Teardown(); return nil }) }
	}
	return b, nil
}

// funcPayload is a ParDo built from a plain function: no lifecycle, and the
// cheapest per-element path.
type funcPayload[In, Out any] struct {
	bind func(emit func(Out)) func(In)
}

func (f *funcPayload[In, Out]) Bind(_ plan.TaskContext, out plan.Emitter) (plan.Bound, error) {
	return plan.Bound{In: f.bind(out.(func(Out))), Finish: func() error { return nil }, Teardown: func() {}}, nil
}

// AddFunc adds a ParDo node whose per-task kernel is made by bind. It is the
// building block of Map, FlatMap and Filter, and of element-wise transforms
// in other packages.
func AddFunc[In, Out any](c PCollection[In], b BuildInfo, bind func(emit func(Out)) func(In)) (PCollection[Out], error) {
	p, err := b.SamePipeline(c.p)
	if err != nil {
		return PCollection[Out]{}, err
	}
	id := p.AddNode(b, plan.OpParDo, TypeOf[Out](), &funcPayload[In, Out]{bind: bind}, c.id)
	return PCollection[Out]{p: p, id: id}, nil
}

// TryMap applies fn to every element.
func TryMap[In, Out any](c PCollection[In], fn func(In) Out, opts ...Option) (PCollection[Out], error) {
	b := Build("Map", opts)
	if fn == nil {
		return PCollection[Out]{}, b.Errorf("nil function")
	}
	s := b.Site()
	return AddFunc(c, b, func(emit func(Out)) func(In) {
		return func(v In) { emit(Call1(s, fn, v)) }
	})
}

// Map is TryMap that panics on misuse.
func Map[In, Out any](c PCollection[In], fn func(In) Out, opts ...Option) PCollection[Out] {
	return Must(TryMap(c, fn, opts...))
}

// TryFlatMap calls fn for every element; fn emits any number of outputs.
func TryFlatMap[In, Out any](c PCollection[In], fn func(in In, emit func(Out)), opts ...Option) (PCollection[Out], error) {
	b := Build("FlatMap", opts)
	if fn == nil {
		return PCollection[Out]{}, b.Errorf("nil function")
	}
	s := b.Site()
	call := unit(fn)
	return AddFunc(c, b, func(emit func(Out)) func(In) {
		return func(v In) { Call2(s, call, v, emit) }
	})
}

// FlatMap is TryFlatMap that panics on misuse.
func FlatMap[In, Out any](c PCollection[In], fn func(in In, emit func(Out)), opts ...Option) PCollection[Out] {
	return Must(TryFlatMap(c, fn, opts...))
}

// TryFilter keeps the elements for which keep returns true.
func TryFilter[T any](c PCollection[T], keep func(T) bool, opts ...Option) (PCollection[T], error) {
	b := Build("Filter", append([]Option{Scale(0.5)}, opts...))
	if keep == nil {
		return PCollection[T]{}, b.Errorf("nil function")
	}
	s := b.Site()
	return AddFunc(c, b, func(emit func(T)) func(T) {
		return func(v T) {
			if Call1(s, keep, v) {
				emit(v)
			}
		}
	})
}

// Filter is TryFilter that panics on misuse.
func Filter[T any](c PCollection[T], keep func(T) bool, opts ...Option) PCollection[T] {
	return Must(TryFilter(c, keep, opts...))
}

// TryUnion returns the elements of all cs (a Flatten).
func TryUnion[T any](cs []PCollection[T], opts ...Option) (PCollection[T], error) {
	b := Build("Union", opts)
	ps := make([]*Pipeline, len(cs))
	ids := make([]plan.NodeID, len(cs))
	for i, c := range cs {
		ps[i], ids[i] = c.p, c.id
	}
	p, err := b.SamePipeline(ps...)
	if err != nil {
		return PCollection[T]{}, err
	}
	id := p.AddNode(b, plan.OpFlatten, TypeOf[T](), nil, ids...)
	return PCollection[T]{p: p, id: id}, nil
}

// Union is TryUnion that panics on misuse.
func Union[T any](cs ...PCollection[T]) PCollection[T] {
	return Must(TryUnion(cs))
}

// NewSource adds a source node reading elements of T; the io packages build
// their Read functions on it. src.Read's emitter is a func(T).
func NewSource[T any](p *Pipeline, name string, src plan.SourcePayload, opts ...Option) PCollection[T] {
	b := Build(name, opts)
	if p == nil {
		panic(b.Errorf("nil pipeline"))
	}
	id := p.AddNode(b, plan.OpSource, TypeOf[T](), src)
	return PCollection[T]{p: p, id: id}
}

// NewSink adds a sink node writing c; the io packages build their Write
// functions on it. The sink's writer emitter must be a func(T).
func NewSink[T any](c PCollection[T], name string, sink plan.SinkPayload, opts ...Option) {
	b := Build(name, opts)
	p := Must(b.SamePipeline(c.p))
	p.AddNode(b, plan.OpSink, TypeOf[T](), sink, c.id)
}

// TrySample keeps each element of c with probability fraction (0 < fraction
// <= 1), as Spark's sample without replacement and Crunch's Sample do. The
// choice is pseudo-random but fixed by seed, the task and the element's
// position in the task's input, so a retried task keeps the same elements.
// Runners that split the input differently keep different elements.
func TrySample[T any](c PCollection[T], fraction float64, seed uint64, opts ...Option) (PCollection[T], error) {
	opts = append([]Option{Name("Sample"), Scale(fraction)}, opts...)
	if !(fraction > 0 && fraction <= 1) {
		return PCollection[T]{}, Build("Sample", opts).Errorf("fraction %v is not in (0, 1]", fraction)
	}
	// A 64-bit draw below threshold has probability fraction (within 2^-53).
	threshold := uint64(math.MaxUint64)
	if fraction < 1 {
		threshold = uint64(math.Ldexp(fraction, 64))
	}
	return TryParDo(c, &bernoulli[T]{threshold: threshold, seed: seed}, opts...)
}

// Sample is TrySample that panics on misuse.
func Sample[T any](c PCollection[T], fraction float64, seed uint64, opts ...Option) PCollection[T] {
	return Must(TrySample(c, fraction, seed, opts...))
}

type bernoulli[T any] struct {
	threshold, seed uint64
	task, n         uint64
}

func (b *bernoulli[T]) Setup(ctx *Context) error {
	info := ctx.Task()
	b.task, b.n = splitmix.TaskSeed(info.Stage, info.Task, b.seed), 0
	return nil
}

func (b *bernoulli[T]) Process(v T, emit func(T)) error {
	b.n++
	if b.threshold == math.MaxUint64 || splitmix.Mix64(b.task^b.n) < b.threshold {
		emit(v)
	}
	return nil
}
