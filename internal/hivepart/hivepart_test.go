package hivepart

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"
)

func TestValues(t *testing.T) {
	got := fmt.Sprint(Values("hdfs://nn/t/dt=2026-11-26/city=New%20York/a%3Db=50%25/x=%zz/y=__HIVE_DEFAULT_PARTITION__/part=0.parquet"))
	want := "[{dt 2026-11-26 false} {city New York false} {a=b 50% false} {x %zz false} {y  true}]"
	if got != want {
		t.Errorf("Values = %s, want %s", got, want)
	}
}

type days int32

type rec struct {
	S   string
	I8  int8
	U   uint16
	F   float64
	B   bool
	T   time.Time
	D   days
	P   *int64
	N   *string
	Own string
}

func TestSetter(t *testing.T) {
	const path = "t/s=a%2Fb/i8=-7/u=65535/f=1.5/b=true/t=2026-11-26%2010%3A30%3A00/d=1970-01-03/p=42/n=__HIVE_DEFAULT_PARTITION__/own=x/f.parquet"
	typ := reflect.TypeFor[rec]()
	var fields []Field
	for i := range typ.NumField() {
		f := typ.Field(i)
		fields = append(fields, Field{Column: strings.ToLower(f.Name), Name: f.Name, Type: f.Type, Offset: f.Offset})
	}
	s, err := NewSetter(path, typ, fields, func(c string) bool { return c == "own" }, reflect.TypeFor[days]())
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]rec, 2)
	s.SetAll(unsafe.Pointer(&recs[0]), len(recs), unsafe.Sizeof(recs[0]))
	for _, r := range recs {
		if r.S != "a/b" || r.I8 != -7 || r.U != 65535 || r.F != 1.5 || !r.B || r.D != 2 || r.P == nil || *r.P != 42 || r.N != nil || r.Own != "" ||
			!r.T.Equal(time.Date(2026, 11, 26, 10, 30, 0, 0, time.UTC)) {
			t.Errorf("got %+v", r)
		}
	}
	if recs[0].P == recs[1].P {
		t.Error("records share a pointer")
	}
	for _, bad := range []string{"t/i8=128/f.parquet", "t/u=-1/f.parquet", "t/b=yes/f.parquet", "t/t=26.11.2026/f.parquet", "t/s=__HIVE_DEFAULT_PARTITION__/f.parquet"} {
		if _, err := NewSetter(bad, typ, fields, func(string) bool { return false }); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s: got %v, want an error naming the file", bad, err)
		}
	}
}

func TestFieldValue(t *testing.T) {
	typ := reflect.TypeFor[rec]()
	field := func(name string) Field {
		f, _ := typ.FieldByName(name)
		return Field{Column: strings.ToLower(name), Name: name, Type: f.Type, Offset: f.Offset}
	}
	for _, tc := range []struct {
		path, field string
		want        any
	}{
		{"t/u=7/u=9/f", "U", uint64(9)}, // the innermost wins
		{"t/i8=-7/f", "I8", int64(-7)},
		{"t/d=1970-01-03/f", "D", time.Date(1970, 1, 3, 0, 0, 0, 0, time.UTC)},
		{"t/n=__HIVE_DEFAULT_PARTITION__/f", "N", nil},
		{"t/f=1.5/f", "F", 1.5},
	} {
		got, found, err := FieldValue(tc.path, typ, field(tc.field), reflect.TypeFor[days]())
		if err != nil || !found || got != tc.want {
			t.Errorf("FieldValue(%s, %s) = %#v, %v, %v; want %#v", tc.path, tc.field, got, found, err, tc.want)
		}
	}
	if _, found, err := FieldValue("t/x=1/f", typ, field("S")); found || err != nil {
		t.Errorf("a key the path lacks: found %v, err %v", found, err)
	}
}
