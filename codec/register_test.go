package codec

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"reflect"
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
