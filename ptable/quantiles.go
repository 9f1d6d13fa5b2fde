package ptable

import (
	"fmt"
	"math"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"

	"github.com/crunchgo/crunchgo/codec"
)

// QuantileRelativeAccuracy bounds ApproxQuantiles' error: each estimate is
// within this fraction of the value it estimates (of its absolute value).
const QuantileRelativeAccuracy = 0.01

// ApproxQuantiles estimates the quantiles qs (each in [0, 1]: 0.5 is the
// median) of each group's values with a DDSketch
// (github.com/DataDog/sketches-go), as Beam's ApproxQuantiles and Spark's
// percentile_approx do. An estimate of quantile q is within
// QuantileRelativeAccuracy of the group's value at rank ⌊q·(n−1)⌋ in
// ascending order, whatever the values' range: a value far from the others
// costs a few bins, where a sketch of capped bins (Datadog's collapsing
// ones) merges its lowest bins and, with one outlier of 10^300 among values
// up to 100, put the median at 10^282. Its accumulator grows with the
// number of distinct magnitudes, not of values (a few KiB for values
// spanning six orders of magnitude), so map-side combining keeps working
// for large groups. The result
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
	// Paginated stores allocate only the index ranges that hold values.
	return ddsketch.NewDDSketch(quantileMapping(), store.NewBufferedPaginatedStore(), store.NewBufferedPaginatedStore())
}

func quantileMapping() mapping.IndexMapping {
	m, err := mapping.NewLogarithmicMapping(QuantileRelativeAccuracy)
	if err != nil {
		panic(fmt.Sprintf("ptable: making a quantile sketch: %v", err)) // only for an invalid accuracy
	}
	return m
}

// decodeQuantileSketch decodes an encoded sketch. It decodes into sparse
// stores first and checks the bins' indexes against those of finite
// values: a paginated store spans its indexes' range, which a corrupt
// index far out (one fuzzed input asked for 4.8 GB) would make huge.
func decodeQuantileSketch(b []byte) (*ddsketch.DDSketch, error) {
	m := quantileMapping()
	staged := ddsketch.NewDDSketch(m, store.NewSparseStore(), store.NewSparseStore())
	if err := staged.DecodeAndMergeWith(b); err != nil {
		return nil, err
	}
	lo, hi := m.Index(m.MinIndexableValue()), m.Index(m.MaxIndexableValue())
	for _, st := range []store.Store{staged.GetPositiveValueStore(), staged.GetNegativeValueStore()} {
		if st.IsEmpty() {
			continue
		}
		minIndex, _ := st.MinIndex()
		maxIndex, _ := st.MaxIndex()
		if minIndex < lo || maxIndex > hi {
			return nil, fmt.Errorf("bins %d to %d are outside the indexes of finite values, %d to %d", minIndex, maxIndex, lo, hi)
		}
	}
	s := newQuantileSketch()
	if err := s.MergeWith(staged); err != nil {
		return nil, err
	}
	return s, nil
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
		s, err := decodeQuantileSketch(b)
		return QuantileSketch{sketch: s}, err
	})
}
