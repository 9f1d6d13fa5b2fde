package jsonio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"
)

type (
	myStr  string
	myInt  int16
	myByte uint8
)

// leaf holds the tag options fastEncodes lets through.
type leaf struct {
	S  string  `json:"s,omitempty"`
	N  int     `json:",omitempty"`
	F  float32 `json:"f,string"`
	B  bool    `json:"b,string"`
	Q  string  `json:"q,string"`
	I  int64   `json:"i,string"`
	U  uint8   `json:"u,string,omitempty"`
	QS []int   `json:"qs,string"` // not quoted: only for booleans, numbers and strings
}

// fastRecord is made of what fastEncodes lets segmentio/encoding/json
// write: every kind of number, strings, named types, pointers, arrays,
// slices (of bytes too), maps of every key kind (and segmentio's own
// paths for map[string]string, bool and []string), nested structs, tag
// names and options.
type fastRecord struct {
	Str     string
	MS      myStr  `json:"my-str"`
	Punct   string `json:"a.b/c@d!#$%&()*+-:;<=>?[]^_{|}~ "`
	Unicode string `json:"ключ"`
	Bad     string `json:""`
	I       int
	I8      int8
	I16     int16
	I32     int32
	I64     int64
	MI      myInt
	U       uint
	U8      uint8
	U16     uint16
	U32     uint32
	U64     uint64
	UP      uintptr
	F32     float32
	F64     float64
	B       bool
	P       *int
	PP      **string
	PLeaf   *leaf
	Ints    []int
	Strs    []string
	Bytes   []byte
	MyBytes []myByte
	Arr     [3]int
	ByteArr [4]byte
	Empty   [0]int
	MSS     map[string]string
	MSB     map[string]bool
	MSSl    map[string][]string
	MSI     map[string]int
	MIS     map[int]string
	MI8     map[int8]float32
	MU8     map[uint8]float64
	MUP     map[uintptr]bool
	MMy     map[myStr]myInt
	MLeaf   map[int64]*leaf
	Leaf    leaf
	Leaves  []leaf
	PLeaves []*leaf
	Nested  map[string][]map[string]int
	OmS     string         `json:",omitempty"`
	OmSl    []int          `json:",omitempty"`
	OmM     map[string]int `json:",omitempty"`
	OmP     *int           `json:",omitempty"`
	OmArr0  [0]int         `json:",omitempty"`
	OmArr1  [1]int         `json:",omitempty"`
	OmF     float64        `json:",omitempty"`
	OmLeaf  leaf           `json:",omitempty"`
	Dash    string         `json:"-,"`
	Skip    string         `json:"-"`
	private int
}

// single is a struct segmentio passes as a pointer-shaped value.
type single struct{ P *int }

// Each field of these is one way segmentio/encoding/json writes other
// bytes than encoding/json, or may.
type (
	withDuration  struct{ D time.Duration }
	withTime      struct{ T time.Time }
	withRaw       struct{ R json.RawMessage }
	withNumber    struct{ N json.Number }
	withMarshaler struct{ M marshalsJSON }
	withText      struct{ T marshalsText }
	withPtrText   struct{ T ptrMarshalsText }
	withAny       struct{ A any }
	withOmitZero  struct {
		S leaf `json:",omitzero"`
	}
	withStringPtr struct {
		P *int `json:",string"`
	}
	withTagShadows struct {
		X int
		A int `json:"X"`
	}
	withEmbedded struct{ Embedded }
	withBadTag   struct {
		A int `json:"a\\b"`
		B int `json:"A"`
	}
	textKey     map[marshalsText]int
	cyclicSlice []cyclicSlice
	cyclicMap   map[string]cyclicMap
	node        struct{ Next *node }
)

type marshalsJSON struct{ S string }

func (m marshalsJSON) MarshalJSON() ([]byte, error) { return []byte(` { "s" : 1 } `), nil }

type marshalsText string

func (m marshalsText) MarshalText() ([]byte, error) { return []byte("t:" + m), nil }

type ptrMarshalsText struct{ S string }

func (m *ptrMarshalsText) MarshalText() ([]byte, error) { return []byte("t:" + m.S), nil }

func TestFastEncodes(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want bool
	}{
		{fastRecord{}, true}, {&fastRecord{}, true}, {[]fastRecord{}, true}, {map[string]*fastRecord{}, true},
		{single{}, true}, {"", true}, {1.5, true}, {[]byte{}, true}, {map[int]string{}, true},
		{withDuration{}, false}, {withTime{}, false}, {withRaw{}, false}, {withNumber{}, false},
		{withMarshaler{}, false}, {withText{}, false}, {withPtrText{}, false}, {withAny{}, false},
		{withOmitZero{}, false}, {withStringPtr{}, false}, {withTagShadows{}, false},
		{withEmbedded{}, false}, {withBadTag{}, false}, {textKey{}, false}, {cyclicSlice{}, false},
		{cyclicMap{}, false}, {node{}, false}, {tricky{}, false}, {map[float64]int{}, false},
		{map[[2]int]int{}, false}, {make(chan int), false}, {complex(1, 2), false},
	} {
		if got := fastEncodes(reflect.TypeOf(tc.v)); got != tc.want {
			t.Errorf("fastEncodes(%T) = %v, want %v", tc.v, got, tc.want)
		}
	}
	// Built, since vet refuses two fields tagged alike in source.
	dup := reflect.StructOf([]reflect.StructField{
		{Name: "A", Type: reflect.TypeFor[int](), Tag: `json:"x"`},
		{Name: "B", Type: reflect.TypeFor[int](), Tag: `json:"x"`},
	})
	if fastEncodes(dup) {
		t.Errorf("fastEncodes(%v) = true, want false", dup)
	}
}

var (
	trickyStrings = []string{"", "a", "<>&", "a<b>c&d e", "\u2028\u2029", "abcdefgh\u2028", "\x7f", "abcdefg\x7f",
		"\xff\xfe", "a\xc3", "abcdefghi\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x00\x01\x1f", "\b\f\n\r\t\"\\",
		"abcdefgh\"", "abcdefghijklmno\\", "é😀", "ключ", "\ufffd", "null", "12", "1e3", strings.Repeat("x", 70_000)}
	trickyFloats = []float64{0, math.Copysign(0, -1), 1, -1.5, 0.1, 1e20, 1e21, math.Nextafter(1e21, 0), 1e-6,
		math.Nextafter(1e-6, 0), 1e-7, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64, math.MaxFloat32,
		math.SmallestNonzeroFloat32, float64(math.Nextafter32(1e21, 0)), float64(math.Nextafter32(1e-6, 0)), 5e-324,
		math.NaN(), math.Inf(1), math.Inf(-1)}
	trickyInts = []int64{0, -1, 1, 255, 256, -128, 65535, math.MaxInt64, math.MinInt64, 1 << 53}
)

// fill sets every string, number and bool v holds or can hold (first
// making nil pointers, slices and maps hold one of what they take) to s,
// f, n and n odd, as far as depth levels down.
func fill(v reflect.Value, s string, f float64, n int64, depth int) {
	if depth == 0 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(n%2 != 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(f)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(v.Elem(), s, f, n, depth-1)
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		}
		for i := range v.Len() {
			fill(v.Index(i), s, f, n, depth-1)
		}
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), s, f, n, depth-1)
		}
	case reflect.Map:
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		for _, k := range []int64{n, n + 1, 10, 9} { // keys whose strings sort otherwise than their numbers
			key, val := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(key, s+fmt.Sprint(k), f, k, 1)
			fill(val, s, f, n, depth-1)
			v.SetMapIndex(key, val)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), s, f, n, depth-1)
			}
		}
	}
}

// writesAsStd checks that a Writer (with opts) writes each of vs as
// encoding/json's Encoder, not escaping HTML, writes it (of view, if
// not nil, the type PartitionBy encodes): the same bytes, or the same
// error; and all of them in one stream.
func writesAsStd[T any](t *testing.T, view reflect.Type, vs []T, opts ...Option) {
	t.Helper()
	var all, allWant bytes.Buffer
	stream := NewWriter[T](&all, opts...)
	std := json.NewEncoder(&allWant)
	std.SetEscapeHTML(false)
	for _, v := range vs {
		var x any = v
		if view != nil {
			x = reflect.NewAt(view, unsafe.Pointer(&v)).Interface()
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		wantErr := enc.Encode(x)

		var got bytes.Buffer
		w := NewWriter[T](&got, opts...)
		err := w.Write(v)
		if err == nil {
			err = w.Close()
		}
		switch {
		case wantErr != nil && (err == nil || err.Error() != "jsonio: write: "+wantErr.Error()):
			t.Errorf("%T %+v: error %v, want %v", v, v, err, wantErr)
		case wantErr == nil && err != nil:
			t.Errorf("%T %+v: %v", v, v, err)
		case !bytes.Equal(got.Bytes(), want.Bytes()):
			t.Errorf("%T %+v: wrote\n%q\nencoding/json writes\n%q", v, v, got.Bytes(), want.Bytes())
		}
		if wantErr == nil {
			stream.Write(v)
			std.Encode(x)
		}
	}
	if err := stream.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(all.Bytes(), allWant.Bytes()) {
		t.Errorf("%T: %d values in one stream differ from encoding/json's", vs, len(vs))
	}
}

// filled returns zero and what fill makes of it for each pair of the
// tricky strings and floats; in short mode, for each string and each
// float once. The race detector's run is in short mode, where all pairs
// (megabytes of the 70,000-byte string per type) took minutes.
func filled[T any]() []T {
	vs := []T{*new(T)}
	add := func(i, j int) {
		var v T
		fill(reflect.ValueOf(&v).Elem(), trickyStrings[i], trickyFloats[j], trickyInts[(i+j)%len(trickyInts)], 6)
		vs = append(vs, v)
	}
	if testing.Short() {
		for k := range max(len(trickyStrings), len(trickyFloats)) {
			add(k%len(trickyStrings), k%len(trickyFloats))
		}
		return vs
	}
	for i := range trickyStrings {
		for j := range trickyFloats {
			add(i, j)
		}
	}
	return vs
}

// decoded returns what encoding/json makes of each line as a T, whole or
// (if the line does not decode) partial.
func decoded[T any](lines []string) []T {
	var vs []T
	for _, line := range lines {
		var v T
		json.Unmarshal([]byte(line), &v)
		vs = append(vs, v)
	}
	return vs
}

var fastLines = []string{
	`{"Str":"a<b>","my-str":"\u2028","I8":-128,"U64":18446744073709551615,"F32":1e21,"F64":1e-7,"P":null,"PP":"s","Ints":[],"Bytes":"aGVsbG8=","MyBytes":[1,2]}`,
	`{"MSS":{"b":"1","a":"2","":""},"MSB":{"z":true,"y":false},"MSSl":{"k":null,"j":["x"]},"MIS":{"10":"a","9":"b","-1":"c"},"MI8":{"-128":1.5,"127":-0}}`,
	`{"MU8":{"255":1e300,"0":5e-324},"MMy":{"b":1,"a":-1},"MLeaf":{"2":null,"1":{"s":"x","f":"1.5","q":"\"\\u003c\""}},"Nested":{"x":[{"b":1,"a":2},null]}}`,
	`{"Leaf":{"s":"","N":0,"f":"0","b":"true","i":"-9223372036854775808","u":"0"},"Leaves":[{},{"N":1}],"PLeaves":[null,{"s":"y"}],"OmLeaf":{}}`,
	`{"OmS":"","OmSl":[],"OmM":{},"OmP":0,"OmArr1":[0],"OmF":-0,"-":"dash","Skip":"x","ключ":"v","a.b/c@d!#$%&()*+-:;<=>?[]^_{|}~ ":"p"}`,
}

// TestWriteAgreesWithEncodingJSON checks that Writer writes the bytes
// encoding/json writes: of types fastEncodes lets segmentio write, and
// of types it keeps from segmentio, whose bytes would differ.
func TestWriteAgreesWithEncodingJSON(t *testing.T) {
	lines := append(fastLines, trickyLines...)
	writesAsStd(t, nil, append(filled[fastRecord](), decoded[fastRecord](lines)...))
	writesAsStd(t, nil, append(filled[*fastRecord](), nil))
	writesAsStd(t, nil, filled[[]leaf]())
	writesAsStd(t, nil, filled[map[int]string]())
	writesAsStd(t, nil, filled[single]())
	writesAsStd(t, nil, filled[string]())
	writesAsStd(t, nil, filled[float32]())
	writesAsStd(t, nil, append(filled[tricky](), decoded[tricky](lines)...))
	writesAsStd(t, nil, decoded[map[string]any](lines))

	writesAsStd(t, nil, []withDuration{{1500 * time.Millisecond}})
	writesAsStd(t, nil, []withTime{{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}})
	writesAsStd(t, nil, []withRaw{{json.RawMessage(` {"a" : 1} `)}})
	writesAsStd(t, nil, []withNumber{{"01"}, {"+1"}, {"1."}, {"-"}, {" 1"}})
	writesAsStd(t, nil, []withMarshaler{{}})
	writesAsStd(t, nil, []withPtrText{{ptrMarshalsText{"x"}}})
	writesAsStd(t, nil, []withOmitZero{{}})
	writesAsStd(t, nil, []withStringPtr{{}})
	writesAsStd(t, nil, []withTagShadows{{1, 2}})
	writesAsStd(t, nil, []withBadTag{{1, 2}})
	writesAsStd(t, nil, []textKey{{"a": 1, "b": 2}})
	writesAsStd(t, nil, []withEmbedded{{Embedded{"a", 1}}})
	loop := cyclicMap{}
	loop["x"] = loop
	writesAsStd(t, nil, []cyclicMap{loop})
}

// partRecord is written partitioned by its key dt.
type partRecord struct {
	Dt      string `json:"dt"`
	Country *string
	Rest    fastRecord
	private int
}

func TestPartitionedWriteAgreesWithEncodingJSON(t *testing.T) {
	_, view, err := partitionView(reflect.TypeFor[partRecord](), []string{"dt", "Country"})
	if err != nil {
		t.Fatal(err)
	}
	if !fastEncodes(view) {
		t.Fatalf("fastEncodes(%v) = false", view)
	}
	writesAsStd(t, view, filled[partRecord](), PartitionBy("dt", "Country"))
}

// FuzzWriteAgrees checks, as TestWriteAgreesWithEncodingJSON does, the
// values encoding/json decodes from line, and those fill makes of s, f
// and n.
func FuzzWriteAgrees(f *testing.F) {
	for i, line := range append(fastLines, trickyLines...) {
		s := trickyStrings[i%len(trickyStrings)]
		if testing.Short() && len(s) > 1<<10 {
			// The race detector's run: TestWriteAgreesWithEncodingJSON
			// writes this string, and filling every type with it here took
			// most of a minute.
			continue
		}
		f.Add([]byte(line), s, trickyFloats[i%len(trickyFloats)], trickyInts[i%len(trickyInts)])
	}
	f.Fuzz(func(t *testing.T, line []byte, s string, x float64, n int64) {
		fuzzAgrees[fastRecord](t, line, s, x, n)
		fuzzAgrees[map[string][]leaf](t, line, s, x, n)
		fuzzAgrees[tricky](t, line, s, x, n)
	})
}

func fuzzAgrees[T any](t *testing.T, line []byte, s string, x float64, n int64) {
	t.Helper()
	var fromLine, filled T
	json.Unmarshal(line, &fromLine)
	fill(reflect.ValueOf(&filled).Elem(), s, x, n, 6)
	writesAsStd(t, nil, []T{fromLine, filled})
}
