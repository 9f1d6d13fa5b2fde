package codec

import (
	"bytes"
	"cmp"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

type CountryTrack struct {
	Country string
	Plays   int64
}

type nestedKey struct {
	A  [2]int8
	P  *uint16
	T  time.Time
	Bs []byte
	F  float32
	D  float64
	B  bool
}

func sign(x int) int { return cmp.Compare(x, 0) }

// checkOrder draws n random values, and for every pair asserts that the
// encodings compare like the values. It also checks that each encoding
// decodes to an equal value, re-encodes to the same bytes (keys are
// canonical), and is self-delimiting (trailing bytes are not consumed).
func checkOrder[T any](t *testing.T, n int, gen func(r *rand.Rand) T, compare func(a, b T) int) {
	t.Helper()
	c, err := KeyFor[T]()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(2026, 11))
	vals := make([]T, n)
	encs := make([][]byte, n)
	for i := range vals {
		vals[i] = gen(r)
		encs[i] = c.Append(nil, vals[i])
		src := append(append([]byte(nil), encs[i]...), 0x00, 0xFF, 0x01)
		got, m, err := c.Decode(src)
		if err != nil {
			t.Fatalf("Decode(%x) of %#v: %v", encs[i], vals[i], err)
		}
		if m != len(encs[i]) {
			t.Fatalf("Decode of %#v consumed %d bytes, want %d", vals[i], m, len(encs[i]))
		}
		if compare(got, vals[i]) != 0 {
			t.Fatalf("round trip of %#v: got %#v", vals[i], got)
		}
		if re := c.Append(nil, got); !bytes.Equal(re, encs[i]) {
			t.Fatalf("re-encoding of decoded %#v: got %x, want %x", got, re, encs[i])
		}
	}
	fails := 0
	for i := range vals {
		for j := i; j < n; j++ {
			got, want := sign(bytes.Compare(encs[i], encs[j])), sign(compare(vals[i], vals[j]))
			if got != want {
				t.Errorf("order of %#v vs %#v: bytes compare %d, values compare %d (%x vs %x)", vals[i], vals[j], got, want, encs[i], encs[j])
				if fails++; fails > 10 {
					t.FailNow()
				}
			}
		}
	}
}

const nVals = 100 // 5050 pairs per type

func genInt[I int | int8 | int16 | int32 | int64](bits int) func(r *rand.Rand) I {
	return func(r *rand.Rand) I {
		switch r.IntN(4) {
		case 0: // small, often equal
			return I(r.IntN(7) - 3)
		case 1: // extremes
			hi := int64(1)<<(bits-1) - 1
			return I([]int64{hi, -hi - 1, hi - 1, -hi}[r.IntN(4)])
		default:
			return I(int64(r.Uint64()) >> (64 - bits))
		}
	}
}

func genUint[U uint | uint8 | uint16 | uint32 | uint64](bits int) func(r *rand.Rand) U {
	return func(r *rand.Rand) U {
		if r.IntN(3) == 0 {
			return U(r.IntN(3))
		}
		return U(r.Uint64() >> (64 - bits))
	}
}

var specialFloats = []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), -math.NaN(),
	math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 1, -1}

func genFloat64(r *rand.Rand) float64 {
	switch r.IntN(4) {
	case 0:
		return specialFloats[r.IntN(len(specialFloats))]
	case 1:
		return float64(r.IntN(5) - 2)
	case 2:
		return r.NormFloat64() * 1e6
	}
	return math.Float64frombits(r.Uint64()) // any bit pattern, NaNs included
}

func genFloat32(r *rand.Rand) float32 {
	if r.IntN(2) == 0 {
		return float32(genFloat64(r))
	}
	return math.Float32frombits(r.Uint32())
}

// Alphabet chosen to exercise escaping, terminators and multi-byte runes.
var alphabet = []string{"\x00", "\x01", "\xff", "a", "b", "é", "日", "\x00\xff", "\x00\x01"}

func genString(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(6) {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func genBytes(r *rand.Rand) []byte {
	s := genString(r)
	if s == "" {
		return nil // decoded empty keys are nil
	}
	return []byte(s)
}

func TestKeyOrder(t *testing.T) {
	t.Run("bool", func(t *testing.T) {
		checkOrder(t, 20, func(r *rand.Rand) bool { return r.IntN(2) == 0 }, func(a, b bool) int {
			return cmp.Compare(b2i(a), b2i(b))
		})
	})
	t.Run("int", func(t *testing.T) { checkOrder(t, nVals, genInt[int](64), cmp.Compare[int]) })
	t.Run("int8", func(t *testing.T) { checkOrder(t, nVals, genInt[int8](8), cmp.Compare[int8]) })
	t.Run("int16", func(t *testing.T) { checkOrder(t, nVals, genInt[int16](16), cmp.Compare[int16]) })
	t.Run("int32", func(t *testing.T) { checkOrder(t, nVals, genInt[int32](32), cmp.Compare[int32]) })
	t.Run("int64", func(t *testing.T) { checkOrder(t, nVals, genInt[int64](64), cmp.Compare[int64]) })
	t.Run("uint", func(t *testing.T) { checkOrder(t, nVals, genUint[uint](64), cmp.Compare[uint]) })
	t.Run("uint8", func(t *testing.T) { checkOrder(t, nVals, genUint[uint8](8), cmp.Compare[uint8]) })
	t.Run("uint16", func(t *testing.T) { checkOrder(t, nVals, genUint[uint16](16), cmp.Compare[uint16]) })
	t.Run("uint32", func(t *testing.T) { checkOrder(t, nVals, genUint[uint32](32), cmp.Compare[uint32]) })
	t.Run("uint64", func(t *testing.T) { checkOrder(t, nVals, genUint[uint64](64), cmp.Compare[uint64]) })
	t.Run("float64", func(t *testing.T) { checkOrder(t, 200, genFloat64, cmp.Compare[float64]) })
	t.Run("float32", func(t *testing.T) { checkOrder(t, 200, genFloat32, cmp.Compare[float32]) })
	t.Run("string", func(t *testing.T) { checkOrder(t, 200, genString, strings.Compare) })
	t.Run("named string", func(t *testing.T) {
		checkOrder(t, nVals, func(r *rand.Rand) UserID { return UserID(genString(r)) }, cmp.Compare[UserID])
	})
	t.Run("bytes", func(t *testing.T) { checkOrder(t, 200, genBytes, bytes.Compare) })
	t.Run("time", func(t *testing.T) {
		checkOrder(t, nVals, func(r *rand.Rand) time.Time {
			return time.Unix(r.Int64N(1<<40)-1<<39, r.Int64N(3)*int64(r.IntN(333_333_333))).UTC()
		}, time.Time.Compare)
	})
	t.Run("struct string int64", func(t *testing.T) {
		checkOrder(t, 200, func(r *rand.Rand) CountryTrack {
			return CountryTrack{genString(r), genInt[int64](64)(r)}
		}, func(a, b CountryTrack) int {
			return cmp.Or(strings.Compare(a.Country, b.Country), cmp.Compare(a.Plays, b.Plays))
		})
	})
	t.Run("generic pair", func(t *testing.T) {
		checkOrder(t, nVals, func(r *rand.Rand) Pair[int32, string] {
			return Pair[int32, string]{int32(r.IntN(3) - 1), genString(r)}
		}, func(a, b Pair[int32, string]) int {
			return cmp.Or(cmp.Compare(a.Key, b.Key), strings.Compare(a.Value, b.Value))
		})
	})
	t.Run("slice of int32", func(t *testing.T) {
		checkOrder(t, 150, func(r *rand.Rand) []int32 {
			if r.IntN(5) == 0 {
				return nil
			}
			s := make([]int32, 1+r.IntN(4))
			for i := range s {
				s[i] = int32(r.IntN(5) - 2)
			}
			return s
		}, slices.Compare[[]int32])
	})
	t.Run("slice of string", func(t *testing.T) {
		checkOrder(t, 150, func(r *rand.Rand) []string {
			var s []string
			for range r.IntN(4) {
				s = append(s, genString(r))
			}
			return s
		}, slices.Compare[[]string])
	})
	t.Run("pointer", func(t *testing.T) {
		checkOrder(t, nVals, func(r *rand.Rand) *int16 {
			if r.IntN(4) == 0 {
				return nil
			}
			v := int16(r.IntN(5) - 2)
			return &v
		}, func(a, b *int16) int {
			switch {
			case a == nil || b == nil:
				return cmp.Compare(b2i(a != nil), b2i(b != nil))
			}
			return cmp.Compare(*a, *b)
		})
	})
	t.Run("nested struct", func(t *testing.T) {
		checkOrder(t, 200, func(r *rand.Rand) nestedKey {
			k := nestedKey{
				A:  [2]int8{int8(r.IntN(3) - 1), int8(r.IntN(3) - 1)},
				T:  time.Unix(int64(r.IntN(3)), int64(r.IntN(2))).UTC(),
				Bs: genBytes(r),
				F:  genFloat32(r),
				D:  float64(r.IntN(3)) - 1,
				B:  r.IntN(2) == 0,
			}
			if r.IntN(2) == 0 {
				p := uint16(r.IntN(3))
				k.P = &p
			}
			return k
		}, func(a, b nestedKey) int {
			pc := func(a, b *uint16) int {
				if a == nil || b == nil {
					return cmp.Compare(b2i(a != nil), b2i(b != nil))
				}
				return cmp.Compare(*a, *b)
			}
			return cmp.Or(slices.Compare(a.A[:], b.A[:]), pc(a.P, b.P), a.T.Compare(b.T),
				bytes.Compare(a.Bs, b.Bs), cmp.Compare(a.F, b.F), cmp.Compare(a.D, b.D), cmp.Compare(b2i(a.B), b2i(b.B)))
		})
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestKeyDocumentedChoices(t *testing.T) {
	c := MustKeyFor[float64]()
	negZero := math.Copysign(0, -1)
	if !bytes.Equal(c.Append(nil, negZero), c.Append(nil, 0)) {
		t.Error("-0 and +0 must encode alike")
	}
	if !bytes.Equal(c.Append(nil, math.NaN()), c.Append(nil, -math.NaN())) {
		t.Error("all NaNs must encode alike")
	}
	if bytes.Compare(c.Append(nil, math.NaN()), c.Append(nil, math.Inf(-1))) >= 0 {
		t.Error("NaN must sort before -Inf")
	}
	got, _, err := c.Decode(c.Append(nil, negZero))
	if err != nil || math.Signbit(got) {
		t.Errorf("decoding -0: got %v, %v; want +0", got, err)
	}
	s := MustKeyFor[[]int]()
	if !bytes.Equal(s.Append(nil, nil), s.Append(nil, []int{})) {
		t.Error("nil and empty slices must encode alike")
	}
	want := []byte{'a', 0x00, 0xFF, 'b', 0x00, 0x01}
	if got := MustKeyFor[string]().Append(nil, "a\x00b"); !bytes.Equal(got, want) {
		t.Errorf("string escape: got %x, want %x", got, want)
	}
}

func TestKeyUnorderable(t *testing.T) {
	type withMap struct {
		A string
		M map[string]int
	}
	type deep struct {
		Items []Pair[string, any]
	}
	cases := []struct {
		name string
		typ  reflect.Type
		err  error
		want string
	}{
		{"map", reflect.TypeFor[map[string]int](), errOf(KeyFor[map[string]int]()), "codec: key type map[string]int is not orderable"},
		{"map field", reflect.TypeFor[withMap](), errOf(KeyFor[withMap]()), "codec: key type codec.withMap is not orderable: field M has type map[string]int"},
		{"nested interface", reflect.TypeFor[deep](), errOf(KeyFor[deep]()), "field Items[].Value has type interface {}"},
		{"func", reflect.TypeFor[func()](), errOf(KeyFor[func()]()), "key type func() is not orderable"},
		{"chan", reflect.TypeFor[chan int](), errOf(KeyFor[chan int]()), "key type chan int is not orderable"},
		{"complex", reflect.TypeFor[complex128](), errOf(KeyFor[complex128]()), "key type complex128 is not orderable"},
		{"any", reflect.TypeFor[any](), errOf(KeyFor[any]()), "key type interface {} is not orderable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, err := range []error{tc.err, CheckKey(tc.typ)} {
				if err == nil {
					t.Fatal("got nil error")
				}
				if !errors.Is(err, ErrUnsupported) {
					t.Errorf("error %v does not wrap ErrUnsupported", err)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("got error %q, want it to contain %q", err, tc.want)
				}
			}
		})
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[CountryTrack](), reflect.TypeFor[[]Pair[string, *time.Time]](), reflect.TypeFor[Tree]()} {
		if err := CheckKey(typ); err != nil {
			t.Errorf("CheckKey(%v) = %v, want nil", typ, err)
		}
	}
}

func TestKeyDecodeErrors(t *testing.T) {
	negZero := []byte{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	cases := []struct {
		name string
		err  error
	}{
		{"-0 is not canonical", errOf3(MustKeyFor[float64]().Decode(negZero))},
		{"bad escape", errOf3(MustKeyFor[string]().Decode([]byte{'a', 0, 2}))},
		{"unterminated", errOf3(MustKeyFor[string]().Decode([]byte{'a', 'b'}))},
		{"zero at end", errOf3(MustKeyFor[string]().Decode([]byte{'a', 0}))},
		{"bad bool", errOf3(MustKeyFor[bool]().Decode([]byte{7}))},
		{"bad slice marker", errOf3(MustKeyFor[[]int8]().Decode([]byte{1, 5, 2}))},
		{"unterminated slice", errOf3(MustKeyFor[[]int8]().Decode([]byte{1, 5, 1, 6}))},
		{"struct field", errOf3(MustKeyFor[CountryTrack]().Decode([]byte{'D', 'E', 0, 1, 1, 2}))},
		{"nanos", errOf3(MustKeyFor[time.Time]().Decode([]byte{0x80, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.Is(tc.err, ErrCorrupt) {
				t.Errorf("got %v, want ErrCorrupt", tc.err)
			}
		})
	}
	_, _, err := MustKeyFor[CountryTrack]().Decode([]byte{'D', 'E', 0, 1, 1, 2})
	if want := "codec: decoding field Plays of codec.CountryTrack at byte 4: unexpected end of input"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func errOf3[T any](_ T, _ int, err error) error { return err }
