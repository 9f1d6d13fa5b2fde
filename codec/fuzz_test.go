package codec

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"
)

// fuzzValue exercises every kind of value coder in one record.
type fuzzValue struct {
	ID    string
	N     int64
	U     uint16
	F     float64
	OK    bool
	Tags  []string
	Raw   []byte
	When  time.Time
	Inner *Inner
	Pairs []Pair[int8, string]
	Arr   [2]uint32
	Attrs map[string]int32
	Price *big.Rat
}

// fuzzKey exercises every kind of key coder in one record.
type fuzzKey struct {
	S    string
	I    int
	I8   int8
	U32  uint32
	F    float64
	B    bool
	T    time.Time
	P    *string
	Path []string
	Bs   []byte
	A    [2]int16
	Sub  []Pair[uint8, float32]
}

func FuzzDecodeValue(f *testing.F) {
	c := MustFor[fuzzValue]()
	for _, v := range []fuzzValue{
		{},
		{ID: "id", N: -1, U: 65535, F: math.NaN(), OK: true, Tags: []string{"a", ""}, Raw: []byte{0},
			When: time.Unix(1, 2), Inner: &Inner{"x", -0.5}, Pairs: []Pair[int8, string]{{-1, "é"}},
			Arr: [2]uint32{1, math.MaxUint32}, Attrs: map[string]int32{"k": -7}, Price: big.NewRat(-1999, 100)},
		{Tags: []string{}, Raw: []byte{}, Pairs: []Pair[int8, string]{}, Attrs: map[string]int32{}},
	} {
		f.Add(c.Append(nil, v))
	}
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, src []byte) {
		v, n, err := c.Decode(src)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			var de *DecodeError
			if !errors.As(err, &de) || de.Type != "codec.fuzzValue" || de.Offset < 0 || de.Offset > len(src) {
				t.Fatalf("error %#v lacks type or has a bad offset", err)
			}
			return
		}
		if n < 0 || n > len(src) {
			t.Fatalf("consumed %d of %d bytes", n, len(src))
		}
		// Whatever decodes must survive a round trip. Maps are compared
		// apart because their encoding order is not deterministic.
		enc := c.Append(nil, v)
		v2, n2, err := c.Decode(enc)
		if err != nil || n2 != len(enc) {
			t.Fatalf("re-decoding %x: n=%d of %d, err %v", enc, n2, len(enc), err)
		}
		if !reflect.DeepEqual(v.Attrs, v2.Attrs) {
			t.Fatalf("maps differ after round trip: %v vs %v", v.Attrs, v2.Attrs)
		}
		v.Attrs, v2.Attrs = nil, nil
		if a, b := c.Append(nil, v), c.Append(nil, v2); !bytes.Equal(a, b) {
			t.Fatalf("round trip changed the value: %x vs %x", a, b)
		}
	})
}

func FuzzDecodeKey(f *testing.F) {
	c := MustKeyFor[fuzzKey]()
	s := "p\x00"
	for _, v := range []fuzzKey{
		{},
		{S: "a\x00b", I: math.MinInt, I8: -1, U32: 7, F: math.Inf(-1), B: true, T: time.Unix(-5, 999_999_999).UTC(),
			P: &s, Path: []string{"", "x"}, Bs: []byte{0, 0xff}, A: [2]int16{-1, 1}, Sub: []Pair[uint8, float32]{{1, 2}}},
	} {
		f.Add(c.Append(nil, v))
	}
	f.Add([]byte{0, 1, 0, 0})
	f.Fuzz(func(t *testing.T, src []byte) {
		v, n, err := c.Decode(src)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		if n < 0 || n > len(src) {
			t.Fatalf("consumed %d of %d bytes", n, len(src))
		}
		// Key encodings are canonical: what decodes re-encodes to the
		// same bytes.
		if enc := c.Append(nil, v); !bytes.Equal(enc, src[:n]) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", enc, src[:n])
		}
	})
}
