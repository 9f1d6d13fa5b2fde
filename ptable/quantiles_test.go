package ptable_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

var testQuantiles = []float64{0, 0.01, 0.25, 0.5, 0.9, 0.99, 1}

// exactQuantile is the value ApproxQuantiles estimates: rank ⌊q·(n−1)⌋ of
// the sorted values.
func exactQuantile(sorted []float64, q float64) float64 {
	return sorted[int(math.Floor(q*float64(len(sorted)-1)))]
}

// checkQuantiles compares estimates of testQuantiles with the exact values.
func checkQuantiles(t *testing.T, name string, values []float64, got []float64) {
	t.Helper()
	sorted := slices.Sorted(slices.Values(values))
	if len(got) != len(testQuantiles) {
		t.Fatalf("%s: %d estimates for %d quantiles", name, len(got), len(testQuantiles))
	}
	for i, q := range testQuantiles {
		want := exactQuantile(sorted, q)
		if math.Abs(got[i]-want) > ptable.QuantileRelativeAccuracy*math.Abs(want)+1e-9 {
			t.Errorf("%s: quantile %v estimated as %v, exact %v", name, q, got[i], want)
		}
	}
}

// quantileGroups are value sets of several shapes.
func quantileGroups() map[string][]float64 {
	groups := map[string][]float64{"one": {42}, "zeros-and-negatives": nil, "uniform": nil, "heavy-tail": nil, "ties": nil,
		// Few values far apart, where rounding a rank the wrong way shows:
		// negative values are kept by magnitude.
		"two-negatives": {-1000, -1}, "three-negatives": {-1e9, -2, -1}, "two-positives": {1, 1000}, "mixed-signs": {-1000, 0, 1000, -5, 7},
		// Outliers far from the rest, which a sketch of capped bins would
		// collapse the rest into.
		"outliers": {1e300, -1e-300, 1e-300, -1e300}}
	x := uint64(3)
	next := func() float64 {
		x = x*6364136223846793005 + 1442695040888963407
		return float64(x>>11) / (1 << 53)
	}
	for i := range 50_000 {
		groups["uniform"] = append(groups["uniform"], float64(1+i*7919%100_000))
		groups["heavy-tail"] = append(groups["heavy-tail"], math.Round(30_000*math.Exp(4*next()-1))) // ms played: 11 s to 10 min
		groups["ties"] = append(groups["ties"], float64(i%3*1000))
	}
	for i := range 100 {
		groups["outliers"] = append(groups["outliers"], float64(i+1), -float64(i+1)/1e6)
	}
	for i := range 2001 {
		groups["zeros-and-negatives"] = append(groups["zeros-and-negatives"], float64(i%7-3)*float64(i))
	}
	return groups
}

func TestApproxQuantilesAccuracy(t *testing.T) {
	agg := ptable.ApproxQuantiles[float64](testQuantiles...)
	for name, values := range quantileGroups() {
		s := agg.Init()
		for _, v := range values {
			s = agg.Add(s, v)
		}
		checkQuantiles(t, name, values, agg.Result(s))
	}
}

// Merging sketches of parts, each through the codec as between map and
// reduce tasks, estimates what one sketch of everything does.
func TestApproxQuantilesMerges(t *testing.T) {
	agg := ptable.ApproxQuantiles[int64](testQuantiles...)
	c, err := codec.For[ptable.QuantileSketch]()
	if err != nil {
		t.Fatal(err)
	}
	values := quantileGroups()["heavy-tail"]
	whole, merged := agg.Init(), agg.Init()
	for part := range 4 {
		s := agg.Init()
		for _, v := range values[part*len(values)/4 : (part+1)*len(values)/4] {
			s = agg.Add(s, int64(v))
			whole = agg.Add(whole, int64(v))
		}
		b := c.Append(nil, s)
		back, n, err := c.Decode(b)
		if err != nil || n != len(b) {
			t.Fatalf("decoding a sketch: %d of %d bytes, %v", n, len(b), err)
		}
		if len(b) > 32<<10 {
			t.Errorf("a sketch of %d values encodes to %d bytes", back.Count(), len(b))
		}
		merged = agg.Merge(merged, back)
	}
	if got, want := agg.Result(merged), agg.Result(whole); !slices.Equal(got, want) {
		t.Errorf("merged parts estimate %v, one sketch of everything %v", got, want)
	}
	checkQuantiles(t, "merged", values, agg.Result(merged))
	if b := c.Append(nil, agg.Init()); len(b) != 1 {
		t.Errorf("an empty sketch encodes as %x", b)
	} else if s, _, err := c.Decode(b); err != nil || s.Count() != 0 {
		t.Errorf("an empty sketch decodes to %d values, %v", s.Count(), err)
	}
}

func encodedQuantileSketch(n int) []byte {
	agg := ptable.ApproxQuantiles[int](0.5)
	c, _ := codec.For[ptable.QuantileSketch]()
	s := agg.Init()
	for i := range n {
		s = agg.Add(s, i*i-n)
	}
	return c.Append(nil, s)
}

func TestApproxQuantilesCorruptSketch(t *testing.T) {
	checkCorruptSketches[ptable.QuantileSketch](t, encodedQuantileSketch(1000))
}

func FuzzQuantileSketchDecode(f *testing.F) {
	fuzzSketchDecode[ptable.QuantileSketch](f, encodedQuantileSketch(200))
}

func TestApproxQuantilesRefusesBadArguments(t *testing.T) {
	for name, f := range map[string]func(){
		"no quantiles": func() { ptable.ApproxQuantiles[int]() },
		"above one":    func() { ptable.ApproxQuantiles[int](0.5, 1.5) },
		"NaN":          func() { ptable.ApproxQuantiles[int](math.NaN()) },
		"NaN value": func() {
			agg := ptable.ApproxQuantiles[float64](0.5)
			agg.Add(agg.Init(), math.NaN())
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func ExampleApproxQuantiles() {
	p := pcollection.NewPipeline("ms-played")
	var plays []ptable.Pair[string, int64]
	for i := range 1001 {
		plays = append(plays, ptable.KV("SE", int64(i*1000)), ptable.KV("DE", int64(i*100)))
	}
	q := ptable.ApproxQuantiles[int64](0.5, 0.9)
	out := pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(pcollection.Of(p, plays...)), q))
	run(p)
	for _, c := range sorted(out) {
		// Within 1% of the exact 50,000 and 90,000 ms (ten times that for SE).
		fmt.Printf("%s median %.0f ms, p90 %.0f ms\n", c.Key, c.Value[0], c.Value[1])
	}
	// Output:
	// DE median 49529 ms, p90 90249 ms
	// SE median 504028 ms, p90 900231 ms
}
