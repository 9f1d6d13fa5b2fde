package codec

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

type Inner struct {
	Name  string
	Score float64
}

type Pair[K, V any] struct {
	Key   K
	Value V
}

type Play struct {
	UserID   string
	TrackID  string
	ArtistID string
	Country  string
	Platform string
	MsPlayed int64
	TS       int64
	Skipped  bool
}

type Everything struct {
	B      bool
	I      int
	I8     int8
	I16    int16
	I32    int32
	I64    int64
	U      uint
	U8     uint8
	U16    uint16
	U32    uint32
	U64    uint64
	UP     uintptr
	F32    float32
	F64    float64
	C64    complex64
	C128   complex128
	S      string
	Bytes  []byte
	Arr    [3]int16
	Raw    [4]byte
	Slice  []Inner
	Nested Inner
	Ptr    *Inner
	NilPtr *Inner
	Map    map[string][]int
	Time   time.Time
	Pair   Pair[string, *int64]
	hidden int // unexported: ignored
}

type Tree struct {
	Label string
	Kids  []Tree
	Next  *Tree
}

type UserID string

// roundTrip encodes v after some existing bytes and checks that decoding
// returns an equal value and consumes exactly the encoding.
func roundTrip[T any](t *testing.T, c Codec[T], v T, equal func(a, b T) bool) {
	t.Helper()
	prefix := []byte("xyz")
	enc := c.Append(append([]byte(nil), prefix...), v)
	if !bytes.HasPrefix(enc, prefix) {
		t.Fatalf("Append clobbered dst: %x", enc)
	}
	body := enc[len(prefix):]
	src := append(append([]byte(nil), body...), 0xAA, 0xBB) // trailing garbage must be left alone
	got, n, err := c.Decode(src)
	if err != nil {
		t.Fatalf("Decode(%x) of %#v: %v", body, v, err)
	}
	if n != len(body) {
		t.Errorf("Decode consumed %d bytes, want %d", n, len(body))
	}
	if equal == nil {
		equal = func(a, b T) bool { return reflect.DeepEqual(a, b) }
	}
	if !equal(got, v) {
		t.Errorf("round trip of %#v: got %#v", v, got)
	}
	// Every truncation must fail cleanly.
	for i := 0; i < len(body); i++ {
		if _, _, err := c.Decode(body[:i]); err == nil {
			t.Errorf("Decode of %d/%d bytes of %#v succeeded", i, len(body), v)
		} else if !errors.Is(err, ErrCorrupt) {
			t.Errorf("Decode of truncated input: error %v does not wrap ErrCorrupt", err)
		}
	}
}

func sameFloat64(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
func sameFloat32(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }

func TestValueRoundTripBasic(t *testing.T) {
	b := func(t *testing.T, vs ...bool) {
		for _, v := range vs {
			roundTrip(t, MustFor[bool](), v, nil)
		}
	}
	t.Run("bool", func(t *testing.T) { b(t, false, true) })
	t.Run("int", func(t *testing.T) {
		for _, v := range []int{0, 1, -1, 63, -64, 64, math.MaxInt, math.MinInt} {
			roundTrip(t, MustFor[int](), v, nil)
		}
	})
	t.Run("int8", func(t *testing.T) {
		for _, v := range []int8{0, 1, -1, math.MaxInt8, math.MinInt8} {
			roundTrip(t, MustFor[int8](), v, nil)
		}
	})
	t.Run("int16", func(t *testing.T) {
		for _, v := range []int16{0, -1, math.MaxInt16, math.MinInt16} {
			roundTrip(t, MustFor[int16](), v, nil)
		}
	})
	t.Run("int32", func(t *testing.T) {
		for _, v := range []int32{0, -1, math.MaxInt32, math.MinInt32} {
			roundTrip(t, MustFor[int32](), v, nil)
		}
	})
	t.Run("int64", func(t *testing.T) {
		for _, v := range []int64{0, -1, 1, math.MaxInt64, math.MinInt64} {
			roundTrip(t, MustFor[int64](), v, nil)
		}
	})
	t.Run("uints", func(t *testing.T) {
		for _, v := range []uint64{0, 1, 127, 128, math.MaxUint64} {
			roundTrip(t, MustFor[uint64](), v, nil)
			roundTrip(t, MustFor[uint](), uint(v), nil)
		}
		for _, v := range []uint32{0, math.MaxUint32} {
			roundTrip(t, MustFor[uint32](), v, nil)
		}
		for _, v := range []uint16{0, math.MaxUint16} {
			roundTrip(t, MustFor[uint16](), v, nil)
		}
		for _, v := range []uint8{0, math.MaxUint8} {
			roundTrip(t, MustFor[uint8](), v, nil)
		}
	})
	t.Run("floats", func(t *testing.T) {
		for _, v := range []float64{0, math.Copysign(0, -1), 1.5, -1e300, math.Inf(1), math.Inf(-1), math.NaN(), math.SmallestNonzeroFloat64, math.MaxFloat64} {
			roundTrip(t, MustFor[float64](), v, sameFloat64)
			roundTrip(t, MustFor[float32](), float32(v), sameFloat32)
		}
	})
	t.Run("string", func(t *testing.T) {
		for _, v := range []string{"", "a", "héllo wörld", "日本語", "nul\x00byte", strings.Repeat("x", 300), "\xff\xfe invalid utf8"} {
			roundTrip(t, MustFor[string](), v, nil)
			roundTrip(t, MustFor[UserID](), UserID(v), nil) // named: compiled path
		}
	})
	t.Run("bytes", func(t *testing.T) {
		for _, v := range [][]byte{nil, {}, {0}, []byte("abc"), bytes.Repeat([]byte{0xff}, 200)} {
			roundTrip(t, MustFor[[]byte](), v, nil)
		}
	})
	t.Run("time", func(t *testing.T) {
		eq := func(a, b time.Time) bool { return a.Equal(b) && a.Location() == time.UTC }
		berlin := time.FixedZone("CET", 3600)
		for _, v := range []time.Time{
			time.Unix(0, 0), time.Date(2026, 11, 27, 3, 4, 5, 999999999, berlin),
			time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 1, time.UTC),
			time.Date(1800, 1, 1, 0, 0, 0, 5, time.UTC), time.Now(),
		} {
			roundTrip(t, MustFor[time.Time](), v, eq)
			roundTrip(t, MustFor[Pair[time.Time, int]](), Pair[time.Time, int]{v, 1},
				func(a, b Pair[time.Time, int]) bool { return eq(a.Key, b.Key) && a.Value == b.Value })
		}
		got, _, err := MustFor[time.Time]().Decode(MustFor[time.Time]().Append(nil, time.Time{}))
		if err != nil || got != (time.Time{}) {
			t.Errorf("zero time: got %v, %v; want the zero Time", got, err)
		}
	})
}

func TestValueRoundTripCompound(t *testing.T) {
	n := int64(-42)
	full := Everything{
		B: true, I: math.MinInt, I8: -128, I16: math.MaxInt16, I32: math.MinInt32, I64: math.MaxInt64,
		U: math.MaxUint, U8: 255, U16: 65535, U32: math.MaxUint32, U64: math.MaxUint64, UP: 12345,
		F32: float32(math.Inf(-1)), F64: -0.5, C64: complex(1, -2), C128: complex(math.Inf(1), 3),
		S: "ünïcödé ✓", Bytes: []byte{0, 1, 2}, Arr: [3]int16{-1, 0, 1}, Raw: [4]byte{9, 8, 7, 6},
		Slice:  []Inner{{"a", 1}, {"", math.MaxFloat64}},
		Nested: Inner{"n", -3}, Ptr: &Inner{"p", 2},
		Map:  map[string][]int{"a": {1, 2}, "": nil, "e": {}},
		Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		Pair: Pair[string, *int64]{"k", &n},
	}
	cases := []struct {
		name string
		v    Everything
	}{
		{"zero", Everything{}},
		{"full", full},
		{"empty collections", Everything{Bytes: []byte{}, Slice: []Inner{}, Map: map[string][]int{}}},
	}
	c := MustFor[Everything]()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { roundTrip(t, c, tc.v, nil) })
	}

	t.Run("unexported ignored", func(t *testing.T) {
		got, _, err := c.Decode(c.Append(nil, Everything{hidden: 7, S: "x"}))
		if err != nil || got.hidden != 0 || got.S != "x" {
			t.Errorf("got %+v, %v; want hidden 0, S x", got, err)
		}
	})
	t.Run("generic pair", func(t *testing.T) {
		roundTrip(t, MustFor[Pair[string, int64]](), Pair[string, int64]{"k", -1}, nil)
		roundTrip(t, MustFor[Pair[Inner, []string]](), Pair[Inner, []string]{Inner{"x", 1}, []string{"a", ""}}, nil)
		roundTrip(t, MustFor[[]Pair[UserID, uint8]](), []Pair[UserID, uint8]{{"u", 1}, {"v", 2}}, nil)
	})
	t.Run("recursive", func(t *testing.T) {
		v := Tree{Label: "root", Kids: []Tree{{Label: "a"}, {Label: "b", Kids: []Tree{{Label: "c"}}}}, Next: &Tree{Label: "next"}}
		roundTrip(t, MustFor[Tree](), v, nil)
	})
	t.Run("top-level compound", func(t *testing.T) {
		roundTrip(t, MustFor[[]string](), []string{"a", "", "é"}, nil)
		roundTrip(t, MustFor[[]string](), nil, nil)
		roundTrip(t, MustFor[map[int]string](), map[int]string{1: "a", -1: "b"}, nil)
		roundTrip(t, MustFor[[2][]int](), [2][]int{{1}, nil}, nil)
		roundTrip(t, MustFor[*string](), nil, nil)
		s := "s"
		roundTrip(t, MustFor[*string](), &s, nil)
		roundTrip(t, MustFor[struct{}](), struct{}{}, nil)
		roundTrip(t, MustFor[[]struct{}](), make([]struct{}, 1000), nil)
	})
	t.Run("play", func(t *testing.T) {
		roundTrip(t, MustFor[Play](), samplePlay(), nil)
	})
}

func samplePlay() Play {
	return Play{
		UserID: "user-000123456", TrackID: "track-0042424242", ArtistID: "artist-00777",
		Country: "DE", Platform: "android", MsPlayed: 187_000, TS: 1_795_000_000_000, Skipped: false,
	}
}

func TestValueUnsupported(t *testing.T) {
	type withFunc struct {
		A int
		F func()
	}
	type withIface struct {
		Meta map[string]any
	}
	type onlyHidden struct{ a, b int }
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"func field", errOf(For[withFunc]()), "field F has type func()"},
		{"nested interface", errOf(For[withIface]()), "field Meta[value] has type interface {}"},
		{"chan", errOf(For[chan int]()), "codec: type chan int is not supported"},
		{"any", errOf(For[any]()), "codec: type interface {} is not supported"},
		{"only unexported", errOf(For[onlyHidden]()), "only unexported fields"},
		{"in slice", errOf(For[[]func()]()), "field [] has type func()"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("got nil error")
			}
			if !errors.Is(tc.err, ErrUnsupported) {
				t.Errorf("error %v does not wrap ErrUnsupported", tc.err)
			}
			if !strings.Contains(tc.err.Error(), tc.want) {
				t.Errorf("got error %q, want it to contain %q", tc.err, tc.want)
			}
		})
	}
}

func errOf[T any](_ Codec[T], err error) error { return err }

func TestValueDecodeErrors(t *testing.T) {
	c := MustFor[Play]()
	good := c.Append(nil, samplePlay())
	// Country starts after three length-prefixed strings.
	countryAt := 3 + len("user-000123456") + len("track-0042424242") + len("artist-00777")
	bad := append([]byte(nil), good[:countryAt]...)
	bad = append(bad, 0x7f) // length 127 with nothing behind it
	_, _, err := c.Decode(bad)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
	want := "codec: decoding field Country of codec.Play at byte " + strconv.Itoa(countryAt) + ": length exceeds remaining input"
	if err.Error() != want {
		t.Errorf("got error\n%q\nwant\n%q", err, want)
	}

	type nested struct {
		A    int
		List []Inner
	}
	nc := MustFor[nested]()
	enc := nc.Append(nil, nested{A: 1, List: []Inner{{"a", 1}, {"bb", 2}}})
	// Corrupt the length of List[1].Name: A(1) + len(1) + "a"-item(1+1+8) = 12.
	enc[12] = 0x7f
	_, _, err = nc.Decode(enc)
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want a *DecodeError", err)
	}
	if de.Field != "List[1].Name" || de.Offset != 12 || de.Type != "codec.nested" {
		t.Errorf("got field %q offset %d type %q; want List[1].Name, 12, codec.nested (%v)", de.Field, de.Offset, de.Type, err)
	}

	for _, tc := range []struct {
		name string
		src  []byte
	}{
		{"bad bool", []byte{2}},
		{"overlong varint", bytes.Repeat([]byte{0xff}, 11)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.name == "bad bool" {
				_, _, err = MustFor[bool]().Decode(tc.src)
			} else {
				_, _, err = MustFor[int64]().Decode(tc.src)
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("got %v, want ErrCorrupt", err)
			}
		})
	}
	t.Run("int16 range", func(t *testing.T) {
		src := MustFor[int64]().Append(nil, 1<<20)
		if _, _, err := MustFor[int16]().Decode(src); !errors.Is(err, ErrCorrupt) {
			t.Errorf("got %v, want ErrCorrupt", err)
		}
		type s struct{ X int16 }
		if _, _, err := MustFor[s]().Decode(src); !errors.Is(err, ErrCorrupt) {
			t.Errorf("struct: got %v, want ErrCorrupt", err)
		}
	})
	t.Run("duplicate map key", func(t *testing.T) {
		src := []byte{3, 1, 'a', 1, 1, 'a', 2} // two entries, key "a" twice
		_, _, err := MustFor[map[string]int8]().Decode(src)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "duplicate") {
			t.Errorf("got %v, want duplicate-key corruption", err)
		}
	})
	t.Run("time keys equal as instants", func(t *testing.T) {
		// Distinct Go keys, one instant: the encoding cannot tell them apart,
		// and the error says why instead of blaming corruption alone.
		at := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
		type stamp struct{ At [1]time.Time }
		for name, decode := range map[string]func() error{
			"time.Time": func() error {
				c := MustFor[map[time.Time]int]()
				_, _, err := c.Decode(c.Append(nil, map[time.Time]int{at: 1, at.In(time.FixedZone("CET", 3600)): 2}))
				return err
			},
			"struct": func() error {
				c := MustFor[map[stamp]int]()
				_, _, err := c.Decode(c.Append(nil, map[stamp]int{{[1]time.Time{at}}: 1, {[1]time.Time{at.Local()}}: 2}))
				return err
			},
		} {
			err := decode()
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "t.UTC().Round(0)") {
				t.Errorf("%s keys: got %v, want duplicate keys explained", name, err)
			}
		}
	})
	t.Run("huge slice length", func(t *testing.T) {
		src := []byte{0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3}
		if _, _, err := MustFor[[]int64]().Decode(src); !errors.Is(err, ErrCorrupt) {
			t.Errorf("got %v, want ErrCorrupt", err)
		}
		if _, _, err := MustFor[[]struct{}]().Decode(src); !errors.Is(err, ErrCorrupt) {
			t.Errorf("zero-size elements: got %v, want ErrCorrupt", err)
		}
	})
}

func TestDecodeDepthLimit(t *testing.T) {
	c := MustFor[Tree]()
	nested := func(levels int) []byte {
		// Tree{Label: "", Kids: nil, Next: &Tree{...}}: 0x00 0x00 0x01 per level.
		src := bytes.Repeat([]byte{0, 0, 1}, levels)
		return append(src, 0, 0, 0)
	}
	v, _, err := c.Decode(nested(5000))
	if err != nil {
		t.Fatalf("5000 levels: %v", err)
	}
	depth := 0
	for p := &v; p.Next != nil; p = p.Next {
		depth++
	}
	if depth != 5000 {
		t.Errorf("decoded depth %d, want 5000", depth)
	}
	_, _, err = c.Decode(nested(3 * maxDepth))
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "nesting deeper") {
		t.Errorf("got %v, want a nesting-depth corruption error", err)
	}
	if len(err.Error()) > 400 {
		t.Errorf("error message of %d bytes, want it bounded", len(err.Error()))
	}
}

func TestValueEmbeddedAndOpaque(t *testing.T) {
	type embeds struct {
		Inner
		*Tree
		X int
	}
	roundTrip(t, MustFor[embeds](), embeds{Inner{"i", 1}, &Tree{Label: "t"}, 3}, nil)
	roundTrip(t, MustFor[embeds](), embeds{}, nil)

	type opaque struct{ mu struct{ state int32 } }
	if _, err := For[*opaque](); err == nil || !strings.Contains(err.Error(), "only unexported fields") {
		t.Errorf("For[*opaque]: got %v, want refusal of a struct with only unexported fields", err)
	}
}

func TestDecodeDoesNotAllocateAheadOfInput(t *testing.T) {
	type big struct{ B [1 << 20]byte }
	bytesAllocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	cases := []struct {
		name   string
		decode func() error
	}{
		// A present pointer to a 1 MiB value, but only 3 bytes of input.
		{"value pointer", func() error { _, _, err := MustFor[*big]().Decode([]byte{1, 1, 2, 3}); return err }},
		{"key pointer", func() error { _, _, err := MustKeyFor[*big]().Decode([]byte{1, 1, 2, 3}); return err }},
		{"value slice", func() error { _, _, err := MustFor[[]big]().Decode([]byte{3, 1, 2, 3}); return err }},
		{"key slice", func() error { _, _, err := MustKeyFor[[]big]().Decode([]byte{1, 0, 0, 0}); return err }},
		{"map", func() error { _, _, err := MustFor[map[int8]big]().Decode([]byte{3, 1, 2, 3}); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.decode() // derive outside the measurement
			var err error
			if n := bytesAllocated(func() { err = tc.decode() }); n > 64<<10 {
				t.Errorf("%d bytes allocated decoding 4 bytes of input", n)
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("got %v, want ErrCorrupt", err)
			}
		})
	}
}

type Attrs map[string]string

func TestValueMaps(t *testing.T) {
	// Typed fast paths (basic key and element) and the reflect fallback.
	roundTrip(t, MustFor[Attrs](), Attrs{"a": "1", "": "", "ü": "\x00"}, nil)
	roundTrip(t, MustFor[Attrs](), nil, nil)
	roundTrip(t, MustFor[map[int64][]string](), map[int64][]string{-1: nil, 2: {"x"}}, nil)
	roundTrip(t, MustFor[map[uint64]bool](), map[uint64]bool{0: true, 1 << 63: false}, nil)
	roundTrip(t, MustFor[map[string]Inner](), map[string]Inner{"k": {"v", 1}}, nil)
	roundTrip(t, MustFor[map[Inner]*int8](), map[Inner]*int8{{"k", 2}: nil}, nil)
	roundTrip(t, MustFor[map[UserID]string](), map[UserID]string{"u": "v"}, nil)

	buf := make([]byte, 0, 1024)
	m := Attrs{"a": "1", "b": "2"}
	if got := testing.AllocsPerRun(100, func() { buf = MustFor[Attrs]().Append(buf[:0], m) }); got != 0 {
		t.Errorf("encoding a map[string]string: %v allocations, want 0", got)
	}
	if _, _, err := MustFor[map[int]int]().Decode([]byte{3, 2, 4, 2, 6}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("duplicate key in typed map: got %v, want ErrCorrupt", err)
	}
}
