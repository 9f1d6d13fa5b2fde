package pcollection_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

func sampleOf(t *testing.T, n int, fraction float64, seed uint64, workers int) []int {
	t.Helper()
	p := pcollection.NewPipeline("sample")
	in := make([]int, n)
	for i := range in {
		in[i] = i
	}
	out := pcollection.Materialize(pcollection.Sample(pcollection.Of(p, in...), fraction, seed))
	if _, err := mem.Run(context.Background(), p, runner.Options{Workers: workers}); err != nil {
		t.Fatal(err)
	}
	got, err := out.Values()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}

// The draws are pseudo-random but fixed, so the bounds cannot flake.
func TestSample(t *testing.T) {
	const n = 100_000
	for _, fraction := range []float64{0.001, 0.1, 0.5, 0.9} {
		got := sampleOf(t, n, fraction, 1, 4)
		// Within four standard deviations of a binomial draw.
		want, slack := fraction*n, 4*math.Sqrt(n*fraction*(1-fraction))
		if math.Abs(float64(len(got))-want) > slack {
			t.Errorf("fraction %v kept %d of %d, want %.0f ± %.0f", fraction, len(got), n, want, slack)
		}
		if len(slices.Compact(slices.Clone(got))) != len(got) || (len(got) > 0 && (got[0] < 0 || got[len(got)-1] >= n)) {
			t.Errorf("fraction %v: the sample is not a subset of the input", fraction)
		}
	}
	if got := sampleOf(t, 1000, 1, 1, 2); len(got) != 1000 {
		t.Errorf("fraction 1 kept %d of 1000", len(got))
	}
	// The same seed and split: the same elements (a retry keeps them);
	// another seed: others.
	a, b, c := sampleOf(t, 10_000, 0.2, 7, 3), sampleOf(t, 10_000, 0.2, 7, 3), sampleOf(t, 10_000, 0.2, 8, 3)
	if !slices.Equal(a, b) {
		t.Error("two runs with one seed kept different elements")
	}
	if slices.Equal(a, c) {
		t.Error("two seeds kept the same elements")
	}
}

func TestSampleRefusesBadFractions(t *testing.T) {
	p := pcollection.NewPipeline("sample")
	in := pcollection.Of(p, 1, 2, 3)
	for _, f := range []float64{0, -0.5, 1.5} {
		if _, err := pcollection.TrySample(in, f, 1); err == nil || !strings.Contains(err.Error(), "not in (0, 1]") {
			t.Errorf("fraction %v: err = %v", f, err)
		}
	}
}
