package ptable

import (
	"cmp"
	"math"
	"math/big"
	"reflect"
	"slices"
	"unsafe"
)

// Number is the constraint of the numeric aggregators.
type Number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// Sum adds the values in V, as Go does: integers wrap on overflow
// (Sum[int8] of 100 and 100 is -56; Beam's Sum and Crunch's SUM_LONGS
// wrap too, where Spark widens to a long first), so sum a wider type to
// avoid it. Floating-point sums depend on how the input was split into
// tasks, since addition rounds: runners, worker counts and combiner lifting
// may differ in the last bits.
func Sum[V Number]() Aggregator[V, V, V] { return sumAgg[V]{} }

type sumAgg[V Number] struct{}

func (sumAgg[V]) Init() V        { return 0 }
func (sumAgg[V]) Add(a V, v V) V { return a + v }
func (sumAgg[V]) Merge(a, b V) V { return a + b }
func (sumAgg[V]) Result(a V) V   { return a }

// SumRat adds exact decimals (*big.Rat, as Avro and Parquet decimals read),
// skipping nil values as SQL's SUM skips nulls: a group with no value but
// nil sums to nil. The values given are left as they are: each addition
// makes a new big.Rat (a group of one value gives that value itself).
func SumRat() Aggregator[*big.Rat, *big.Rat, *big.Rat] { return sumRatAgg{} }

type sumRatAgg struct{}

func (sumRatAgg) Init() *big.Rat               { return nil }
func (sumRatAgg) Add(a, v *big.Rat) *big.Rat   { return addRats(a, v) }
func (sumRatAgg) Merge(a, b *big.Rat) *big.Rat { return addRats(a, b) }
func (sumRatAgg) Result(a *big.Rat) *big.Rat   { return a }

// addRats returns a new a+b, or whichever is not nil.
func addRats(a, b *big.Rat) *big.Rat {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return new(big.Rat).Add(a, b)
}

// CountValues counts the values.
func CountValues[V any]() Aggregator[V, int64, int64] { return countAgg[V]{} }

type countAgg[V any] struct{}

func (countAgg[V]) Init() int64            { return 0 }
func (countAgg[V]) Add(a int64, _ V) int64 { return a + 1 }
func (countAgg[V]) Merge(a, b int64) int64 { return a + b }
func (countAgg[V]) Result(a int64) int64   { return a }

// Extreme is the accumulator of Min and Max: a value, or none yet.
type Extreme[V any] struct {
	Set bool
	V   V
}

// Min keeps the smallest value (NaN, if any, as cmp.Compare orders it
// below every number, where Spark orders it above; -0 rather than +0).
func Min[V cmp.Ordered]() Aggregator[V, Extreme[V], V] { return newExtreme[V](-1) }

// Max keeps the largest value (+0 rather than -0). NaN orders below every
// number, as cmp.Compare orders it, so Max ignores it unless every value is
// NaN (Spark orders NaN above every number).
func Max[V cmp.Ordered]() Aggregator[V, Extreme[V], V] { return newExtreme[V](1) }

type extremeAgg[V cmp.Ordered] struct {
	sign int
	// bits is the size of V when it is a float, else 0: cmp.Compare finds
	// -0 and +0 equal, and which one the group keeps must not depend on
	// the order its values arrive in (task numbers, worker count).
	bits int
}

func newExtreme[V cmp.Ordered](sign int) extremeAgg[V] {
	e := extremeAgg[V]{sign: sign}
	switch reflect.TypeFor[V]().Kind() {
	case reflect.Float32:
		e.bits = 32
	case reflect.Float64:
		e.bits = 64
	}
	return e
}

func (extremeAgg[V]) Init() Extreme[V] { return Extreme[V]{} }
func (e extremeAgg[V]) Add(a Extreme[V], v V) Extreme[V] {
	c := cmp.Compare(v, a.V) * e.sign
	if !a.Set || c > 0 || c == 0 && e.bits != 0 && e.negative(v) != e.negative(a.V) && e.negative(v) == (e.sign < 0) {
		return Extreme[V]{Set: true, V: v}
	}
	return a
}

// negative reports whether a float V has its sign bit set (-0 included).
func (e extremeAgg[V]) negative(v V) bool {
	if e.bits == 32 {
		return math.Signbit(float64(*(*float32)(unsafe.Pointer(&v))))
	}
	return math.Signbit(*(*float64)(unsafe.Pointer(&v)))
}
func (e extremeAgg[V]) Merge(a, b Extreme[V]) Extreme[V] {
	if !b.Set {
		return a
	}
	return e.Add(a, b.V)
}
func (extremeAgg[V]) Result(a Extreme[V]) V { return a.V }

// MeanAcc is the accumulator of Mean.
type MeanAcc struct {
	Sum   float64
	Count int64
}

// Mean averages the values (0 for an empty group), summing them as
// float64s: like a floating-point Sum, its last bits depend on how the
// input was split into tasks.
func Mean[V Number]() Aggregator[V, MeanAcc, float64] { return meanAgg[V]{} }

type meanAgg[V Number] struct{}

func (meanAgg[V]) Init() MeanAcc { return MeanAcc{} }
func (meanAgg[V]) Add(a MeanAcc, v V) MeanAcc {
	return MeanAcc{Sum: a.Sum + float64(v), Count: a.Count + 1}
}
func (meanAgg[V]) Merge(a, b MeanAcc) MeanAcc {
	return MeanAcc{Sum: a.Sum + b.Sum, Count: a.Count + b.Count}
}
func (meanAgg[V]) Result(a MeanAcc) float64 {
	if a.Count == 0 {
		return 0
	}
	return a.Sum / float64(a.Count)
}

// TopN keeps the n greatest values by less, greatest first. Ties are broken
// by nothing but less: make less a total order for deterministic results.
func TopN[V any](n int, less func(a, b V) bool) Aggregator[V, []V, []V] {
	if n <= 0 {
		panic("ptable: TopN needs n > 0")
	}
	if less == nil {
		panic("ptable: TopN needs a less function")
	}
	return topAgg[V]{n: n, less: less}
}

type topAgg[V any] struct {
	n    int
	less func(a, b V) bool
}

func (t topAgg[V]) Init() []V { return nil }

// Add keeps acc sorted greatest first and at most n long.
func (t topAgg[V]) Add(acc []V, v V) []V {
	if len(acc) == t.n && !t.less(acc[len(acc)-1], v) {
		return acc
	}
	i, _ := slices.BinarySearchFunc(acc, v, func(e, target V) int {
		if t.less(target, e) {
			return -1 // e is greater: target goes after it
		}
		if t.less(e, target) {
			return 1
		}
		return -1 // equal: after existing ones, so earlier arrivals win ties
	})
	acc = slices.Insert(acc, i, v)
	if len(acc) > t.n {
		acc = acc[:t.n]
	}
	return acc
}

func (t topAgg[V]) Merge(a, b []V) []V {
	for _, v := range b {
		a = t.Add(a, v)
	}
	return a
}
func (t topAgg[V]) Result(a []V) []V { return a }

// DistinctCount counts distinct values exactly, telling them apart as the
// shuffle tells keys apart (so as Distinct does): by their key encoding, in
// which NaN equals NaN, -0 equals +0, pointers compare by what they point to
// and times by instant. Values that have no key encoding compare by ==. Its
// accumulator holds every distinct value of a group, so it needs memory in
// proportion to them.
func DistinctCount[V comparable]() Aggregator[V, DistinctSet[V], int64] {
	return distinctAgg[V]{enc: equalityEncoding[V]()}
}

// DistinctSet is DistinctCount's accumulator: a group's distinct values.
// Values holds them where Go's == tells them apart as the shuffle does
// (strings, integers, and structs and arrays of those), Keys holds their
// key encodings otherwise; one of them stays empty.
type DistinctSet[V comparable] struct {
	Values map[V]struct{}
	Keys   map[string]struct{}
	buf    []byte // encodes the value being added; not part of the set
}

// CodecScratch marks buf as scratch space for codec.Dropped.
func (DistinctSet[V]) CodecScratch() {}

// Len is the number of distinct values in s.
func (s DistinctSet[V]) Len() int { return len(s.Values) + len(s.Keys) }

type distinctAgg[V comparable] struct {
	enc func(dst []byte, v V) []byte // see equalityEncoding
}

func (distinctAgg[V]) Init() DistinctSet[V] { return DistinctSet[V]{} }

func (d distinctAgg[V]) Add(a DistinctSet[V], v V) DistinctSet[V] {
	if d.enc == nil {
		if a.Values == nil {
			a.Values = map[V]struct{}{}
		}
		a.Values[v] = struct{}{}
		return a
	}
	if a.Keys == nil {
		a.Keys = map[string]struct{}{}
	}
	a.buf = d.enc(a.buf[:0], v)
	// A lookup first: an insert copies the key into a string, present or not.
	if _, ok := a.Keys[string(a.buf)]; !ok {
		a.Keys[string(a.buf)] = struct{}{}
	}
	return a
}

func (distinctAgg[V]) Merge(a, b DistinctSet[V]) DistinctSet[V] {
	if len(b.Values) > 0 && a.Values == nil {
		a.Values = make(map[V]struct{}, len(b.Values))
	}
	for v := range b.Values {
		a.Values[v] = struct{}{}
	}
	if len(b.Keys) > 0 && a.Keys == nil {
		a.Keys = make(map[string]struct{}, len(b.Keys))
	}
	for k := range b.Keys {
		a.Keys[k] = struct{}{}
	}
	return a
}

func (distinctAgg[V]) Result(a DistinctSet[V]) int64 { return int64(a.Len()) }
