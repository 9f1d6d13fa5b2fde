package csvio

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

type level int8

type everyKind struct {
	I   int
	I8  int8
	I16 int16
	I32 int32
	I64 int64
	U   uint
	U8  uint8
	U16 uint16
	U32 uint32
	U64 uint64
	F32 float32
	F64 float64
	B   bool
	S   string
	L   level
	P   *uint16
	T   time.Time
	PT  *time.Time
}

// Each field takes its value without touching its neighbours, at the
// limits of its kind, and a value past them is out of range.
func TestDecodeEveryKind(t *testing.T) {
	l, err := layoutOf(reflect.TypeFor[everyKind]())
	if err != nil {
		t.Fatal(err)
	}
	// Columns in reverse, so that a store too wide for its field would
	// overwrite the next one's, already set.
	header := l.names()
	slices.Reverse(header)
	cfg, _ := newConfig(nil)
	d, err := newDecoder[everyKind](l, header, "", cfg)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	p := uint16(math.MaxUint16)
	for _, want := range []everyKind{
		{math.MinInt, math.MinInt8, math.MinInt16, math.MinInt32, math.MinInt64, 0, 0, 0, 0, 0,
			-math.MaxFloat32, -math.MaxFloat64, false, "", math.MinInt8, nil, at, nil},
		{math.MaxInt, math.MaxInt8, math.MaxInt16, math.MaxInt32, math.MaxInt64, math.MaxUint, math.MaxUint8, math.MaxUint16, math.MaxUint32, math.MaxUint64,
			math.MaxFloat32, math.MaxFloat64, true, "s", math.MaxInt8, &p, at, &at},
	} {
		rec := make([]string, len(l.fields))
		rv := reflect.ValueOf(want)
		for i, f := range l.fields {
			if rec[i], err = f.format(rv.Field(f.index)); err != nil {
				t.Fatal(err)
			}
		}
		slices.Reverse(rec)
		got, err := d.decode(rec)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("decode(%q) = %+v, %v; want %+v", rec, got, err, want)
		}
		for i, name := range header {
			f := l.fields[slices.IndexFunc(l.fields, func(f field) bool { return f.name == name })]
			past := ""
			switch s := rec[i]; {
			case f.typeName == "float32" && s[0] == '-':
				past = "-1e39"
			case f.typeName == "float32":
				past = "1e39"
			case strings.HasPrefix(s, "-"):
				past = "-" + increment(s[1:])
			case s != "" && s != "0" && strings.Trim(s, "0123456789") == "":
				past = increment(s)
			default:
				continue
			}
			rec := slices.Clone(rec)
			rec[i] = past
			if _, err := d.decode(rec); err == nil || !strings.Contains(err.Error(), "value out of range") {
				t.Errorf("%s = %s: got %v, want out of range", f.name, past, err)
			}
		}
	}
}

// increment adds one to a decimal number of up to 20 digits.
func increment(s string) string {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == math.MaxUint64 {
		return s + "0"
	}
	return strconv.FormatUint(n+1, 10)
}
