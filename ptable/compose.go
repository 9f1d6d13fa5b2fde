package ptable

// Both folds the same values with two aggregators at once, in one Aggregate
// and so one shuffle, as Crunch's pairAggregator, Beam's CombineFns.compose
// and Spark's agg(f, g) do. Its accumulator holds both accumulators and its
// result both results; nest it for more than two:
//
//	Both(CountValues[Play](), Both(
//		Over(func(p Play) int64 { return p.MsPlayed }, Mean[int64]()),
//		Over(func(p Play) string { return p.UserID }, DistinctCount[string]())))
//
// gives each group's plays, mean play length and distinct listeners, where
// three Aggregates would shuffle the plays three times and need two joins to
// bring the results together.
func Both[V, A1, O1, A2, O2 any](a Aggregator[V, A1, O1], b Aggregator[V, A2, O2]) Aggregator[V, Pair[A1, A2], Pair[O1, O2]] {
	if a == nil || b == nil {
		panic("ptable: Both needs two aggregators")
	}
	return bothAgg[V, A1, O1, A2, O2]{a: a, b: b}
}

type bothAgg[V, A1, O1, A2, O2 any] struct {
	a Aggregator[V, A1, O1]
	b Aggregator[V, A2, O2]
}

func (x bothAgg[V, A1, O1, A2, O2]) Init() Pair[A1, A2] {
	return Pair[A1, A2]{Key: x.a.Init(), Value: x.b.Init()}
}

func (x bothAgg[V, A1, O1, A2, O2]) Add(acc Pair[A1, A2], v V) Pair[A1, A2] {
	return Pair[A1, A2]{Key: x.a.Add(acc.Key, v), Value: x.b.Add(acc.Value, v)}
}

func (x bothAgg[V, A1, O1, A2, O2]) Merge(p, q Pair[A1, A2]) Pair[A1, A2] {
	return Pair[A1, A2]{Key: x.a.Merge(p.Key, q.Key), Value: x.b.Merge(p.Value, q.Value)}
}

func (x bothAgg[V, A1, O1, A2, O2]) Result(acc Pair[A1, A2]) Pair[O1, O2] {
	return Pair[O1, O2]{Key: x.a.Result(acc.Key), Value: x.b.Result(acc.Value)}
}

// Over folds what fn makes of each value with agg: an aggregate of one field
// of a record, such as Over(func(p Play) int64 { return p.MsPlayed },
// Sum[int64]()), typically within Both. fn runs on the map side too (where
// the planner lifts the aggregate into a combiner), so, like the functions
// of a ParDo, it must not change the value it is given.
func Over[V, W, A, O any](fn func(V) W, agg Aggregator[W, A, O]) Aggregator[V, A, O] {
	if fn == nil || agg == nil {
		panic("ptable: Over needs a function and an aggregator")
	}
	return overAgg[V, W, A, O]{fn: fn, agg: agg}
}

type overAgg[V, W, A, O any] struct {
	fn  func(V) W
	agg Aggregator[W, A, O]
}

func (x overAgg[V, W, A, O]) Init() A          { return x.agg.Init() }
func (x overAgg[V, W, A, O]) Add(acc A, v V) A { return x.agg.Add(acc, x.fn(v)) }
func (x overAgg[V, W, A, O]) Merge(a, b A) A   { return x.agg.Merge(a, b) }
func (x overAgg[V, W, A, O]) Result(acc A) O   { return x.agg.Result(acc) }
