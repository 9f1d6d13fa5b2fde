package parquetio

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// readRows reads every row of data through the untyped API.
func readRows(path string, data []byte, opts ...ReadOption) ([]map[string]any, *File, error) {
	f, err := OpenFile(path, bytes.NewReader(data), int64(len(data)), opts...)
	if err != nil {
		return nil, nil, err
	}
	var out []map[string]any
	for row, err := range f.Rows(context.Background()) {
		if err != nil {
			return out, f, err
		}
		out = append(out, row)
	}
	return out, f, nil
}

func eventRow(i int) map[string]any {
	e := wantEvent(i)
	return map[string]any{"user_id": e.UserID, "track_id": e.TrackID, "artist_id": e.ArtistID, "country": e.Country,
		"platform": e.Platform, "ms_played": e.MsPlayed, "ts": e.Ts, "skipped": e.Skipped}
}

func eventRows(keep func(i int) bool) []map[string]any {
	var want []map[string]any
	for i := range 2048 {
		if keep(i) {
			want = append(want, eventRow(i))
		}
	}
	return want
}

func all(int) bool { return true }

func checkRows(t *testing.T, got, want []map[string]any) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("row %d:\ngot  %#v\nwant %#v", i, got[i], want[i])
		}
	}
}

func TestFileDuckDBEvents(t *testing.T) {
	for _, name := range []string{"events_v1_snappy.parquet", "events_v2_zstd.parquet"} {
		t.Run(name, func(t *testing.T) {
			got, f, err := readRows(name, readFixture(t, name), BatchSize(100))
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, got, eventRows(all))
			if want := (ReadStats{RowGroups: 4, Rows: 2048}); f.Stats() != want {
				t.Errorf("stats: got %+v, want %+v", f.Stats(), want)
			}
			if f.NumRows() != 2048 {
				t.Errorf("NumRows: got %d, want 2048", f.NumRows())
			}
		})
	}
}

// wantDuckTypeRows are the rows of the types fixtures as generic values.
var wantDuckTypeRows = []map[string]any{
	{"id": int32(1), "name": "alpha", "score": 1.5, "ratio": float32(0.25), "big": int64(10), "flag": true,
		"payload": []byte{0, 1}, "ts_us": utc(2026, 11, 26, 10, 0, 0, 123456000), "ts_ms": utc(2026, 11, 26, 10, 0, 0, 123000000),
		"day": Date(20783), "tags": []any{"x", "y"}, "attrs": map[string]any{"a": int32(1), "b": int32(2)}},
	{"id": int32(2), "name": nil, "score": nil, "ratio": float32(-1.5), "big": nil, "flag": false,
		"payload": []byte{}, "ts_us": nil, "ts_ms": utc(1970, 1, 1, 0, 0, 0, 0),
		"day": Date(0), "tags": []any{}, "attrs": map[string]any{}},
	{"id": int32(3), "name": "gamma", "score": -2.25, "ratio": float32(3), "big": int64(-9000000000), "flag": true,
		"payload": []byte("abc"), "ts_us": utc(1969, 12, 31, 23, 59, 59, 999999000), "ts_ms": utc(1999, 12, 31, 23, 59, 59, 999000000),
		"day": Date(-1), "tags": nil, "attrs": nil},
	{"id": int32(4), "name": "", "score": 0.0, "ratio": float32(0), "big": int64(0), "flag": false,
		"payload": nil, "ts_us": utc(2000, 2, 29, 12, 34, 56, 0), "ts_ms": utc(2000, 2, 29, 12, 34, 56, 789000000),
		"day": Date(11016), "tags": []any{"z", nil, "w"}, "attrs": map[string]any{"k": nil}},
}

func TestFileDuckDBTypes(t *testing.T) {
	for _, name := range []string{"types_v1_snappy.parquet", "types_v2_zstd.parquet"} {
		t.Run(name, func(t *testing.T) {
			got, f, err := readRows(name, readFixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, got, wantDuckTypeRows)
			for _, want := range []string{"message duckdb_schema {", "\toptional int64 ts_us (TIMESTAMP(isAdjustedToUTC=false,unit=MICROS));",
				"\toptional group attrs (MAP) {"} {
				if !strings.Contains(f.Schema(), want) {
					t.Errorf("schema lacks %q:\n%s", want, f.Schema())
				}
			}
			fields := f.Fields()
			if len(fields) != 12 {
				t.Fatalf("got %d fields, want 12", len(fields))
			}
			for i, want := range []Field{
				{Name: "id", Kind: Leaf, Optional: true, Type: "INT32/INT(32,true)"},
				{Name: "ts_ms", Kind: Leaf, Optional: true, Type: "INT64/TIMESTAMP(isAdjustedToUTC=false,unit=MILLIS)"},
				{Name: "tags", Kind: List, Optional: true, Fields: []Field{{Name: "element", Kind: Leaf, Optional: true, Type: "BYTE_ARRAY/STRING"}}},
				{Name: "attrs", Kind: Map, Optional: true, Fields: []Field{
					{Name: "key", Kind: Leaf, Type: "BYTE_ARRAY/STRING"},
					{Name: "value", Kind: Leaf, Optional: true, Type: "INT32/INT(32,true)"}}},
			} {
				got := fields[[]int{0, 8, 10, 11}[i]]
				if !reflect.DeepEqual(got, want) {
					t.Errorf("field %s:\ngot  %+v\nwant %+v", want.Name, got, want)
				}
			}
		})
	}
}

func TestFileRowGroups(t *testing.T) {
	f, err := OpenFile("events", bytes.NewReader(readFixture(t, "events_v1_snappy.parquet")), int64(len(readFixture(t, "events_v1_snappy.parquet"))))
	if err != nil {
		t.Fatal(err)
	}
	rgs := f.RowGroups()
	if len(rgs) != 4 {
		t.Fatalf("got %d row groups, want 4", len(rgs))
	}
	for i, rg := range rgs {
		if rg.NumRows != 512 || len(rg.Columns) != 8 || rg.Offset != rowGroupOffset(&f.file.Metadata().RowGroups[i]) {
			t.Errorf("row group %d: got %d rows, %d columns, offset %d", i, rg.NumRows, len(rg.Columns), rg.Offset)
		}
	}
	country := rgs[0].Columns[3]
	country.CompressedSize, country.UncompressedSize = 0, 0 // depend on DuckDB's compressor
	want := ColumnChunkInfo{Path: []string{"country"}, PhysicalType: "BYTE_ARRAY", LogicalType: "STRING",
		Encodings: country.Encodings, Compression: "SNAPPY", NumValues: 512, Min: `"NO"`, Max: `"SE"`}
	if !reflect.DeepEqual(country, want) {
		t.Errorf("country chunk:\ngot  %+v\nwant %+v", country, want)
	}
	if len(country.Encodings) == 0 {
		t.Errorf("country chunk lists no encodings")
	}
	ts := rgs[1].Columns[6]
	if ts.Min != "1764115712000" || ts.Max != "1764116223000" || ts.LogicalType != "INT(64,true)" {
		t.Errorf("ts chunk of row group 1: got min %s max %s type %s", ts.Min, ts.Max, ts.LogicalType)
	}

	// Typed statistics: times in RFC 3339, dates as dates, nulls counted.
	data := readFixture(t, "types_v2_zstd.parquet")
	f, err = OpenFile("types", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	cols := f.RowGroups()[0].Columns
	tests := []struct {
		col            int
		min, max       string
		nulls          int64
		physical, path string
	}{
		{1, `""`, `"gamma"`, 1, "BYTE_ARRAY", "name"},
		{2, "-2.25", "1.5", 1, "DOUBLE", "score"},
		{7, "1969-12-31T23:59:59.999999", "2026-11-26T10:00:00.123456", 1, "INT64", "ts_us"}, // not adjusted to UTC: no zone
		{9, "1969-12-31", "2026-11-26", 0, "INT32", "day"},
		{10, `"w"`, `"z"`, 3, "BYTE_ARRAY", "tags.list.element"}, // empty and null lists count
	}
	for _, tt := range tests {
		c := cols[tt.col]
		if c.Min != tt.min || c.Max != tt.max || c.NullCount != tt.nulls || c.PhysicalType != tt.physical || strings.Join(c.Path, ".") != tt.path {
			t.Errorf("column %d: got %s %s min %s max %s nulls %d, want %s %s min %s max %s nulls %d", tt.col,
				strings.Join(c.Path, "."), c.PhysicalType, c.Min, c.Max, c.NullCount, tt.path, tt.physical, tt.min, tt.max, tt.nulls)
		}
	}
}

// nested exercises record assembly: groups, lists of groups holding lists,
// repeated fields without the list convention, optional groups and maps of
// groups, written by parquetio itself (all required and repeated levels).
type nested struct {
	ID    int64            `parquet:"id"`
	Inner inner            `parquet:"inner"`
	Opt   *inner           `parquet:"opt,optional"`
	Items []item           `parquet:"items,list"`
	Reps  []int32          `parquet:"reps"`
	ByKey map[string]inner `parquet:"by_key"`
	When  time.Time        `parquet:"when,timestamp(nanosecond)"`
}

type inner struct {
	X int32   `parquet:"x"`
	Y *string `parquet:"y,optional"`
}

type item struct {
	P    int32    `parquet:"p"`
	Tags []string `parquet:"tags,list"`
}

func TestFileNested(t *testing.T) {
	when := time.Date(2026, 11, 26, 1, 2, 3, 456789123, time.UTC)
	rows := []nested{
		{ID: 1, Inner: inner{1, ptr("a")}, Opt: &inner{2, nil}, Items: []item{{1, []string{"x", "y"}}, {2, nil}, {3, []string{"z"}}},
			Reps: []int32{7, 8}, ByKey: map[string]inner{"k": {3, ptr("b")}}, When: when},
		{ID: 2, Inner: inner{0, nil}, When: time.Unix(0, 0).UTC()},
		{ID: 3, Items: []item{{P: 4}}, Reps: []int32{9}, ByKey: map[string]inner{"a": {}, "b": {1, ptr("")}}, When: when},
	}
	want := []map[string]any{
		{"id": int64(1), "inner": map[string]any{"x": int32(1), "y": "a"}, "opt": map[string]any{"x": int32(2), "y": nil},
			"items": []any{
				map[string]any{"p": int32(1), "tags": []any{"x", "y"}},
				map[string]any{"p": int32(2), "tags": []any{}},
				map[string]any{"p": int32(3), "tags": []any{"z"}}},
			"reps": []any{int32(7), int32(8)}, "by_key": map[string]any{"k": map[string]any{"x": int32(3), "y": "b"}}, "when": when},
		{"id": int64(2), "inner": map[string]any{"x": int32(0), "y": nil}, "opt": nil, "items": []any{}, "reps": []any{},
			"by_key": map[string]any{}, "when": time.Unix(0, 0).UTC()},
		{"id": int64(3), "inner": map[string]any{"x": int32(0), "y": nil}, "opt": nil,
			"items": []any{map[string]any{"p": int32(4), "tags": []any{}}}, "reps": []any{int32(9)},
			"by_key": map[string]any{"a": map[string]any{"x": int32(0), "y": nil}, "b": map[string]any{"x": int32(1), "y": ""}}, "when": when},
	}
	for _, opts := range [][]WriteOption{{RowGroupRows(2)}, {DataPageV2(), Compression(Uncompressed)}} {
		got, f, err := readRows("nested", writeAll(t, rows, opts...), BatchSize(1))
		if err != nil {
			t.Fatal(err)
		}
		checkRows(t, got, want)
		var names []string
		for _, fl := range f.Fields() {
			names = append(names, fl.Name+":"+fl.Kind.String())
		}
		if got, want := strings.Join(names, " "), "id:leaf inner:group opt:group items:list reps:leaf by_key:map when:leaf"; got != want {
			t.Errorf("fields: got %s, want %s", got, want)
		}
		if fl := f.Fields()[4]; !fl.Repeated {
			t.Errorf("reps is not repeated: %+v", fl)
		}
	}
}

func TestFileOptions(t *testing.T) {
	data := readFixture(t, "events_v2_zstd.parquet")
	got, f, err := readRows("events", data, WithFilter(Eq("country", "SE")))
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, got, eventRows(func(i int) bool { return i < 512 }))
	if want := (ReadStats{RowGroups: 4, RowGroupsPruned: 3, Rows: 512}); f.Stats() != want {
		t.Errorf("stats: got %+v, want %+v", f.Stats(), want)
	}
	if len(f.RowGroups()) != 4 {
		t.Errorf("RowGroups lists %d row groups, want all 4", len(f.RowGroups()))
	}
	// Two byte ranges read each row group once.
	half := int64(len(data)) / 2
	a, _, err := readRows("events", data, ByteRange(0, half))
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := readRows("events", data, ByteRange(half, int64(len(data))-half))
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, append(a, b...), eventRows(all))
	if len(a) == 0 || len(b) == 0 {
		t.Errorf("split sizes %d and %d: want rows in both", len(a), len(b))
	}
}

func TestFileCorrupt(t *testing.T) {
	for _, tt := range []struct {
		name       string
		wantOffset func(size int64) int64
	}{
		{"corrupt_bad_magic.parquet", func(int64) int64 { return 0 }},
		{"corrupt_truncated_footer.parquet", func(size int64) int64 { return size - 4 }},
	} {
		data := readFixture(t, tt.name)
		_, err := OpenFile(tt.name, bytes.NewReader(data), int64(len(data)))
		var ce *CorruptError
		if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) || ce.RowGroup != -1 || ce.Offset != tt.wantOffset(int64(len(data))) {
			t.Errorf("%s: got %v, want a corrupt footer at offset %d", tt.name, err, tt.wantOffset(int64(len(data))))
		}
	}

	data := readFixture(t, "events_v1_snappy.parquet")
	bad, off := corruptRowGroup(t, data, 2)
	got, _, err := readRows("events", bad)
	var ce *CorruptError
	if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) || ce.RowGroup != 2 || ce.Offset != off || ce.Path != "events" {
		t.Fatalf("got %v, want a *CorruptError in row group 2 at offset %d", err, off)
	}
	checkRows(t, got, eventRows(func(i int) bool { return i < 1024 }))

	got, f, err := readRows("events", bad, Lenient())
	if err != nil {
		t.Fatalf("lenient: %v", err)
	}
	if f.Stats().CorruptRowGroups != 1 {
		t.Errorf("lenient: %d corrupt row groups counted, want 1", f.Stats().CorruptRowGroups)
	}
	checkRows(t, got, eventRows(func(i int) bool { return i < 1024 || i >= 1536 }))

	_, _, err = readRows("events", data, MaxPageSize(100))
	if !errors.As(err, &ce) || ce.RowGroup != 0 {
		t.Errorf("max page size: got %v, want a corrupt page in row group 0", err)
	}

	_, err = OpenFile("events", &failingReaderAt{bytes.NewReader(data), 0}, int64(len(data)))
	if errors.Is(err, ErrCorrupt) || !errors.Is(err, errDisk) {
		t.Errorf("I/O error: got %v, want an I/O error that is not ErrCorrupt", err)
	}
	// An I/O error while reading pages is not corruption either.
	f, err = OpenFile("events", &failingReaderAt{bytes.NewReader(data), int64(len(data)) / 2}, int64(len(data)))
	if err == nil {
		for _, err = range f.Rows(context.Background()) {
			if err != nil {
				break
			}
		}
	}
	if errors.Is(err, ErrCorrupt) || !errors.Is(err, errDisk) {
		t.Errorf("I/O error in pages: got %v, want an I/O error that is not ErrCorrupt", err)
	}
}

func TestFileRowsStopAndCancel(t *testing.T) {
	data := readFixture(t, "events_v1_snappy.parquet")
	f, err := OpenFile("events", bytes.NewReader(data), int64(len(data)), BatchSize(10))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range f.Rows(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 3 {
			break
		}
	}
	// Rows starts over.
	var got []map[string]any
	for row, err := range f.Rows(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, row)
	}
	checkRows(t, got, eventRows(all))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n = 0
	for _, err = range f.Rows(ctx) {
		if err != nil {
			break
		}
		if n++; n == 5 {
			cancel()
		}
	}
	if !errors.Is(err, context.Canceled) || n > 10 {
		t.Errorf("after cancel: got %v after %d rows, want context.Canceled within a batch", err, n)
	}
}

func TestDecimalString(t *testing.T) {
	tests := []struct {
		b     []byte
		scale int
		want  string
	}{
		{[]byte{0x04, 0xd2}, 2, "12.34"},
		{[]byte{0xfb, 0x2e}, 2, "-12.34"},
		{[]byte{0x05}, 3, "0.005"},
		{[]byte{0xff}, 1, "-0.1"},
		{[]byte{0x7b}, 0, "123"},
		{nil, 2, "0.00"},
	}
	for _, tt := range tests {
		if got := decimalString(twosComplement(tt.b), tt.scale); got != tt.want {
			t.Errorf("%x scale %d: got %s, want %s", tt.b, tt.scale, got, tt.want)
		}
	}
}

func TestCreatedBy(t *testing.T) {
	dep := func(path, version string) *debug.Module { return &debug.Module{Path: path, Version: version} }
	tests := []struct {
		bi   debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}}, "crunchgo (devel)"},
		{debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v0.4.0"}}, "crunchgo version v0.4.0"},
		{debug.BuildInfo{Main: debug.Module{Path: "example.com/jobs", Version: "v1.0.0"},
			Deps: []*debug.Module{dep("github.com/spf13/cobra", "v1.9.0"), dep(modulePath, "v0.3.1")}}, "crunchgo version v0.3.1"},
		{debug.BuildInfo{Main: debug.Module{Path: "example.com/jobs", Version: "v1.0.0"}}, "crunchgo (devel)"},
	}
	for _, tt := range tests {
		if got := createdByOf(&tt.bi); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.bi.Main, got, tt.want)
		}
	}
	data := writeAll(t, []inner{{X: 1}})
	f, err := OpenFile("x", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.CreatedBy(); got != "crunchgo (devel)" {
		t.Errorf("created_by of a file written by the tests: got %q, want %q", got, "crunchgo (devel)")
	}
}

// TestStatOfAnotherType checks that a statistic whose column chunk claims a
// physical type other than the schema's is shown as bytes, not decoded as
// the schema's type (a damaged footer: a boolean read as a byte array
// would dereference a nil pointer).
func TestStatOfAnotherType(t *testing.T) {
	_, leaves, err := compileSchema(parquet.Group{"title": parquet.String()})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := renderStat(leaves[0], parquet.Boolean, []byte{1}), "01 (a BOOLEAN statistic of a BYTE_ARRAY column)"; got != want {
		t.Errorf("mismatched statistic rendered %q, want %q", got, want)
	}
	if got, want := renderStat(leaves[0], parquet.ByteArray, []byte("abc")), `"abc"`; got != want {
		t.Errorf("string statistic rendered %q, want %q", got, want)
	}
}

// TestTimestampStatZones checks that a TIMESTAMP's statistics carry a zone
// only when it is adjusted to UTC: the other kind is a wall clock, which
// cat prints without one.
func TestTimestampStatZones(t *testing.T) {
	_, leaves, err := compileSchema(parquet.Group{
		"instant": parquet.TimestampAdjusted(parquet.Microsecond, true),
		"wall":    parquet.TimestampAdjusted(parquet.Microsecond, false),
	})
	if err != nil {
		t.Fatal(err)
	}
	stat := binary.LittleEndian.AppendUint64(nil, uint64(1714564800_123456)) // 2024-05-01T12:00:00.123456
	if got, want := renderStat(leaves[0], parquet.Int64, stat), "2024-05-01T12:00:00.123456Z"; got != want {
		t.Errorf("adjusted to UTC: %q, want %q", got, want)
	}
	if got, want := renderStat(leaves[1], parquet.Int64, stat), "2024-05-01T12:00:00.123456"; got != want {
		t.Errorf("not adjusted to UTC: %q, want %q", got, want)
	}
}

// TestFileInterval reads an INTERVAL column, which has no logical type, only
// the converted type: as Interval, not as its 12 bytes.
func TestFileInterval(t *testing.T) {
	schema := parquet.NewSchema("row", parquet.Group{"every": parquet.Optional(parquet.IntervalNode())})
	le := binary.LittleEndian
	every := le.AppendUint32(le.AppendUint32(le.AppendUint32(nil, 14), 3), 86_399_999)
	data := writeRows(t, schema, []parquet.Row{{parquet.FixedLenByteArrayValue(every).Level(0, 1, 0)}, {parquet.NullValue().Level(0, 0, 0)}})
	got, f, err := readRows("interval", data)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, got, []map[string]any{{"every": Interval{Months: 14, Days: 3, Milliseconds: 86_399_999}}, {"every": nil}})
	if typ := f.Fields()[0].Type; typ != "FIXED_LEN_BYTE_ARRAY/INTERVAL" {
		t.Errorf("type %q, want FIXED_LEN_BYTE_ARRAY/INTERVAL", typ)
	}
}

// TestFileMapDuplicateKeys reads a map that gives a key twice: the last
// value wins, as the Parquet specification requires.
func TestFileMapDuplicateKeys(t *testing.T) {
	schema := parquet.NewSchema("row", parquet.Group{"m": parquet.Map(parquet.String(), parquet.Int(64))})
	data := writeRows(t, schema, []parquet.Row{{
		parquet.ByteArrayValue([]byte("a")).Level(0, 1, 0),
		parquet.ByteArrayValue([]byte("b")).Level(1, 1, 0),
		parquet.ByteArrayValue([]byte("a")).Level(1, 1, 0),
		parquet.Int64Value(1).Level(0, 1, 1),
		parquet.Int64Value(2).Level(1, 1, 1),
		parquet.Int64Value(3).Level(1, 1, 1),
	}})
	got, _, err := readRows("dupkeys", data)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, got, []map[string]any{{"m": map[string]any{"a": int64(3), "b": int64(2)}}})
}

// writeRows writes rows (values with their levels) as a file of schema.
func writeRows(t *testing.T, schema *parquet.Schema, rows []parquet.Row) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[any](&buf, schema)
	if _, err := w.WriteRows(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
