package ptable

import (
	"github.com/crunchgo/crunchgo/pcollection"
)

// Pair is a key with a value: the element type of a PTable. Written as-is
// to Avro, Parquet, JSON lines or CSV, it is a record of fields key and
// value, as Avro's own pair schema has them.
type Pair[K, V any] struct {
	Key   K `avro:"key" parquet:"key" json:"key" csv:"key"`
	Value V `avro:"value" parquet:"value" json:"value" csv:"value"`
}

// KV makes a Pair.
func KV[K, V any](k K, v V) Pair[K, V] { return Pair[K, V]{Key: k, Value: v} }

// Triple is three values: Join3 gives one for each combination of the
// three tables' values of a key. Written as-is it is a record of fields a,
// b and c (in Avro a record named Triple), in the order of Join3's tables.
type Triple[A, B, C any] struct {
	A A `avro:"a" parquet:"a" json:"a" csv:"a"`
	B B `avro:"b" parquet:"b" json:"b" csv:"b"`
	C C `avro:"c" parquet:"c" json:"c" csv:"c"`
}

// PTable is a collection of key-value pairs. It is a PCollection, so every
// transform of package pcollection applies to it.
type PTable[K, V any] = pcollection.PCollection[Pair[K, V]]

// TryByKey pairs every element with the key extracted by key.
func TryByKey[T, K any](c pcollection.PCollection[T], key func(T) K, opts ...pcollection.Option) (PTable[K, T], error) {
	b := pcollection.Build("ByKey", opts)
	if key == nil {
		return PTable[K, T]{}, b.Errorf("nil key function")
	}
	s := b.Site()
	return pcollection.AddFunc(c, b, func(emit func(Pair[K, T])) func(T) {
		return func(v T) { emit(Pair[K, T]{Key: pcollection.Call1(s, key, v), Value: v}) }
	})
}

// ByKey is TryByKey that panics on misuse.
func ByKey[T, K any](c pcollection.PCollection[T], key func(T) K, opts ...pcollection.Option) PTable[K, T] {
	return pcollection.Must(TryByKey(c, key, opts...))
}

// Keys returns the keys of t.
func Keys[K, V any](t PTable[K, V], opts ...pcollection.Option) pcollection.PCollection[K] {
	b := pcollection.Build("Keys", opts)
	return pcollection.Must(pcollection.AddFunc(t, b, func(emit func(K)) func(Pair[K, V]) {
		return func(p Pair[K, V]) { emit(p.Key) }
	}))
}

// Values returns the values of t.
func Values[K, V any](t PTable[K, V], opts ...pcollection.Option) pcollection.PCollection[V] {
	b := pcollection.Build("Values", opts)
	return pcollection.Must(pcollection.AddFunc(t, b, func(emit func(V)) func(Pair[K, V]) {
		return func(p Pair[K, V]) { emit(p.Value) }
	}))
}

// TryMapValues applies fn to every value, keeping the keys.
func TryMapValues[K, V, W any](t PTable[K, V], fn func(V) W, opts ...pcollection.Option) (PTable[K, W], error) {
	b := pcollection.Build("MapValues", opts)
	if fn == nil {
		return PTable[K, W]{}, b.Errorf("nil function")
	}
	s := b.Site()
	return pcollection.AddFunc(t, b, func(emit func(Pair[K, W])) func(Pair[K, V]) {
		return func(p Pair[K, V]) { emit(Pair[K, W]{Key: p.Key, Value: pcollection.Call1(s, fn, p.Value)}) }
	})
}

// MapValues is TryMapValues that panics on misuse.
func MapValues[K, V, W any](t PTable[K, V], fn func(V) W, opts ...pcollection.Option) PTable[K, W] {
	return pcollection.Must(TryMapValues(t, fn, opts...))
}
