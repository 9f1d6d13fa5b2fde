package ptable

import (
	"errors"
	"testing"

	"github.com/bits-and-blooms/bloom/v3"

	"github.com/crunchgo/crunchgo/codec"
)

func TestDecodeBloom(t *testing.T) {
	f := bloom.NewWithEstimates(100, BloomFalsePositiveRate)
	f.AddString("t1")
	good, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeBloom(good)
	if err != nil || !back.TestString("t1") || !back.Equal(f) {
		t.Fatalf("decoding a filter: %v, equal %v", err, err == nil && back.Equal(f))
	}
	for name, b := range map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)-3],
		"header":    good[:10],
		"garbage":   {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3},
	} {
		if _, err := decodeBloom(b); !errors.Is(err, codec.ErrCorrupt) {
			t.Errorf("%s: got %v, want codec.ErrCorrupt", name, err)
		}
	}
}
