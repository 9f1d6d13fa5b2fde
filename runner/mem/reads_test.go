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
func (c *countingSource) Read(_ context.Context, tc plan.TaskContext, s plan.Split, out plan.Emitter) error {
	emit := out.(func(string))
	for _, v := range c.values[s.Offset : s.Offset+s.Length] {
		c.reads.Add(1)
		tc.Counter("counting", "records read").Inc(1)
		emit(v)
	}
	return nil
}

// TestSourceReads runs a multi-stage pipeline whose sources feed several
// shuffles in several stages, and counts their reads. A branch of the
// first source that only the second stage uses is computed there, from the
// source read again, rather than written out and read back; marked as
// shrinking its input (Scale), it is written out, and every source is read
// exactly once.
func TestSourceReads(t *testing.T) {
	words := strings.Fields("a b c a b a d e f a b c")
	for _, tc := range []struct {
		name      string
		upperOpts []pcollection.Option
		wordReads int // times each word is read
	}{
		{"recomputed", nil, 2},
		{"written out", []pcollection.Option{pcollection.Scale(0.1)}, 1},
	} {
		src1 := &countingSource{values: words}
		src2 := &countingSource{values: []string{"a", "z"}}
		p := pcollection.NewPipeline("reads")
		w := pcollection.NewSource[string](p, "Words", src1)
		extra := pcollection.NewSource[string](p, "Extra", src2)
		counts := ptable.Count(w)
		lengths := ptable.Aggregate(ptable.GroupByKey(ptable.ByKey(w, func(s string) int { return len(s) })), ptable.CountValues[string]())
		upper := pcollection.Map(w, strings.ToUpper, tc.upperOpts...)
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
			want := int64(tc.wordReads * len(words))
			if opts.Unoptimized {
				want = int64(len(words)) // no stages: each source once
			}
			if got := src1.reads.Load(); got != want {
				t.Errorf("%s, %+v: Words read %d records, want %d", tc.name, opts, got, want)
			}
			// The counter counts each record once; the reads after the
			// first count under another name.
			if got, want := res.Counters.Get("counting", "records read"), int64(len(words)+2); got != want {
				t.Errorf("%s, %+v: records read counter: got %d, want %d", tc.name, opts, got, want)
			}
			again := res.Counters.Get("counting", "records read"+plan.CounterSuffixReadAgain)
			if got := again + res.Counters.Get("counting", "records read"); got != want+2 {
				t.Errorf("%s, %+v: records read counters: got %d in all, want %d", tc.name, opts, got, want+2)
			}
			if got := src2.reads.Load(); got != 2 {
				t.Errorf("%s, %+v: Extra read %d records, want 2", tc.name, opts, got)
			}
			if res.Plan != nil && strings.Contains(res.Plan.Explain(), "read again") != (tc.wordReads > 1) {
				t.Errorf("%s: plan reads a source again: %v, want %v:\n%s", tc.name, !(tc.wordReads > 1), tc.wordReads > 1, res.Plan.Explain())
			}
		}
	}
}
