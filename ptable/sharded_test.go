package ptable_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

// partitionOf tags each element with the reduce partition that produced
// it: the fused step runs in the join's reduce tasks.
type partitionOf[T any] struct{ task int }

func (d *partitionOf[T]) Setup(ctx *pcollection.Context) error {
	d.task = ctx.Task().Task
	return nil
}

func (d *partitionOf[T]) Process(_ T, emit func(int)) error {
	emit(d.task)
	return nil
}

// ShardedJoin must spread a hot key's pairs over several reducers, where
// Join sends them all to one; the conformance suite checks its output.
func TestShardedJoinSpreadsHotKey(t *testing.T) {
	reducers := func(join func(a ptable.PTable[string, int], b ptable.PTable[string, string]) ptable.PTable[string, ptable.Pair[int, string]]) int {
		p := pcollection.NewPipeline("skew")
		var hot []ptable.Pair[string, int]
		for i := range 10_000 {
			hot = append(hot, ptable.KV("hot", i))
		}
		joined := join(pcollection.Of(p, hot...), pcollection.Of(p, ptable.KV("hot", "h")))
		parts := pcollection.Materialize(ptable.Count(pcollection.ParDo[ptable.Pair[string, ptable.Pair[int, string]], int](joined, &partitionOf[ptable.Pair[string, ptable.Pair[int, string]]]{})))
		run(p)
		got, _ := parts.Values()
		var total int64
		for _, c := range got {
			total += c.Value
		}
		if total != 10_000 {
			t.Fatalf("%d joined pairs, want 10,000", total)
		}
		return len(got)
	}
	plain := reducers(func(a ptable.PTable[string, int], b ptable.PTable[string, string]) ptable.PTable[string, ptable.Pair[int, string]] {
		return ptable.Join(a, b, pcollection.Partitions(8))
	})
	sharded := reducers(func(a ptable.PTable[string, int], b ptable.PTable[string, string]) ptable.PTable[string, ptable.Pair[int, string]] {
		return ptable.ShardedJoin(a, b, 8, pcollection.Partitions(8))
	})
	t.Logf("the hot key's pairs came from %d reducer(s) with Join, %d with ShardedJoin over 8 shards", plain, sharded)
	if plain != 1 || sharded < 4 {
		t.Errorf("the hot key was joined by %d reducer(s) with Join (want 1) and %d with ShardedJoin (want at least 4)", plain, sharded)
	}
}

func ExampleShardedJoin() {
	p := pcollection.NewPipeline("skewed")
	plays := pcollection.Of(p, ptable.KV("t1", "u1"), ptable.KV("t1", "u2"), ptable.KV("t1", "u3"), ptable.KV("t2", "u1"))
	titles := pcollection.Of(p, ptable.KV("t1", "Hit"), ptable.KV("t2", "B-side"))
	out := pcollection.Materialize(ptable.ShardedJoin(plays, titles, 2))
	run(p)
	fmt.Println(sorted(out))
	// Output: [{t1 {u1 Hit}} {t1 {u2 Hit}} {t1 {u3 Hit}} {t2 {u1 B-side}}]
}

// TestShardedJoinNamesTheKeyType checks that an unorderable key is refused
// naming the caller's key type, not the shard key wrapping it.
func TestShardedJoinNamesTheKeyType(t *testing.T) {
	type badKey struct{ M map[string]int }
	p := pcollection.NewPipeline("sharded-bad-key")
	a := pcollection.Of(p, ptable.KV(badKey{}, 1))
	b := pcollection.Of(p, ptable.KV(badKey{}, "x"))
	defer func() {
		msg := fmt.Sprint(recover())
		if !strings.Contains(msg, "key type ptable_test.badKey cannot be joined on") || strings.Contains(msg, "shardedKey") {
			t.Errorf("panic %q, want the key type named", msg)
		}
	}()
	ptable.ShardedJoin(a, b, 2)
}
