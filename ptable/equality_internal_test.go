package ptable

import (
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/codec"
)

// foldedKey has a registered key codec that ignores case, so == on it is
// stricter than the shuffle's equality although it is a string.
type foldedKey string

type foldedCodec struct{}

func (foldedCodec) Append(dst []byte, k foldedKey) []byte {
	return codec.MustKeyFor[string]().Append(dst, strings.ToLower(string(k)))
}

func (foldedCodec) Decode(src []byte) (foldedKey, int, error) {
	s, n, err := codec.MustKeyFor[string]().Decode(src)
	return foldedKey(s), n, err
}

func init() { codec.RegisterKey[foldedKey](foldedCodec{}) }

type named string

func TestEqualityEncoding(t *testing.T) {
	for name, got := range map[string]bool{
		"string":                 equalityEncoding[string]() == nil,
		"named string":           equalityEncoding[named]() == nil,
		"int":                    equalityEncoding[int]() == nil,
		"uint8":                  equalityEncoding[uint8]() == nil,
		"bool":                   equalityEncoding[bool]() == nil,
		"[4]byte":                equalityEncoding[[4]byte]() == nil,
		"Pair[string, int64]":    equalityEncoding[Pair[string, int64]]() == nil,
		"complex128 (no key)":    equalityEncoding[complex128]() == nil,
		"struct{X any} (no key)": equalityEncoding[struct{ X any }]() == nil,
		"float64":                equalityEncoding[float64]() != nil,
		"*string":                equalityEncoding[*string]() != nil,
		"time.Time":              equalityEncoding[time.Time]() != nil,
		"[2]float32":             equalityEncoding[[2]float32]() != nil,
		"struct{S string; t int}": equalityEncoding[struct {
			S string
			t int
		}]() != nil,
		"Pair[string, named]":     equalityEncoding[Pair[string, named]]() != nil, // named: may be registered
		"Pair[string, *int]":      equalityEncoding[Pair[string, *int]]() != nil,
		"registered foldedKey":    equalityEncoding[foldedKey]() != nil,
		"struct{K Pair[int,int]}": equalityEncoding[struct{ K Pair[int, int] }]() != nil,
	} {
		if !got {
			t.Errorf("%s: wrong equality", name)
		}
	}
	// A registered codec's equality is the one that counts.
	tab := newSideTable([]Pair[foldedKey, int]{KV[foldedKey]("Key", 1)}, equalityEncoding[foldedKey]())
	if got := tab.values("KEY"); len(got) != 1 {
		t.Errorf("KEY found %v in a table of Key, which encodes the same", got)
	}
	// Values with no key encoding have only == to go by.
	agg := DistinctCount[complex128]()
	if n := agg.Result(agg.Add(agg.Add(agg.Add(agg.Init(), 1+2i), 1+2i), 3i)); n != 2 {
		t.Errorf("DistinctCount of 1+2i, 1+2i, 3i: %d", n)
	}
}

// TestKeyBytesFollowRegisteredCodec checks that sketches and Bloom filters
// hash a string key with a registered codec by its encoding, so that keys
// the codec makes equal hash alike, while plain strings keep their bytes.
func TestKeyBytesFollowRegisteredCodec(t *testing.T) {
	folded := keyBytes(codec.MustKeyFor[foldedKey]())
	if a, b := string(folded(nil, "Key")), string(folded(nil, "KEY")); a != b {
		t.Errorf("foldedKey hashes by %q and %q, want equal keys to hash alike", a, b)
	}
	plain := keyBytes(codec.MustKeyFor[string]())
	if got := string(plain(nil, "Key")); got != "Key" {
		t.Errorf("a string hashes by %q, want its own bytes", got)
	}
}
