package ptable

import (
	"iter"

	"github.com/crunchgo/crunchgo/internal/splitmix"
	"github.com/crunchgo/crunchgo/pcollection"
)

// MaxShards is the most partitions Shard spreads over.
const MaxShards = 1 << 16

// Shard spreads c's elements evenly over n partitions (Crunch's
// Shard.shard, Spark's repartition): one shuffle, after which each of its n
// reducers holds about an nth of c, so writing the result makes n part
// files of about equal size. It turns many small files into a few, or a few
// large splits into many tasks for the work after it. Elements do not keep
// their order. Each map task deals its elements out in turn, starting at a
// shard fixed by its stage and task, so a retried task deals them the same
// way. It panics unless 1 ≤ n ≤ MaxShards.
func Shard[T any](c pcollection.PCollection[T], n int, opts ...pcollection.Option) pcollection.PCollection[T] {
	b := pcollection.Build("Shard", opts)
	if n < 1 || n > MaxShards {
		panic(b.Errorf("Shard needs 1 ≤ n ≤ %d partitions, got %d", MaxShards, n))
	}
	named := func(suffix string) pcollection.Option { return pcollection.Name(b.Name + "/" + suffix) }
	dealt := pcollection.Must(pcollection.TryParDo[T, Pair[uint16, T]](c, &dealer[T]{shards: n}, named("deal")))
	// Shard s's key is a 16-bit bucket that range partitioning (a sort's)
	// sends to partition s.
	g := pcollection.Must(groupByKey(dealt, ascending, named("group"), pcollection.Partitions(n)))
	return pcollection.Must(TryReduce(g, func(_ uint16, vs iter.Seq[T], emit func(T)) error {
		for v := range vs {
			emit(v)
		}
		return nil
	}, named("ungroup")))
}

// dealer keys each element by the next shard in turn.
type dealer[T any] struct {
	shards int
	turn   roundRobin
}

func (d *dealer[T]) Setup(ctx *pcollection.Context) error {
	d.turn = newRoundRobin(ctx, d.shards)
	return nil
}

func (d *dealer[T]) Process(v T, emit func(Pair[uint16, T])) error {
	emit(Pair[uint16, T]{Key: shardBucket(d.turn.next(), d.shards), Value: v})
	return nil
}

// roundRobin deals out 0..n-1 in turn, from a start fixed by the task's
// stage and number, so that a retried task deals the same way and tasks
// do not all start at shard 0.
type roundRobin struct{ n, at int }

func newRoundRobin(ctx *pcollection.Context, n int) roundRobin {
	info := ctx.Task()
	return roundRobin{n: n, at: int(splitmix.TaskSeed(info.Stage, info.Task, 0) % uint64(n))}
}

func (r *roundRobin) next() int {
	s := r.at
	if r.at++; r.at == r.n {
		r.at = 0
	}
	return s
}

// shardBucket is the first 16-bit bucket that range partitioning over
// shards partitions sends to partition s: the least b with
// ⌊b·shards/2^16⌋ = s.
func shardBucket(s, shards int) uint16 { return uint16((s*MaxShards + shards - 1) / shards) }
