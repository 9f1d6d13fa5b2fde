package ptable

import (
	"github.com/crunchgo/crunchgo/pcollection"
)

// AggregateGlobally folds every element of c with agg into one element
// (Beam's Combine.globally, Crunch's Aggregate over a PCollection, Spark's
// aggregate): c's values go to one group, so agg's combiner runs on the map
// side and each map task shuffles one partial accumulator. Its output holds
// exactly one element, also for an empty c: agg.Result(agg.Init()), which
// is 0 for Sum and CountValues and V's zero value for Min and Max (write an
// aggregator of your own to tell "none" apart).
func AggregateGlobally[V, A, O any](c pcollection.PCollection[V], agg Aggregator[V, A, O], opts ...pcollection.Option) pcollection.PCollection[O] {
	b := pcollection.Build("AggregateGlobally", opts)
	if agg == nil {
		panic(b.Errorf("nil aggregator"))
	}
	total := Aggregate(oneGroup(c, b), agg, pcollection.Name(b.Name+"/aggregate"))
	return pcollection.Must(pcollection.TryParDo(total, &orEmpty[O]{empty: func() O { return agg.Result(agg.Init()) }}, pcollection.Name(b.Name+"/result")))
}

// oneGroup groups every element of c under one key, in one partition, for
// a transform that folds the whole collection (its combiner runs on the map
// side, so each map task shuffles one partial result).
func oneGroup[T any](c pcollection.PCollection[T], b pcollection.BuildInfo) PGroupedTable[bool, T] {
	one := pcollection.Must(pcollection.AddFunc(c, pcollection.BuildInfo{Name: b.Name + "/single-key", Caller: b.Caller}, func(emit func(Pair[bool, T])) func(T) {
		return func(v T) { emit(Pair[bool, T]{Value: v}) }
	}))
	return GroupByKey(one, pcollection.Name(b.Name+"/group"), pcollection.Partitions(1))
}

// orEmpty passes on the one group's result, or, when its task saw none
// (the input was empty), the result of aggregating nothing.
type orEmpty[O any] struct {
	empty func() O
	seen  bool
}

func (e *orEmpty[O]) Process(p Pair[bool, O], emit func(O)) error {
	e.seen = true
	emit(p.Value)
	return nil
}

func (e *orEmpty[O]) Finish(emit func(O)) error {
	if !e.seen {
		emit(e.empty())
	}
	return nil
}
