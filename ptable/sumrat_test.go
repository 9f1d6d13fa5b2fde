package ptable_test

import (
	"math/big"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

func TestSumRat(t *testing.T) {
	p := pcollection.NewPipeline("sumrat")
	cents := func(n int64) *big.Rat { return big.NewRat(n, 100) }
	given := []ptable.Pair[string, *big.Rat]{
		ptable.KV("a", cents(10)), ptable.KV("a", cents(20)), ptable.KV[string, *big.Rat]("a", nil), ptable.KV("a", big.NewRat(1, 3)),
		ptable.KV[string, *big.Rat]("b", nil), ptable.KV[string, *big.Rat]("b", nil),
		ptable.KV("c", cents(-5)),
	}
	in := pcollection.Of(p, given...)
	out := pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(in), ptable.SumRat()))
	if _, err := mem.Run(t.Context(), p, runner.Options{}); err != nil {
		t.Fatal(err)
	}
	got, err := out.Values()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "19/30", "b": "<nil>", "c": "-1/20"} // 0.10+0.20+1/3
	if len(got) != len(want) {
		t.Fatalf("got %d groups, want %d: %v", len(got), len(want), got)
	}
	for _, g := range got {
		s := "<nil>"
		if g.Value != nil {
			s = g.Value.String()
		}
		if s != want[g.Key] {
			t.Errorf("sum of %s = %s, want %s", g.Key, s, want[g.Key])
		}
	}
	if given[0].Value.Cmp(cents(10)) != 0 || given[1].Value.Cmp(cents(20)) != 0 {
		t.Errorf("SumRat changed the values given to it: %v, %v", given[0].Value, given[1].Value)
	}
}
