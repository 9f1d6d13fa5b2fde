package ptable_test

import (
	"errors"
	"iter"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

func TestUnorderableKeysRefused(t *testing.T) {
	p := pcollection.NewPipeline("keys")
	maps := ptable.ByKey(pcollection.Of(p, 1), func(v int) map[string]int { return nil })
	_, err := ptable.TryGroupByKey(maps)
	var be *pcollection.BuildError
	if !errors.As(err, &be) {
		t.Fatalf("error = %v, want a *BuildError", err)
	}
	if be.Transform != "GroupByKey" || !strings.HasPrefix(be.Caller, "ptable/build_test.go:") {
		t.Errorf("error names %s at %s, want GroupByKey in this file", be.Transform, be.Caller)
	}
	if !strings.Contains(err.Error(), "map[string]int") {
		t.Errorf("error %q does not name the key type", err)
	}

	funcs := ptable.ByKey(pcollection.Of(p, 1), func(v int) func() { return nil })
	if _, err := ptable.TryGroupByKey(funcs); err == nil {
		t.Error("grouping by a func key succeeded")
	}
	type withChan struct {
		Name string
		C    chan int
	}
	chans := ptable.ByKey(pcollection.Of(p, 1), func(v int) withChan { return withChan{} })
	if _, err := ptable.TryGroupByKey(chans); err == nil {
		t.Error("grouping by a struct key holding a chan succeeded")
	}
}

func TestJoinAcrossPipelinesPanics(t *testing.T) {
	a := pcollection.Of(pcollection.NewPipeline("a"), ptable.KV("k", 1))
	b := pcollection.Of(pcollection.NewPipeline("b"), ptable.KV("k", 2))
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "different pipelines") {
			t.Errorf("panic = %v, want a different-pipelines build error", r)
		}
	}()
	ptable.Join(a, b)
}

// TestNegativePartitionsRefused checks that Partitions(-1), which used to
// mean the runner's choice without a word, is a build error.
func TestNegativePartitionsRefused(t *testing.T) {
	p := pcollection.NewPipeline("parts")
	kvs := pcollection.Of(p, ptable.KV("a", 1))
	if _, err := ptable.TryGroupByKey(kvs, pcollection.Partitions(-1)); err == nil || !strings.Contains(err.Error(), "Partitions(-1)") {
		t.Errorf("GroupByKey with Partitions(-1): err = %v, want a build error", err)
	}
	if _, err := ptable.TryGroupByKey(kvs, pcollection.Partitions(3)); err != nil {
		t.Errorf("GroupByKey with Partitions(3): %v", err)
	}
	sorted := pcollection.Of(p, ptable.KV("a", ptable.KV(1, "x")))
	_, err := ptable.TryReduceSorted(sorted, func(k string, vs iter.Seq[ptable.Pair[int, string]], emit func(int)) error { return nil }, pcollection.Partitions(-2))
	if err == nil || !strings.Contains(err.Error(), "Partitions(-2)") {
		t.Errorf("ReduceSorted with Partitions(-2): err = %v, want a build error", err)
	}
}

// meanOf is an accumulator with a field the codec leaves out.
type meanOf struct {
	Sum float64
	n   int64
}

type lossyMean struct{}

func (lossyMean) Init() meanOf                   { return meanOf{} }
func (lossyMean) Add(a meanOf, v float64) meanOf { return meanOf{a.Sum + v, a.n + 1} }
func (lossyMean) Merge(a, b meanOf) meanOf       { return meanOf{a.Sum + b.Sum, a.n + b.n} }
func (lossyMean) Result(a meanOf) float64        { return a.Sum / float64(a.n) }

// TestAccumulatorUnexportedRefused checks that an accumulator whose
// unexported field the shuffle would drop is refused when built: the map
// side's partial means arrived with n = 0 (the mean of 1 and 3 was -1).
func TestAccumulatorUnexportedRefused(t *testing.T) {
	p := pcollection.NewPipeline("acc")
	g := ptable.GroupByKey(ptable.ByKey(pcollection.Of(p, 1.0, 3.0), func(float64) string { return "k" }))
	_, err := ptable.TryAggregate(g, ptable.Aggregator[float64, meanOf, float64](lossyMean{}))
	if err == nil || !strings.Contains(err.Error(), "has an unexported field, ptable_test.meanOf.n") {
		t.Errorf("got %v, want the unexported field named", err)
	}
	// The built-in accumulators pass, DistinctSet's scratch buffer included.
	if _, err := ptable.TryAggregate(g, ptable.DistinctCount[float64]()); err != nil {
		t.Errorf("DistinctCount: %v", err)
	}
	if _, err := ptable.TryAggregate(g, ptable.ApproxDistinctCount[float64]()); err != nil {
		t.Errorf("ApproxDistinctCount: %v", err)
	}
}
