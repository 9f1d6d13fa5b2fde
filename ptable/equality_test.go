package ptable_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

// BenchmarkMapSideJoin joins 100,000 plays to a catalogue of 1,000 tracks
// by string key: the fast path, whose keys index the side table directly.
func BenchmarkMapSideJoin(b *testing.B) {
	for b.Loop() {
		p := pcollection.NewPipeline("mapside")
		tracks, plays, matched := bloomSides(p)
		out := pcollection.Materialize(ptable.MapSideJoin(plays, tracks))
		run(p)
		if vs, _ := out.Values(); len(vs) != matched {
			b.Fatalf("%d joined pairs, want %d", len(vs), matched)
		}
	}
}

// The tests below hold the map-side joins and DistinctCount to the
// shuffle's equality of keys (package codec): NaN equals NaN, -0 equals +0,
// pointers compare by what they point to, times by instant, structs field by
// field. Go's == says otherwise for all of these.

type floatPtr struct {
	F float64
	P *string
}

func ptr[T any](v T) *T { return &v }

func runT(t *testing.T, p *pcollection.Pipeline) {
	t.Helper()
	if _, err := mem.Run(context.Background(), p, runner.Options{}); err != nil {
		t.Fatal(err)
	}
}

// canonical returns m's rows as their key encodings, sorted: rows that the
// shuffle cannot tell apart are equal.
func canonical[T any](t *testing.T, m *pcollection.Materialized[T]) []string {
	t.Helper()
	vs, err := m.Values()
	if err != nil {
		t.Fatal(err)
	}
	kc := codec.MustKeyFor[T]()
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(kc.Append(nil, v))
	}
	slices.Sort(out)
	return out
}

// checkMapSide runs the map-side joins of as and bs next to the reduce-side
// ones, which must give inner rows and left rows.
func checkMapSide[K comparable](t *testing.T, as, bs []ptable.Pair[K, string], inner, left int) {
	t.Helper()
	p := pcollection.NewPipeline("equality")
	a, b := pcollection.Of(p, as...), pcollection.Of(p, bs...)
	join := pcollection.Materialize(ptable.Join(a, b))
	mapJoin := pcollection.Materialize(ptable.MapSideJoin(a, b))
	leftJoin := pcollection.Materialize(ptable.LeftJoin(a, b))
	mapLeft := pcollection.Materialize(ptable.MapSideLeftJoin(a, b))
	runT(t, p)
	if want, got := canonical(t, join), canonical(t, mapJoin); len(want) != inner || !slices.Equal(got, want) {
		vs, _ := mapJoin.Values()
		t.Errorf("MapSideJoin gave %v: %d rows, Join's %d (want %d)", vs, len(got), len(want), inner)
	}
	if want, got := canonical(t, leftJoin), canonical(t, mapLeft); len(want) != left || !slices.Equal(got, want) {
		vs, _ := mapLeft.Values()
		t.Errorf("MapSideLeftJoin gave %v: %d rows differing from LeftJoin's %d (want %d)", vs, len(got), len(want), left)
	}
}

func TestMapSideJoinKeyEquality(t *testing.T) {
	negZero := math.Copysign(0, -1)
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	t.Run("float", func(t *testing.T) {
		checkMapSide(t,
			[]ptable.Pair[float64, string]{ptable.KV(math.NaN(), "a"), ptable.KV(negZero, "negzero"), ptable.KV(1.5, "x"), ptable.KV(2.0, "alone")},
			[]ptable.Pair[float64, string]{ptable.KV(math.NaN(), "B"), ptable.KV(0.0, "zero"), ptable.KV(1.5, "X"), ptable.KV(math.NaN(), "B2")},
			4, 5)
	})
	t.Run("pointer", func(t *testing.T) {
		checkMapSide(t,
			[]ptable.Pair[*string, string]{ptable.KV(ptr("k"), "a"), ptable.KV(ptr("k"), "a2"), ptable.KV((*string)(nil), "nil"), ptable.KV(ptr("other"), "alone")},
			[]ptable.Pair[*string, string]{ptable.KV(ptr("k"), "B"), ptable.KV((*string)(nil), "NIL")},
			3, 4)
	})
	t.Run("struct", func(t *testing.T) {
		checkMapSide(t,
			[]ptable.Pair[floatPtr, string]{ptable.KV(floatPtr{math.NaN(), ptr("p")}, "a"), ptable.KV(floatPtr{negZero, ptr("q")}, "b"), ptable.KV(floatPtr{0, nil}, "alone")},
			[]ptable.Pair[floatPtr, string]{ptable.KV(floatPtr{math.NaN(), ptr("p")}, "A"), ptable.KV(floatPtr{0, ptr("q")}, "B")},
			2, 3)
	})
	t.Run("time", func(t *testing.T) {
		checkMapSide(t,
			[]ptable.Pair[time.Time, string]{ptable.KV(at.In(time.FixedZone("CET", 3600)), "a"), ptable.KV(at.Add(time.Second), "alone")},
			[]ptable.Pair[time.Time, string]{ptable.KV(at, "A")},
			1, 2)
	})
	t.Run("string", func(t *testing.T) {
		checkMapSide(t,
			[]ptable.Pair[string, string]{ptable.KV("k", "a"), ptable.KV("", "empty"), ptable.KV("k\x00", "alone")},
			[]ptable.Pair[string, string]{ptable.KV("k", "A"), ptable.KV("", "E"), ptable.KV("k", "A2")},
			3, 4)
	})
}

// checkDistinct counts vs's distinct values with DistinctCount and with
// Distinct then Count, which must give want.
func checkDistinct[V comparable](t *testing.T, vs []V, want int64) {
	t.Helper()
	p := pcollection.NewPipeline("distinct")
	g := ptable.ByKey(pcollection.Of(p, vs...), func(V) string { return "g" })
	pairs := ptable.MapValues(g, func(v V) V { return v })
	exact := pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(pairs), ptable.DistinctCount[V]()))
	shuffled := pcollection.Materialize(ptable.Count(ptable.Keys(ptable.Distinct(pairs))))
	runT(t, p)
	e, _ := exact.Values()
	s, _ := shuffled.Values()
	if len(s) != 1 || s[0].Value != want {
		t.Fatalf("Distinct then Count gave %v, want %d", s, want)
	}
	if len(e) != 1 || e[0].Value != want {
		t.Errorf("DistinctCount gave %v, Distinct then Count %d", e, want)
	}
	// Where values meet depends on how the runner splits its input: fold
	// them in one accumulator, and in two merged, too.
	if one, merged := foldDistinct(ptable.DistinctCount[V](), vs); one != want || merged != want {
		t.Errorf("DistinctCount folding %v gave %d, merged %d, want %d", vs, one, merged, want)
	}
}

// foldDistinct adds vs to one accumulator, and every other one of them to
// a second, and returns the results of the first and of both merged.
func foldDistinct[V, A any](agg ptable.Aggregator[V, A, int64], vs []V) (one, merged int64) {
	a, b := agg.Init(), agg.Init()
	for i, v := range vs {
		a = agg.Add(a, v)
		if i%2 == 0 {
			b = agg.Add(b, v)
		}
	}
	one = agg.Result(a)
	return one, agg.Result(agg.Merge(b, a))
}

func TestDistinctCountEquality(t *testing.T) {
	negZero := math.Copysign(0, -1)
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	t.Run("float", func(t *testing.T) {
		checkDistinct(t, []float64{math.NaN(), math.NaN(), negZero, 0, 1}, 3)
	})
	t.Run("pointer", func(t *testing.T) {
		checkDistinct(t, []*string{ptr("x"), ptr("x"), ptr("x"), ptr("y"), nil, nil}, 3)
	})
	t.Run("struct", func(t *testing.T) {
		checkDistinct(t, []floatPtr{{math.NaN(), ptr("a")}, {math.NaN(), ptr("a")}, {negZero, ptr("a")}, {0, ptr("a")}, {0, nil}}, 3)
	})
	t.Run("time", func(t *testing.T) {
		checkDistinct(t, []time.Time{at, at.In(time.FixedZone("CET", 3600)), at.Add(time.Nanosecond)}, 2)
	})
	t.Run("string", func(t *testing.T) {
		checkDistinct(t, []string{"a", "a", "", "a\x00"}, 3)
	})
}
