package ptable

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
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

// A map task's key hashes come out sorted and without repeats however often
// its keys repeat, also across compactions.
func TestKeyHasherKeepsDistinctHashes(t *testing.T) {
	h := &keyHasher[string, int]{keys: keyBytes(codec.MustKeyFor[string]())}
	if err := h.Setup(nil); err != nil {
		t.Fatal(err)
	}
	const distinct = 3 * minCompact
	for i := range 5 * distinct {
		if err := h.Process(Pair[string, int]{Key: fmt.Sprint("k", i%distinct)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if len(h.hashes) > 2*distinct {
		t.Errorf("%d hashes held for %d distinct keys", len(h.hashes), distinct)
	}
	var out []byte
	if err := h.Finish(func(p Pair[bool, []byte]) { out = p.Value }); err != nil {
		t.Fatal(err)
	}
	if len(out) != 8*distinct {
		t.Fatalf("%d bytes of hashes, want %d", len(out), 8*distinct)
	}
	for i := 8; i < len(out); i += 8 {
		if binary.LittleEndian.Uint64(out[i-8:]) >= binary.LittleEndian.Uint64(out[i:]) {
			t.Fatalf("hash %d is not above the one before", i/8)
		}
	}

	f, err := filterOfHashes(slices.Values([][]byte{out, out[:80]}))
	if err != nil {
		t.Fatal(err)
	}
	// Sized for the distinct keys, not for the 10 hashes given twice.
	if want := bloom.NewWithEstimates(distinct, BloomFalsePositiveRate); f.Cap() != want.Cap() || f.K() != want.K() {
		t.Errorf("filter of %d bits and %d hashes, want %d and %d", f.Cap(), f.K(), want.Cap(), want.K())
	}
	probe := hashedKeys(keyBytes(codec.MustKeyFor[string]()))
	for _, k := range []string{"k0", "k1", fmt.Sprint("k", distinct-1)} {
		if !f.Test(probe(nil, k)) {
			t.Errorf("the filter does not hold %q", k)
		}
	}
	if _, err := filterOfHashes(slices.Values([][]byte{out[:12]})); !errors.Is(err, codec.ErrCorrupt) {
		t.Errorf("12 bytes of hashes: got %v, want codec.ErrCorrupt", err)
	}
	if f, err := filterOfHashes(slices.Values([][]byte(nil))); f != nil || err != nil {
		t.Errorf("no hashes: got %v, %v, want no filter", f, err)
	}
}
