package ptable

import (
	"fmt"
	"math"

	"github.com/DataDog/sketches-go/ddsketch"

	"github.com/crunchgo/crunchgo/codec"
)

// QuantileRelativeAccuracy bounds ApproxQuantiles' error: each estimate is
// within this fraction of the value it estimates (of its absolute value).
const QuantileRelativeAccuracy = 0.01

// quantileBins caps a sketch's bins per sign. At 1% accuracy 2,048 bins
// cover values over a range of about 10^17 (from a millisecond to three
// thousand years in milliseconds) before the lowest bins are merged, which
// keeps an accumulator under about 32 KiB whatever the group's size.
const quantileBins = 2048

// ApproxQuantiles estimates the quantiles qs (each in [0, 1]: 0.5 is the
// median) of each group's values with a DDSketch
// (github.com/DataDog/sketches-go), as Beam's ApproxQuantiles and Spark's
// percentile_approx do. An estimate of quantile q is within
// QuantileRelativeAccuracy of the group's value at rank ⌊q·(n−1)⌋ in
// ascending order. Its accumulator stays small however many values a group
// has, so map-side combining keeps working for large groups. The result
// lists the estimates in the order of qs. It panics without quantiles or
// for one outside [0, 1]; a NaN or infinite value, which a sketch cannot
// rank, fails the task that meets it (filter them out first).
func ApproxQuantiles[V Number](qs ...float64) Aggregator[V, QuantileSketch, []float64] {
	if len(qs) == 0 {
		panic("ptable.ApproxQuantiles: no quantiles")
	}
	for _, q := range qs {
		if !(q >= 0 && q <= 1) {
			panic(fmt.Sprintf("ptable.ApproxQuantiles: quantile %v is not in [0, 1]", q))
		}
	}
	return quantilesAgg[V]{qs: append([]float64(nil), qs...)}
}

// QuantileSketch is ApproxQuantiles' accumulator: a DDSketch, or nil before
// its first value.
type QuantileSketch struct{ sketch *ddsketch.DDSketch }

// Quantiles returns the sketch's estimates of qs (nil when it is empty):
// of quantile q, the value at rank ⌊q·(n−1)⌋ in ascending order.
func (s QuantileSketch) Quantiles(qs ...float64) ([]float64, error) {
	if s.sketch == nil || s.sketch.IsEmpty() {
		return nil, nil
	}
	out := make([]float64, len(qs))
	for i, q := range qs {
		if !(q >= 0 && q <= 1) {
			return nil, fmt.Errorf("quantile %v is not in [0, 1]", q)
		}
		out[i] = s.at(q)
	}
	return out, nil
}

// at estimates the value at rank ⌊q·(n−1)⌋. The sketch's own
// GetValueAtQuantile ranks fractionally, which is the same for positive
// values, but for negative ones, kept by magnitude and so read from the
// top of their store, rounds the rank up: the median of {-1000, -1} came
// out -1, where that of {1, 1000} is 1.
func (s QuantileSketch) at(q float64) float64 {
	sk := s.sketch
	rank := math.Floor(float64(q * (sk.GetCount() - 1))) // float64(): no fused multiply-add
	neg, zero := sk.GetNegativeValueStore().TotalCount(), sk.GetZeroCount()
	switch {
	case rank < neg:
		return -sk.Value(sk.GetNegativeValueStore().KeyAtRank(neg - 1 - rank))
	case rank < neg+zero:
		return 0
	}
	return sk.Value(sk.GetPositiveValueStore().KeyAtRank(rank - neg - zero))
}

// Count is how many values the sketch has seen.
func (s QuantileSketch) Count() int64 {
	if s.sketch == nil {
		return 0
	}
	return int64(s.sketch.GetCount())
}

func newQuantileSketch() *ddsketch.DDSketch {
	s, err := ddsketch.LogCollapsingLowestDenseDDSketch(QuantileRelativeAccuracy, quantileBins)
	if err != nil {
		panic(fmt.Sprintf("ptable: making a quantile sketch: %v", err)) // only for an invalid accuracy
	}
	return s
}

type quantilesAgg[V Number] struct{ qs []float64 }

func (quantilesAgg[V]) Init() QuantileSketch { return QuantileSketch{} }

func (quantilesAgg[V]) Add(s QuantileSketch, v V) QuantileSketch {
	if s.sketch == nil {
		s.sketch = newQuantileSketch()
	}
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		// A DDSketch cannot place them; a NaN has no rank anyway.
		panic(fmt.Sprintf("ptable.ApproxQuantiles: cannot rank the value %v", f))
	}
	if err := s.sketch.Add(f); err != nil {
		panic(fmt.Sprintf("ptable.ApproxQuantiles: adding %v: %v", f, err))
	}
	return s
}

func (quantilesAgg[V]) Merge(x, y QuantileSketch) QuantileSketch {
	switch {
	case y.sketch == nil:
		return x
	case x.sketch == nil:
		return y
	}
	if err := x.sketch.MergeWith(y.sketch); err != nil {
		// Every sketch here has the same mapping: made by newQuantileSketch
		// or decoded into one.
		panic(fmt.Sprintf("ptable.ApproxQuantiles: merging sketches: %v", err))
	}
	return x
}

func (a quantilesAgg[V]) Result(s QuantileSketch) []float64 {
	out, err := s.Quantiles(a.qs...)
	if err != nil {
		panic(fmt.Sprintf("ptable.ApproxQuantiles: %v", err)) // qs were checked
	}
	return out
}

// quantileSketchCodec encodes a QuantileSketch as the sketch's own binary
// form after a uvarint length (0: no sketch).
type quantileSketchCodec struct{}

func init() { codec.Register[QuantileSketch](quantileSketchCodec{}) }

func (quantileSketchCodec) Append(dst []byte, s QuantileSketch) []byte {
	if s.sketch == nil {
		return append(dst, 0)
	}
	var b []byte
	s.sketch.Encode(&b, false)
	return appendSized(dst, b)
}

func (quantileSketchCodec) Decode(src []byte) (QuantileSketch, int, error) {
	return decodeSized(src, "quantile sketch", func(b []byte) (QuantileSketch, error) {
		s := newQuantileSketch()
		if err := s.DecodeAndMergeWith(b); err != nil {
			return QuantileSketch{}, err
		}
		return QuantileSketch{sketch: s}, nil
	})
}
