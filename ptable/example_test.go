package ptable_test

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

type play struct {
	Country, Track string
	Ms             int64
}

func run(p *pcollection.Pipeline) {
	if _, err := mem.Run(context.Background(), p, runner.Options{}); err != nil {
		panic(err)
	}
}

func sorted[T any](m *pcollection.Materialized[T]) []T {
	vs, _ := m.Values()
	slices.SortFunc(vs, func(a, b T) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return vs
}

func ExampleAggregate() {
	p := pcollection.NewPipeline("plays")
	plays := pcollection.Of(p, play{"SE", "t1", 40_000}, play{"SE", "t2", 5_000}, play{"DE", "t1", 90_000})
	ms := ptable.MapValues(ptable.ByKey(plays, func(x play) string { return x.Country }), func(x play) int64 { return x.Ms })
	total := pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(ms), ptable.Sum[int64]()))
	run(p)
	fmt.Println(sorted(total))
	// Output: [{DE 90000} {SE 45000}]
}

func ExampleBoth() {
	p := pcollection.NewPipeline("stats")
	plays := pcollection.Of(p, play{"SE", "t1", 40_000}, play{"SE", "t2", 5_000}, play{"SE", "t1", 90_000}, play{"DE", "t1", 90_000})
	byCountry := ptable.GroupByKey(ptable.ByKey(plays, func(x play) string { return x.Country }))
	// Plays, mean length and distinct tracks per country, in one shuffle.
	stats := pcollection.Materialize(ptable.Aggregate(byCountry, ptable.Both(ptable.CountValues[play](), ptable.Both(
		ptable.Over(func(x play) int64 { return x.Ms }, ptable.Mean[int64]()),
		ptable.Over(func(x play) string { return x.Track }, ptable.DistinctCount[string]())))))
	run(p)
	fmt.Println(sorted(stats))
	// Output: [{DE {1 {90000 1}}} {SE {3 {45000 2}}}]
}

func ExampleReduce() {
	p := pcollection.NewPipeline("longest")
	plays := pcollection.Of(p, play{"SE", "t1", 40_000}, play{"SE", "t2", 95_000}, play{"DE", "t1", 90_000})
	byCountry := ptable.GroupByKey(ptable.ByKey(plays, func(x play) string { return x.Country }))
	longest := ptable.Reduce(byCountry, func(country string, ps iter.Seq[play], emit func(string)) error {
		var best play
		for x := range ps {
			if x.Ms > best.Ms {
				best = x
			}
		}
		emit(country + ":" + best.Track)
		return nil
	})
	out := pcollection.Materialize(longest)
	run(p)
	fmt.Println(sorted(out))
	// Output: [DE:t1 SE:t2]
}

func ExampleJoin() {
	p := pcollection.NewPipeline("titles")
	plays := pcollection.Of(p, ptable.KV("t1", 3), ptable.KV("t2", 1))
	titles := pcollection.Of(p, ptable.KV("t1", "Song One"), ptable.KV("t3", "Unplayed"))
	out := pcollection.Materialize(ptable.Join(plays, titles))
	left := pcollection.Materialize(ptable.LeftJoin(plays, titles))
	run(p)
	fmt.Println(sorted(out))
	for _, x := range sorted(left) {
		title := "<none>"
		if x.Value.Value != nil {
			title = *x.Value.Value
		}
		fmt.Println(x.Key, x.Value.Key, title)
	}
	// Output:
	// [{t1 {3 Song One}}]
	// t1 3 Song One
	// t2 1 <none>
}

func ExampleJoin3() {
	p := pcollection.NewPipeline("plays-with-titles-and-artists")
	plays := pcollection.Of(p, ptable.KV("t1", 3), ptable.KV("t1", 4), ptable.KV("t2", 1))
	titles := pcollection.Of(p, ptable.KV("t1", "Song One"), ptable.KV("t2", "Song Two"), ptable.KV("t3", "Unplayed"))
	artists := pcollection.Of(p, ptable.KV("t1", "Ann"), ptable.KV("t1", "Bo")) // t1 has two, t2 none
	out := pcollection.Materialize(ptable.Join3(plays, titles, artists))
	run(p)
	for _, x := range sorted(out) {
		fmt.Println(x.Key, x.Value.A, x.Value.B, x.Value.C)
	}
	// Output:
	// t1 3 Song One Ann
	// t1 3 Song One Bo
	// t1 4 Song One Ann
	// t1 4 Song One Bo
}

func ExampleCogroup3() {
	p := pcollection.NewPipeline("catalogue")
	plays := pcollection.Of(p, ptable.KV("t1", 3), ptable.KV("t1", 4), ptable.KV("t2", 1))
	titles := pcollection.Of(p, ptable.KV("t1", "Song One"), ptable.KV("t3", "Unplayed"))
	years := pcollection.Of(p, ptable.KV("t1", 1999), ptable.KV("t2", 2024))
	out := pcollection.Materialize(ptable.Cogroup3(plays, titles, years))
	run(p)
	for _, x := range sorted(out) {
		slices.Sort(x.Value.A)
		fmt.Println(x.Key, x.Value.A, x.Value.B, x.Value.C)
	}
	// Output:
	// t1 [3 4] [Song One] [1999]
	// t2 [1] [] [2024]
	// t3 [] [Unplayed] []
}

func ExampleCount() {
	p := pcollection.NewPipeline("count")
	out := pcollection.Materialize(ptable.Count(pcollection.Of(p, "a", "b", "a")))
	run(p)
	fmt.Println(sorted(out))
	// Output: [{a 2} {b 1}]
}

func ExampleSortByKeyDescending() {
	p := pcollection.NewPipeline("plays")
	plays := pcollection.Of(p, play{"SE", "t1", 40_000}, play{"US", "t2", 5_000}, play{"DE", "t1", 90_000})
	// Longest first.
	byMs := ptable.ByKey(plays, func(x play) int64 { return x.Ms })
	out := pcollection.Materialize(ptable.SortByKeyDescending(byMs, pcollection.Partitions(2)))
	run(p)
	vs, _ := out.Values() // in order: no sorting here
	for _, v := range vs {
		fmt.Println(v.Value.Country, v.Value.Ms)
	}
	// Output:
	// DE 90000
	// SE 40000
	// US 5000
}

func ExampleAntiJoin() {
	p := pcollection.NewPipeline("unblocked")
	plays := pcollection.Of(p, ptable.KV("u1", "t1"), ptable.KV("u2", "t2"), ptable.KV("u1", "t3"), ptable.KV("u3", "t1"))
	blocked := pcollection.Of(p, ptable.KV("u2", "spam"))
	kept := pcollection.Materialize(ptable.AntiJoin(plays, blocked))
	run(p)
	fmt.Println(sorted(kept))
	// Output: [{u1 t1} {u1 t3} {u3 t1}]
}

func ExampleIntersect() {
	p := pcollection.NewPipeline("returning")
	yesterday := pcollection.Of(p, "u1", "u2", "u2", "u3")
	today := pcollection.Of(p, "u2", "u3", "u4", "u3")
	returning := pcollection.Materialize(ptable.Intersect(yesterday, today))
	gone := pcollection.Materialize(ptable.Subtract(yesterday, today))
	run(p)
	fmt.Println(sorted(returning), sorted(gone))
	// Output: [u2 u3] [u1]
}

func ExampleBloomJoin() {
	p := pcollection.NewPipeline("catalogued-plays")
	plays := pcollection.Of(p, ptable.KV("t1", "u1"), ptable.KV("t9", "u2"), ptable.KV("t1", "u3"), ptable.KV("t8", "u1"))
	catalogue := pcollection.Of(p, ptable.KV("t1", "Midnight River"), ptable.KV("t2", "Blue Machine"))
	// The filter of the catalogue's keys drops t8's and t9's plays before
	// the join's shuffle.
	joined := pcollection.Materialize(ptable.BloomJoin(plays, catalogue, 2))
	run(p)
	fmt.Println(sorted(joined))
	// Output: [{t1 {u1 Midnight River}} {t1 {u3 Midnight River}}]
}

func ExampleSemiJoin() {
	p := pcollection.NewPipeline("premium-plays")
	plays := pcollection.Of(p, ptable.KV("u1", "t1"), ptable.KV("u2", "t2"), ptable.KV("u1", "t3"))
	premium := pcollection.Of(p, ptable.KV("u1", true))
	kept := pcollection.Materialize(ptable.SemiJoin(plays, premium))
	run(p)
	fmt.Println(sorted(kept))
	// Output: [{u1 t1} {u1 t3}]
}

func ExampleShard() {
	p := pcollection.NewPipeline("even-files")
	var lines []string
	for i := range 1000 {
		lines = append(lines, fmt.Sprint("line ", i))
	}
	sharded := ptable.Shard(pcollection.Of(p, lines...), 4)
	// Written with a sink, each of the 4 partitions makes one part file.
	out := pcollection.Materialize(sharded)
	run(p)
	vs, _ := out.Values()
	fmt.Println(len(vs))
	// Output: 1000
}
