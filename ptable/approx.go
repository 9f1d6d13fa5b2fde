package ptable

import (
	"fmt"
	"reflect"

	"github.com/axiomhq/hyperloglog"

	"github.com/crunchgo/crunchgo/codec"
)

// ApproxDistinctCount estimates how many distinct values a group has with a
// HyperLogLog sketch (github.com/axiomhq/hyperloglog, 2^14 registers: a
// standard error of about 0.8%; a small group, which it keeps as a sparse
// list, counts exactly or nearly). Unlike DistinctCount its accumulator stays under
// about 16 KiB per group however many values it sees, so map-side combining
// keeps working for large groups. V must be orderable, as a GroupByKey key:
// values are hashed by their key encoding, the same for equal values in
// every process. It panics for any other V.
func ApproxDistinctCount[V any]() Aggregator[V, HLL, int64] {
	kc, err := codec.KeyFor[V]()
	if err != nil {
		panic(fmt.Sprintf("ptable.ApproxDistinctCount: value type %s cannot be hashed: %v", reflect.TypeFor[V](), err))
	}
	return approxDistinctAgg[V]{key: keyBytes(kc)}
}

// HLL is ApproxDistinctCount's accumulator: a HyperLogLog sketch, or nil
// before its first value.
type HLL struct{ sketch *hyperloglog.Sketch }

// Estimate is the sketch's estimate of the distinct values it has seen.
func (h HLL) Estimate() int64 {
	if h.sketch == nil {
		return 0
	}
	return int64(h.sketch.Estimate())
}

type approxDistinctAgg[V any] struct {
	key func(dst []byte, v V) []byte // see keyBytes
}

func (approxDistinctAgg[V]) Init() HLL { return HLL{} }

func (a approxDistinctAgg[V]) Add(h HLL, v V) HLL {
	if h.sketch == nil {
		h.sketch = hyperloglog.New()
	}
	// No buffer: a string's bytes need none, and one passed through the
	// function would escape to the heap on every call.
	h.sketch.Insert(a.key(nil, v))
	return h
}

func (approxDistinctAgg[V]) Merge(x, y HLL) HLL {
	switch {
	case y.sketch == nil:
		return x
	case x.sketch == nil:
		return y
	}
	if err := x.sketch.Merge(y.sketch); err != nil {
		// Every sketch here is made by hyperloglog.New, or decoded from one.
		panic(fmt.Sprintf("ptable.ApproxDistinctCount: merging sketches: %v", err))
	}
	return x
}

func (approxDistinctAgg[V]) Result(h HLL) int64 { return h.Estimate() }

// hllCodec encodes an HLL as its sketch's binary form after a uvarint
// length (0: no sketch).
type hllCodec struct{}

func init() { codec.Register[HLL](hllCodec{}) }

func (hllCodec) Append(dst []byte, h HLL) []byte {
	if h.sketch == nil {
		return append(dst, 0)
	}
	b, err := h.sketch.MarshalBinary()
	if err != nil {
		panic(fmt.Sprintf("ptable: encoding a HyperLogLog sketch: %v", err)) // it never fails
	}
	return appendSized(dst, b)
}

func (hllCodec) Decode(src []byte) (HLL, int, error) {
	return decodeSized(src, "HyperLogLog sketch", func(b []byte) (HLL, error) {
		s := new(hyperloglog.Sketch)
		if err := s.UnmarshalBinary(b); err != nil {
			return HLL{}, err
		}
		return HLL{sketch: s}, nil
	})
}
