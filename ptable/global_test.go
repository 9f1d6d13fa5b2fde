package ptable_test

import (
	"fmt"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

// The combiner runs on the map side: each map task shuffles one partial
// sum, not its elements. (The conformance suite checks the results on
// every runner.)
func TestAggregateGloballyShufflesPartials(t *testing.T) {
	p := pcollection.NewPipeline("total")
	var want int64
	var xs []int64
	for i := range 100_000 {
		xs = append(xs, int64(i%977))
		want += int64(i % 977)
	}
	total := pcollection.Materialize(ptable.AggregateGlobally(pcollection.Of(p, xs...), ptable.Sum[int64]()))
	got := shuffled(t, p)
	if vs, _ := total.Values(); len(vs) != 1 || vs[0] != want {
		t.Fatalf("total %v, want [%d]", vs, want)
	}
	if got > 16 {
		t.Errorf("%d records shuffled for 100,000 elements, want one partial sum a map task", got)
	}
}

func ExampleAggregateGlobally() {
	p := pcollection.NewPipeline("totals")
	ms := pcollection.Of(p, int64(40_000), 5_000, 90_000)
	total := pcollection.Materialize(ptable.AggregateGlobally(ms, ptable.Sum[int64]()))
	longest := pcollection.Materialize(ptable.AggregateGlobally(ms, ptable.Max[int64]()))
	none := pcollection.Materialize(ptable.AggregateGlobally(pcollection.Of[int64](p), ptable.CountValues[int64]()))
	run(p)
	fmt.Println(sorted(total), sorted(longest), sorted(none))
	// Output: [135000] [90000] [0]
}
