package ptable_test

import (
	"math"
	"testing"

	"github.com/crunchgo/crunchgo/ptable"
)

// TestExtremeSignedZeros checks that Min keeps -0 and Max +0 whatever the
// order the zeros arrive in, added one by one or merged from partial
// results: cmp.Compare finds them equal, and the first used to win.
func TestExtremeSignedZeros(t *testing.T) {
	neg, pos := math.Copysign(0, -1), 0.0
	fold := func(agg ptable.Aggregator[float64, ptable.Extreme[float64], float64], vs ...float64) float64 {
		a := agg.Init()
		for _, v := range vs {
			a = agg.Add(a, v)
		}
		return agg.Result(a)
	}
	merge := func(agg ptable.Aggregator[float64, ptable.Extreme[float64], float64], x, y float64) float64 {
		return agg.Result(agg.Merge(agg.Add(agg.Init(), x), agg.Add(agg.Init(), y)))
	}
	for _, order := range [][2]float64{{neg, pos}, {pos, neg}} {
		if got := fold(ptable.Min[float64](), order[0], order[1]); !math.Signbit(got) || got != 0 {
			t.Errorf("Min of %v, %v = %v, want -0", order[0], order[1], got)
		}
		if got := fold(ptable.Max[float64](), order[0], order[1]); math.Signbit(got) || got != 0 {
			t.Errorf("Max of %v, %v = %v, want +0", order[0], order[1], got)
		}
		if got := merge(ptable.Min[float64](), order[0], order[1]); !math.Signbit(got) {
			t.Errorf("Min merging %v into %v = %v, want -0", order[1], order[0], got)
		}
	}
	f32 := ptable.Min[float32]()
	if got := f32.Result(f32.Add(f32.Add(f32.Init(), 0), float32(math.Copysign(0, -1)))); !math.Signbit(float64(got)) {
		t.Errorf("Min[float32] of +0, -0 = %v, want -0", got)
	}
	ints := ptable.Max[int]()
	if got := ints.Result(ints.Add(ints.Add(ints.Init(), 3), 7)); got != 7 {
		t.Errorf("Max[int] of 3, 7 = %d", got)
	}
}
