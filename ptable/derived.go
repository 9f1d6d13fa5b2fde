package ptable

import (
	"iter"
	"slices"

	"github.com/crunchgo/crunchgo/pcollection"
)

// Count counts how often each distinct element occurs in c (Crunch's
// count): a shuffle with a lifted combiner.
func Count[T any](c pcollection.PCollection[T], opts ...pcollection.Option) PTable[T, int64] {
	b := pcollection.Build("Count", opts)
	ones := pcollection.Must(pcollection.AddFunc(c, pcollection.BuildInfo{Name: b.Name + "/ones", Caller: b.Caller}, func(emit func(Pair[T, int64])) func(T) {
		return func(v T) { emit(Pair[T, int64]{Key: v, Value: 1}) }
	}))
	g := GroupByKey(ones, append([]pcollection.Option{pcollection.Name(b.Name + "/group")}, opts...)...)
	return Aggregate(g, Sum[int64](), pcollection.Name(b.Name+"/sum"))
}

// Distinct returns each distinct element of c once.
func Distinct[T any](c pcollection.PCollection[T], opts ...pcollection.Option) pcollection.PCollection[T] {
	b := pcollection.Build("Distinct", opts)
	return Keys(Count(c, append([]pcollection.Option{pcollection.Name(b.Name)}, opts...)...), pcollection.Name(b.Name+"/keys"))
}

// Top returns the n greatest pairs of t by less, greatest first (a single
// group: each map task keeps its own top n, one reducer merges them).
func Top[K, V any](t PTable[K, V], n int, less func(a, b Pair[K, V]) bool, opts ...pcollection.Option) pcollection.PCollection[Pair[K, V]] {
	b := pcollection.Build("Top", opts)
	if n <= 0 || less == nil {
		panic(b.Errorf("Top needs n > 0 and a less function"))
	}
	top := Aggregate(oneGroup(t, b), TopN(n, less), pcollection.Name(b.Name+"/top"))
	return pcollection.Must(pcollection.AddFunc(top, pcollection.BuildInfo{Name: b.Name + "/flatten", Caller: b.Caller}, func(emit func(Pair[K, V])) func(Pair[bool, []Pair[K, V]]) {
		return func(p Pair[bool, []Pair[K, V]]) {
			for _, v := range p.Value {
				emit(v)
			}
		}
	}))
}

// Tagged is one value of a cogroup's input: exactly one of A and B is set.
type Tagged[A, B any] struct {
	A *A
	B *B
}

// Cogrouped is the pair of value lists that Cogroup gives for one key.
type Cogrouped[A, B any] struct {
	A []A
	B []B
}

// Cogroup groups a and b by key together: each key once, with all its values
// from either side. Both sides' values of one key are held in memory.
func Cogroup[K, A, B any](a PTable[K, A], b PTable[K, B], opts ...pcollection.Option) PTable[K, Cogrouped[A, B]] {
	info := pcollection.Build("Cogroup", opts)
	pcollection.Must(info.SamePipeline(a.Pipeline(), b.Pipeline())) // one pipeline, or a build error naming this transform
	u := tagSides(info, a, b, func(_ bool, t Tagged[A, B]) Tagged[A, B] { return t })
	g := pcollection.Must(TryGroupByKey(u, append([]pcollection.Option{pcollection.Name(info.Name + "/group")}, opts...)...))
	reduce := pcollection.BuildInfo{Name: info.Name + "/reduce", Caller: info.Caller}
	return pcollection.Must(reduceGroupsBound(g.p, reduce, g.node(), func(emit func(Pair[K, Cogrouped[A, B]])) func(K, iter.Seq[Tagged[A, B]]) error {
		var c Cogrouped[A, B]
		body := func(v Tagged[A, B]) bool {
			if v.A != nil {
				c.A = append(c.A, *v.A)
			} else if v.B != nil {
				c.B = append(c.B, *v.B)
			}
			return true
		}
		return func(k K, vs iter.Seq[Tagged[A, B]]) error {
			c = Cogrouped[A, B]{} // each group's lists are its own: they are emitted
			vs(body)
			emit(Pair[K, Cogrouped[A, B]]{Key: k, Value: c})
			return nil
		}
	}))
}

// tagSides wraps each value of a and of b in a Tagged (and that, with
// whether it came from a, in T) and unions both, for one shuffle of both
// sides by key.
func tagSides[K, A, B, T any](info pcollection.BuildInfo, a PTable[K, A], b PTable[K, B], wrap func(left bool, t Tagged[A, B]) T) PTable[K, T] {
	ta := tagSide(info, "tag-left", a, func(v A) T { return wrap(true, Tagged[A, B]{A: &v}) })
	tb := tagSide(info, "tag-right", b, func(v B) T { return wrap(false, Tagged[A, B]{B: &v}) })
	return pcollection.Must(pcollection.TryUnion([]pcollection.PCollection[Pair[K, T]]{ta, tb}, pcollection.Name(info.Name+"/union")))
}

// tagSide wraps each value of one input of a cogroup or join, in a
// transform named info's name and suffix.
func tagSide[K, V, T any](info pcollection.BuildInfo, suffix string, t PTable[K, V], wrap func(V) T) PTable[K, T] {
	return pcollection.Must(pcollection.AddFunc(t, pcollection.BuildInfo{Name: info.Name + "/" + suffix, Caller: info.Caller}, func(emit func(Pair[K, T])) func(Pair[K, V]) {
		return func(p Pair[K, V]) { emit(Pair[K, T]{Key: p.Key, Value: wrap(p.Value)}) }
	}))
}

// Tagged3 is one value of Cogroup3's input: exactly one of A, B and C is
// set.
type Tagged3[A, B, C any] struct {
	A *A
	B *B
	C *C
}

// Cogrouped3 is the three value lists that Cogroup3 gives for one key.
type Cogrouped3[A, B, C any] struct {
	A []A
	B []B
	C []C
}

// Cogroup3 groups a, b and c by key together (Crunch's three-table
// cogroup, Beam's CoGroupByKey): each key once, with all its values from
// each side, in one shuffle where chaining two Joins or Cogroups takes two.
// All three sides' values of one key are held in memory.
func Cogroup3[K, A, B, C any](a PTable[K, A], b PTable[K, B], c PTable[K, C], opts ...pcollection.Option) PTable[K, Cogrouped3[A, B, C]] {
	info := pcollection.Build("Cogroup3", opts)
	pcollection.Must(info.SamePipeline(a.Pipeline(), b.Pipeline(), c.Pipeline()))
	type T = Tagged3[A, B, C]
	u := pcollection.Must(pcollection.TryUnion([]pcollection.PCollection[Pair[K, T]]{
		tagSide(info, "tag-a", a, func(v A) T { return T{A: &v} }),
		tagSide(info, "tag-b", b, func(v B) T { return T{B: &v} }),
		tagSide(info, "tag-c", c, func(v C) T { return T{C: &v} }),
	}, pcollection.Name(info.Name+"/union")))
	g := pcollection.Must(TryGroupByKey(u, append([]pcollection.Option{pcollection.Name(info.Name + "/group")}, opts...)...))
	reduce := pcollection.BuildInfo{Name: info.Name + "/reduce", Caller: info.Caller}
	return pcollection.Must(reduceGroupsBound(g.p, reduce, g.node(), func(emit func(Pair[K, Cogrouped3[A, B, C]])) func(K, iter.Seq[T]) error {
		var lists Cogrouped3[A, B, C]
		body := func(v T) bool {
			switch {
			case v.A != nil:
				lists.A = append(lists.A, *v.A)
			case v.B != nil:
				lists.B = append(lists.B, *v.B)
			case v.C != nil:
				lists.C = append(lists.C, *v.C)
			}
			return true
		}
		return func(k K, vs iter.Seq[T]) error {
			lists = Cogrouped3[A, B, C]{} // each group's lists are its own: they are emitted
			vs(body)
			emit(Pair[K, Cogrouped3[A, B, C]]{Key: k, Value: lists})
			return nil
		}
	}))
}

// join is a reduce-side join that holds one key's right-side values and
// streams its left-side values: a secondary sort on (key, side), in which
// b's records of a key (side false) come before a's (true). For each key,
// left is called for every value of a with the values of b, then, if a had
// none, onlyRight with b's.
func join[K, A, B, O any](name string, a PTable[K, A], b PTable[K, B], left func(k K, x A, bs []B, emit func(O)), onlyRight func(k K, bs []B, emit func(O)), opts []pcollection.Option) pcollection.PCollection[O] {
	info := pcollection.Build(name, opts)
	pcollection.Must(info.SamePipeline(a.Pipeline(), b.Pipeline()))
	u := tagSides(info, a, b, func(left bool, t Tagged[A, B]) Pair[bool, Tagged[A, B]] {
		return Pair[bool, Tagged[A, B]]{Key: left, Value: t}
	})
	// The loop body is made once per task (see reduceGroupsBound); each
	// group gets a fresh bs, since LeftJoin and FullJoin emit pointers into it.
	return pcollection.Must(reduceSortedBound(pcollection.Build("ReduceSorted", append(slices.Clone(opts), pcollection.Name(info.Name))), u, func(emit func(O)) func(K, iter.Seq[Pair[bool, Tagged[A, B]]]) error {
		var (
			key     K
			bs      []B
			sawLeft bool
		)
		body := func(v Pair[bool, Tagged[A, B]]) bool {
			switch {
			case !v.Key && v.Value.B != nil:
				bs = append(bs, *v.Value.B)
			case v.Key && v.Value.A != nil:
				sawLeft = true
				left(key, *v.Value.A, bs, emit)
			}
			return true
		}
		return func(k K, vs iter.Seq[Pair[bool, Tagged[A, B]]]) error {
			key, bs, sawLeft = k, nil, false
			vs(body)
			if !sawLeft && onlyRight != nil {
				onlyRight(k, bs, emit)
			}
			return nil
		}
	}, ascending))
}

// Join is the inner join of a and b on their keys (reduce-side: one shuffle
// of both). It holds one key's values of b in memory and streams a's, so put
// the side with the larger groups on the left.
func Join[K, A, B any](a PTable[K, A], b PTable[K, B], opts ...pcollection.Option) PTable[K, Pair[A, B]] {
	return join("Join", a, b, func(k K, x A, bs []B, emit func(Pair[K, Pair[A, B]])) {
		for _, y := range bs {
			emit(Pair[K, Pair[A, B]]{Key: k, Value: Pair[A, B]{Key: x, Value: y}})
		}
	}, nil, opts)
}

// Join3 is the inner join of a, b and c on their keys (SQL's a JOIN b JOIN
// c ON the key): for each key, one Triple for every combination of its
// values in a, in b and in c; a key missing from any table gives nothing.
// It shuffles the three tables once, where two chained Joins shuffle twice.
// Like Join, it holds one key's values of b and of c in memory and streams
// a's (a secondary sort puts b's records of a key first, then c's, then
// a's), so put the table with the largest groups first.
func Join3[K, A, B, C any](a PTable[K, A], b PTable[K, B], c PTable[K, C], opts ...pcollection.Option) PTable[K, Triple[A, B, C]] {
	info := pcollection.Build("Join3", opts)
	pcollection.Must(info.SamePipeline(a.Pipeline(), b.Pipeline(), c.Pipeline()))
	type T = Pair[uint8, Tagged3[A, B, C]] // the side's rank in the sort, and the value
	u := pcollection.Must(pcollection.TryUnion([]pcollection.PCollection[Pair[K, T]]{
		tagSide(info, "tag-a", a, func(v A) T { return T{Key: 2, Value: Tagged3[A, B, C]{A: &v}} }),
		tagSide(info, "tag-b", b, func(v B) T { return T{Key: 0, Value: Tagged3[A, B, C]{B: &v}} }),
		tagSide(info, "tag-c", c, func(v C) T { return T{Key: 1, Value: Tagged3[A, B, C]{C: &v}} }),
	}, pcollection.Name(info.Name+"/union")))
	type O = Pair[K, Triple[A, B, C]]
	return pcollection.Must(reduceSortedBound(pcollection.Build("ReduceSorted", append(slices.Clone(opts), pcollection.Name(info.Name))), u, func(emit func(O)) func(K, iter.Seq[T]) error {
		var (
			key K
			bs  []B
			cs  []C
		)
		body := func(v T) bool {
			switch {
			case v.Value.B != nil:
				bs = append(bs, *v.Value.B)
			case v.Value.C != nil:
				cs = append(cs, *v.Value.C)
			case v.Value.A != nil:
				for _, y := range bs {
					for _, z := range cs {
						emit(O{Key: key, Value: Triple[A, B, C]{A: *v.Value.A, B: y, C: z}})
					}
				}
			}
			return true
		}
		return func(k K, vs iter.Seq[T]) error {
			key, bs, cs = k, nil, nil
			vs(body)
			return nil
		}
	}, ascending))
}

// LeftJoin keeps every value of a; the right side is nil where b has no
// value for the key. Like Join, it holds b's values of a key and streams a's.
func LeftJoin[K, A, B any](a PTable[K, A], b PTable[K, B], opts ...pcollection.Option) PTable[K, Pair[A, *B]] {
	return join("LeftJoin", a, b, func(k K, x A, bs []B, emit func(Pair[K, Pair[A, *B]])) {
		if len(bs) == 0 {
			emit(Pair[K, Pair[A, *B]]{Key: k, Value: Pair[A, *B]{Key: x}})
		}
		for i := range bs {
			emit(Pair[K, Pair[A, *B]]{Key: k, Value: Pair[A, *B]{Key: x, Value: &bs[i]}})
		}
	}, nil, opts)
}

// RightJoin keeps every value of b; the left side is nil where a has no
// value for the key. Like Join, it holds b's values of a key and streams a's.
func RightJoin[K, A, B any](a PTable[K, A], b PTable[K, B], opts ...pcollection.Option) PTable[K, Pair[*A, B]] {
	return join("RightJoin", a, b, func(k K, x A, bs []B, emit func(Pair[K, Pair[*A, B]])) {
		for _, y := range bs {
			emit(Pair[K, Pair[*A, B]]{Key: k, Value: Pair[*A, B]{Key: &x, Value: y}})
		}
	}, func(k K, bs []B, emit func(Pair[K, Pair[*A, B]])) {
		for _, y := range bs {
			emit(Pair[K, Pair[*A, B]]{Key: k, Value: Pair[*A, B]{Value: y}})
		}
	}, opts)
}

// FullJoin keeps every value of both sides; a side is nil where it has no
// value for the key. Like Join, it holds b's values of a key and streams a's.
func FullJoin[K, A, B any](a PTable[K, A], b PTable[K, B], opts ...pcollection.Option) PTable[K, Pair[*A, *B]] {
	return join("FullJoin", a, b, func(k K, x A, bs []B, emit func(Pair[K, Pair[*A, *B]])) {
		if len(bs) == 0 {
			emit(Pair[K, Pair[*A, *B]]{Key: k, Value: Pair[*A, *B]{Key: &x}})
		}
		for i := range bs {
			emit(Pair[K, Pair[*A, *B]]{Key: k, Value: Pair[*A, *B]{Key: &x, Value: &bs[i]}})
		}
	}, func(k K, bs []B, emit func(Pair[K, Pair[*A, *B]])) {
		for i := range bs {
			emit(Pair[K, Pair[*A, *B]]{Key: k, Value: Pair[*A, *B]{Value: &bs[i]}})
		}
	}, opts)
}
