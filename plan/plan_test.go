package plan_test

import (
	"context"
	"flag"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner/runnertest"
	"github.com/crunchgo/crunchgo/textio"
)

var update = flag.Bool("update", false, "rewrite the golden plans under testdata/")

type play struct {
	User, Track, Country string
	Ms                   int64
}

type track struct {
	ID, Artist, Title string
}

func plays(p *pcollection.Pipeline) pcollection.PCollection[play] {
	return pcollection.Of(p, play{"u1", "t1", "SE", 40_000}, play{"u2", "t2", "DE", 1000})
}

// threeTables are plays, tracks and artists, all keyed by track.
func threeTables(p *pcollection.Pipeline) (ptable.PTable[string, play], ptable.PTable[string, track], ptable.PTable[string, string]) {
	pt := ptable.ByKey(plays(p), func(x play) string { return x.Track })
	tracks := ptable.ByKey(pcollection.Of(p, track{"t1", "a1", "Song"}), func(t track) string { return t.ID })
	artists := pcollection.Of(p, ptable.KV("t1", "Artist One"))
	return pt, tracks, artists
}

// planCase is a pipeline with the shape its plan must have.
type planCase struct {
	name          string
	build         func(p *pcollection.Pipeline)
	stages        int
	shuffles      []int // channels per stage
	intermediates int
	combiners     int
}

var planCases = []planCase{
	{name: "wordcount", stages: 1, shuffles: []int{1}, combiners: 1, build: func(p *pcollection.Pipeline) {
		lines := pcollection.Of(p, "a b", "b c")
		words := pcollection.FlatMap(lines, func(l string, emit func(string)) {
			for _, w := range strings.Fields(l) {
				emit(w)
			}
		}, pcollection.Name("Split"))
		pcollection.Materialize(ptable.Count(words))
	}},
	{name: "chain-of-ten", stages: 1, shuffles: []int{1}, combiners: 1, build: func(p *pcollection.Pipeline) {
		c := pcollection.Of(p, 1, 2, 3)
		for i := range 10 {
			if i%2 == 0 {
				c = pcollection.Map(c, func(v int) int { return v + i }, pcollection.Name(fmt.Sprintf("Map%d", i)))
			} else {
				c = pcollection.Filter(c, func(v int) bool { return v%7 != i }, pcollection.Name(fmt.Sprintf("Filter%d", i)))
			}
		}
		t := ptable.ByKey(c, func(v int) int { return v % 3 })
		pcollection.Materialize(ptable.CombineValues(ptable.GroupByKey(t), func(a, b int) int { return a + b }))
	}},
	{name: "two-aggregations-one-input", stages: 1, shuffles: []int{2}, combiners: 2, build: func(p *pcollection.Pipeline) {
		ok := pcollection.Filter(plays(p), func(x play) bool { return x.Ms >= 30_000 })
		byTrack := ptable.Count(pcollection.Map(ok, func(x play) string { return x.Track }), pcollection.Name("PlaysByTrack"))
		byCountry := ptable.Count(pcollection.Map(ok, func(x play) string { return x.Country }), pcollection.Name("PlaysByCountry"))
		pcollection.Materialize(byTrack)
		pcollection.Materialize(byCountry)
	}},
	{name: "join", stages: 1, shuffles: []int{1}, build: func(p *pcollection.Pipeline) {
		pt := ptable.ByKey(plays(p), func(x play) string { return x.Track })
		tracks := ptable.ByKey(pcollection.Of(p, track{"t1", "a1", "Song"}), func(t track) string { return t.ID })
		pcollection.Materialize(ptable.Join(pt, tracks))
	}},
	{name: "mapside-join-then-group", stages: 2, shuffles: []int{0, 1}, intermediates: 1, combiners: 1, build: func(p *pcollection.Pipeline) {
		// The catalogue is broadcast: written by a map-only stage, read
		// whole by the join's tasks, and the plays are never shuffled by track.
		pt := ptable.ByKey(plays(p), func(x play) string { return x.Track })
		tracks := ptable.ByKey(pcollection.Of(p, track{"t1", "a1", "Song"}), func(t track) string { return t.ID })
		j := ptable.MapSideJoin(pt, tracks)
		byArtist := pcollection.Map(j, func(v ptable.Pair[string, ptable.Pair[play, track]]) ptable.Pair[string, int64] {
			return ptable.KV(v.Value.Value.Artist, v.Value.Key.Ms)
		}, pcollection.Name("ByArtist"))
		pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(byArtist), ptable.Sum[int64]()))
	}},
	{name: "join-then-group", stages: 2, shuffles: []int{1, 1}, intermediates: 1, combiners: 1, build: func(p *pcollection.Pipeline) {
		pt := ptable.ByKey(plays(p), func(x play) string { return x.Track })
		tracks := ptable.ByKey(pcollection.Of(p, track{"t1", "a1", "Song"}), func(t track) string { return t.ID })
		j := ptable.Join(pt, tracks)
		byArtist := pcollection.Map(j, func(v ptable.Pair[string, ptable.Pair[play, track]]) ptable.Pair[string, int64] {
			return ptable.KV(v.Value.Value.Artist, v.Value.Key.Ms)
		}, pcollection.Name("ByArtist"))
		pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(byArtist), ptable.Sum[int64]()))
	}},
	// Join3 shuffles its three tables once; two chained Joins shuffle
	// twice, the first join's output written in between.
	{name: "join3", stages: 1, shuffles: []int{1}, build: func(p *pcollection.Pipeline) {
		pt, tracks, artists := threeTables(p)
		pcollection.Materialize(ptable.Join3(pt, tracks, artists))
	}},
	{name: "chained-joins", stages: 2, shuffles: []int{1, 1}, intermediates: 1, build: func(p *pcollection.Pipeline) {
		pt, tracks, artists := threeTables(p)
		pcollection.Materialize(ptable.Join(ptable.Join(pt, tracks), artists))
	}},
	{name: "shared-intermediate", stages: 2, shuffles: []int{1, 2}, intermediates: 1, combiners: 3, build: func(p *pcollection.Pipeline) {
		perUser := ptable.Aggregate(ptable.GroupByKey(ptable.MapValues(ptable.ByKey(plays(p), func(x play) string { return x.User }),
			func(x play) int64 { return x.Ms })), ptable.Sum[int64](), pcollection.Name("MsPerUser"))
		heavy := pcollection.Filter(perUser, func(v ptable.Pair[string, int64]) bool { return v.Value > 1000 }, pcollection.Name("Heavy"))
		// Two later shuffles read the same reducer output: it is written once.
		pcollection.Materialize(ptable.Count(ptable.Keys(heavy), pcollection.Name("CountHeavy")))
		pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(ptable.MapValues(heavy, func(v int64) int64 { return v / 1000 })), ptable.Max[int64]()))
	}},
	// The same with a sort of the shared output: the sort's ranking waits
	// for its sample, so it is shuffled later and written either way; the
	// fusion block's note counts only the branches it saves writing.
	{name: "shared-intermediate-sorted", stages: 3, shuffles: []int{1, 3, 1}, intermediates: 2, combiners: 3, build: func(p *pcollection.Pipeline) {
		perUser := ptable.Aggregate(ptable.GroupByKey(ptable.MapValues(ptable.ByKey(plays(p), func(x play) string { return x.User }),
			func(x play) int64 { return x.Ms })), ptable.Sum[int64](), pcollection.Name("MsPerUser"))
		heavy := pcollection.Filter(perUser, func(v ptable.Pair[string, int64]) bool { return v.Value > 1000 }, pcollection.Name("Heavy"))
		pcollection.Materialize(ptable.Count(ptable.Keys(heavy), pcollection.Name("CountHeavy")))
		pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(ptable.MapValues(heavy, func(v int64) int64 { return v / 1000 })), ptable.Max[int64]()))
		pcollection.Materialize(ptable.SortByKey(heavy))
	}},
	// A total-order sort: a sampling shuffle, then a range-partitioned one
	// whose map tasks take the sample as a side input.
	{name: "sort", stages: 2, shuffles: []int{1, 1}, intermediates: 2, build: func(p *pcollection.Pipeline) {
		plays := pcollection.Of(p, ptable.KV("u1", int64(40_000)), ptable.KV("u2", int64(5_000)))
		long := pcollection.Filter(plays, func(v ptable.Pair[string, int64]) bool { return v.Value > 30_000 }, pcollection.Name("Long"))
		pcollection.Materialize(ptable.SortByKey(long))
	}},
	// A secondary sort: one shuffle, grouped by key, values sorted.
	{name: "secondary-sort", stages: 1, shuffles: []int{1}, build: func(p *pcollection.Pipeline) {
		plays := pcollection.Of(p, ptable.KV("u1", ptable.KV(int64(2), "t1")), ptable.KV("u1", ptable.KV(int64(1), "t2")))
		pcollection.Materialize(ptable.ReduceSorted(plays, func(user string, vs iter.Seq[ptable.Pair[int64, string]], emit func(string)) error {
			for v := range vs {
				emit(user + " " + v.Value)
			}
			return nil
		}))
	}},
	// Descending, which the plan says.
	{name: "secondary-sort-descending", stages: 1, shuffles: []int{1}, build: func(p *pcollection.Pipeline) {
		plays := pcollection.Of(p, ptable.KV("u1", ptable.KV(int64(2), "t1")), ptable.KV("u1", ptable.KV(int64(1), "t2")))
		pcollection.Materialize(ptable.ReduceSortedDescending(plays, func(user string, vs iter.Seq[ptable.Pair[int64, string]], emit func(string)) error {
			for v := range vs {
				emit(user + " " + v.Value)
			}
			return nil
		}))
	}},
	// Set operations: Intersect ORs side tags through a lifted combiner;
	// AntiJoin is a secondary sort on (key, side). Both shuffles share the
	// one stage that reads the two inputs.
	{name: "set-ops", stages: 1, shuffles: []int{2}, combiners: 1, build: func(p *pcollection.Pipeline) {
		yesterday := pcollection.Of(p, ptable.KV("u1", "t1"), ptable.KV("u2", "t2"))
		today := pcollection.Of(p, ptable.KV("u2", "t3"), ptable.KV("u3", "t1"))
		pcollection.Materialize(ptable.Intersect(ptable.Keys(yesterday), ptable.Keys(today)))
		pcollection.Materialize(ptable.AntiJoin(today, yesterday))
	}},
	// A Bloom join: a first stage trains the filter on the right side's
	// keys; the join's stage filters the left side with it before its
	// shuffle. The right side is read once: its join records are written in
	// the first stage as the join shuffle's map output.
	{name: "bloom-join", stages: 2, shuffles: []int{1, 1}, intermediates: 1, build: func(p *pcollection.Pipeline) {
		tracks := pcollection.Of(p, ptable.KV("t1", "Title 1"), ptable.KV("t2", "Title 2"))
		plays := pcollection.Of(p, ptable.KV("t1", int64(40_000)), ptable.KV("t9", int64(5_000)))
		pcollection.Materialize(ptable.BloomJoin(plays, tracks, 1000))
	}},
	// A join whose result nobody writes, and a count that is materialized:
	// only the count runs, and a note names what does not.
	{name: "dead-branch", stages: 1, shuffles: []int{1}, combiners: 1, build: func(p *pcollection.Pipeline) {
		plays := pcollection.Of(p, ptable.KV("t1", "u1"), ptable.KV("t2", "u2"))
		tracks := pcollection.Of(p, ptable.KV("t1", "Title 1"))
		_ = ptable.Join(plays, tracks)
		pcollection.Materialize(ptable.Count(ptable.Keys(plays)))
	}},
	// Two sorts of one aggregate: each sample is taken in the aggregate's
	// reducer and written as its shuffle's few records; the aggregate is
	// written once for the rankings, and the sampling stage does not read it.
	{name: "two-sorts-of-an-aggregate", stages: 3, shuffles: []int{1, 2, 2}, intermediates: 5, combiners: 1, build: func(p *pcollection.Pipeline) {
		perUser := ptable.Aggregate(ptable.GroupByKey(ptable.MapValues(ptable.ByKey(plays(p), func(x play) string { return x.User }),
			func(x play) int64 { return x.Ms })), ptable.Sum[int64](), pcollection.Name("MsPerUser"))
		pcollection.Materialize(ptable.SortByKey(perUser))
		pcollection.Materialize(ptable.SortByKeyDescending(perUser))
	}},
	// A Bloom join whose filtered side is an aggregate: the filter is
	// trained and the join records are tagged in the aggregate's reducer;
	// the aggregate itself is never written out and read back.
	{name: "bloom-join-after-aggregate", stages: 3, shuffles: []int{1, 1, 1}, intermediates: 3, combiners: 1, build: func(p *pcollection.Pipeline) {
		perTrack := ptable.Aggregate(ptable.GroupByKey(ptable.MapValues(ptable.ByKey(plays(p), func(x play) string { return x.Track }),
			func(x play) int64 { return x.Ms })), ptable.Sum[int64](), pcollection.Name("MsPerTrack"))
		tracks := pcollection.Of(p, ptable.KV("t1", "Title 1"), ptable.KV("t2", "Title 2"))
		pcollection.Materialize(ptable.BloomJoin(tracks, perTrack, 1000))
	}},
	{name: "sitedata", stages: 3, shuffles: []int{3, 1, 1}, intermediates: 2, combiners: 2, build: siteData},
	// A lookup file as a side input: every task of the tokenizer reads the
	// stopwords from their file, so the tokenizer runs in the map phase
	// that reads the corpus for the bigrams, and nothing is materialized.
	{name: "source-side-input", stages: 2, shuffles: []int{2, 1}, intermediates: 1, combiners: 2, build: sourceSideInput},
	// A map-side join whose small side is a distinct count (so stage 1),
	// while its large side's source also feeds a count in stage 0: the
	// large side is keyed in stage 1, from the source read again there,
	// not written out in stage 0 and read back. A filter marked as keeping
	// a hundredth of the same source is written out instead.
	{name: "delayed-source-work", stages: 2, shuffles: []int{3, 0}, intermediates: 3, combiners: 3, build: func(p *pcollection.Pipeline) {
		plays := pcollection.Of(p, ptable.KV("u1", "t1"), ptable.KV("u2", "t1"))
		pcollection.Materialize(ptable.Count(ptable.Values(plays)))
		users := ptable.Count(ptable.Keys(plays))
		byUser := pcollection.Map(plays, func(kv ptable.Pair[string, string]) ptable.Pair[string, string] { return kv }, pcollection.Name("ByUser"))
		pcollection.Materialize(ptable.MapSideJoin(byUser, users))
		rare := pcollection.Filter(plays, func(kv ptable.Pair[string, string]) bool { return kv.Key == "u9" }, pcollection.Name("Rare"), pcollection.Scale(0.01))
		pcollection.Materialize(ptable.MapSideJoin(rare, users))
		// So is a projection of a wide record to two of its fields.
		events := pcollection.Of(p, wideEvent{User: "u1"})
		pcollection.Materialize(ptable.Count(pcollection.Map(events, func(e wideEvent) string { return e.Country })))
		skips := pcollection.Map(events, func(e wideEvent) ptable.Pair[string, bool] { return ptable.KV(e.User, e.Skipped) }, pcollection.Name("Skips"))
		pcollection.Materialize(ptable.MapSideJoin(skips, users))
	}},
}

// wideEvent is a record of many fields, of which a projection keeps few.
type wideEvent struct {
	User, Track, Artist, Country, Platform string
	MsPlayed, TS                           int64
	Skipped                                bool
}

// sourceSideInput counts the bigrams of a corpus of two directories and,
// from the same lines, indexes the tokens that are not stopwords (a small
// file read as a side input), one entry per token and first letter.
func sourceSideInput(p *pcollection.Pipeline) {
	lines := pcollection.Union(textio.Read(p, "/data/corpus/a/*.txt"), textio.Read(p, "/data/corpus/b/*.txt"))
	stop := textio.Read(p, "/data/stopwords.txt")
	bigrams := pcollection.FlatMap(lines, func(l string, emit func(string)) {
		ws := strings.Fields(l)
		for i := 1; i < len(ws); i++ {
			emit(ws[i-1] + " " + ws[i])
		}
	}, pcollection.Name("Bigrams"))
	counts := ptable.Count(bigrams)
	textio.Write(pcollection.Map(counts, func(c ptable.Pair[string, int64]) string { return fmt.Sprint(c.Key, "\t", c.Value) }, pcollection.Name("FormatCounts")), "/out/bigrams")
	tokens := pcollection.FlatMapWithSide(lines, stop, func(stop []string) (func(string, func(string)), error) {
		skip := map[string]bool{}
		for _, w := range stop {
			skip[w] = true
		}
		return func(l string, emit func(string)) {
			for _, w := range strings.Fields(l) {
				if !skip[w] {
					emit(w)
				}
			}
		}, nil
	}, pcollection.Name("Tokenize"))
	index := ptable.Distinct(tokens)
	byLetter := ptable.GroupByKey(ptable.ByKey(index, func(w string) string { return w[:1] }))
	entries := ptable.Reduce(byLetter, func(letter string, ws iter.Seq[string], emit func(string)) error {
		n := 0
		for range ws {
			n++
		}
		emit(fmt.Sprint(letter, "\t", n))
		return nil
	}, pcollection.Name("Index"))
	textio.Write(entries, "/out/index")
}

// siteData follows the shape of the FlumeJava paper's SiteData example:
// several inputs, flattened and grouped more than once, joined, and grouped
// again by another key.
func siteData(p *pcollection.Pipeline) {
	type visit struct{ Site, User string }
	a := pcollection.Of(p, visit{"s1", "u1"})
	b := pcollection.Of(p, visit{"s2", "u2"})
	c := pcollection.Of(p, ptable.KV("s1", "owner1"))
	d := pcollection.Of(p, ptable.KV("s2", 42))
	ab := pcollection.Union(pcollection.Map(a, func(v visit) visit { return v }, pcollection.Name("CleanA")), pcollection.Map(b, func(v visit) visit { return v }, pcollection.Name("CleanB")))
	bySite := ptable.ByKey(ab, func(v visit) string { return v.Site })
	visits := ptable.Aggregate(ptable.GroupByKey(ptable.MapValues(bySite, func(v visit) int64 { return 1 })), ptable.Sum[int64](), pcollection.Name("VisitsPerSite"))
	users := ptable.Aggregate(ptable.GroupByKey(ptable.MapValues(bySite, func(v visit) string { return v.User })), ptable.DistinctCount[string](), pcollection.Name("UsersPerSite"))
	owners := ptable.Join(c, ptable.MapValues(d, func(v int) int64 { return int64(v) }))
	withVisits := ptable.Join(owners, visits)
	byOwner := pcollection.Map(withVisits, func(v ptable.Pair[string, ptable.Pair[ptable.Pair[string, int64], int64]]) ptable.Pair[string, int64] {
		return ptable.KV(v.Value.Key.Key, v.Value.Value)
	}, pcollection.Name("ByOwner"))
	pcollection.Materialize(ptable.Reduce(ptable.GroupByKey(byOwner), func(k string, vs iter.Seq[int64], emit func(string)) error {
		emit(k)
		return nil
	}, pcollection.Name("Owners")))
	pcollection.Materialize(users)
}

func TestGoldenPlans(t *testing.T) {
	for _, tc := range planCases {
		t.Run(tc.name, func(t *testing.T) {
			p := pcollection.NewPipeline(tc.name)
			tc.build(p)
			sg, err := plan.Optimize(context.Background(), p.Graph(), plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(sg.Stages); got != tc.stages {
				t.Errorf("stages = %d, want %d\n%s", got, tc.stages, sg.Explain())
			}
			var shuffles []int
			combiners := 0
			for _, st := range sg.Stages {
				shuffles = append(shuffles, len(st.Channels))
				for _, ch := range st.Channels {
					if ch.Combiner != plan.NoNode {
						combiners++
					}
				}
			}
			if fmt.Sprint(shuffles) != fmt.Sprint(tc.shuffles) {
				t.Errorf("shuffles per stage = %v, want %v\n%s", shuffles, tc.shuffles, sg.Explain())
			}
			if got := len(sg.Intermediates); got != tc.intermediates {
				t.Errorf("intermediates = %d, want %d\n%s", got, tc.intermediates, sg.Explain())
			}
			if combiners != tc.combiners {
				t.Errorf("lifted combiners = %d, want %d", combiners, tc.combiners)
			}
			if err := runnertest.CheckPlan(sg, plan.Options{}); err != nil {
				t.Errorf("the plan does not compute the graph: %v\n%s", err, sg.Explain())
			}
			golden(t, tc.name+".txt", sg.Explain())
			golden(t, tc.name+".dot", sg.DOT())
			// Planning is deterministic.
			again, _ := plan.Optimize(context.Background(), p.Graph(), plan.Options{})
			if again.Explain() != sg.Explain() || again.DOT() != sg.DOT() {
				t.Error("planning the same graph twice gave different plans")
			}
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./plan -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./plan -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// BenchmarkOptimize500 plans a 500-node pipeline: chains of maps feeding
// shuffles, joined pairwise.
func BenchmarkOptimize500(b *testing.B) {
	p := pcollection.NewPipeline("big")
	var tables []ptable.PTable[int, int]
	for p.Graph().Len() < 480 {
		c := pcollection.Of(p, 1, 2, 3)
		for range 8 {
			c = pcollection.Map(c, func(v int) int { return v + 1 })
		}
		t := ptable.CombineValues(ptable.GroupByKey(ptable.ByKey(c, func(v int) int { return v })), func(a, b int) int { return a + b })
		if len(tables) > 0 {
			j := ptable.Join(tables[len(tables)-1], t)
			t = ptable.MapValues(j, func(v ptable.Pair[int, int]) int { return v.Key + v.Value })
		}
		tables = append(tables, t)
	}
	pcollection.Materialize(tables[len(tables)-1])
	b.ReportMetric(float64(p.Graph().Len()), "nodes")
	ctx := context.Background()
	for b.Loop() {
		if _, err := plan.Optimize(ctx, p.Graph(), plan.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
