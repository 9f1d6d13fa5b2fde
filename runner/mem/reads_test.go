package mem_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

// countingSource is an in-memory source that counts what it reads.
type countingSource struct {
	values []string
	reads  atomic.Int64 // records emitted
}

func (c *countingSource) Describe() string                   { return "counting" }
func (c *countingSource) EstimateSize(context.Context) int64 { return int64(len(c.values)) * 8 }
func (c *countingSource) Splits(_ context.Context, hint int) ([]plan.Split, error) {
	var out []plan.Split
	for i := range hint {
		lo, hi := len(c.values)*i/hint, len(c.values)*(i+1)/hint
		out = append(out, plan.Split{Index: i, Offset: int64(lo), Length: int64(hi - lo)})
	}
	return out, nil
}
func (c *countingSource) Read(_ context.Context, _ plan.TaskContext, s plan.Split, out plan.Emitter) error {
	emit := out.(func(string))
	for _, v := range c.values[s.Offset : s.Offset+s.Length] {
		c.reads.Add(1)
		emit(v)
	}
	return nil
}

// TestEverySourceReadOnce runs a multi-stage pipeline whose sources feed
// several shuffles in several stages, and checks each was read exactly once.
func TestEverySourceReadOnce(t *testing.T) {
	words := strings.Fields("a b c a b a d e f a b c")
	src1 := &countingSource{values: words}
	src2 := &countingSource{values: []string{"a", "z"}}
	p := pcollection.NewPipeline("reads")
	w := pcollection.NewSource[string](p, "Words", src1)
	extra := pcollection.NewSource[string](p, "Extra", src2)
	counts := ptable.Count(w)
	lengths := ptable.Aggregate(ptable.GroupByKey(ptable.ByKey(w, func(s string) int { return len(s) })), ptable.CountValues[string]())
	upper := pcollection.Map(w, strings.ToUpper)
	// Stage 1: the reducer's output meets a branch of the first source and the second source.
	keys := ptable.Keys(counts)
	all := ptable.Count(pcollection.Union(keys, upper, extra))
	pcollection.Materialize(all)
	pcollection.Materialize(lengths)
	for _, opts := range []runner.Options{{}, {Workers: 3}, {Unoptimized: true}} {
		src1.reads.Store(0)
		src2.reads.Store(0)
		res, err := mem.Run(context.Background(), p, opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := src1.reads.Load(); got != int64(len(words)) {
			t.Errorf("%+v: Words read %d records, want %d (once each)", opts, got, len(words))
		}
		if got := src2.reads.Load(); got != 2 {
			t.Errorf("%+v: Extra read %d records, want 2", opts, got)
		}
		if res.Plan != nil && strings.Contains(res.Plan.Explain(), "read again") {
			t.Errorf("plan reads a source again:\n%s", res.Plan.Explain())
		}
	}
}
