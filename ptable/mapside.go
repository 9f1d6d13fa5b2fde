package ptable

import (
	"reflect"
	"sync"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/pcollection"
)

// MapSideJoin is the inner join of a and b for a small b: every task of the
// join reads all of b into a hash table and streams a through it, so a is
// never shuffled (Crunch's map-side join, Spark's broadcast hash join). b is
// computed and written once, before the join's tasks run, or, when it is a
// source, read from the source by every task (a side input: see
// pcollection.FlatMapWithSide), and must fit in the memory of every task.
// The rows are those of Join: keys match as the shuffle matches them, by
// their key encoding (NaN equals NaN, -0 equals +0, pointers compare by
// what they point to, times by instant), though a row keeps a's key as a
// had it. Keys with no key encoding, which Join refuses, match by ==.
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
	enc := equalityEncoding[K]()
	return pcollection.FlatMapWithSide(a, b, func(side []Pair[K, B]) (func(Pair[K, A], func(O)), error) {
		t := newSideTable(side, enc)
		if enc != nil {
			return func(p Pair[K, A], emit func(O)) { fn(p.Key, p.Value, t.encodedValues(p.Key), emit) }, nil
		}
		return func(p Pair[K, A], emit func(O)) { fn(p.Key, p.Value, t.plainValues(p.Key), emit) }, nil
	}, opts...)
}

// equalityEncoding returns what to compare keys of type K by so that they
// are equal when the shuffle groups them together: nil where Go's == on K
// is that equality already (or K has no key encoding, so nothing to agree
// with), else K's key encoding. Decided as the pipeline is built, it keeps
// the common keys (strings, integers) in Go maps, without encoding them.
func equalityEncoding[K comparable]() func(dst []byte, k K) []byte {
	kc, err := codec.KeyFor[K]()
	if err != nil {
		return nil
	}
	if !derivedCodec(kc) || !plainEquality(reflect.TypeFor[K]()) {
		return kc.Append
	}
	return nil
}

// plainEquality reports whether == on t is the equality of t's derived key
// encoding: for bools, integers and strings, and for structs and arrays of
// those, but not for floats (NaN, -0), pointers, time.Time, or structs with
// unexported fields (the encoding ignores them). The fields and elements of
// t must be of predeclared types, whose codecs are checked not to be
// registered: a registered codec may have an equality of its own.
func plainEquality(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Array:
		return plainBasic()[t.Elem()]
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); !f.IsExported() || !plainBasic()[f.Type] {
				return false
			}
		}
		return true
	}
	return isPlainKind(t.Kind())
}

func isPlainKind(k reflect.Kind) bool {
	switch k {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

// plainBasic holds the predeclared types of plain kinds whose key codecs
// are package codec's own. Codecs are registered in init functions, before
// any pipeline is built.
var plainBasic = sync.OnceValue(func() map[reflect.Type]bool {
	m := map[reflect.Type]bool{}
	add := func(t reflect.Type, c any, err error) { m[t] = err == nil && derivedCodec(c) }
	add(basicEntry[bool]())
	add(basicEntry[string]())
	add(basicEntry[int]())
	add(basicEntry[int8]())
	add(basicEntry[int16]())
	add(basicEntry[int32]())
	add(basicEntry[int64]())
	add(basicEntry[uint]())
	add(basicEntry[uint8]())
	add(basicEntry[uint16]())
	add(basicEntry[uint32]())
	add(basicEntry[uint64]())
	add(basicEntry[uintptr]())
	return m
})

func basicEntry[T any]() (reflect.Type, any, error) {
	c, err := codec.KeyFor[T]()
	return reflect.TypeFor[T](), c, err
}

// derivedCodec reports whether c is one of package codec's own codecs
// rather than one registered with codec.RegisterKey.
func derivedCodec(c any) bool {
	t := reflect.TypeOf(c)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() == codecPackage
}

var codecPackage = reflect.TypeFor[codec.TypeError]().PkgPath()

// sideTable indexes a side input's values by key. It holds them grouped by
// key in one slice, in side order within a key, rather than a slice per key:
// a side input of distinct keys would otherwise cost an allocation per row.
// Its lookups share a buffer: a table serves one task, whose elements come
// one at a time.
type sideTable[K comparable, B any] struct {
	byKey map[K]int                    // a key's group number, where enc is nil
	byEnc map[string]int               // else by the key's encoding
	enc   func(dst []byte, k K) []byte // see equalityEncoding
	buf   []byte
	start []int // group g's values are vals[start[g]:start[g+1]]
	vals  []B
}

func newSideTable[K comparable, B any](side []Pair[K, B], enc func(dst []byte, k K) []byte) *sideTable[K, B] {
	t := &sideTable[K, B]{enc: enc}
	if enc == nil {
		t.byKey = make(map[K]int, len(side))
	} else {
		t.byEnc = make(map[string]int, len(side))
	}
	of := make([]int, len(side)) // each row's group
	var count []int
	for i, p := range side {
		g, ok := t.group(p.Key)
		if !ok {
			g = len(count)
			if enc == nil {
				t.byKey[p.Key] = g
			} else {
				t.byEnc[string(t.buf)] = g // the encoding group just made
			}
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

// group returns k's group number, if the side input has k.
func (t *sideTable[K, B]) group(k K) (int, bool) {
	if t.enc == nil {
		g, ok := t.byKey[k]
		return g, ok
	}
	t.buf = t.enc(t.buf[:0], k)
	g, ok := t.byEnc[string(t.buf)]
	return g, ok
}

// values returns k's values, none when the side input lacks k. The slice's
// capacity ends with it, so that appending to it cannot touch another key's.
func (t *sideTable[K, B]) values(k K) []B {
	if t.enc != nil {
		return t.encodedValues(k)
	}
	return t.plainValues(k)
}

// plainValues is values for a table without enc. Unlike values, which has
// both paths, it is small enough to be inlined into a join's loop: a lookup
// through values took 15% longer (BenchmarkSideTableString).
func (t *sideTable[K, B]) plainValues(k K) []B {
	g, ok := t.byKey[k]
	if !ok {
		return nil
	}
	return t.vals[t.start[g]:t.start[g+1]:t.start[g+1]]
}

// encodedValues is values for a table with enc.
func (t *sideTable[K, B]) encodedValues(k K) []B {
	g, ok := t.group(k)
	if !ok {
		return nil
	}
	return t.vals[t.start[g]:t.start[g+1]:t.start[g+1]]
}
