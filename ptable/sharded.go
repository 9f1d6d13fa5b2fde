package ptable

import (
	"reflect"
	"slices"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/pcollection"
)

// shardedKey is a key of a sharded join: the join's key and a shard.
type shardedKey[K any] struct {
	Key   K
	Shard uint16
}

// ShardedJoin is Join for keys that hold a large share of a's pairs
// (Crunch's ShardedJoinStrategy; Spark's skew joins salt keys the same
// way). It deals each key's pairs of a out over shards shards and copies
// each of b's pairs to every shard, so the pairs of a hot key are joined
// by up to shards reducers instead of one. The price is b shuffled shards
// times over, so b should be the small side, as for Join. Its output is
// Join's. It panics unless 1 ≤ shards ≤ MaxShards.
func ShardedJoin[K, A, B any](a PTable[K, A], b PTable[K, B], shards int, opts ...pcollection.Option) PTable[K, Pair[A, B]] {
	info := pcollection.Build("ShardedJoin", opts)
	if shards < 1 || shards > MaxShards {
		panic(info.Errorf("ShardedJoin needs 1 ≤ shards ≤ %d, got %d", MaxShards, shards))
	}
	if _, err := codec.KeyFor[K](); err != nil { // named here, not as the internal shardedKey[K]
		panic(info.Errorf("key type %s cannot be joined on: %v", reflect.TypeFor[K](), err))
	}
	named := func(suffix string) pcollection.Option { return pcollection.Name(info.Name + "/" + suffix) }
	dealt := pcollection.Must(pcollection.TryParDo[Pair[K, A], Pair[shardedKey[K], A]](a, &keyDealer[K, A]{shards: shards}, named("deal")))
	copied := pcollection.FlatMap(b, func(p Pair[K, B], emit func(Pair[shardedKey[K], B])) {
		for s := range shards {
			emit(Pair[shardedKey[K], B]{Key: shardedKey[K]{Key: p.Key, Shard: uint16(s)}, Value: p.Value})
		}
	}, named("copy"))
	joined := Join(dealt, copied, append(slices.Clone(opts), named("join"))...)
	return pcollection.Map(joined, func(p Pair[shardedKey[K], Pair[A, B]]) Pair[K, Pair[A, B]] {
		return Pair[K, Pair[A, B]]{Key: p.Key.Key, Value: p.Value}
	}, pcollection.Name(info.Name))
}

// keyDealer gives each pair the next shard in turn.
type keyDealer[K, V any] struct {
	shards int
	turn   roundRobin
}

func (d *keyDealer[K, V]) Setup(ctx *pcollection.Context) error {
	d.turn = newRoundRobin(ctx, d.shards)
	return nil
}

func (d *keyDealer[K, V]) Process(p Pair[K, V], emit func(Pair[shardedKey[K], V])) error {
	emit(Pair[shardedKey[K], V]{Key: shardedKey[K]{Key: p.Key, Shard: uint16(d.turn.next())}, Value: p.Value})
	return nil
}
