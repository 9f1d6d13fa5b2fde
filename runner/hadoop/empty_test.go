package hadoop_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/textio"
)

// emptyOuts holds what a run of emptyInterJob materialized, by pipeline.
var emptyOuts sync.Map

// emptyInterJob writes map work over an empty file (a source without
// splits) as an intermediate that two later stages read, one as a side
// input.
var emptyInterJob = runner.Register("hadoop-test/empty-intermediate", "map work over an empty file, read by two later stages",
	func(p *pcollection.Pipeline, a *struct {
		In string `flag:"in"`
	}) error {
		lens := pcollection.Map(textio.Read(p, a.In), func(s string) int64 { return int64(len(s)) })
		sum := func(c pcollection.PCollection[int64]) pcollection.PCollection[int64] {
			kv := pcollection.Map(c, func(x int64) ptable.Pair[int64, int64] { return ptable.KV(x%2, x) })
			return ptable.Values(ptable.Aggregate(ptable.GroupByKey(kv), ptable.Sum[int64]()))
		}
		once := sum(pcollection.Of(p, int64(1), 2, 3))
		twice := sum(once)
		emptyOuts.Store(p, []*pcollection.Materialized[int64]{
			pcollection.Materialize(pcollection.Union(lens, once)),
			pcollection.Materialize(pcollection.Union(lens, twice)),
			pcollection.Materialize(pcollection.FlatMapWithSide(twice, lens, func(side []int64) (func(int64, func(int64)), error) {
				return func(x int64, emit func(int64)) { emit(x*10 + int64(len(side))) }, nil
			})),
		})
		return nil
	})

// TestEmptyIntermediate checks that an intermediate computed from a source
// without splits (an empty file) is read by later stages as empty: its
// writing phase runs no task, so no task names its files.
func TestEmptyIntermediate(t *testing.T) {
	in := filepath.Join(t.TempDir(), "empty.txt")
	if err := os.WriteFile(in, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			p, err := emptyInterJob.Build([]string{"--in", in})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rn.new(t).Run(context.Background(), p, runner.Options{}); err != nil {
				t.Fatal(err)
			}
			for i, want := range [][]int64{{2, 4}, {6}, {60}} {
				outs, _ := emptyOuts.Load(p)
				got, err := outs.([]*pcollection.Materialized[int64])[i].Values()
				if err != nil {
					t.Fatal(err)
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("output %d: got %v, want %v", i, got, want)
				}
			}
		})
	}
}
