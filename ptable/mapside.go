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
		t := newSideTable(side)
		return func(p Pair[K, A], emit func(O)) { fn(p.Key, p.Value, t.values(p.Key), emit) }, nil
	}, opts...)
}

// sideTable indexes a side input's values by key. It holds them grouped by
// key in one slice, in side order within a key, rather than a slice per key:
// a side input of distinct keys would otherwise cost an allocation per row.
type sideTable[K comparable, B any] struct {
	group map[K]int // a key's group number
	start []int     // group g's values are vals[start[g]:start[g+1]]
	vals  []B
}

func newSideTable[K comparable, B any](side []Pair[K, B]) *sideTable[K, B] {
	t := &sideTable[K, B]{group: make(map[K]int, len(side))}
	of := make([]int, len(side)) // each row's group
	var count []int
	for i, p := range side {
		g, ok := t.group[p.Key]
		if !ok {
			g = len(count)
			t.group[p.Key] = g
			count = append(count, 0)
		}
		of[i] = g
		count[g]++
	}
	t.start = make([]int, len(count)+1)
	for g, n := range count {
		t.start[g+1] = t.start[g] + n
	}
	next := count[:0] // reused as each group's next free slot
	next = append(next, t.start[:len(count)]...)
	t.vals = make([]B, len(side))
	for i, p := range side {
		t.vals[next[of[i]]] = p.Value
		next[of[i]]++
	}
	return t
}

// values returns k's values, none when the side input lacks k. The slice's
// capacity ends with it, so that appending to it cannot touch another key's.
func (t *sideTable[K, B]) values(k K) []B {
	g, ok := t.group[k]
	if !ok {
		return nil
	}
	return t.vals[t.start[g]:t.start[g+1]:t.start[g+1]]
}
