package avroio_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/pcollection"
)

// ocfBytes encodes recs with schema, 100 records a block.
func ocfBytes(t *testing.T, schema string, recs ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc, err := ocf.NewEncoderWithSchema(avro.MustParse(schema), &buf, ocf.WithBlockLength(100))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decodeAll decodes data's records, read with opts, into T.
func decodeAll[T any](t *testing.T, data []byte, opts ...avroio.ReadOption) ([]T, error) {
	t.Helper()
	f, err := avroio.NewFileReader("r.avro", bytes.NewReader(data), int64(len(data)), opts...)
	if err != nil {
		t.Fatal(err)
	}
	d, err := avroio.NewDecoder[T](f)
	if err != nil {
		return nil, err
	}
	var out []T
	err = d.ReadRange(context.Background(), 0, -1, func(v T) { out = append(out, v) })
	return out, err
}

type nstr struct {
	S *string `avro:"s"`
}

// TestAdaptedFieldDefaultPlain checks that a plain field's avrodefault
// does not break reading it from a file declaring it nullable.
func TestAdaptedFieldDefaultPlain(t *testing.T) {
	a := "a"
	data := ocfBytes(t, `{"type":"record","name":"r","fields":[{"name":"s","type":["null","string"]}]}`, nstr{&a})
	type plain struct {
		S string `avro:"s" avrodefault:"\"\""`
	}
	got, err := decodeAll[plain](t, data)
	if err != nil || len(got) != 1 || got[0].S != "a" {
		t.Fatalf("got %v, %v", got, err)
	}
}

// TestAdaptedFieldDefaultPointer checks that a pointer field's
// avrodefault:"null" does not break reading it from a file declaring it
// without null.
func TestAdaptedFieldDefaultPointer(t *testing.T) {
	type plain struct {
		S string `avro:"s"`
	}
	data := ocfBytes(t, `{"type":"record","name":"r","fields":[{"name":"s","type":"string"}]}`, plain{"a"})
	type ptr struct {
		S *string `avro:"s" avrodefault:"null"`
	}
	got, err := decodeAll[ptr](t, data)
	if err != nil || len(got) != 1 || got[0].S == nil || *got[0].S != "a" {
		t.Fatalf("got %v, %v", got, err)
	}
}

// TestAdaptedErrorsNameT checks that a schema error of an adapted T names
// T, not the shadow struct.
func TestAdaptedErrorsNameT(t *testing.T) {
	a := "a"
	data := ocfBytes(t, `{"type":"record","name":"r","fields":[{"name":"s","type":["null","string"]}]}`, nstr{&a})
	type plain struct {
		S string `avro:"s"`
		X string `avro:"x" avrodefault:"0"` // not in the file; a default that is not a string
	}
	_, err := decodeAll[plain](t, data)
	if err == nil || strings.Contains(err.Error(), "F0") || strings.Contains(err.Error(), "F1") || !strings.Contains(err.Error(), "avroio_test.plain") {
		t.Errorf("error %v, want it to name avroio_test.plain, not the shadow struct", err)
	}
}

// TestAdaptedNullErrorNamesBothNames checks that a null read through an
// alias is reported under the Go type's name and the file's.
func TestAdaptedNullErrorNamesBothNames(t *testing.T) {
	a := "a"
	type w struct {
		Name *string `avro:"name"`
	}
	data := ocfBytes(t, `{"type":"record","name":"r","fields":[{"name":"name","type":["null","string"]}]}`, w{&a}, w{nil})
	type plain struct {
		Title string `avro:"title" avroaliases:"name"`
	}
	got, err := decodeAll[plain](t, data)
	if err == nil || !strings.Contains(err.Error(), "record 1 of 2: field title (name in the file) is null") || len(got) != 1 || got[0].Title != "a" {
		t.Errorf("read %v, %v; want the first record, then the null named", got, err)
	}
}

type inner2 struct {
	Emb string `avro:"emb"`
}

type Exp2 struct {
	Deep int64 `avro:"deep"`
}

type wide struct {
	ID    string            `avro:"id"`
	S     *string           `avro:"s"`
	N     *int64            `avro:"n"`
	B     *bool             `avro:"b"`
	F     *float32          `avro:"f"`
	T     *time.Time        `avro:"t"`
	Bytes *[]byte           `avro:"bytes"`
	Fix   *[4]byte          `avro:"fix"`
	Arr   *[]string         `avro:"arr"`
	M     *map[string]int64 `avro:"m"`
	Rec   *inner2           `avro:"rec"`
	Emb   *string           `avro:"emb"`
	Deep  *int64            `avro:"deep"`
	Extra *string           `avro:"extra"`
}

const wideSchema = `{"type":"record","name":"w","fields":[
{"name":"id","type":"string"},
{"name":"s","type":["null","string"]},
{"name":"n","type":["null","long"]},
{"name":"b","type":["null","boolean"]},
{"name":"f","type":["null","float"]},
{"name":"t","type":["null",{"type":"long","logicalType":"timestamp-millis"}]},
{"name":"bytes","type":["null","bytes"]},
{"name":"fix","type":["null",{"type":"fixed","name":"f4","size":4}]},
{"name":"arr","type":["null",{"type":"array","items":"string"}]},
{"name":"m","type":["null",{"type":"map","values":"long"}]},
{"name":"rec","type":["null",{"type":"record","name":"inner2","fields":[{"name":"emb","type":"string"}]}]},
{"name":"emb","type":["null","string"]},
{"name":"deep","type":["null","long"]},
{"name":"extra","type":["null","string"]}]}`

type plainWide struct {
	ID    string           `avro:"id"`
	S     string           `avro:"s"`
	N     int64            `avro:"n"`
	B     bool             `avro:"b"`
	F     float32          `avro:"f"`
	T     time.Time        `avro:"t"`
	Bytes []byte           `avro:"bytes"`
	Fix   [4]byte          `avro:"fix"`
	Arr   []string         `avro:"arr"`
	M     map[string]int64 `avro:"m"`
	Rec   inner2           `avro:"rec"`
	inner2
	Exp2
	unexp int
	Skip  string `avro:"-"`
}

func mkWide(i int) wide {
	s := fmt.Sprint("s", i)
	n := int64(i)
	b := i%2 == 1
	f := float32(i)
	tm := time.UnixMilli(int64(1000 * i)).UTC()
	by := []byte{byte(i), 1}
	fx := [4]byte{byte(i)}
	arr := []string{s, s}
	m := map[string]int64{s: n}
	rec := inner2{s}
	return wide{fmt.Sprint(i), &s, &n, &b, &f, &tm, &by, &fx, &arr, &m, &rec, &s, &n, &s}
}

// TestAdaptedWide reads 250 records (3 blocks) of every kind of field
// through the adapter, nullable into plain and plain into pointers, with
// embedded structs, and checks each record against what was written: no
// record's values may change as later ones are decoded.
func TestAdaptedWide(t *testing.T) {
	var recs []any
	for i := range 250 {
		recs = append(recs, mkWide(i))
	}
	data := ocfBytes(t, wideSchema, recs...)
	got, err := decodeAll[plainWide](t, data)
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range got {
		w := mkWide(i)
		want := plainWide{ID: w.ID, S: *w.S, N: *w.N, B: *w.B, F: *w.F, T: *w.T, Bytes: *w.Bytes, Fix: *w.Fix, Arr: *w.Arr, M: *w.M, Rec: *w.Rec, inner2: inner2{*w.Emb}, Exp2: Exp2{*w.Deep}}
		if !reflect.DeepEqual(g, want) {
			t.Fatalf("record %d: %+v, want %+v", i, g, want)
		}
	}
	// and the reverse: pointers from plain
	var precs []any
	for i := range 250 {
		w := mkWide(i)
		precs = append(precs, plainWide{ID: w.ID, S: *w.S, N: *w.N, B: *w.B, F: *w.F, T: *w.T, Bytes: *w.Bytes, Fix: *w.Fix, Arr: *w.Arr, M: *w.M, Rec: *w.Rec, inner2: inner2{*w.Emb}, Exp2: Exp2{*w.Deep}})
	}
	pdata := ocfBytes(t, `{"type":"record","name":"w","fields":[{"name":"id","type":"string"},{"name":"s","type":"string"},{"name":"n","type":"long"},{"name":"b","type":"boolean"},{"name":"f","type":"float"},{"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"bytes","type":"bytes"},{"name":"fix","type":{"type":"fixed","name":"f4","size":4}},{"name":"arr","type":{"type":"array","items":"string"}},{"name":"m","type":{"type":"map","values":"long"}},{"name":"rec","type":{"type":"record","name":"inner2","fields":[{"name":"emb","type":"string"}]}},{"name":"emb","type":"string"},{"name":"deep","type":"long"}]}`, precs...)
	pgot, err := decodeAll[wide](t, pdata)
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range pgot {
		w := mkWide(i)
		w.Extra = nil
		w.F = nil // plainWide's F field is named F, file has f
		g.F = nil
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("record %d: %+v, want %+v", i, g, w)
		}
	}
}

// TestAdaptedNullSliceAndMap checks that a null read into a plain slice or
// map is nil, as hamba/avro reads one, not a failed read.
func TestAdaptedNullSliceAndMap(t *testing.T) {
	type w struct {
		Tags *[]string         `avro:"tags"`
		B    *[]byte           `avro:"b"`
		M    *map[string]int64 `avro:"m"`
	}
	tags, b, m := []string{"x"}, []byte{1}, map[string]int64{"k": 1}
	data := ocfBytes(t, `{"type":"record","name":"r","fields":[{"name":"tags","type":["null",{"type":"array","items":"string"}]},
		{"name":"b","type":["null","bytes"]},{"name":"m","type":["null",{"type":"map","values":"long"}]}]}`, w{&tags, &b, &m}, w{})
	type plain struct {
		Tags []string         `avro:"tags"`
		B    []byte           `avro:"b"`
		M    map[string]int64 `avro:"m"`
	}
	got, err := decodeAll[plain](t, data)
	if err != nil || len(got) != 2 || !reflect.DeepEqual(got[0], plain{tags, b, m}) || got[1].Tags != nil || got[1].B != nil || got[1].M != nil {
		t.Errorf("read %+v, %v; want the values, then nils", got, err)
	}
}

// TestAdaptedEmbeddedPointerSaysWhy checks that a struct embedded by
// pointer, which the adapter cannot read through, is named in the refusal.
func TestAdaptedEmbeddedPointerSaysWhy(t *testing.T) {
	a := "a"
	type w struct {
		ID *string `avro:"id"`
		S  *string `avro:"s"`
	}
	data := ocfBytes(t, `{"type":"record","name":"r","fields":[{"name":"id","type":["null","string"]},{"name":"s","type":["null","string"]}]}`, w{&a, &a})
	type Meta struct {
		ID *string `avro:"id"`
	}
	type plain struct {
		*Meta
		S string `avro:"s"`
	}
	_, err := decodeAll[plain](t, data)
	if err == nil || !strings.Contains(err.Error(), "embeds *avroio_test.Meta by pointer") {
		t.Errorf("error %v, want it to name the struct embedded by pointer", err)
	}
}

// TestNarrowIntegers checks that a file's int or long read into a narrower
// Go integer fails on a value that does not fit, naming the field and the
// value, instead of wrapping (hamba/avro casts); values that fit read,
// through pointers and nullable unions too.
func TestNarrowIntegers(t *testing.T) {
	const schema = `{"type":"record","name":"r","fields":[
		{"name":"i8","type":"int"},{"name":"u8","type":"int"},{"name":"i16","type":["null","int"]},
		{"name":"u16","type":"int"},{"name":"u32","type":"long"},{"name":"p8","type":["null","int"]}]}`
	type narrow struct {
		I8  int8    `avro:"i8"`
		U8  uint8   `avro:"u8"`
		I16 int16   `avro:"i16"`
		U16 *uint16 `avro:"u16"`
		U32 uint32  `avro:"u32"`
		P8  *int8   `avro:"p8"`
	}
	rec := func(i8, u8, i16, u16 int, u32 int64, p8 any) map[string]any {
		return map[string]any{"i8": i8, "u8": u8, "i16": i16, "u16": u16, "u32": u32, "p8": p8}
	}
	got, err := decodeAll[narrow](t, ocfBytes(t, schema, rec(-128, 255, -32768, 65535, 1<<32-1, nil), rec(127, 0, 32767, 0, 0, 5)))
	if err != nil || len(got) != 2 {
		t.Fatalf("values that fit: %v (%v)", got, err)
	}
	if g := got[0]; g.I8 != -128 || g.U8 != 255 || g.I16 != -32768 || *g.U16 != 65535 || g.U32 != 1<<32-1 || g.P8 != nil {
		t.Errorf("first record: %+v", g)
	}
	if g := got[1]; g.I8 != 127 || g.I16 != 32767 || *g.U16 != 0 || *g.P8 != 5 {
		t.Errorf("second record: %+v", g)
	}
	for _, c := range []struct {
		rec  map[string]any
		want string
	}{
		{rec(300, 0, 0, 0, 0, nil), "field i8 holds 300, which the Go field (int8) cannot hold"},
		{rec(0, -1, 0, 0, 0, nil), "field u8 holds -1, which the Go field (uint8) cannot hold"},
		{rec(0, 0, 1<<31-1, 0, 0, nil), "field i16 holds 2147483647, which the Go field (int16) cannot hold"},
		{rec(0, 0, 0, 70000, 0, nil), "field u16 holds 70000, which the Go field (uint16) cannot hold"},
		{rec(0, 0, 0, 0, 1<<40+5, nil), "field u32 holds 1099511627781, which the Go field (uint32) cannot hold"},
		{rec(0, 0, 0, 0, 0, -129), "field p8 holds -129, which the Go field (int8) cannot hold"},
	} {
		got, err := decodeAll[narrow](t, ocfBytes(t, schema, rec(1, 1, 1, 1, 1, 1), c.rec))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "record 1 of 2") || errors.Is(err, avroio.ErrCorrupt) {
			t.Errorf("%v: got %d records, %v; want %q at record 1, not corrupt", c.rec, len(got), err, c.want)
		}
	}
}

// TestNarrowIntegersNested checks that a narrow integer inside a record,
// array or map, which an adapter cannot check, is refused when the file is
// opened rather than read wrapped.
func TestNarrowIntegersNested(t *testing.T) {
	type inner struct {
		N int16 `avro:"n"`
	}
	type nested struct {
		Inner inner `avro:"inner"`
	}
	type list struct {
		Ns []int16 `avro:"ns"`
	}
	for name, read := range map[string]func() error{
		"record": func() error {
			_, err := decodeAll[nested](t, ocfBytes(t, `{"type":"record","name":"r","fields":[{"name":"inner","type":{"type":"record","name":"i","fields":[{"name":"n","type":"int"}]}}]}`))
			return err
		},
		"array": func() error {
			_, err := decodeAll[list](t, ocfBytes(t, `{"type":"record","name":"r","fields":[{"name":"ns","type":{"type":"array","items":"int"}}]}`))
			return err
		},
	} {
		if err := read(); err == nil || !strings.Contains(err.Error(), "narrower integer than Avro's int or long") {
			t.Errorf("%s: got %v, want the narrow field refused", name, err)
		}
	}
}

// TestNarrowIntegersNestedNotWritten checks that a type whose file the read
// would refuse (TestNarrowIntegersNested) is refused for writing too,
// including by a pipeline when it is built: a job wrote such files, and the
// next job, with the same type, could not read them.
func TestNarrowIntegersNestedNotWritten(t *testing.T) {
	type inner struct {
		N *int16 `avro:"n"`
	}
	type nested struct {
		In inner `avro:"in"`
	}
	const want = "field In.N (int16) is a narrower integer"
	if _, err := avroio.NewFileWriter[nested](io.Discard); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("NewFileWriter: got %v, want %q", err, want)
	}
	p := pcollection.NewPipeline("narrow")
	if err := avroio.TryWrite(pcollection.Of(p, nested{}), t.TempDir()); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("TryWrite: got %v, want %q", err, want)
	}
	// At the top level, where the read checks each number, it is written.
	type top struct {
		N int16 `avro:"n"`
	}
	if _, err := avroio.NewFileWriter[top](io.Discard); err != nil {
		t.Errorf("top-level int16: %v", err)
	}
}

// TestNullTypedField checks that a record field of type "null", which
// pandas and fastavro write for an all-None column, is skipped by a reader
// without it, where hamba/avro failed as if the data were corrupt (and
// Lenient then skipped every block).
func TestNullTypedField(t *testing.T) {
	const schema = `{"type":"record","name":"r","fields":[{"name":"id","type":"long"},{"name":"note","type":"null"},
		{"name":"inner","type":{"type":"record","name":"i","fields":[{"name":"x","type":"null"},{"name":"y","type":"string"}]}}]}`
	var recs []any
	for i := range 250 {
		recs = append(recs, map[string]any{"id": int64(i), "note": nil, "inner": map[string]any{"x": nil, "y": fmt.Sprint(i)}})
	}
	type inner struct {
		Y string `avro:"y"`
	}
	type row struct {
		ID    int64 `avro:"id"`
		Inner inner `avro:"inner"`
	}
	data := ocfBytes(t, schema, recs...)
	got, err := decodeAll[row](t, data)
	if err != nil || len(got) != 250 || got[249].ID != 249 || got[249].Inner.Y != "249" {
		t.Fatalf("got %d records (last %+v), %v; want 250", len(got), got[len(got)-1:], err)
	}
	// A pointer reads the field as nil; a plain field cannot hold it.
	type withPointer struct {
		ID   int64   `avro:"id"`
		Note *string `avro:"note"`
	}
	if got, err := decodeAll[withPointer](t, data); err != nil || len(got) != 250 || got[0].Note != nil {
		t.Errorf("into a pointer: %d records, %v", len(got), err)
	}
	type withPlain struct {
		Note string `avro:"note"`
	}
	if _, err := decodeAll[withPlain](t, data); err == nil || !strings.Contains(err.Error(), "field note is null in every record of the file (its type is null): make the Go field a pointer") {
		t.Errorf("into a plain field: got %v, want refused", err)
	}
}

// TestReadTimeOfDay checks that a time.Duration reads time-millis and
// time-micros in their units, where it took the number stored for
// nanoseconds (12:34:56.789 read as 45.296789ms), nullable ones too.
func TestReadTimeOfDay(t *testing.T) {
	const schema = `{"type":"record","name":"r","fields":[{"name":"ms","type":{"type":"int","logicalType":"time-millis"}},
		{"name":"us","type":["null",{"type":"long","logicalType":"time-micros"}]},{"name":"ns","type":"long"}]}`
	at := 12*time.Hour + 34*time.Minute + 56*time.Second + 789*time.Millisecond
	type clock struct {
		MS time.Duration  `avro:"ms"`
		US *time.Duration `avro:"us"`
		NS time.Duration  `avro:"ns"`
	}
	data := ocfBytes(t, schema, map[string]any{"ms": at, "us": map[string]any{"long.time-micros": at + time.Microsecond}, "ns": int64(at)})
	got, err := decodeAll[clock](t, data)
	if err != nil || len(got) != 1 || got[0].MS != at || got[0].US == nil || *got[0].US != at+time.Microsecond || got[0].NS != at {
		t.Fatalf("got %+v (%v), want %v", got, err, at)
	}
	type plainly struct { // a nullable file field into a plain one: the adapter's path
		US time.Duration `avro:"us"`
	}
	if got, err := decodeAll[plainly](t, data); err != nil || len(got) != 1 || got[0].US != at+time.Microsecond {
		t.Errorf("through the adapter: %+v (%v)", got, err)
	}
}

// TestLocalTimestampRefused checks that a local timestamp, which is no
// instant, is refused for a time.Time for that reason (it said the units
// differ), and reads into an untagged int64.
func TestLocalTimestampRefused(t *testing.T) {
	wall := time.Date(2024, 3, 30, 2, 30, 0, 0, time.Local)
	data := ocfBytes(t, `{"type":"record","name":"r","fields":[{"name":"at","type":{"type":"long","logicalType":"local-timestamp-millis"}}]}`,
		map[string]any{"at": wall})
	type instant struct {
		At time.Time `avro:"at"`
	}
	if _, err := decodeAll[instant](t, data); err == nil || !strings.Contains(err.Error(), "a wall-clock time with no zone") ||
		!strings.Contains(err.Error(), "read it into an untagged int64 (the wall clock's millis") {
		t.Errorf("into time.Time: got %v, want refused as no instant", err)
	}
	type number struct {
		At int64 `avro:"at"`
	}
	want := time.Date(2024, 3, 30, 2, 30, 0, 0, time.UTC).UnixMilli()
	if got, err := decodeAll[number](t, data); err != nil || len(got) != 1 || got[0].At != want {
		t.Errorf("into int64: %v (%v), want %d", got, err, want)
	}
}

// TestLocalTimestampsAsLongs checks that generic reads with the option give
// local timestamps as their longs, in a field, a nullable union and an
// array, and without it as hamba/avro's time.Time.
func TestLocalTimestampsAsLongs(t *testing.T) {
	wall := time.Date(2024, 3, 10, 2, 30, 0, 0, time.UTC).UnixMilli() // skipped in New York
	data := ocfBytes(t, `{"type":"record","name":"r","fields":[
		{"name":"at","type":{"type":"long","logicalType":"local-timestamp-millis"}},
		{"name":"maybe","type":["null",{"type":"long","logicalType":"local-timestamp-micros"}]},
		{"name":"all","type":{"type":"array","items":{"type":"long","logicalType":"local-timestamp-millis"}}}]}`,
		map[string]any{"at": wall, "maybe": map[string]any{"long.local-timestamp-micros": wall * 1000}, "all": []any{wall}})
	got := readAll[map[string]any](t, openBytes(t, "wall.avro", data, avroio.LocalTimestampsAsLongs()))
	if len(got) != 1 || got[0]["at"] != wall || got[0]["maybe"] != wall*1000 || !reflect.DeepEqual(got[0]["all"], []any{wall}) {
		t.Errorf("with the option: %v, want %d, %d and [%d]", got, wall, wall*1000, wall)
	}
	if plain := readAll[map[string]any](t, openBytes(t, "wall.avro", data)); len(plain) != 1 {
		t.Errorf("without the option: %v", plain)
	} else if _, ok := plain[0]["at"].(time.Time); !ok {
		t.Errorf("without the option: at is %T, want hamba/avro's time.Time", plain[0]["at"])
	}
}

// TestEnumIntoStringAdvice checks that an enum read into a string, which
// no derived schema allows, is refused with the ways that work.
func TestEnumIntoStringAdvice(t *testing.T) {
	const schema = `{"type":"record","name":"r","fields":[{"name":"color","type":{"type":"enum","name":"c","symbols":["RED","GREEN"]}}]}`
	data := ocfBytes(t, schema, map[string]any{"color": "GREEN"})
	type colored struct {
		Color string `avro:"color"`
	}
	if _, err := decodeAll[colored](t, data); err == nil || !strings.Contains(err.Error(), "no Go type derives an enum; give the file's enum in a reader schema (WithReaderSchema)") {
		t.Errorf("got %v, want the advice", err)
	}
	f, err := avroio.NewFileReader("r.avro", bytes.NewReader(data), int64(len(data)), avroio.WithReaderSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	d, err := avroio.NewDecoder[colored](f)
	if err != nil {
		t.Fatal(err)
	}
	var got []colored
	if err := d.ReadRange(context.Background(), 0, -1, func(c colored) { got = append(got, c) }); err != nil || len(got) != 1 || got[0].Color != "GREEN" {
		t.Errorf("with the reader schema: %v (%v)", got, err)
	}
}

// TestReaderSchemaUnionIntoStructValue checks that a reader schema giving a
// union where the Go field is a struct value is refused: hamba/avro decodes
// the union's record into a pointer, written over the struct's fields
// (N read back as an address). A pointer field reads it.
func TestReaderSchemaUnionIntoStructValue(t *testing.T) {
	type inner struct {
		N int64 `avro:"n"`
	}
	type written struct {
		I *inner `avro:"i"`
	}
	type value struct {
		I inner `avro:"i"`
	}
	type list struct {
		L []value `avro:"l"`
	}
	data := writeFile(t, []written{{&inner{5}}, {}})
	reader := `{"type":"record","name":"written","fields":[{"name":"i","type":["null",{"type":"record","name":"inner","fields":[{"name":"n","type":"long"}]}],"default":null}]}`
	f := openBytes(t, "u.avro", data, avroio.WithReaderSchema(reader))
	if _, err := avroio.NewDecoder[value](f); err == nil || !strings.Contains(err.Error(), "field avroio_test.value.I is a struct value but the reader schema's i is a union") {
		t.Errorf("a union into a struct value: %v", err)
	}
	got := readAll[written](t, openBytes(t, "u.avro", data, avroio.WithReaderSchema(reader)))
	if len(got) != 2 || got[0].I == nil || got[0].I.N != 5 || got[1].I != nil {
		t.Errorf("into a pointer: %+v", got)
	}
	// Inside an array's records too.
	listData := writeFile(t, []list{{L: []value{{inner{1}}}}})
	listReader := `{"type":"record","name":"list","fields":[{"name":"l","type":{"type":"array","items":{"type":"record","name":"value","fields":[{"name":"i","type":["null",{"type":"record","name":"inner","fields":[{"name":"n","type":"long"}]}]}]}}}]}`
	if _, err := avroio.NewDecoder[list](openBytes(t, "l.avro", listData, avroio.WithReaderSchema(listReader))); err == nil || !strings.Contains(err.Error(), "field avroio_test.list.L[].I is a struct value") {
		t.Errorf("a union into a struct value in an array: %v", err)
	}
}

// Nullable array items or map values (Spark's array<struct>, with
// containsNull) read into plain elements are refused with the fix: make
// the elements pointers, which read them.
func TestNullableElementsAdvice(t *testing.T) {
	type item struct {
		N int64 `avro:"n"`
	}
	type written struct {
		Items []*item              `avro:"items"`
		M     map[string][]*string `avro:"m"`
	}
	s := "s"
	data := writeFile(t, []written{{Items: []*item{{1}, nil}, M: map[string][]*string{"k": {&s, nil}}}})
	type plainItems struct {
		Items []item `avro:"items"`
	}
	type plainValues struct {
		M map[string][]string `avro:"m"`
	}
	if _, err := decodeAll[plainItems](t, data); err == nil || !strings.Contains(err.Error(), "field items: the file's items[] are nullable") ||
		!strings.Contains(err.Error(), "make them pointers") {
		t.Errorf("items: %v", err)
	}
	if _, err := decodeAll[plainValues](t, data); err == nil || !strings.Contains(err.Error(), "field m: the file's m[key][] are nullable") {
		t.Errorf("map of lists: %v", err)
	}
	got, err := decodeAll[written](t, data)
	if err != nil || len(got) != 1 || len(got[0].Items) != 2 || got[0].Items[0].N != 1 || got[0].Items[1] != nil || *got[0].M["k"][0] != "s" || got[0].M["k"][1] != nil {
		t.Errorf("into pointers: %+v, %v", got, err)
	}
}

// TestRequireFields checks that RequireFields refuses a file lacking a
// field that a pointer would read as nil, naming the file and the field;
// accepts one that has it, even under an alias; and refuses a name the Go
// type has no field for.
func TestRequireFields(t *testing.T) {
	type old struct {
		ID string `avro:"id"`
	}
	type renamed struct {
		ID    string  `avro:"id"`
		Label *string `avro:"label"`
	}
	type titled struct {
		ID    string  `avro:"id"`
		Title *string `avro:"title"`
	}
	decode := func(data []byte, opts ...avroio.ReadOption) error {
		_, err := decodeAll[titled](t, data, opts...)
		return err
	}
	without := writeFile(t, []old{{"a"}})
	if err := decode(without); err != nil {
		t.Fatalf("without RequireFields, a missing pointer field reads as nil: %v", err)
	}
	if err := decode(without, avroio.RequireFields("title")); err == nil || !strings.Contains(err.Error(), "r.avro: field title is not in the file, which the read requires") {
		t.Errorf("missing required field: got %v", err)
	}
	label := "x"
	if err := decode(writeFile(t, []titled{{"a", &label}}), avroio.RequireFields("title")); err != nil {
		t.Errorf("a file with the required field: %v", err)
	}
	aliased := `{"type":"record","name":"renamed","fields":[{"name":"id","type":"string"},{"name":"title","aliases":["label"],"type":["null","string"]}]}`
	if err := decode(writeFile(t, []renamed{{"a", &label}}), avroio.WithReaderSchema(aliased), avroio.RequireFields("title")); err != nil {
		t.Errorf("a required field under an alias: %v", err)
	}
	if err := decode(without, avroio.RequireFields("titel")); err == nil || !strings.Contains(err.Error(), `RequireFields("titel")`) {
		t.Errorf("a required name the type lacks: got %v", err)
	}
}
