package ptable

import (
	"slices"

	"github.com/crunchgo/crunchgo/pcollection"
)

// Intersect returns each distinct element that occurs in both a and b, once
// (Crunch's Set.intersection, Spark's intersection). One shuffle, with a
// lifted combiner: a map task sends each distinct element it read once.
func Intersect[T any](a, b pcollection.PCollection[T], opts ...pcollection.Option) pcollection.PCollection[T] {
	return setOp("Intersect", a, b, func(sides uint8) bool { return sides == inLeft|inRight }, opts)
}

// Subtract returns each distinct element of a that does not occur in b,
// once (Crunch's Set.difference). One shuffle, with a lifted combiner. To
// keep a's duplicates, or to subtract by key, use AntiJoin.
func Subtract[T any](a, b pcollection.PCollection[T], opts ...pcollection.Option) pcollection.PCollection[T] {
	return setOp("Subtract", a, b, func(sides uint8) bool { return sides == inLeft }, opts)
}

// The sides an element was seen on, as bits.
const (
	inLeft  uint8 = 1
	inRight uint8 = 2
)

// setOp tags each element with the side it came from, ORs the tags of equal
// elements (map-side first), and keeps the elements whose tags keep says.
func setOp[T any](name string, a, b pcollection.PCollection[T], keep func(sides uint8) bool, opts []pcollection.Option) pcollection.PCollection[T] {
	info := pcollection.Build(name, opts)
	pcollection.Must(info.SamePipeline(a.Pipeline(), b.Pipeline()))
	tag := func(side uint8, c pcollection.PCollection[T], label string) PTable[T, uint8] {
		return pcollection.Must(pcollection.AddFunc(c, pcollection.BuildInfo{Name: info.Name + "/" + label, Caller: info.Caller}, func(emit func(Pair[T, uint8])) func(T) {
			return func(v T) { emit(Pair[T, uint8]{Key: v, Value: side}) }
		}))
	}
	u := pcollection.Must(pcollection.TryUnion([]pcollection.PCollection[Pair[T, uint8]]{tag(inLeft, a, "tag-left"), tag(inRight, b, "tag-right")},
		pcollection.Name(info.Name+"/union")))
	// The caller's options (Partitions) apply to the shuffle, under its own name.
	g := pcollection.Must(TryGroupByKey(u, append(slices.Clone(opts), pcollection.Name(info.Name+"/group"))...))
	sides := pcollection.Must(TryAggregate(g, Aggregator[uint8, uint8, uint8](orAgg{}), pcollection.Name(info.Name+"/sides")))
	return pcollection.Must(pcollection.AddFunc(sides, pcollection.BuildInfo{Name: info.Name + "/keep", Caller: info.Caller}, func(emit func(T)) func(Pair[T, uint8]) {
		return func(p Pair[T, uint8]) {
			if keep(p.Value) {
				emit(p.Key)
			}
		}
	}))
}

// orAgg ORs bit sets.
type orAgg struct{}

func (orAgg) Init() uint8                { return 0 }
func (orAgg) Add(a uint8, v uint8) uint8 { return a | v }
func (orAgg) Merge(a, b uint8) uint8     { return a | b }
func (orAgg) Result(a uint8) uint8       { return a }

// SemiJoin keeps the pairs of a whose key occurs in b, with all their values
// and duplicates (a left semi join: Spark SQL's left_semi). b's values are
// dropped before the shuffle, and a's stream through the reducer, so no
// values are held in memory.
func SemiJoin[K, V, W any](a PTable[K, V], b PTable[K, W], opts ...pcollection.Option) PTable[K, V] {
	return existenceJoin("SemiJoin", a, b, true, opts)
}

// AntiJoin keeps the pairs of a whose key does not occur in b, with all their
// values and duplicates (Spark's subtractByKey, Spark SQL's left_anti). Like
// SemiJoin, it holds no values.
func AntiJoin[K, V, W any](a PTable[K, V], b PTable[K, W], opts ...pcollection.Option) PTable[K, V] {
	return existenceJoin("AntiJoin", a, b, false, opts)
}

// existenceJoin is a join with b's values replaced by struct{}, which take no
// memory however many the reducer holds for a key.
func existenceJoin[K, V, W any](name string, a PTable[K, V], b PTable[K, W], wantInRight bool, opts []pcollection.Option) PTable[K, V] {
	info := pcollection.Build(name, opts)
	keys := MapValues(b, func(W) struct{} { return struct{}{} }, pcollection.Name(info.Name+"/drop-values"))
	return join(name, a, keys, func(k K, x V, bs []struct{}, emit func(Pair[K, V])) {
		if (len(bs) > 0) == wantInRight {
			emit(Pair[K, V]{Key: k, Value: x})
		}
	}, nil, opts)
}
