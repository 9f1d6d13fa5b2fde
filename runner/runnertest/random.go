package runnertest

import (
	"context"
	"iter"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
)

// RandomArgs are the flags of RandomJob.
type RandomArgs struct {
	Seed int64 `flag:"seed" help:"the seed of RandomPipeline"`
}

// randomOutputs maps a pipeline RandomJob built to its collections.
var randomOutputs sync.Map

// RandomJob is RandomPipeline as a registered job, for the runners that
// rebuild pipelines in other processes; RandomOutputs returns what a run of
// it materialized.
var RandomJob = runner.Register("runnertest/random", "a pipeline of random shape (runnertest.RandomPipeline)",
	func(p *pcollection.Pipeline, a *RandomArgs) error {
		randomOutputs.Store(p, RandomPipeline(p, uint64(a.Seed)))
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
// joins (side inputs), set operations, semi, anti, Bloom and sharded joins,
// Shard, sorts, Cross and DoFns over groups, over int64 values. The same
// seed builds the same pipeline. It returns the collections to compare: a planned run must
// give the same values (in any order) as an unplanned one.
func RandomPipeline(p *pcollection.Pipeline, seed uint64) []*pcollection.Materialized[int64] {
	r := rand.New(rand.NewPCG(seed, 99))
	source := func() pcollection.PCollection[int64] {
		vs := make([]int64, 20+r.IntN(60))
		for i := range vs {
			vs[i] = r.Int64N(50)
		}
		return pcollection.Of(p, vs...)
	}
	pool := []pcollection.PCollection[int64]{source()}
	pick := func() pcollection.PCollection[int64] { return pool[r.IntN(len(pool))] }
	keyed := func(c pcollection.PCollection[int64], m int64) ptable.PTable[int64, int64] {
		return pcollection.Map(c, func(x int64) ptable.Pair[int64, int64] { return ptable.KV(x%m, x) })
	}
	flatten := func(t ptable.PTable[int64, int64]) pcollection.PCollection[int64] {
		return pcollection.Map(t, func(kv ptable.Pair[int64, int64]) int64 { return kv.Key*1000 + kv.Value })
	}
	for range 4 + r.IntN(8) {
		var next pcollection.PCollection[int64]
		switch r.IntN(15) {
		case 0:
			next = source()
		case 1:
			k := 1 + r.Int64N(5)
			next = pcollection.Map(pick(), func(x int64) int64 { return (x*k + 1) % 97 })
		case 2:
			k := 2 + r.Int64N(3)
			next = pcollection.Filter(pick(), func(x int64) bool { return x%k != 0 })
		case 3:
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
			next = flatten(ptable.Aggregate(ptable.GroupByKey(keyed(pick(), m)), ptable.Sum[int64]()))
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
				main = ptable.Aggregate(ptable.GroupByKey(keyed(pick(), m)), ptable.Sum[int64]())
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
				crossed := ptable.Cross(pick(), pcollection.Of(p, int64(1), int64(2)))
				next = pcollection.Map(crossed, func(kv ptable.Pair[int64, int64]) int64 { return kv.Key*3 + kv.Value })
			} else {
				next = ptable.ParDoGrouped(ptable.GroupByKey(keyed(pick(), 1+r.Int64N(7))), groupTotal{})
			}
		}
		pool = append(pool, next)
	}
	var outs []*pcollection.Materialized[int64]
	for _, c := range pool[len(pool)-min(3, len(pool)):] {
		outs = append(outs, pcollection.Materialize(c))
	}
	return outs
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

// RunRandom runs RandomJob for seeds 0 to seeds-1 on r, with the options
// opts gives for the seed, and checks that each run materializes the same
// collections as a run of the same pipeline on ref (the mem runner's
// unplanned interpreter, say).
func RunRandom(t *testing.T, r runner.Runner, opts func(seed int) runner.Options, ref runner.Runner, refOpts runner.Options, seeds int) {
	t.Helper()
	for seed := range seeds {
		collect := func(rr runner.Runner, o runner.Options) [][]int64 {
			t.Helper()
			p, err := RandomJob.Build([]string{"--seed", strconv.Itoa(seed)})
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
