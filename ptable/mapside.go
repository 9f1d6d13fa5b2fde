package ptable

import "github.com/crunchgo/crunchgo/pcollection"

// MapSideJoin is the inner join of a and b for a small b: every task of the
// join reads all of b into a hash table and streams a through it, so a is
// never shuffled (Crunch's map-side join, Spark's broadcast hash join). b is
// computed and written once, before the join's tasks run (a side input: see
// pcollection.FlatMapWithSide), and must fit in the memory of every task.
// The rows are those of Join.
func MapSideJoin[K comparable, A, B any](a PTable[K, A], b PTable[K, B], opts ...pcollection.Option) PTable[K, Pair[A, B]] {
	return mapSide("MapSideJoin", a, b, func(k K, x A, bs []B, emit func(Pair[K, Pair[A, B]])) {
		for _, y := range bs {
			emit(Pair[K, Pair[A, B]]{Key: k, Value: Pair[A, B]{Key: x, Value: y}})
		}
	}, opts)
}

// MapSideLeftJoin is LeftJoin for a small b, computed like MapSideJoin:
// every value of a, with b's values of its key, or nil where b has none.
func MapSideLeftJoin[K comparable, A, B any](a PTable[K, A], b PTable[K, B], opts ...pcollection.Option) PTable[K, Pair[A, *B]] {
	return mapSide("MapSideLeftJoin", a, b, func(k K, x A, bs []B, emit func(Pair[K, Pair[A, *B]])) {
		if len(bs) == 0 {
			emit(Pair[K, Pair[A, *B]]{Key: k, Value: Pair[A, *B]{Key: x}})
		}
		for _, y := range bs {
			// A copy per row: the table is shared by every element of the task.
			emit(Pair[K, Pair[A, *B]]{Key: k, Value: Pair[A, *B]{Key: x, Value: &y}})
		}
	}, opts)
}

// mapSide streams a past b's values indexed by key, calling fn for every
// element of a with the values of its key (none when b lacks the key).
func mapSide[K comparable, A, B, O any](name string, a PTable[K, A], b PTable[K, B], fn func(K, A, []B, func(O)), opts []pcollection.Option) pcollection.PCollection[O] {
	opts = append([]pcollection.Option{pcollection.Name(name)}, opts...)
	return pcollection.FlatMapWithSide(a, b, func(side []Pair[K, B]) (func(Pair[K, A], func(O)), error) {
		table := make(map[K][]B, len(side))
		for _, p := range side {
			table[p.Key] = append(table[p.Key], p.Value)
		}
		return func(p Pair[K, A], emit func(O)) { fn(p.Key, p.Value, table[p.Key], emit) }, nil
	}, opts...)
}
