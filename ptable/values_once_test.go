package ptable_test

import (
	"context"
	"iter"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

// stash keeps the values of the first group, to iterate after its reducer
// returned.
type stash struct {
	vs iter.Seq[int]
}

func (s *stash) Setup(pcollection.Context) error { return nil }
func (s *stash) Process(g ptable.Pair[string, iter.Seq[int]], emit func(int)) error {
	if s.vs == nil {
		s.vs = g.Value
	}
	return nil
}
func (s *stash) Finish(emit func(int)) error {
	for v := range s.vs {
		emit(v)
	}
	return nil
}

// keeper iterates, during each group's call, the values it kept from the
// group before.
type keeper struct {
	kept iter.Seq[int]
}

func (k *keeper) Setup(pcollection.Context) error { return nil }
func (k *keeper) Process(g ptable.Pair[string, iter.Seq[int]], emit func(int)) error {
	if k.kept != nil {
		for v := range k.kept {
			emit(v)
		}
	}
	k.kept = g.Value
	return nil
}
func (k *keeper) Finish(func(int)) error { return nil }

// TestGroupValuesIteratedOnce checks that a group's values, which stream
// from the shuffle on the other runners, cannot be read twice, or after
// their reducer returned, on the in-memory runner either: it used to start
// over where the local runner gave nothing or the rest (the local runner's
// jobs test covers it there).
func TestGroupValuesIteratedOnce(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		build      func(g ptable.PGroupedTable[string, int]) pcollection.PCollection[int]
	}{
		{"twice", "were iterated twice", func(g ptable.PGroupedTable[string, int]) pcollection.PCollection[int] {
			return ptable.Reduce(g, func(k string, vs iter.Seq[int], emit func(int)) error {
				n := 0
				for range vs {
					n++
				}
				for range vs {
					n++
				}
				emit(n)
				return nil
			})
		}},
		{"after a break", "were iterated twice", func(g ptable.PGroupedTable[string, int]) pcollection.PCollection[int] {
			return ptable.Reduce(g, func(k string, vs iter.Seq[int], emit func(int)) error {
				for v := range vs {
					emit(v)
					break
				}
				for v := range vs {
					emit(v)
				}
				return nil
			})
		}},
		{"after the reducer returned", "after the function given them returned", func(g ptable.PGroupedTable[string, int]) pcollection.PCollection[int] {
			return ptable.ParDoGrouped(g, pcollection.DoFn[ptable.Pair[string, iter.Seq[int]], int](&stash{}))
		}},
		// Kept, then iterated during the next group's call, before that
		// group's own values: they gave the next group's values.
		{"during the next group", "after the function given them returned", func(g ptable.PGroupedTable[string, int]) pcollection.PCollection[int] {
			return ptable.ParDoGrouped(g, pcollection.DoFn[ptable.Pair[string, iter.Seq[int]], int](&keeper{}))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pcollection.NewPipeline("once")
			kvs := pcollection.Of(p, ptable.KV("a", 1), ptable.KV("a", 2), ptable.KV("b", 3))
			pcollection.Materialize(tc.build(ptable.GroupByKey(kvs)))
			_, err := mem.Run(context.Background(), p, runner.Options{Partitions: 1})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "values_once_test.go") {
				t.Fatalf("err = %v, want one naming the transform and saying the values %s", err, tc.want)
			}
		})
	}
}
