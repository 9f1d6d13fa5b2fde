package codec

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Celsius has no exported fields, so only a registered codec can encode it.
type Celsius struct{ milli int64 }

type celsiusCodec struct{}

func (celsiusCodec) Append(dst []byte, v Celsius) []byte { return binary.AppendVarint(dst, v.milli) }
func (celsiusCodec) Decode(src []byte) (Celsius, int, error) {
	v, n := binary.Varint(src)
	if n <= 0 {
		return Celsius{}, 0, errors.New("bad celsius")
	}
	return Celsius{v}, n, nil
}

// Desc is an int64 that sorts in descending order, by a registered key codec.
type Desc int64

type descKey struct{}

func (descKey) Append(dst []byte, v Desc) []byte { return appendKeyInt64(dst, ^int64(v)) }
func (descKey) Decode(src []byte) (Desc, int, error) {
	v, n, err := decodeKeyInt64(src)
	return Desc(^v), n, err
}

type Reading struct {
	Station string
	Temp    Celsius
	Temps   []Celsius
}

type ByStationDesc struct {
	Station string
	Count   Desc
}

// celsiusRegistered is set once TestRegister registered Celsius: the
// registry is the process's, so a repeated run (-count) finds it there.
var celsiusRegistered bool

func TestRegister(t *testing.T) {
	if _, err := For[Reading](); err == nil && !celsiusRegistered {
		t.Fatal("For[Reading] before Register: got nil error, want unsupported (Celsius has only unexported fields)")
	}
	Register[Celsius](celsiusCodec{})
	celsiusRegistered = true
	c, err := For[Celsius]()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(celsiusCodec); !ok {
		t.Errorf("For[Celsius] = %T, want the registered celsiusCodec", c)
	}
	roundTrip(t, MustFor[Reading](), Reading{"s1", Celsius{-1500}, []Celsius{{1}, {2}}}, func(a, b Reading) bool {
		return a.Station == b.Station && a.Temp == b.Temp && len(a.Temps) == len(b.Temps) && a.Temps[0] == b.Temps[0] && a.Temps[1] == b.Temps[1]
	})
	// Errors of a custom codec are attributed to the field and wrap ErrCorrupt.
	_, _, err = MustFor[Reading]().Decode([]byte{2, 's', '1', 0x80})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "field Temp of codec.Reading at byte 3: bad celsius") {
		t.Errorf("got %v, want an ErrCorrupt naming field Temp at byte 3", err)
	}
}

func TestRegisterKey(t *testing.T) {
	RegisterKey[Desc](descKey{})
	if err := CheckKey(reflect.TypeFor[ByStationDesc]()); err != nil {
		t.Fatal(err)
	}
	checkOrder(t, nVals, func(r *rand.Rand) ByStationDesc {
		return ByStationDesc{genString(r), Desc(r.IntN(5) - 2)}
	}, func(a, b ByStationDesc) int {
		return cmp.Or(strings.Compare(a.Station, b.Station), cmp.Compare(b.Count, a.Count))
	})
	k := MustKeyFor[Desc]()
	if bytes.Compare(k.Append(nil, 2), k.Append(nil, 1)) >= 0 {
		t.Error("registered descending key codec not used")
	}
}

func TestConcurrentDerive(t *testing.T) {
	type fresh struct {
		A []Pair[string, *Tree]
		B [3]float32
	}
	var wg sync.WaitGroup
	codecs := make([]Codec[fresh], 8)
	for i := range codecs {
		wg.Go(func() {
			codecs[i] = MustFor[fresh]()
			_ = codecs[i].Append(nil, fresh{A: []Pair[string, *Tree]{{"x", &Tree{Label: "t"}}}})
		})
	}
	wg.Wait()
	for _, c := range codecs[1:] {
		if c != codecs[0] {
			t.Errorf("For derived %p and %p: want one cached codec", c, codecs[0])
		}
	}
}

func TestMustPanicsWithCaller(t *testing.T) {
	for name, f := range map[string]func(){
		"MustFor":    func() { MustFor[chan int]() },
		"MustKeyFor": func() { MustKeyFor[map[int]int]() },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				err, _ := recover().(error)
				if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "register_test.go:") {
					t.Errorf("panic value %v: want an ErrUnsupported naming register_test.go", err)
				}
			}()
			f()
		})
	}
}

// DescByte is a byte whose registered key codec orders it descending.
type DescByte uint8

type descByteKey struct{}

func (descByteKey) Append(dst []byte, v DescByte) []byte { return append(dst, ^byte(v)) }
func (descByteKey) Decode(src []byte) (DescByte, int, error) {
	if len(src) < 1 {
		return 0, 0, ErrCorrupt
	}
	return DescByte(^src[0]), 1, nil
}

// TestRegisteredByteElements checks that slices and arrays of a byte type
// with a registered codec use it, not the raw bytes of []byte and [N]byte.
func TestRegisteredByteElements(t *testing.T) {
	RegisterKey[DescByte](descByteKey{})
	arr := MustKeyFor[[2]DescByte]()
	if bytes.Compare(arr.Append(nil, [2]DescByte{2, 0}), arr.Append(nil, [2]DescByte{1, 0})) >= 0 {
		t.Error("[2]DescByte: the registered descending codec was not used")
	}
	sl := MustKeyFor[[]DescByte]()
	if bytes.Compare(sl.Append(nil, []DescByte{2}), sl.Append(nil, []DescByte{1})) >= 0 {
		t.Error("[]DescByte: the registered descending codec was not used")
	}
	if v, _, err := sl.Decode(sl.Append(nil, []DescByte{7, 3})); err != nil || len(v) != 2 || v[0] != 7 || v[1] != 3 {
		t.Errorf("[]DescByte round trip: %v, %v", v, err)
	}
}

// Big is a large value with a registered codec, whose encoded size the
// codec cannot bound from below.
type Big struct{ B [4096]byte }

type bigCodec struct{}

func (bigCodec) Append(dst []byte, v Big) []byte { return append(dst, v.B[0]) }
func (bigCodec) Decode(src []byte) (Big, int, error) {
	if len(src) < 1 {
		return Big{}, 0, ErrCorrupt
	}
	var b Big
	b.B[0] = src[0]
	return b, 1, nil
}

// TestCorruptLengthAllocatesLittle checks that a corrupt length in front
// of elements of unknown encoded size does not make a few bytes allocate
// that many large elements, and that real ones still decode.
func TestCorruptLengthAllocatesLittle(t *testing.T) {
	Register[Big](bigCodec{})
	c := MustFor[[]Big]()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, _, err := c.Decode([]byte{0x80, 0x80, 0x04}); err == nil {
		t.Error("a length of 65,535 elements in 3 bytes decoded")
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("decoding 3 bytes allocated %d bytes", n)
	}
	in := make([]Big, 40)
	for i := range in {
		in[i].B[0] = byte(i)
	}
	got, _, err := c.Decode(c.Append(nil, in))
	if err != nil || len(got) != 40 || got[39].B[0] != 39 {
		t.Errorf("40 elements decoded as %d (err %v)", len(got), err)
	}
}
