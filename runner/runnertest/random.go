package runnertest

import (
	"context"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/textio"
)

// RandomArgs are the flags of RandomJob.
type RandomArgs struct {
	Seed int64  `flag:"seed" help:"the seed of RandomPipeline"`
	Dir  string `flag:"dir" help:"where WriteRandomFiles wrote the seed's files (empty: in-memory sources instead)"`
}

// randomOutputs maps a pipeline RandomJob built to its collections.
var randomOutputs sync.Map

// RandomJob is RandomPipeline as a registered job, for the runners that
// rebuild pipelines in other processes; RandomOutputs returns what a run of
// it materialized.
var RandomJob = runner.Register("runnertest/random", "a pipeline of random shape (runnertest.RandomPipeline)",
	func(p *pcollection.Pipeline, a *RandomArgs) error {
		randomOutputs.Store(p, RandomPipelineFiles(p, uint64(a.Seed), a.Dir))
		return nil
	})

// RandomOutputs returns the collections of a pipeline RandomJob built.
func RandomOutputs(p *pcollection.Pipeline) []*pcollection.Materialized[int64] {
	v, _ := randomOutputs.LoadAndDelete(p)
	outs, _ := v.([]*pcollection.Materialized[int64])
	return outs
}

// RandomPipeline adds to p a pipeline of random shape from seed: element-wise
// steps, unions, aggregations (whose combiners the planner lifts), Distinct
// and Count (whose intermediates it may write as shuffle records), map-side
// joins (side inputs, chained, and of a collection that is also the main
// input), set operations, semi, anti, Bloom and sharded joins, cogroups and
// reduce-side joins, Shard, sorts and secondary sorts, Cross, DoFns over
// groups, one grouping with several consumers, combiners over unions of
// aggregations, and wide records (whose recomputation from sources the
// planner weighs), over int64 values. The same seed builds the same
// pipeline. It returns the collections to compare: a planned run must give
// the same values (in any order) as an unplanned one.
func RandomPipeline(p *pcollection.Pipeline, seed uint64) []*pcollection.Materialized[int64] {
	return RandomPipelineFiles(p, seed, "")
}

// RandomPipelineFiles is RandomPipeline reading the inputs it would read
// from files from dir, where WriteRandomFiles(dir, seed) wrote them: text,
// Avro and Parquet sources, split finely, some read whole by every task as
// side inputs. With dir empty it reads the same values from memory, in the
// same shape.
func RandomPipelineFiles(p *pcollection.Pipeline, seed uint64, dir string) []*pcollection.Materialized[int64] {
	r := rand.New(rand.NewPCG(seed, 99))
	files := randomFileData(seed)
	// in bounds the number of elements of the inputs a step picked (and
	// sources it read); a step whose output could pass maxElements is not
	// used (the planner drops it), so that chained joins do not blow up.
	const maxElements = 10_000
	var bounds []int
	in := 0
	source := func() pcollection.PCollection[int64] {
		vs := make([]int64, 20+r.IntN(60))
		in += len(vs)
		for i := range vs {
			vs[i] = r.Int64N(50)
		}
		return pcollection.Of(p, vs...)
	}
	pool := []pcollection.PCollection[int64]{source()}
	bounds = append(bounds, in)
	pick := func() pcollection.PCollection[int64] {
		i := r.IntN(len(pool))
		in += bounds[i]
		return pool[i]
	}
	keyed := func(c pcollection.PCollection[int64], m int64) ptable.PTable[int64, int64] {
		return pcollection.Map(c, func(x int64) ptable.Pair[int64, int64] { return ptable.KV(x%m, x) })
	}
	flatten := func(t ptable.PTable[int64, int64]) pcollection.PCollection[int64] {
		return pcollection.Map(t, func(kv ptable.Pair[int64, int64]) int64 { return kv.Key*1000 + kv.Value })
	}
	sum := func(t ptable.PTable[int64, int64]) ptable.PTable[int64, int64] {
		// Some with their own number of partitions, which differs from
		// that of the stage's other shuffles.
		return ptable.Aggregate(ptable.GroupByKey(t, pcollection.Partitions(r.IntN(4))), ptable.Sum[int64]())
	}
	// lookup joins main with side on the map side: each element with the
	// sum of side's values for its key, so that it does not multiply the
	// data as a join with a side that repeats keys would.
	lookup := func(main, side ptable.PTable[int64, int64]) pcollection.PCollection[int64] {
		return pcollection.FlatMapWithSide(main, side, func(side []ptable.Pair[int64, int64]) (func(ptable.Pair[int64, int64], func(int64)), error) {
			sums := map[int64]int64{}
			for _, kv := range side {
				sums[kv.Key] += kv.Value + 1
			}
			return func(kv ptable.Pair[int64, int64], emit func(int64)) { emit(kv.Value*1000 + sums[kv.Key]) }, nil
		})
	}
	// table is c keyed by m, as is, summed by key, or filtered: the shapes a
	// side or main input of a map-side join takes.
	table := func(c pcollection.PCollection[int64], m int64) ptable.PTable[int64, int64] {
		switch r.IntN(3) {
		case 0:
			return sum(keyed(c, m))
		case 1:
			k := 2 + r.Int64N(3)
			return pcollection.Filter(keyed(c, m), func(kv ptable.Pair[int64, int64]) bool { return kv.Value%k != 0 })
		}
		return keyed(c, m)
	}
	// fileSource reads one of the seed's files, as int64s.
	fileSource := func() pcollection.PCollection[int64] {
		in += max(len(files.lines), len(files.recs))
		if r.IntN(2) == 0 {
			var lines pcollection.PCollection[string]
			if dir == "" {
				lines = pcollection.Of(p, files.lines...)
			} else {
				lines = textio.Read(p, filepath.Join(dir, "nums.txt"), textio.SplitSize(64))
			}
			return pcollection.Map(lines, func(s string) int64 {
				v, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					panic(err)
				}
				return v
			})
		}
		return pcollection.Map(recordSource(p, r, dir, files), func(x randomRecord) int64 { return x.ID })
	}
	var outs []*pcollection.Materialized[int64]
	for range 4 + r.IntN(8) {
		var next pcollection.PCollection[int64]
		in = 0
		grow, power := 1, 1 // the output is at most grow times in to the power (map-side joins whose sides repeat keys)
		switch r.IntN(27) {
		case 0:
			next = source()
		case 1:
			k := 1 + r.Int64N(5)
			next = pcollection.Map(pick(), func(x int64) int64 { return (x*k + 1) % 97 })
		case 2:
			k := 2 + r.Int64N(3)
			next = pcollection.Filter(pick(), func(x int64) bool { return x%k != 0 })
		case 3:
			grow = 2
			next = pcollection.FlatMap(pick(), func(x int64, emit func(int64)) {
				emit(x)
				if x%2 == 0 {
					emit(x / 2)
				}
			})
		case 4:
			next = pcollection.Union(pick(), pick())
		case 5, 6:
			m := 1 + r.Int64N(7)
			next = flatten(sum(keyed(pick(), m)))
		case 7:
			next = ptable.Distinct(pick())
		case 8:
			next = flatten(ptable.Count(pcollection.Map(pick(), func(x int64) int64 { return x % 11 })))
		case 9:
			m := 1 + r.Int64N(5)
			side := ptable.Aggregate(ptable.GroupByKey(keyed(pick(), m)), ptable.Max[int64]())
			switch r.IntN(3) {
			case 0:
				side = keyed(pick(), m) // computed on the map side
				power = 2               // and repeating keys
			case 1:
				// A source, which every task of the join reads itself.
				kvs := make([]ptable.Pair[int64, int64], 1+r.IntN(10))
				for i := range kvs {
					kvs[i] = ptable.KV(int64(i)%m, r.Int64N(50))
				}
				side = pcollection.Of(p, kvs[:min(len(kvs), int(m))]...)
			}
			main := keyed(pick(), m)
			if r.IntN(2) == 0 {
				// Straight out of a reducer, where the planner may keep the
				// join if the side input is written in time.
				main = sum(keyed(pick(), m))
			}
			joined := ptable.MapSideLeftJoin(main, side)
			next = pcollection.Map(joined, func(kv ptable.Pair[int64, ptable.Pair[int64, *int64]]) int64 {
				if kv.Value.Value == nil {
					return -kv.Value.Key
				}
				return kv.Value.Key*100 + *kv.Value.Value
			})
		case 10:
			if r.IntN(2) == 0 {
				next = ptable.Intersect(pick(), pick())
			} else {
				next = ptable.Subtract(pick(), pick())
			}
		case 11:
			m := 1 + r.Int64N(7)
			if r.IntN(2) == 0 {
				next = flatten(ptable.SemiJoin(keyed(pick(), m), keyed(pick(), m)))
			} else {
				next = flatten(ptable.AntiJoin(keyed(pick(), m), keyed(pick(), m)))
			}
		case 12:
			// Each key once on the right, so that chained joins do not
			// multiply the data.
			left, right := keyed(pick(), 1<<40), keyed(ptable.Distinct(pick()), 1<<40)
			var joined ptable.PTable[int64, ptable.Pair[int64, int64]]
			if r.IntN(2) == 0 {
				joined = ptable.ShardedJoin(left, right, 1+r.IntN(4))
			} else {
				joined = ptable.BloomJoin(left, right, r.IntN(10)) // 0: counted
			}
			next = pcollection.Map(joined, func(kv ptable.Pair[int64, ptable.Pair[int64, int64]]) int64 {
				return kv.Key*10000 + kv.Value.Key*100 + kv.Value.Value
			})
		case 13:
			if r.IntN(2) == 0 {
				next = ptable.Shard(pick(), 1+r.IntN(4))
			} else {
				next = flatten(ptable.SortByKey(keyed(pick(), 1+r.Int64N(20))))
			}
		case 14:
			if r.IntN(2) == 0 {
				// A small right side, so that chained crosses stay small.
				grow = 2
				crossed := ptable.Cross(pick(), pcollection.Of(p, int64(1), int64(2)))
				next = pcollection.Map(crossed, func(kv ptable.Pair[int64, int64]) int64 { return kv.Key*3 + kv.Value })
			} else {
				next = ptable.ParDoGrouped(ptable.GroupByKey(keyed(pick(), 1+r.Int64N(7))), groupTotal{})
			}
		case 15:
			// One collection as the main input and, computed another way,
			// the side input of the same join (a self map-side join), or of
			// a join in a later stage.
			m := 1 + r.Int64N(5)
			c := pick()
			next = lookup(table(c, m), table(c, m))
			if r.IntN(2) == 0 {
				next = lookup(sum(keyed(next, m)), table(c, m))
			}
		case 16:
			// A side input computed with another side input.
			m := 1 + r.Int64N(5)
			inner := lookup(table(pick(), m), table(pick(), m))
			next = lookup(table(pick(), m), table(inner, m))
		case 17:
			// Map work on wide records from sources alone, used in one
			// later stage (which may compute it again from its sources,
			// unless it is much smaller than they are) or in two (written
			// out once).
			var w pcollection.PCollection[randomRecord]
			if r.IntN(2) == 0 {
				w = recordSource(p, r, dir, files)
				in += len(files.recs)
			} else {
				w = pcollection.Map(pick(), widen)
			}
			if r.IntN(2) == 0 {
				k := 2 + r.Int64N(3)
				w = pcollection.Filter(w, func(x randomRecord) bool { return x.ID%k == 0 }, pcollection.Scale([]float64{0.01, 0.4, 1}[r.IntN(3)]))
			}
			var back pcollection.PCollection[int64]
			if r.IntN(2) == 0 {
				back = pcollection.Map(w, func(x randomRecord) int64 { return x.ID*3 + x.Key }) // a projection
			} else {
				w = pcollection.Map(w, func(x randomRecord) randomRecord { x.Note += "!"; return x }) // as wide
				back = pcollection.Map(w, func(x randomRecord) int64 { return x.ID + int64(len(x.Note)) })
			}
			m := 1 + r.Int64N(7)
			grow = 2
			later := pcollection.Union(back, flatten(sum(keyed(pick(), m))))
			switch r.IntN(3) {
			case 0:
				next = later
			case 1:
				even := flatten(sum(keyed(flatten(sum(keyed(pick(), m))), m)))
				next = pcollection.Union(later, pcollection.Union(back, even))
			default:
				next = flatten(sum(keyed(back, m)))
			}
		case 18:
			// One grouping with several consumers: not combined on the map
			// side, shuffled once per use.
			g := ptable.GroupByKey(keyed(pick(), 1+r.Int64N(7)))
			a := flatten(ptable.Aggregate(g, ptable.Sum[int64]()))
			var b pcollection.PCollection[int64]
			switch r.IntN(3) {
			case 0:
				b = flatten(ptable.Aggregate(g, ptable.Max[int64]()))
			case 1:
				b = ptable.ParDoGrouped(g, groupTotal{})
			default:
				b = flatten(ptable.CombineValues(g, func(x, y int64) int64 { return min(x, y) }))
			}
			grow = 2
			next = pcollection.Union(a, b)
			if r.IntN(2) == 0 {
				outs = append(outs, pcollection.Materialize(a)) // two outputs of one stage
				next = b
			}
		case 19:
			// A combiner over a union of aggregations (and maybe a map-side
			// collection): its map side reads reducers' outputs.
			m := 1 + r.Int64N(7)
			parts := []ptable.PTable[int64, int64]{sum(keyed(pick(), m)), ptable.Aggregate(ptable.GroupByKey(keyed(pick(), m)), ptable.Min[int64]())}
			if r.IntN(2) == 0 {
				parts = append(parts, keyed(pick(), m))
			}
			u := pcollection.Union(parts...)
			if r.IntN(2) == 0 {
				next = flatten(sum(u))
			} else {
				next = flatten(ptable.CombineValues(ptable.GroupByKey(u), func(x, y int64) int64 { return max(x, y) }))
			}
		case 20:
			// Cogroups and reduce-side joins, each key once on the right of
			// a join so that chained joins do not multiply the data.
			m := 1 + r.Int64N(7)
			a, b := keyed(pick(), m), keyed(pick(), m)
			switch r.IntN(4) {
			case 0:
				cg := ptable.Cogroup(a, b)
				next = pcollection.Map(cg, func(kv ptable.Pair[int64, ptable.Cogrouped[int64, int64]]) int64 {
					return kv.Key*1_000_000 + total(kv.Value.A)*100 + int64(len(kv.Value.B))
				})
			case 1:
				cg := ptable.Cogroup3(a, b, sum(keyed(pick(), m)))
				next = pcollection.Map(cg, func(kv ptable.Pair[int64, ptable.Cogrouped3[int64, int64, int64]]) int64 {
					return kv.Key*1_000_000 + total(kv.Value.A)*100 + total(kv.Value.C) - int64(len(kv.Value.B))
				})
			case 2:
				j := ptable.LeftJoin(a, sum(b))
				next = pcollection.Map(j, func(kv ptable.Pair[int64, ptable.Pair[int64, *int64]]) int64 {
					if kv.Value.Value == nil {
						return -kv.Value.Key
					}
					return kv.Value.Key*1000 + *kv.Value.Value
				})
			default:
				j := ptable.FullJoin(sum(a), sum(b))
				next = pcollection.Map(j, func(kv ptable.Pair[int64, ptable.Pair[*int64, *int64]]) int64 {
					v := kv.Key * 7
					if kv.Value.Key != nil {
						v += *kv.Value.Key * 1000
					}
					if kv.Value.Value != nil {
						v += *kv.Value.Value * 1_000_000
					}
					return v
				})
			}
		case 21:
			// Secondary sort: the result depends on the order of S.
			m := 1 + r.Int64N(7)
			t := pcollection.Map(pick(), func(x int64) ptable.Pair[int64, ptable.Pair[int64, int64]] {
				return ptable.KV(x%m, ptable.KV((x*7)%13, x))
			})
			fn := func(k int64, vs iter.Seq[ptable.Pair[int64, int64]], emit func(int64)) error {
				var h, i int64
				for v := range vs {
					i++
					h = h*31 + v.Key // order-dependent
					h %= 1_000_003
				}
				emit(k*10_000_000 + h*10 + i%10)
				return nil
			}
			if r.IntN(2) == 0 {
				next = ptable.ReduceSorted(t, fn)
			} else {
				next = ptable.ReduceSortedDescending(t, fn)
			}
		case 22:
			next = fileSource()
			if r.IntN(2) == 0 {
				// The same source also as a main input elsewhere.
				pool, bounds = append(pool, next), append(bounds, in)
				next = pcollection.Map(next, func(x int64) int64 { return x + 1 })
			}
		case 23:
			// A source read whole by every task: a file's records as a side
			// input, maybe of a join whose main input comes from the same
			// file.
			recs := recordSource(p, r, dir, files)
			in += len(files.recs)
			main := pick()
			if r.IntN(2) == 0 {
				main = pcollection.Map(recs, func(x randomRecord) int64 { return x.Key })
				if r.IntN(2) == 0 {
					main = flatten(sum(keyed(main, 3)))
				}
			}
			next = pcollection.FlatMapWithSide(main, recs, func(side []randomRecord) (func(int64, func(int64)), error) {
				byKey := map[int64]int64{}
				for _, x := range side {
					byKey[x.Key] += x.ID
				}
				return func(x int64, emit func(int64)) { emit(x*1000 + byKey[x%10]) }, nil
			})
		case 24:
			// Nothing: an empty source or file, or a filter that keeps
			// nothing (of a side input too).
			switch r.IntN(4) {
			case 0:
				next = pcollection.Of[int64](p)
			case 1:
				next = pcollection.Filter(pick(), func(int64) bool { return false })
			case 2:
				next = emptyFile(p, r, dir)
			default:
				next = lookup(keyed(pick(), 3), keyed(pcollection.Filter(pick(), func(int64) bool { return false }), 3))
			}
		case 25:
			// A collection as its own side input: each element with the
			// number of elements below it.
			next = pcollection.FlatMapWithSide(pick(), pick(), func(side []int64) (func(int64, func(int64)), error) {
				sorted := slices.Sorted(slices.Values(side))
				return func(x int64, emit func(int64)) {
					below, _ := slices.BinarySearch(sorted, x)
					emit(x*100_000 + int64(below))
				}, nil
			})
		case 26:
			// Folds of a whole collection: one group, one partition.
			c := pick()
			if r.IntN(3) == 0 {
				c = pcollection.Filter(c, func(x int64) bool { return x%5 == 0 })
			}
			if r.IntN(2) == 0 {
				next = ptable.AggregateGlobally(c, ptable.Sum[int64]())
			} else {
				top := ptable.Top(keyed(c, 1+r.Int64N(7)), 1+r.IntN(5), func(a, b ptable.Pair[int64, int64]) bool {
					return a.Value < b.Value || a.Value == b.Value && a.Key < b.Key
				})
				next = flatten(top)
			}
		}
		bound := grow
		for range power {
			bound *= in
		}
		if bound > maxElements {
			continue
		}
		if r.IntN(8) == 0 {
			// An intermediate that is also an output.
			outs = append(outs, pcollection.Materialize(next))
		}
		pool, bounds = append(pool, next), append(bounds, bound)
	}
	for i, c := range pool {
		// The last three, and what nothing else reads (which the planner
		// would drop: a shape that does not run finds no bug).
		if i >= len(pool)-3 || len(p.Graph().Consumers(c.ID())) == 0 {
			outs = append(outs, pcollection.Materialize(c))
		}
	}
	return outs
}

// total is the sum of vs.
func total(vs []int64) int64 {
	var t int64
	for _, v := range vs {
		t += v
	}
	return t
}

// groupTotal emits, per group, its key and the sum of its values (nothing
// per task: tasks differ from plan to plan).
type groupTotal struct{}

func (groupTotal) Process(p ptable.Pair[int64, iter.Seq[int64]], emit func(int64)) error {
	var sum int64
	for v := range p.Value {
		sum += v
	}
	emit(p.Key*1_000_000 + sum)
	return nil
}

// Sorted returns the values of each of outs, sorted: what RandomPipeline's
// runs compare.
func Sorted(outs []*pcollection.Materialized[int64]) ([][]int64, error) {
	var all [][]int64
	for _, m := range outs {
		vs, err := m.Values()
		if err != nil {
			return nil, err
		}
		slices.Sort(vs)
		all = append(all, vs)
	}
	return all, nil
}

// RunRandom runs RandomJob for seeds 0 to seeds-1, reading files
// WriteRandomFiles wrote, on r, with the options
// opts gives for the seed, and checks that each run materializes the same
// collections as a run of the same pipeline on ref (the mem runner's
// unplanned interpreter, say).
func RunRandom(t *testing.T, r runner.Runner, opts func(seed int) runner.Options, ref runner.Runner, refOpts runner.Options, seeds int) {
	t.Helper()
	for seed := range seeds {
		dir := filepath.Join(t.TempDir(), "in")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := WriteRandomFiles(dir, uint64(seed)); err != nil {
			t.Fatal(err)
		}
		collect := func(rr runner.Runner, o runner.Options) [][]int64 {
			t.Helper()
			p, err := RandomJob.Build([]string{"--seed", strconv.Itoa(seed), "--dir", dir})
			if err != nil {
				t.Fatal(err)
			}
			outs := RandomOutputs(p)
			if _, err := rr.Run(context.Background(), p, o); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			got, err := Sorted(outs)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			return got
		}
		want := collect(ref, refOpts)
		if got := collect(r, opts(seed)); !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("seed %d: results differ from the reference run\ngot  %v\nwant %v", seed, got, want)
		}
	}
}
