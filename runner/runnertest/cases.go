package runnertest

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/big"
	"slices"
	"strings"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/textio"
)

type kv = ptable.Pair[string, int64]

// joinSides are the two tables of the join cases.
func joinSides(p *pcollection.Pipeline) (ptable.PTable[string, int], ptable.PTable[string, string]) {
	return pcollection.Of(p, ptable.KV("a", 1), ptable.KV("a", 2), ptable.KV("b", 3), ptable.KV("c", 4)),
		pcollection.Of(p, ptable.KV("a", "x"), ptable.KV("b", "y"), ptable.KV("b", "z"), ptable.KV("d", "w"))
}

// wantInnerJoin is the inner join of joinSides, worked out by hand.
func wantInnerJoin() []ptable.Pair[string, ptable.Pair[int, string]] {
	return []ptable.Pair[string, ptable.Pair[int, string]]{ptable.KV("a", ptable.KV(1, "x")), ptable.KV("a", ptable.KV(2, "x")),
		ptable.KV("b", ptable.KV(3, "y")), ptable.KV("b", ptable.KV(3, "z"))}
}

// wantLeftJoin is the left join of joinSides, worked out by hand.
func wantLeftJoin() []ptable.Pair[string, ptable.Pair[int, *string]] {
	s := func(v string) *string { return &v }
	return []ptable.Pair[string, ptable.Pair[int, *string]]{ptable.KV("a", ptable.KV(1, s("x"))), ptable.KV("a", ptable.KV(2, s("x"))),
		ptable.KV("b", ptable.KV(3, s("y"))), ptable.KV("b", ptable.KV(3, s("z"))), ptable.KV("c", ptable.KV[int, *string](4, nil))}
}

// joinRef is the inner join of a and b, by hashing b: every process that
// builds a case works this out, workers included, so nested loops over
// 20,000 × 300 pairs would cost each task tens of milliseconds.
func joinRef[K comparable, A, B any](a []ptable.Pair[K, A], b []ptable.Pair[K, B]) []ptable.Pair[K, ptable.Pair[A, B]] {
	byKey := map[K][]B{}
	for _, y := range b {
		byKey[y.Key] = append(byKey[y.Key], y.Value)
	}
	var out []ptable.Pair[K, ptable.Pair[A, B]]
	for _, x := range a {
		for _, v := range byKey[x.Key] {
			out = append(out, ptable.KV(x.Key, ptable.KV(x.Value, v)))
		}
	}
	return out
}

// words is a small deterministic corpus with repeats, unicode and empty lines.
func words(n int) []string {
	vocab := []string{"apple", "banana", "cherry", "äpfel", "日本", "zebra", "", "a b c", "Ωmega"}
	out := make([]string, n)
	x := uint32(7)
	for i := range out {
		x = x*1664525 + 1013904223
		out[i] = vocab[int(x>>16)%len(vocab)]
	}
	return out
}

func countRef[T comparable](vs []T) map[T]int64 {
	m := map[T]int64{}
	for _, v := range vs {
		m[v]++
	}
	return m
}

func pairs[K comparable, V any](m map[K]V) []ptable.Pair[K, V] {
	var out []ptable.Pair[K, V]
	for k, v := range m {
		out = append(out, ptable.KV(k, v))
	}
	return out
}

// Event is a nested struct used as a value and, partly, as a key.
type Event struct {
	User    string
	Country string
	Ms      int64
	Score   float64
	Tags    []string
	Where   Place
	Skipped bool
}

// Place is nested in Event.
type Place struct {
	Lat, Lon float64
	City     *string
}

// CountryUser is a composite key.
type CountryUser struct {
	Country string
	User    string
}

func events(n int) []Event {
	countries := []string{"SE", "DE", "US", "BR", "JP"}
	cities := []string{"Malmö", "Köln", "NYC"}
	out := make([]Event, n)
	for i := range out {
		var city *string
		if i%3 != 0 {
			c := cities[i%len(cities)]
			city = &c
		}
		out[i] = Event{
			User:    fmt.Sprintf("u%03d", (i*7)%53),
			Country: countries[(i*i)%len(countries)],
			Ms:      int64((i*7919)%300_000) - 5000,
			Score:   float64(i%17) - 8.5,
			Tags:    strings.Fields(strings.Repeat("t ", i%4)),
			Where:   Place{Lat: float64(i) / 10, Lon: -float64(i) / 7, City: city},
			Skipped: i%5 == 0,
		}
	}
	return out
}

// Case is one pipeline of the suite: Build adds transforms to p and returns
// a function that checks the run's outcome.
type Case struct {
	Name string
	// Build makes the pipeline and returns its check.
	Build func(p *pcollection.Pipeline) Check
}

// Check verifies a run: err is the run's error.
type Check func(t T, res Outcome)

// T is the part of testing.TB the checks use.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Outcome is what a run produced.
type Outcome struct {
	Err      error
	Counters func(group, name string) int64
	// Plan is the plan the runner ran, or nil (an unoptimized or failed run).
	Plan *plan.StageGraph
	// Planned says the run was planned (not Options.Unoptimized), so
	// that a failed run's tasks were map and reduce tasks.
	Planned bool
}

// expect returns a check that the run succeeded and m holds want.
func expect[E any](m *pcollection.Materialized[E], want []E) Check {
	return expectValues(m, func(t T, got []E) {
		if d := diff(got, want); d != "" {
			t.Errorf("collections differ (-missing +extra):\n%s", d)
		}
	})
}

// expectValues returns a check that the run succeeded and that check
// accepts m's values.
func expectValues[E any](m *pcollection.Materialized[E], check func(t T, got []E)) Check {
	return func(t T, o Outcome) {
		t.Helper()
		if o.Err != nil {
			t.Fatalf("run failed: %v", o.Err)
		}
		got, err := m.Values()
		if err != nil {
			t.Fatalf("%v", err)
		}
		check(t, got)
	}
}

func all(checks ...Check) Check {
	return func(t T, o Outcome) {
		t.Helper()
		for _, c := range checks {
			c(t, o)
		}
	}
}

// Cases is the conformance suite.
var Cases = []Case{
	{"map-filter-flatmap", func(p *pcollection.Pipeline) Check {
		in := pcollection.Of(p, words(500)...)
		up := pcollection.Map(in, strings.ToUpper)
		long := pcollection.Filter(up, func(s string) bool { return len(s) > 5 })
		runes := pcollection.FlatMap(long, func(s string, emit func(string)) {
			for _, r := range s {
				emit(string(r))
			}
		})
		var want []string
		for _, w := range words(500) {
			if u := strings.ToUpper(w); len(u) > 5 {
				for _, r := range u {
					want = append(want, string(r))
				}
			}
		}
		return expect(pcollection.Materialize(runes), want)
	}},
	{"empty-input", func(p *pcollection.Pipeline) Check {
		in := pcollection.Of[string](p)
		counts := ptable.Count(in)
		m := pcollection.Materialize(pcollection.Map(in, strings.ToUpper))
		return all(expect(pcollection.Materialize(counts), nil), expect(m, nil))
	}},
	{"wordcount", func(p *pcollection.Pipeline) Check {
		in := pcollection.Of(p, words(2000)...)
		return expect(pcollection.Materialize(ptable.Count(in)), pairs(countRef(words(2000))))
	}},
	{"group-reduce-partitions", func(p *pcollection.Pipeline) Check {
		evs := events(1000)
		t := ptable.ByKey(pcollection.Of(p, evs...), func(e Event) string { return e.Country })
		g := ptable.GroupByKey(t, pcollection.Partitions(3))
		sums := ptable.Reduce(g, func(k string, vs iter.Seq[Event], emit func(kv)) error {
			var s int64
			for e := range vs {
				s += e.Ms
			}
			emit(ptable.KV(k, s))
			return nil
		})
		ref := map[string]int64{}
		for _, e := range evs {
			ref[e.Country] += e.Ms
		}
		return expect(pcollection.Materialize(sums), pairs(ref))
	}},
	{"aggregators", func(p *pcollection.Pipeline) Check {
		evs := events(800)
		t := ptable.ByKey(pcollection.Of(p, evs...), func(e Event) string { return e.Country })
		ms := ptable.MapValues(t, func(e Event) int64 { return e.Ms })
		g := ptable.GroupByKey(ms)
		sum := pcollection.Materialize(ptable.Aggregate(g, ptable.Sum[int64]()))
		cnt := pcollection.Materialize(ptable.Aggregate(g, ptable.CountValues[int64]()))
		mn := pcollection.Materialize(ptable.Aggregate(g, ptable.Min[int64]()))
		mx := pcollection.Materialize(ptable.CombineValues(g, func(a, b int64) int64 { return max(a, b) }))
		mean := pcollection.Materialize(ptable.Aggregate(g, ptable.Mean[int64]()))
		top := pcollection.Materialize(ptable.Aggregate(g, ptable.TopN(3, func(a, b int64) bool { return a < b })))
		users := ptable.MapValues(t, func(e Event) string { return e.User })
		distinct := pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(users), ptable.DistinctCount[string]()))

		rs, rc, rmn, rmx := map[string]int64{}, map[string]int64{}, map[string]int64{}, map[string]int64{}
		rmean, rtop, rusers := map[string]float64{}, map[string][]int64{}, map[string]map[string]bool{}
		for _, e := range evs {
			if _, ok := rmn[e.Country]; !ok {
				rmn[e.Country], rmx[e.Country] = e.Ms, e.Ms
				rusers[e.Country] = map[string]bool{}
			}
			rs[e.Country] += e.Ms
			rc[e.Country]++
			rmn[e.Country] = min(rmn[e.Country], e.Ms)
			rmx[e.Country] = max(rmx[e.Country], e.Ms)
			rtop[e.Country] = append(rtop[e.Country], e.Ms)
			rusers[e.Country][e.User] = true
		}
		rdist := map[string]int64{}
		for k := range rs {
			rmean[k] = float64(rs[k]) / float64(rc[k])
			slices.SortFunc(rtop[k], func(a, b int64) int { return cmp.Compare(b, a) })
			rtop[k] = rtop[k][:3]
			rdist[k] = int64(len(rusers[k]))
		}
		return all(expect(sum, pairs(rs)), expect(cnt, pairs(rc)), expect(mn, pairs(rmn)), expect(mx, pairs(rmx)),
			expectMean(mean, rmean), expect(top, pairs(rtop)), expect(distinct, pairs(rdist)))
	}},
	{"composed-aggregators", func(p *pcollection.Pipeline) Check {
		// Both and Over: one Aggregate (one shuffle, with a lifted
		// combiner) gives each country's plays, mean and longest length and
		// distinct users; AggregateGlobally the same over every event.
		evs := events(800)
		ms := func(e Event) int64 { return e.Ms }
		agg := ptable.Both(ptable.CountValues[Event](), ptable.Both(
			ptable.Both(ptable.Over(ms, ptable.Mean[int64]()), ptable.Over(ms, ptable.Max[int64]())),
			ptable.Over(func(e Event) string { return e.User }, ptable.DistinctCount[string]())))
		type stats = ptable.Pair[int64, ptable.Pair[ptable.Pair[float64, int64], int64]]
		t := ptable.ByKey(pcollection.Of(p, evs...), func(e Event) string { return e.Country })
		byCountry := pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(t, pcollection.Partitions(3)), agg))
		global := pcollection.Materialize(ptable.AggregateGlobally(pcollection.Of(p, evs...), agg))

		// Sums of these lengths are exact in any order, so means compare
		// exactly.
		ref := func(evs []Event) stats {
			var sum, longest int64 = 0, math.MinInt64
			users := map[string]bool{}
			for _, e := range evs {
				sum += e.Ms
				longest = max(longest, e.Ms)
				users[e.User] = true
			}
			n := int64(len(evs))
			return ptable.KV(n, ptable.KV(ptable.KV(float64(sum)/float64(n), longest), int64(len(users))))
		}
		perCountry := map[string][]Event{}
		for _, e := range evs {
			perCountry[e.Country] = append(perCountry[e.Country], e)
		}
		want := map[string]stats{}
		for k, es := range perCountry {
			want[k] = ref(es)
		}
		return all(expect(byCountry, pairs(want)), expect(global, []stats{ref(evs)}))
	}},
	{"approx-quantiles", func(p *pcollection.Pipeline) Check {
		// Sketches built in several map tasks, combined, shuffled and
		// merged: every estimate within the sketch's relative accuracy of
		// the exact value at its rank.
		qs := []float64{0, 0.1, 0.5, 0.95, 1}
		var recs []ptable.Pair[string, int64]
		for i := range 20000 {
			recs = append(recs, ptable.KV([]string{"SE", "DE", "US", "BR"}[i%4], int64((i*7919)%300_000)-5000))
		}
		recs = append(recs, ptable.KV("one", int64(77)))
		out := pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(pcollection.Of(p, recs...), pcollection.Partitions(3)),
			ptable.ApproxQuantiles[int64](qs...)))
		ref := map[string][]int64{}
		for _, r := range recs {
			ref[r.Key] = append(ref[r.Key], r.Value)
		}
		return expectValues(out, func(t T, got []ptable.Pair[string, []float64]) {
			if len(got) != len(ref) {
				t.Fatalf("%d groups, want %d", len(got), len(ref))
			}
			for _, g := range got {
				vs := slices.Sorted(slices.Values(ref[g.Key]))
				for i, q := range qs {
					want := float64(vs[int(q*float64(len(vs)-1))])
					if i >= len(g.Value) || math.Abs(g.Value[i]-want) > ptable.QuantileRelativeAccuracy*math.Abs(want)+1e-9 {
						t.Errorf("%s: quantile %v estimated as %v, exact %v", g.Key, q, g.Value, want)
					}
				}
			}
		})
	}},
	{"approx-distinct", func(p *pcollection.Pipeline) Check {
		// A HyperLogLog sketch counts a few dozen values exactly (it keeps
		// them as a sparse list), so the estimates are the exact counts.
		evs := events(800)
		t := ptable.ByKey(pcollection.Of(p, evs...), func(e Event) string { return e.Country })
		users := pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(ptable.MapValues(t, func(e Event) string { return e.User })),
			ptable.ApproxDistinctCount[string]()))
		ms := pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(ptable.MapValues(t, func(e Event) int64 { return e.Ms })),
			ptable.ApproxDistinctCount[int64]()))
		ru, rm := map[string]map[string]bool{}, map[string]map[int64]bool{}
		for _, e := range evs {
			if ru[e.Country] == nil {
				ru[e.Country], rm[e.Country] = map[string]bool{}, map[int64]bool{}
			}
			ru[e.Country][e.User] = true
			rm[e.Country][e.Ms] = true
		}
		wu, wm := map[string]int64{}, map[string]int64{}
		for k := range ru {
			wu[k], wm[k] = int64(len(ru[k])), int64(len(rm[k]))
		}
		return all(expect(users, pairs(wu)), expect(ms, pairs(wm)))
	}},
	{"secondary-sort", func(p *pcollection.Pipeline) Check {
		// One hot key with 20,000 values (larger than the smallest budget's
		// buffers, so merged in several passes), many small keys, keys and
		// sort values that are prefixes of each other or hold zero bytes.
		type rec = ptable.Pair[string, ptable.Pair[int64, string]]
		var recs []rec
		for i := range 20000 {
			recs = append(recs, ptable.KV("hot", ptable.KV(int64((i*7919)%20011)-10000, fmt.Sprint(i))))
		}
		for i := range 3000 {
			user := []string{"u", "u\x00", "u\x00\x00", "v", ""}[i%5] + fmt.Sprint(i%37)
			recs = append(recs, ptable.KV(user, ptable.KV(int64((i*31)%101)-50, []string{"", "a", "a\x00", "b"}[i%4])))
		}
		type summary struct {
			Key      string
			N        int
			Min, Max int64
			Sorted   bool
		}
		out := pcollection.Materialize(ptable.ReduceSorted(pcollection.Of(p, recs...),
			func(k string, vs iter.Seq[ptable.Pair[int64, string]], emit func(summary)) error {
				s := summary{Key: k, Min: math.MaxInt64, Max: math.MinInt64, Sorted: true}
				prev := int64(math.MinInt64)
				for v := range vs {
					s.N++
					s.Sorted = s.Sorted && v.Key >= prev
					prev = v.Key
					s.Min, s.Max = min(s.Min, v.Key), max(s.Max, v.Key)
				}
				emit(s)
				return nil
			}, pcollection.Partitions(3)))
		ref := map[string]*summary{}
		for _, r := range recs {
			s := ref[r.Key]
			if s == nil {
				s = &summary{Key: r.Key, Min: math.MaxInt64, Max: math.MinInt64, Sorted: true}
				ref[r.Key] = s
			}
			s.N++
			s.Min, s.Max = min(s.Min, r.Value.Key), max(s.Max, r.Value.Key)
		}
		var want []summary
		for _, s := range ref {
			want = append(want, *s)
		}
		return expect(out, want)
	}},
	{"secondary-sort-descending", func(p *pcollection.Pipeline) Check {
		// String sort values that are prefixes of each other or hold zero
		// bytes, where inverting their encodings must still reverse them;
		// one key with most of the values.
		type rec = ptable.Pair[int, ptable.Pair[string, int]]
		words := []string{"", "a", "a\x00", "a\x00\x00", "ab", "b", "\x00", "\xff"}
		var recs []rec
		for i := range 6000 {
			k := i % 7
			if i%2 == 0 {
				k = 100
			}
			recs = append(recs, ptable.KV(k, ptable.KV(words[(i*5)%len(words)]+fmt.Sprint(i%3), i)))
		}
		out := pcollection.Materialize(ptable.ReduceSortedDescending(pcollection.Of(p, recs...),
			func(k int, vs iter.Seq[ptable.Pair[string, int]], emit func(ptable.Pair[int, []string])) error {
				var ss []string
				for v := range vs {
					ss = append(ss, v.Key)
				}
				emit(ptable.KV(k, ss))
				return nil
			}, pcollection.Partitions(3)))
		ref := map[int][]string{}
		for _, r := range recs {
			ref[r.Key] = append(ref[r.Key], r.Value.Key)
		}
		var want []ptable.Pair[int, []string]
		for k, ss := range ref {
			slices.Sort(ss)
			slices.Reverse(ss)
			want = append(want, ptable.KV(k, ss))
		}
		return expect(out, want)
	}},
	{"decimal-sums", func(p *pcollection.Pipeline) Check {
		// Exact decimals (as Avro and Parquet decimals read) cross the
		// shuffle through a lifted combiner: sums of cents that floats
		// would round, amounts far beyond int64, and nil amounts skipped.
		type line struct {
			Country string
			Amount  *big.Rat
		}
		var lines []line
		for i := range 3000 {
			var amount *big.Rat
			if i%11 != 0 {
				amount = big.NewRat(int64(i%997)-400, 100) // -4.00 .. 5.96
				if i%13 == 0 {
					amount.Add(amount, new(big.Rat).SetFrac(new(big.Int).Exp(big.NewInt(10), big.NewInt(30), nil), big.NewInt(1)))
				}
			}
			lines = append(lines, line{[]string{"SE", "DE", "US"}[i%3], amount})
		}
		amounts := ptable.ByKey(pcollection.Of(p, lines...), func(l line) string { return l.Country })
		sums := ptable.CombineValues(ptable.GroupByKey(ptable.MapValues(amounts, func(l line) *big.Rat {
			if l.Amount == nil {
				return new(big.Rat)
			}
			return l.Amount
		})), func(a, b *big.Rat) *big.Rat { return new(big.Rat).Add(a, b) }, pcollection.Partitions(2))
		out := pcollection.Materialize(ptable.MapValues(sums, func(r *big.Rat) string { return r.FloatString(2) }))
		ref := map[string]*big.Rat{}
		for _, l := range lines {
			if ref[l.Country] == nil {
				ref[l.Country] = new(big.Rat)
			}
			if l.Amount != nil {
				ref[l.Country].Add(ref[l.Country], l.Amount)
			}
		}
		var want []ptable.Pair[string, string]
		for k, r := range ref {
			want = append(want, ptable.KV(k, r.FloatString(2)))
		}
		return expect(out, want)
	}},
	{"sample", func(p *pcollection.Pipeline) Check {
		const n, fraction = 20000, 0.3
		in := make([]int, n)
		for i := range in {
			in[i] = i
		}
		m := pcollection.Materialize(pcollection.Sample(pcollection.Of(p, in...), fraction, 5))
		return expectValues(m, func(t T, got []int) {
			slices.Sort(got)
			// Runners split differently, so each keeps other elements: a
			// subset of the input, within four standard deviations in size.
			if len(slices.Compact(slices.Clone(got))) != len(got) || (len(got) > 0 && (got[0] < 0 || got[len(got)-1] >= n)) {
				t.Errorf("the sample is not a subset of the input")
			}
			if want, slack := fraction*n, 4*math.Sqrt(n*fraction*(1-fraction)); math.Abs(float64(len(got))-want) > slack {
				t.Errorf("kept %d of %d, want %.0f ± %.0f", len(got), n, want, slack)
			}
		})
	}},
	{"joins", func(p *pcollection.Pipeline) Check {
		left, right := joinSides(p)
		inner := pcollection.Materialize(ptable.Join(left, right))
		leftJ := pcollection.Materialize(ptable.LeftJoin(left, right))
		rightJ := pcollection.Materialize(ptable.RightJoin(left, right))
		full := pcollection.Materialize(ptable.FullJoin(left, right))
		co := pcollection.Materialize(ptable.Cogroup(left, right))
		third := pcollection.Of(p, ptable.KV("a", 0.5), ptable.KV("c", 1.5), ptable.KV("c", 2.5), ptable.KV("e", 3.5))
		co3 := pcollection.Materialize(ptable.Cogroup3(left, right, third, pcollection.Partitions(2)))
		s := func(v string) *string { return &v }
		i := func(v int) *int { return &v }
		return all(
			expect(inner, wantInnerJoin()),
			expect(leftJ, wantLeftJoin()),
			expect(rightJ, []ptable.Pair[string, ptable.Pair[*int, string]]{ptable.KV("a", ptable.KV(i(1), "x")), ptable.KV("a", ptable.KV(i(2), "x")),
				ptable.KV("b", ptable.KV(i(3), "y")), ptable.KV("b", ptable.KV(i(3), "z")), ptable.KV("d", ptable.KV[*int](nil, "w"))}),
			expect(full, []ptable.Pair[string, ptable.Pair[*int, *string]]{ptable.KV("a", ptable.KV(i(1), s("x"))), ptable.KV("a", ptable.KV(i(2), s("x"))),
				ptable.KV("b", ptable.KV(i(3), s("y"))), ptable.KV("b", ptable.KV(i(3), s("z"))), ptable.KV("c", ptable.KV[*int, *string](i(4), nil)), ptable.KV("d", ptable.KV[*int](nil, s("w")))}),
			expectCogroup(co),
			expectCogroup3(co3),
		)
	}},
	{"join3", func(p *pcollection.Pipeline) Check {
		// By hand: joinSides and a third table share only key "a".
		left, right := joinSides(p)
		third := pcollection.Of(p, ptable.KV("a", 0.5), ptable.KV("a", 1.5), ptable.KV("c", 2.5), ptable.KV("e", 3.5))
		small := pcollection.Materialize(ptable.Join3(left, right, third))
		tri := func(a int, b string, c float64) ptable.Triple[int, string, float64] {
			return ptable.Triple[int, string, float64]{A: a, B: b, C: c}
		}
		// Generated: 40 keys, 25 values each in a, 5 in b (keys 0-29) and
		// 3 in c (keys 10-39), so 20 keys × 25 × 5 × 3 rows by reference.
		var a, b, c []ptable.Pair[int, int]
		for i := range 1000 {
			a = append(a, ptable.KV((i*7)%40, i))
		}
		for i := range 150 {
			b = append(b, ptable.KV(i%30, -i))
		}
		for i := range 90 {
			c = append(c, ptable.KV(10+i%30, 1000+i))
		}
		var want []ptable.Pair[int, ptable.Triple[int, int, int]]
		for _, ab := range joinRef(a, b) {
			for _, z := range c {
				if z.Key == ab.Key {
					want = append(want, ptable.KV(ab.Key, ptable.Triple[int, int, int]{A: ab.Value.Key, B: ab.Value.Value, C: z.Value}))
				}
			}
		}
		big := pcollection.Materialize(ptable.Join3(pcollection.Of(p, a...), pcollection.Of(p, b...), pcollection.Of(p, c...), pcollection.Partitions(3)))
		return all(
			expect(small, []ptable.Pair[string, ptable.Triple[int, string, float64]]{ptable.KV("a", tri(1, "x", 0.5)),
				ptable.KV("a", tri(1, "x", 1.5)), ptable.KV("a", tri(2, "x", 0.5)), ptable.KV("a", tri(2, "x", 1.5))}),
			expectValues(big, func(t T, got []ptable.Pair[int, ptable.Triple[int, int, int]]) {
				if len(want) != 20*25*5*3 {
					t.Fatalf("the reference join has %d rows, want %d", len(want), 20*25*5*3)
				}
				if d := diff(got, want); d != "" {
					t.Errorf("collections differ (-missing +extra):\n%s", d)
				}
			}),
		)
	}},
	{"set-ops-and-existence-joins", func(p *pcollection.Pipeline) Check {
		// Elements repeated on one side or both, only on one side, keys
		// that are prefixes of each other or hold zero bytes, and one key
		// with 20,000 values (streamed, merged in several passes under the
		// smallest budget). The expectations are worked out by reference.
		keys := []string{"", "a", "a\x00", "ab", "b", "hot", "z\xff"}
		var left []ptable.Pair[string, int]
		for i := range 3000 {
			left = append(left, ptable.KV(keys[(i*5)%len(keys)]+fmt.Sprint(i%11), i))
		}
		for i := range 20000 {
			left = append(left, ptable.KV("hot", -i))
		}
		var right []ptable.Pair[string, string]
		for i := range 400 {
			right = append(right, ptable.KV(keys[(i*3)%len(keys)]+fmt.Sprint(i%7), fmt.Sprint(i)))
		}
		right = append(right, ptable.KV("hot", "x"), ptable.KV("only-right", "y"))
		a, b := pcollection.Of(p, left...), pcollection.Of(p, right...)
		ka, kb := ptable.Keys(a), ptable.Keys(b)
		inter := pcollection.Materialize(ptable.Intersect(ka, kb, pcollection.Partitions(3)))
		sub := pcollection.Materialize(ptable.Subtract(ka, kb))
		semi := pcollection.Materialize(ptable.SemiJoin(a, b, pcollection.Partitions(3)))
		anti := pcollection.Materialize(ptable.AntiJoin(a, b))
		inRight := map[string]bool{}
		for _, r := range right {
			inRight[r.Key] = true
		}
		var wantInter, wantSub []string
		var wantSemi, wantAnti []ptable.Pair[string, int]
		seen := map[string]bool{}
		for _, l := range left {
			if inRight[l.Key] {
				wantSemi = append(wantSemi, l)
			} else {
				wantAnti = append(wantAnti, l)
			}
			if seen[l.Key] {
				continue
			}
			seen[l.Key] = true
			if inRight[l.Key] {
				wantInter = append(wantInter, l.Key)
			} else {
				wantSub = append(wantSub, l.Key)
			}
		}
		return all(expect(inter, wantInter), expect(sub, wantSub), expect(semi, wantSemi), expect(anti, wantAnti))
	}},
	{"bloom-join", func(p *pcollection.Pipeline) Check {
		// A small right side with repeated keys, a large left side whose
		// keys mostly miss it; string keys (hashed as they are) and struct
		// keys (hashed by their encoding); and an empty right side.
		var tracks []ptable.Pair[string, string]
		for i := range 300 {
			tracks = append(tracks, ptable.KV(fmt.Sprintf("t%d", i*17), fmt.Sprint("title ", i)))
		}
		tracks = append(tracks, ptable.KV("t17", "again"), ptable.KV("", "empty key"))
		var plays []ptable.Pair[string, int64]
		for i := range 20000 {
			plays = append(plays, ptable.KV(fmt.Sprintf("t%d", (i*7919)%30011), int64(i)))
		}
		plays = append(plays, ptable.KV("", int64(-1)))
		var users []ptable.Pair[CountryUser, int]
		var logins []ptable.Pair[CountryUser, bool]
		for i := range 2000 {
			cu := CountryUser{Country: []string{"SE", "DE"}[i%2], User: fmt.Sprint(i)}
			logins = append(logins, ptable.KV(cu, i%3 == 0))
			if i%10 == 0 {
				users = append(users, ptable.KV(cu, i))
			}
		}
		small, large := pcollection.Of(p, tracks...), pcollection.Of(p, plays...)
		joined := pcollection.Materialize(ptable.BloomJoin(large, small, len(tracks), pcollection.Partitions(3)))
		// Far fewer keys expected than there are: more false positives, the same join.
		under := pcollection.Materialize(ptable.BloomJoin(large, small, 1))
		counted := pcollection.Materialize(ptable.BloomJoin(large, small, 0, pcollection.Partitions(2)))
		structs := pcollection.Materialize(ptable.BloomJoin(pcollection.Of(p, logins...), pcollection.Of(p, users...), len(users)))
		none := pcollection.Materialize(ptable.BloomJoin(large, pcollection.Of[ptable.Pair[string, string]](p), 10))
		countedNone := pcollection.Materialize(ptable.BloomJoin(large, pcollection.Of[ptable.Pair[string, string]](p), 0))
		return all(expect(joined, joinRef(plays, tracks)), expect(under, joinRef(plays, tracks)),
			expect(counted, joinRef(plays, tracks)), expect(structs, joinRef(logins, users)), expect(none, nil),
			expect(countedNone, nil))
	}},
	{"aggregate-globally", func(p *pcollection.Pipeline) Check {
		evs := events(3001)
		var sum, biggest int64
		for _, e := range evs {
			sum += e.Ms
			biggest = max(biggest, e.Ms)
		}
		in := pcollection.Of(p, evs...)
		ms := pcollection.Map(in, func(e Event) int64 { return e.Ms })
		total := pcollection.Materialize(ptable.AggregateGlobally(ms, ptable.Sum[int64]()))
		top := pcollection.Materialize(ptable.AggregateGlobally(ms, ptable.Max[int64]()))
		count := pcollection.Materialize(ptable.AggregateGlobally(in, ptable.CountValues[Event]()))
		// Nothing to aggregate still gives one element: the aggregate of none.
		none := pcollection.Filter(ms, func(int64) bool { return false })
		noneCounted := ptable.AggregateGlobally(none, ptable.CountValues[int64]())
		noneCount := pcollection.Materialize(noneCounted)
		noneMean := pcollection.Materialize(ptable.AggregateGlobally(pcollection.Of[int64](p), ptable.Mean[int64]()))
		// The aggregate of none comes from the single task that finishes
		// the aggregate: work fused after it (a Map declared large, which
		// the planner may move) must not run it in every map task.
		grown := pcollection.Map(noneCounted, func(n int64) int64 { return n + 100 }, pcollection.Scale(50))
		counted := pcollection.Materialize(ptable.Keys(ptable.Count(pcollection.Union(grown, pcollection.Of(p, int64(7))))))
		return all(expect(total, []int64{sum}), expect(top, []int64{biggest}), expect(count, []int64{3001}),
			expect(noneCount, []int64{0}), expect(noneMean, []float64{0}), expect(counted, []int64{100, 7}))
	}},
	{"shard", func(p *pcollection.Pipeline) Check {
		evs := events(3001)
		sharded := pcollection.Materialize(ptable.Shard(pcollection.Of(p, evs...), 5))
		one := pcollection.Materialize(ptable.Shard(pcollection.Of(p, words(500)...), 1))
		empty := pcollection.Materialize(ptable.Shard(pcollection.Of[int](p), 3))
		return all(expect(sharded, evs), expect(one, words(500)), expect(empty, nil))
	}},
	{"sharded-join", func(p *pcollection.Pipeline) Check {
		// Half the left side under one key, which the right side has three
		// values for; keys only on one side; more shards than pairs of most
		// keys.
		var left []ptable.Pair[string, int]
		for i := range 6000 {
			k := "hot"
			if i%2 == 1 {
				k = fmt.Sprint("k", i%37)
			}
			left = append(left, ptable.KV(k, i))
		}
		right := []ptable.Pair[string, string]{ptable.KV("hot", "h1"), ptable.KV("hot", "h2"), ptable.KV("hot", "h3"),
			ptable.KV("k1", "one"), ptable.KV("k2", "two"), ptable.KV("k2", "two again"), ptable.KV("nowhere", "-")}
		a, b := pcollection.Of(p, left...), pcollection.Of(p, right...)
		sharded := pcollection.Materialize(ptable.ShardedJoin(a, b, 5, pcollection.Partitions(4)))
		one := pcollection.Materialize(ptable.ShardedJoin(a, b, 1))
		return all(expect(sharded, joinRef(left, right)), expect(one, joinRef(left, right)))
	}},
	{"dead-branches-do-not-run", func(p *pcollection.Pipeline) Check {
		// A branch whose output reaches no sink or Materialize fails if it
		// runs: a join and a side-input user of a shared source, and a
		// source read by nothing else.
		in := pcollection.Of(p, words(200)...)
		fail := func(string) bool { panic("a dead branch ran") }
		counted := ptable.Count(in)
		_ = ptable.Join(counted, ptable.ByKey(pcollection.Filter(in, fail), func(w string) string { return w }))
		_ = pcollection.FlatMapWithSide(in, counted, func([]ptable.Pair[string, int64]) (func(string, func(int)), error) {
			return nil, errors.New("a dead side-input user ran")
		})
		_ = pcollection.Filter(pcollection.Of(p, "never read"), fail)
		return expect(pcollection.Materialize(counted), pairs(countRef(words(200))))
	}},
	{"source-side-input", func(p *pcollection.Pipeline) Check {
		// A lookup file as a side input, read from its file by every task
		// of a map-side user and of a reducer-side one, and also read as
		// a normal input by a map and a shuffle.
		stopLines := []string{"zebra", "日本", "", "the", "a b c", "zebra"}
		stop := textio.Read(p, fixtureFile("stopwords", stopLines))
		in := pcollection.Of(p, words(600)...)
		kept := pcollection.FlatMapWithSide(in, stop, func(stop []string) (func(string, func(string)), error) {
			skip := set(stop)
			return func(w string, emit func(string)) {
				if !skip[w] {
					emit(w)
				}
			}, nil
		}, pcollection.Name("DropStopwords"))
		stopCounts := pcollection.FlatMapWithSide(ptable.Count(in), stop, func(stop []string) (func(kv, func(kv)), error) {
			skip := set(stop)
			return func(c kv, emit func(kv)) {
				if skip[c.Key] {
					emit(c)
				}
			}, nil
		}, pcollection.Name("StopwordCounts"))
		upper := pcollection.Map(stop, strings.ToUpper)

		skip := set(stopLines)
		var wantKept []string
		wantStop := map[string]int64{}
		for _, w := range words(600) {
			if skip[w] {
				wantStop[w]++
			} else {
				wantKept = append(wantKept, w)
			}
		}
		var wantUpper []string
		for _, l := range stopLines {
			wantUpper = append(wantUpper, strings.ToUpper(l))
		}
		return all(
			expect(pcollection.Materialize(ptable.Count(kept)), pairs(countRef(wantKept))),
			expect(pcollection.Materialize(stopCounts), pairs(wantStop)),
			expect(pcollection.Materialize(upper), wantUpper),
			expect(pcollection.Materialize(ptable.Count(stop)), pairs(countRef(stopLines))),
			readWhereUsed,
			// The file's lines are counted once, however often tasks read it.
			func(t T, o Outcome) {
				if got := o.Counters(textio.CounterGroup, textio.CounterLinesRead); got != int64(len(stopLines)) {
					t.Errorf("%q counter: got %d, want %d, the file's lines", textio.CounterLinesRead, got, len(stopLines))
				}
			},
		)
	}},
	{"cross", func(p *pcollection.Pipeline) Check {
		evs := events(300)
		arms := []string{"control", "treatment", ""}
		crossed := pcollection.Materialize(ptable.Cross(pcollection.Of(p, evs...), pcollection.Of(p, arms...)))
		none := pcollection.Materialize(ptable.Cross(pcollection.Of(p, evs...), pcollection.Of[string](p)))
		var want []ptable.Pair[Event, string]
		for _, e := range evs {
			for _, a := range arms {
				want = append(want, ptable.KV(e, a))
			}
		}
		return all(expect(crossed, want), expect(none, nil))
	}},
	{"map-side-joins", func(p *pcollection.Pipeline) Check {
		// The joins of the "joins" case with the right side broadcast, and
		// side inputs computed by reducers, read by map-side and by
		// reducer-side collections, feeding a later shuffle.
		left, right := joinSides(p)
		inner := pcollection.Materialize(ptable.MapSideJoin(left, right))
		leftJ := pcollection.Materialize(ptable.MapSideLeftJoin(left, right))
		none := pcollection.Filter(right, func(ptable.Pair[string, string]) bool { return false })
		leftNone := pcollection.Materialize(ptable.MapSideLeftJoin(left, none)) // an empty side input
		s := func(v string) *string { return &v }

		ws := words(500)
		counts := ptable.Count(pcollection.Of(p, ws...))
		occurrences := pcollection.Map(pcollection.Of(p, ws...), func(w string) ptable.Pair[string, int64] { return ptable.KV(w, int64(1)) })
		// Every occurrence of a word joined with its count, summed per word: count².
		squares := ptable.Aggregate(ptable.GroupByKey(ptable.MapValues(ptable.MapSideJoin(occurrences, counts),
			func(v ptable.Pair[int64, int64]) int64 { return v.Key * v.Value })), ptable.Sum[int64]())
		// A reducer's output joined with a small table from a source.
		initials := pcollection.Of(p, ptable.KV("apple", "A"), ptable.KV("banana", "B"), ptable.KV("zebra", "Z"))
		tagged := pcollection.Materialize(ptable.MapSideLeftJoin(counts, initials))
		ref := countRef(ws)
		wantSquares := map[string]int64{}
		var wantTagged []ptable.Pair[string, ptable.Pair[int64, *string]]
		init := map[string]string{"apple": "A", "banana": "B", "zebra": "Z"}
		for w, n := range ref {
			wantSquares[w] = n * n
			var t *string
			if v, ok := init[w]; ok {
				t = s(v)
			}
			wantTagged = append(wantTagged, ptable.KV(w, ptable.KV(n, t)))
		}
		return all(
			expect(inner, wantInnerJoin()),
			expect(leftJ, wantLeftJoin()),
			expect(leftNone, []ptable.Pair[string, ptable.Pair[int, *string]]{ptable.KV("a", ptable.KV[int, *string](1, nil)), ptable.KV("a", ptable.KV[int, *string](2, nil)),
				ptable.KV("b", ptable.KV[int, *string](3, nil)), ptable.KV("c", ptable.KV[int, *string](4, nil))}),
			expect(pcollection.Materialize(squares), pairs(wantSquares)),
			expect(tagged, wantTagged),
		)
	}},
	{"keys-values-union-top", func(p *pcollection.Pipeline) Check {
		a := pcollection.Of(p, ptable.KV("x", int64(5)), ptable.KV("y", int64(9)))
		b := pcollection.Of(p, ptable.KV("z", int64(7)), ptable.KV("w", int64(1)), ptable.KV("v", int64(9)))
		u := pcollection.Union(a, b)
		keys := pcollection.Materialize(ptable.Keys(u))
		vals := pcollection.Materialize(ptable.Values(u))
		top := pcollection.Materialize(ptable.Top(u, 3, func(x, y kv) bool {
			if x.Value != y.Value {
				return x.Value < y.Value
			}
			return x.Key > y.Key // ties: smaller key ranks higher
		}))
		dis := pcollection.Materialize(ptable.Distinct(ptable.Values(u)))
		return all(expect(keys, []string{"x", "y", "z", "w", "v"}), expect(vals, []int64{5, 9, 7, 1, 9}),
			expect(top, []kv{ptable.KV("v", int64(9)), ptable.KV("y", int64(9)), ptable.KV("z", int64(7))}), expect(dis, []int64{1, 5, 7, 9}))
	}},
	{"one-huge-group", func(p *pcollection.Pipeline) Check {
		n := 200_000
		in := pcollection.Of(p, make([]struct{}, n)...)
		t := pcollection.Map(in, func(struct{}) ptable.Pair[string, int64] { return ptable.KV("only", int64(1)) })
		g := ptable.GroupByKey(t)
		cnt := ptable.Reduce(g, func(k string, vs iter.Seq[int64], emit func(kv)) error {
			var c int64
			for v := range vs {
				c += v
			}
			emit(ptable.KV(k, c))
			return nil
		})
		return expect(pcollection.Materialize(cnt), []kv{ptable.KV("only", int64(n))})
	}},
	{"skewed-and-unicode-keys", func(p *pcollection.Pipeline) Check {
		var keys []string
		for i := range 5000 {
			switch {
			case i%10 < 7:
				keys = append(keys, "hot")
			case i%10 < 9:
				keys = append(keys, fmt.Sprintf("ключ-%d-日本-\x00-%c", i%13, rune(0x1F600+i%20)))
			default:
				keys = append(keys, fmt.Sprintf("cold-%d", i))
			}
		}
		return expect(pcollection.Materialize(ptable.Count(pcollection.Of(p, keys...), pcollection.Partitions(4))), pairs(countRef(keys)))
	}},
	{"negative-and-float-keys", func(p *pcollection.Pipeline) Check {
		ints := []int64{-5, 3, -5, 0, math.MinInt64, math.MaxInt64, 3, -1}
		floats := []float64{-2.5, 1e300, -1e-300, 0, 2.5, -2.5, math.Inf(-1), math.Inf(1)}
		ic := pcollection.Materialize(ptable.Count(pcollection.Of(p, ints...)))
		fc := pcollection.Materialize(ptable.Count(pcollection.Of(p, floats...)))
		// The order the shuffle delivers keys must be numeric order.
		sorted := pcollection.Materialize(ptable.Reduce(ptable.GroupByKey(pcollection.Map(pcollection.Of(p, ints...),
			func(v int64) ptable.Pair[int64, int64] { return ptable.KV(v, v) }), pcollection.Partitions(1)),
			func(k int64, vs iter.Seq[int64], emit func(int64)) error { emit(k); return nil }))
		want := slices.Compact(slices.Sorted(slices.Values(ints)))
		return all(expect(ic, pairs(countRef(ints))), expect(fc, pairs(countRef(floats))), expect(sorted, want), orderedCheck(sorted, want))
	}},
	{"sort-by-key", func(p *pcollection.Pipeline) Check {
		evs := events(3000)
		t := ptable.ByKey(pcollection.Of(p, evs...), func(e Event) CountryUser { return CountryUser{e.Country, e.User} })
		ms := ptable.MapValues(t, func(e Event) int64 { return e.Ms })
		byUser := pcollection.Materialize(ptable.SortByKey(ms, pcollection.Partitions(3)))
		// More records than a map task samples, negative keys included.
		var ints []int64
		for i := range 20000 {
			ints = append(ints, int64((i*7919)%10007)-5000)
		}
		byInt := pcollection.Materialize(ptable.Sort(pcollection.Of(p, ints...), pcollection.Partitions(4)))
		byUserDesc := pcollection.Materialize(ptable.SortByKeyDescending(ms, pcollection.Partitions(3)))
		byIntDesc := pcollection.Materialize(ptable.SortDescending(pcollection.Of(p, ints...)))
		var want []ptable.Pair[CountryUser, int64]
		for _, e := range evs {
			want = append(want, ptable.KV(CountryUser{e.Country, e.User}, e.Ms))
		}
		userOrder := func(a, b ptable.Pair[CountryUser, int64]) int {
			return cmp.Or(cmp.Compare(a.Key.Country, b.Key.Country), cmp.Compare(a.Key.User, b.Key.User))
		}
		reverse := func(a, b ptable.Pair[CountryUser, int64]) int { return userOrder(b, a) }
		return all(expect(byUser, want), sortedCheck(byUser, userOrder), expect(byInt, ints), sortedCheck(byInt, cmp.Compare[int64]),
			expect(byUserDesc, want), sortedCheck(byUserDesc, reverse),
			expect(byIntDesc, ints), sortedCheck(byIntDesc, func(a, b int64) int { return cmp.Compare(b, a) }))
	}},
	{"sort-skewed-and-empty", func(p *pcollection.Pipeline) Check {
		// Keys that are prefixes of others, and zero bytes, which a
		// descending sort must order as the reverse of an ascending one.
		keys := []string{"", "a", "a\x00", "a\x00\x00", "a\x01", "ab", "\x00", "\xff", "ab\xff"}
		for i := range 5000 {
			if i%10 < 7 {
				keys = append(keys, "hot")
			} else {
				keys = append(keys, fmt.Sprintf("ключ-%d-\x00-%c", i%97, rune(0x1F600+i%20)))
			}
		}
		sorted := pcollection.Materialize(ptable.Sort(pcollection.Of(p, keys...)))
		desc := pcollection.Materialize(ptable.SortDescending(pcollection.Of(p, keys...), pcollection.Partitions(3)))
		empty := pcollection.Materialize(ptable.Sort(pcollection.Of[string](p), pcollection.Partitions(2)))
		emptyDesc := pcollection.Materialize(ptable.SortDescending(pcollection.Of[string](p)))
		return all(expect(sorted, keys), sortedCheck(sorted, strings.Compare), expect(desc, keys),
			sortedCheck(desc, func(a, b string) int { return strings.Compare(b, a) }), expect(empty, nil), expect(emptyDesc, nil))
	}},
	{"nested-struct-keys-and-values", func(p *pcollection.Pipeline) Check {
		evs := events(600)
		t := ptable.ByKey(pcollection.Of(p, evs...), func(e Event) CountryUser { return CountryUser{e.Country, e.User} })
		g := ptable.GroupByKey(t, pcollection.Partitions(2))
		out := ptable.Reduce(g, func(k CountryUser, vs iter.Seq[Event], emit func(ptable.Pair[CountryUser, []Event])) error {
			var es []Event
			for e := range vs {
				es = append(es, e)
			}
			slices.SortFunc(es, func(a, b Event) int { return cmp.Compare(a.Where.Lat, b.Where.Lat) })
			emit(ptable.KV(k, es))
			return nil
		})
		ref := map[CountryUser][]Event{}
		for _, e := range evs {
			k := CountryUser{e.Country, e.User}
			ref[k] = append(ref[k], e)
		}
		return expect(pcollection.Materialize(out), pairs(ref))
	}},
	{"finish-emits-into-finish", func(p *pcollection.Pipeline) Check {
		// A function emitting in Finish feeds others that hold their input
		// and emit it in their own Finish: in a map phase along a diamond,
		// and in a reduce phase. Every Finish must run after those of the
		// functions feeding it, or what they emit last is lost.
		in := pcollection.Of(p, words(1000)...)
		totals := pcollection.ParDo(in, &lengthCounter{Min: 3})
		diamond := pcollection.Union(pcollection.ParDo(totals, &passOnFinish[kv]{}), pcollection.ParDo(totals, &passOnFinish[kv]{}))
		mapSide := ptable.Aggregate(ptable.GroupByKey(pcollection.ParDo(diamond, &passOnFinish[kv]{})), ptable.Sum[int64]())
		groups := ptable.GroupByKey(ptable.ByKey(in, func(w string) string { return w }), pcollection.Partitions(3))
		sizes := pcollection.ParDo(ptable.ParDoGrouped(groups, &groupSizer{}), &passOnFinish[kv]{})
		reduceSide := ptable.Aggregate(ptable.GroupByKey(sizes), ptable.Sum[int64]())
		var total int64
		for _, w := range words(1000) {
			total += int64(len(w))
		}
		return all(expect(pcollection.Materialize(mapSide), []kv{ptable.KV("total", 2*total)}),
			expect(pcollection.Materialize(reduceSide), []kv{ptable.KV("words", int64(1000))}))
	}},
	{"union-takes-an-intermediate-twice", func(p *pcollection.Pipeline) Check {
		// A union listing a reducer's output twice holds each element
		// twice, also when the union is that output's only use and feeds a
		// shuffle (whose map output the reducer may then write directly).
		ws := words(800)
		counts := func() ptable.PTable[string, int64] { return ptable.Count(pcollection.Of(p, ws...)) }
		extra := pcollection.Of(p, ptable.KV("extra", int64(1)))
		once := counts()
		summed := ptable.Aggregate(ptable.GroupByKey(pcollection.Union(once, once, extra)), ptable.Sum[int64]())
		again := counts()
		nested := ptable.Reduce(ptable.GroupByKey(pcollection.Union(pcollection.Union(again, extra), again)),
			func(k string, vs iter.Seq[int64], emit func(kv)) error {
				var n int64
				for range vs {
					n++
				}
				emit(ptable.KV(k, n))
				return nil
			})
		want, values := map[string]int64{"extra": 1}, map[string]int64{"extra": 1}
		for w, n := range countRef(ws) {
			want[w], values[w] = 2*n, 2
		}
		return all(expect(pcollection.Materialize(summed), pairs(want)), expect(pcollection.Materialize(nested), pairs(values)))
	}},
	{"dofn-lifecycle-and-counters", func(p *pcollection.Pipeline) Check {
		in := pcollection.Of(p, words(1000)...)
		out := pcollection.ParDo(in, &lengthCounter{Min: 3})
		// Finish emits one total per task; their sum is the total length.
		totals := ptable.Aggregate(ptable.GroupByKey(out), ptable.Sum[int64]())
		var total, long int64
		for _, w := range words(1000) {
			total += int64(len(w))
			if len(w) >= 3 {
				long++
			}
		}
		return all(expect(pcollection.Materialize(totals), []kv{ptable.KV("total", total)}), func(t T, o Outcome) {
			t.Helper()
			if got := o.Counters("runnertest", "long words"); got != long {
				t.Errorf("counter runnertest/long words = %d, want %d", got, long)
			}
			// Hadoop splits counter lines on commas: names must survive it.
			if got := o.Counters("runnertest", allWordsCounter); got != 1000 {
				t.Errorf("counter runnertest/%s = %d, want 1000", allWordsCounter, got)
			}
		})
	}},
	{"pardo-over-groups-with-counters", func(p *pcollection.Pipeline) Check {
		// A DoFn over grouped values: counters from Setup (4 of the 9 words'
		// groups hold 335 or more), a total per task from Finish.
		in := pcollection.Of(p, words(3000)...)
		groups := ptable.GroupByKey(ptable.ByKey(in, func(w string) string { return w }), pcollection.Partitions(3))
		out := ptable.ParDoGrouped(groups, &groupSizer{})
		sizes := ptable.Aggregate(ptable.GroupByKey(out), ptable.Sum[int64]())
		ref := countRef(words(3000))
		var big int64
		for _, n := range ref {
			if n >= 335 {
				big++
			}
		}
		if big == 0 || big == int64(len(ref)) {
			panic("runnertest: the words no longer split around 335 a group; pick another threshold")
		}
		return all(expect(pcollection.Materialize(sizes), []kv{ptable.KV("words", int64(3000))}), func(t T, o Outcome) {
			t.Helper()
			if got := o.Counters("runnertest", "groups of 335 or more"); got != big {
				t.Errorf("counter runnertest/groups of 335 or more = %d, want %d", got, big)
			}
		})
	}},
	{"join-then-group-and-shared-intermediate", func(p *pcollection.Pipeline) Check {
		evs := events(700)
		plays := ptable.ByKey(pcollection.Of(p, evs...), func(e Event) string { return e.User })
		users := pcollection.Map(pcollection.Of(p, evs...), func(e Event) ptable.Pair[string, string] {
			return ptable.KV(e.User, strings.ToLower(e.Country))
		})
		home := ptable.Aggregate(ptable.GroupByKey(users), ptable.Max[string]())
		joined := ptable.Join(plays, home)
		byHome := ptable.Aggregate(ptable.GroupByKey(ptable.MapValues(joined, func(v ptable.Pair[Event, string]) int64 { return v.Key.Ms })), ptable.Sum[int64]())
		// joined feeds two later computations: it is materialized once.
		byCountry := ptable.Count(pcollection.Map(joined, func(v ptable.Pair[string, ptable.Pair[Event, string]]) string { return v.Value.Value }))
		rhome := map[string]string{}
		for _, e := range evs {
			rhome[e.User] = max(rhome[e.User], strings.ToLower(e.Country))
		}
		rsum, rcnt := map[string]int64{}, map[string]int64{}
		for _, e := range evs {
			rsum[e.User] += e.Ms
			rcnt[rhome[e.User]]++
		}
		return all(expect(pcollection.Materialize(byHome), pairs(rsum)), expect(pcollection.Materialize(byCountry), pairs(rcnt)))
	}},
	{"distinct-then-count-and-top", func(p *pcollection.Pipeline) Check {
		// Both aggregations read a reducer's output through a lifted
		// combiner: the planner writes those intermediates as combined
		// shuffle records.
		type bucketed = ptable.Pair[int64, int64]
		var in []bucketed
		x := uint32(3)
		for range 3000 {
			x = x*1664525 + 1013904223
			in = append(in, ptable.KV(int64(x>>16)%7, int64(x>>8)%400))
		}
		distinct := ptable.Distinct(pcollection.Of(p, in...))
		perBucket := ptable.Count(ptable.Keys(distinct))
		sums := ptable.Aggregate(ptable.GroupByKey(pcollection.Of(p, in...)), ptable.Sum[int64]())
		top := ptable.Top(sums, 3, func(a, b ptable.Pair[int64, int64]) bool {
			return a.Value < b.Value || a.Value == b.Value && a.Key > b.Key
		})
		seen := map[bucketed]bool{}
		count, sum := map[int64]int64{}, map[int64]int64{}
		for _, v := range in {
			if !seen[v] {
				seen[v] = true
				count[v.Key]++
			}
			sum[v.Key] += v.Value
		}
		ranked := pairs(sum)
		slices.SortFunc(ranked, func(a, b ptable.Pair[int64, int64]) int {
			return cmp.Or(cmp.Compare(b.Value, a.Value), cmp.Compare(a.Key, b.Key))
		})
		return all(expect(pcollection.Materialize(perBucket), pairs(count)), expect(pcollection.Materialize(top), ranked[:3]))
	}},
	{"reduce-then-flatten-with-source", func(p *pcollection.Pipeline) Check {
		ws := words(300)
		counts := ptable.Count(pcollection.Of(p, ws...))
		extra := pcollection.Of(p, ptable.KV("apple", int64(1000)), ptable.KV("new", int64(1)))
		total := ptable.Aggregate(ptable.GroupByKey(pcollection.Union(counts, extra)), ptable.Sum[int64]())
		ref := countRef(ws)
		ref["apple"] += 1000
		ref["new"]++
		return expect(pcollection.Materialize(total), pairs(ref))
	}},
	{"dofn-error-names-transform", func(p *pcollection.Pipeline) Check {
		in := pcollection.Of(p, 1, 2, 3, 4)
		bad := pcollection.ParDo(in, failAt{N: 3}, pcollection.Name("FailAtThree"))
		pcollection.Materialize(bad)
		return expectTransformError("FailAtThree", "three is right out", false)
	}},
	{"panic-names-input-record", func(p *pcollection.Pipeline) Check {
		// A function that panics on a line of a file: the error says which
		// line of which split, and the line that panicked.
		path := fixtureFile("records", []string{"1", "22", "333", "boom", "55555"})
		lens := pcollection.Map(textio.Read(p, path), func(s string) int {
			var seen []int
			if s == "boom" {
				return seen[len(s)] // out of range
			}
			return len(s)
		}, pcollection.Name("PanicOnBoom"))
		pcollection.Materialize(lens)
		return all(expectTransformError("PanicOnBoom", "index out of range", true), func(t T, o Outcome) {
			msg := o.Err.Error()
			if !strings.Contains(msg, "panicked at runnertest/cases.go:") {
				t.Errorf("error %q does not name the line that panicked", msg)
			}
			if !o.Planned {
				return // the unplanned interpreter reads whole sources
			}
			if !strings.Contains(msg, " of bytes ") || !strings.Contains(msg, path) {
				t.Errorf("error %q does not name the record and split it failed on", msg)
			}
			if strings.Contains(msg, "of bytes 0 to") && !strings.Contains(msg, "on record 4 of") {
				t.Errorf("error %q: want record 4 of the split from byte 0", msg)
			}
		})
	}},
	{"panic-names-transform", func(p *pcollection.Pipeline) Check {
		in := pcollection.Of(p, "a", "b")
		g := ptable.GroupByKey(ptable.ByKey(in, func(s string) string { return s }))
		r := ptable.Reduce(g, func(k string, vs iter.Seq[string], emit func(string)) error {
			if k == "b" {
				var m map[string]int
				m["boom"]++ // nil map write
			}
			emit(k)
			return nil
		}, pcollection.Name("PanicOnB"))
		pcollection.Materialize(r)
		return all(expectTransformError("PanicOnB", "assignment to entry in nil map", true), expectOnGroup(`"b"`))
	}},
	{"aggregate-error-names-group-key", func(p *pcollection.Pipeline) Check {
		// The aggregation is lifted: its Result runs as the reduce side
		// merges the combiners' accumulators.
		in := pcollection.Of(p, countryTrack{"SE", "t1"}, countryTrack{"US", "t2"}, countryTrack{"US", "t2"})
		counts := ptable.Aggregate(ptable.GroupByKey(ptable.ByKey(in, func(x countryTrack) countryTrack { return x })),
			panicOnTwo{}, pcollection.Name("PanicOnTwo"))
		pcollection.Materialize(counts)
		return all(expectTransformError("PanicOnTwo", "two is too many", true), expectOnGroup(`{US t2}`))
	}},
	{"error-after-join-names-group-key", func(p *pcollection.Pipeline) Check {
		// A function fused after the join's reducer fails on a group.
		failed := pcollection.ParDo(pcollection.Map(ptable.Join(joinSides(p)), func(x ptable.Pair[string, ptable.Pair[int, string]]) int {
			return x.Value.Key
		}), failAt{N: 3}, pcollection.Name("FailAtThree"))
		pcollection.Materialize(failed)
		// The interpreter runs the function on the join's records, not on a group.
		return all(expectTransformError("FailAtThree", "three is right out", false), ifPlanned(expectOnGroup(`"b"`)))
	}},
	{"secondary-sort-error-names-group-key", func(p *pcollection.Pipeline) Check {
		in := pcollection.Of(p, ptable.KV(7, ptable.KV(2, "b")), ptable.KV(7, ptable.KV(1, "a")), ptable.KV(8, ptable.KV(1, "c")))
		r := ptable.ReduceSorted(in, func(k int, vs iter.Seq[ptable.Pair[int, string]], emit func(string)) error {
			if k == 7 {
				return errors.New("no sevens")
			}
			for v := range vs {
				emit(v.Value)
			}
			return nil
		}, pcollection.Name("NoSevens"))
		pcollection.Materialize(r)
		return all(expectTransformError("NoSevens", "no sevens", false), expectOnGroup(`7`))
	}},
	{"combiner-panic-names-key-and-record", func(p *pcollection.Pipeline) Check {
		// The lifted combiner fails in the map task: the error names the
		// key it folded and the record of the file it read.
		path := fixtureFile("combined", []string{"a", "b", "a", "boom", "b"})
		counts := ptable.Aggregate(ptable.GroupByKey(ptable.ByKey(textio.Read(p, path), func(s string) string { return s })),
			panicOnBoom{}, pcollection.Name("PanicOnBoomKey"))
		pcollection.Materialize(counts)
		return all(expectTransformError("PanicOnBoomKey", "boom is no word", true), func(t T, o Outcome) {
			msg := o.Err.Error()
			if !o.Planned {
				// The interpreter runs Add as it folds each whole group.
				if !strings.Contains(msg, ` on the group of key "boom": `) {
					t.Errorf("error %q does not name the group the aggregation failed on", msg)
				}
				return
			}
			mapSide := strings.Contains(msg, ` on key "boom" in record `) && strings.Contains(msg, path)
			reduceSide := strings.Contains(msg, ` on the group of key "boom" (reduce task `) // not lifted
			if !mapSide && !reduceSide {
				t.Errorf("error %q does not name the key and record the combiner failed on", msg)
			}
		})
	}},
	{unfinishedCase, func(p *pcollection.Pipeline) Check {
		// One reduce task of several fails (on the group of "zebra"),
		// after every map task succeeded (CheckUnfinishedTasks).
		g := ptable.GroupByKey(ptable.ByKey(pcollection.Of(p, words(400)...), func(s string) string { return s }))
		r := ptable.Reduce(g, func(k string, vs iter.Seq[string], emit func(string)) error {
			if k == "zebra" {
				return errors.New("no zebras")
			}
			emit(k)
			return nil
		}, pcollection.Name("NoZebras"))
		pcollection.Materialize(r)
		return all(expectTransformError("NoZebras", "no zebras", false), expectOnGroup(`"zebra"`))
	}},
	{"merge-panic-names-group-key", func(p *pcollection.Pipeline) Check {
		// Merge fails on the partial sums of key "boom", so a planned run
		// fails where the accumulators of a group meet: in a reduce task,
		// or first in a combiner Hadoop runs. Without lifting, and in the
		// interpreter, nothing merges.
		var in []ptable.Pair[string, int64]
		for range 40 {
			in = append(in, ptable.KV("a", int64(1)), ptable.KV("boom", int64(-1)))
		}
		sums := ptable.Aggregate(ptable.GroupByKey(pcollection.Of(p, in...)), refuseNegative{}, pcollection.Name("RefuseNegative"))
		unplanned := expect(pcollection.Materialize(sums), []ptable.Pair[string, int64]{ptable.KV("a", int64(40)), ptable.KV("boom", int64(-40))})
		return func(t T, o Outcome) {
			t.Helper()
			if !o.Planned || o.Err == nil && !lifted(o.Plan) {
				unplanned(t, o)
				return
			}
			expectTransformError("RefuseNegative", "negative partial sum", true)(t, o)
			first, _, _ := strings.Cut(o.Err.Error(), "\n")
			if !strings.Contains(first, ` on the group of key "boom" (reduce task `) && !strings.Contains(first, ` on the group of key "boom" (combiner in `) {
				t.Errorf("error's first line %q does not name the group and the reduce task or combiner it failed in", first)
			}
		}
	}},
}

// lifted says whether sg lifted a combiner into a shuffle.
func lifted(sg *plan.StageGraph) bool {
	if sg == nil {
		return false
	}
	for _, st := range sg.Stages {
		for _, ch := range st.Channels {
			if ch.Combiner != plan.NoNode {
				return true
			}
		}
	}
	return false
}

// ifPlanned runs check on planned runs only.
func ifPlanned(check Check) Check {
	return func(t T, o Outcome) {
		t.Helper()
		if o.Planned {
			check(t, o)
		}
	}
}

// expectOnGroup checks that a run's error names, on its first line, the
// group of key (as plan.KeyText renders it) and, if the run was planned,
// the reduce task it failed in (the interpreter runs no tasks).
func expectOnGroup(key string) Check {
	return func(t T, o Outcome) {
		t.Helper()
		if o.Err == nil {
			return
		}
		// Runners may add details (Hadoop's output) after the first line.
		first, _, _ := strings.Cut(o.Err.Error(), "\n")
		want := " on the group of key " + key + ": "
		if o.Planned {
			want = " on the group of key " + key + " (reduce task "
		}
		if !strings.Contains(first, want) {
			t.Errorf("error's first line %q does not say %q", first, want)
		}
	}
}

// countryTrack is a struct key, as the listening jobs group by.
type countryTrack struct{ Country, Track string }

// panicOnTwo counts, and panics on a count of two.
type panicOnTwo struct{}

func (panicOnTwo) Init() int64                         { return 0 }
func (panicOnTwo) Add(acc int64, _ countryTrack) int64 { return acc + 1 }
func (panicOnTwo) Merge(a, b int64) int64              { return a + b }
func (panicOnTwo) Result(acc int64) int64 {
	if acc == 2 {
		panic("two is too many")
	}
	return acc
}

// refuseNegative sums, and its Merge panics on a negative partial sum.
type refuseNegative struct{}

func (refuseNegative) Init() int64            { return 0 }
func (refuseNegative) Add(acc, v int64) int64 { return acc + v }
func (refuseNegative) Result(acc int64) int64 { return acc }
func (refuseNegative) Merge(a, b int64) int64 {
	if b < 0 {
		panic("negative partial sum")
	}
	return a + b
}

// panicOnBoom counts lines, and panics when it adds one that says boom.
type panicOnBoom struct{}

func (panicOnBoom) Init() int64            { return 0 }
func (panicOnBoom) Merge(a, b int64) int64 { return a + b }
func (panicOnBoom) Result(acc int64) int64 { return acc }
func (panicOnBoom) Add(acc int64, s string) int64 {
	if s == "boom" {
		panic("boom is no word")
	}
	return acc + 1
}

type lengthCounter struct {
	Min       int
	total     int64
	long, all interface{ Inc(int64) }
}

const allWordsCounter = "words, long or short: 100%"

func (l *lengthCounter) Setup(ctx *pcollection.Context) error {
	l.long = ctx.Counter("runnertest", "long words")
	l.all = ctx.Counter("runnertest", allWordsCounter)
	return nil
}

func (l *lengthCounter) Process(w string, emit func(kv)) error {
	l.all.Inc(1)
	l.total += int64(len(w))
	if len(w) >= l.Min {
		l.long.Inc(1)
	}
	return nil
}

func (l *lengthCounter) Finish(emit func(kv)) error {
	emit(ptable.KV("total", l.total))
	return nil
}

// groupSizer counts big groups and emits, when its task ends, how many
// values its groups held.
type groupSizer struct {
	values int64
	big    interface{ Inc(int64) }
}

func (g *groupSizer) Setup(ctx *pcollection.Context) error {
	g.big = ctx.Counter("runnertest", "groups of 335 or more")
	return nil
}

func (g *groupSizer) Process(p ptable.Pair[string, iter.Seq[string]], emit func(kv)) error {
	n := int64(0)
	for range p.Value {
		n++
	}
	if n >= 335 {
		g.big.Inc(1)
	}
	g.values += n
	return nil
}

func (g *groupSizer) Finish(emit func(kv)) error {
	emit(ptable.KV("words", g.values))
	return nil
}

// passOnFinish holds its input and emits it when its task ends.
type passOnFinish[T any] struct{ held []T }

func (f *passOnFinish[T]) Process(v T, emit func(T)) error {
	f.held = append(f.held, v)
	return nil
}

func (f *passOnFinish[T]) Finish(emit func(T)) error {
	for _, v := range f.held {
		emit(v)
	}
	f.held = nil
	return nil
}

type failAt struct{ N int }

func (f failAt) Process(v int, emit func(int)) error {
	if v == f.N {
		return errors.New("three is right out")
	}
	emit(v)
	return nil
}
