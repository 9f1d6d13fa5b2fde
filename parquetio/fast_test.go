package parquetio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/encoding/delta"
)

// flatTypes is the flat, fast-path readable part of duckTypes: its nullable
// columns read into non-pointer fields, which cannot hold the nulls of
// name, score and big.
type flatTypes struct {
	ID    int32   `parquet:"id"`
	Name  string  `parquet:"name"`
	Score float64 `parquet:"score"`
	Ratio float32 `parquet:"ratio"`
	Big   int64   `parquet:"big"`
	Flag  bool    `parquet:"flag"`
}

// flatTypesOpt is flatTypes with every field tagged optional, so that nulls
// read as zero values.
type flatTypesOpt struct {
	ID    int32   `parquet:"id,optional"`
	Name  string  `parquet:"name,optional"`
	Score float64 `parquet:"score,optional"`
	Ratio float32 `parquet:"ratio,optional"`
	Big   int64   `parquet:"big,optional"`
	Flag  bool    `parquet:"flag,optional"`
}

// usesFast reports whether a Reader of T on data takes the fast path.
func usesFast[T any](t *testing.T, data []byte, opts ...ReadOption) bool {
	t.Helper()
	r, err := NewReader[T]("x", bytes.NewReader(data), int64(len(data)), opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return r.fast != nil
}

// comparePaths reads data through the fast path and the row path and
// requires identical rows, stats and errors. A null T cannot hold must be
// reported at the same row by both (the rows read before it may differ).
func comparePaths[T any](t *testing.T, name string, data []byte, wantFast bool, opts ...ReadOption) {
	t.Helper()
	if got := usesFast[T](t, data); got != wantFast {
		t.Fatalf("%s: %T uses fast path = %v, want %v", name, *new(T), got, wantFast)
	}
	fast, fst, ferr := readAll[T](name, data, opts...)
	row, rst, rerr := readAll[T](name, data, append(opts[:len(opts):len(opts)], rowPath())...)
	if (ferr == nil) != (rerr == nil) || (ferr != nil && errors.Is(ferr, ErrCorrupt) != errors.Is(rerr, ErrCorrupt)) {
		t.Fatalf("%s: %T: fast path error %v, row path error %v", name, *new(T), ferr, rerr)
	}
	var fse, rse *SchemaError
	if errors.As(ferr, &fse) || errors.As(rerr, &rse) {
		if !errors.As(rerr, &rse) || !errors.As(ferr, &fse) || fse.Error() != rse.Error() {
			t.Fatalf("%s: %T: fast path error %v, row path error %v", name, *new(T), ferr, rerr)
		}
		return
	}
	if fst != rst {
		t.Errorf("%s: %T: fast path stats %+v, row path %+v", name, *new(T), fst, rst)
	}
	if len(fast) != len(row) {
		t.Fatalf("%s: %T: fast path read %d rows, row path %d", name, *new(T), len(fast), len(row))
	}
	for i := range fast {
		if !reflect.DeepEqual(fast[i], row[i]) {
			t.Fatalf("%s: %T row %d: fast path %+v, row path %+v", name, *new(T), i, fast[i], row[i])
		}
	}
}

func TestFastPathMatchesRowPathOnFixtures(t *testing.T) {
	for _, name := range []string{"events_v1_snappy.parquet", "events_v2_zstd.parquet"} {
		data := readFixture(t, name)
		comparePaths[event](t, name, data, true)
		comparePaths[eventOpt](t, name, data, true)
		comparePaths[play](t, name, data, true)
		comparePaths[event](t, name, data, true, ByteRange(4, int64(len(data))/2))
		comparePaths[play](t, name, data, true, WithFilter(Eq("country", "SE")))
	}
	for _, name := range []string{"types_v1_snappy.parquet", "types_v2_zstd.parquet"} {
		data := readFixture(t, name)
		comparePaths[duckTypes](t, name, data, false)
		comparePaths[flatTypes](t, name, data, true) // fails at row 1's null name
		comparePaths[flatTypesOpt](t, name, data, true)
	}
	type crunchFlat struct {
		ID    int32   `parquet:"id"`
		Name  string  `parquet:"name"`
		Score float64 `parquet:"score"`
		Big   int64   `parquet:"big"`
		Flag  bool    `parquet:"flag"`
	}
	comparePaths[crunchFlat](t, "crunchgo_written.parquet", readFixture(t, "crunchgo_written.parquet"), true)
	// The fast path gives the fixtures' exact values.
	for _, name := range []string{"events_v1_snappy.parquet", "events_v2_zstd.parquet"} {
		got, _, err := readAll[event](name, readFixture(t, name))
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if got[i] != wantEvent(i) {
				t.Fatalf("%s row %d: got %+v, want %+v", name, i, got[i], wantEvent(i))
			}
		}
	}
	got, _, err := readAll[flatTypesOpt]("types", readFixture(t, "types_v2_zstd.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range wantDuckTypes {
		want := flatTypes{ID: w.ID, Ratio: w.Ratio, Flag: w.Flag}
		if w.Name != nil {
			want.Name = *w.Name
		}
		if w.Score != nil {
			want.Score = *w.Score
		}
		if w.Big != nil {
			want.Big = *w.Big
		}
		if flatTypes(got[i]) != want {
			t.Errorf("types row %d: got %+v, want %+v", i, got[i], want)
		}
	}
}

// TestSharedStrings reads every fixture with SharedStrings, keeping every
// row until the end: the strings must equal the row path's, so no later
// batch may have written over an earlier one's bytes. Small batches put
// page boundaries inside batches.
func TestSharedStrings(t *testing.T) {
	for _, name := range []string{"events_v1_snappy.parquet", "events_v2_zstd.parquet"} {
		data := readFixture(t, name)
		comparePaths[event](t, name, data, true, SharedStrings())
		comparePaths[event](t, name, data, true, SharedStrings(), BatchSize(7))
		comparePaths[play](t, name, data, true, SharedStrings(), BatchSize(3))
	}
	for _, name := range []string{"types_v1_snappy.parquet", "types_v2_zstd.parquet"} {
		comparePaths[flatTypesOpt](t, name, readFixture(t, name), true, SharedStrings(), BatchSize(2))
	}
	// Nulls and dictionary-encoded strings.
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[nullable](&buf, parquet.PageBufferSize(64))
	for i := range 500 {
		s := fmt.Sprint("value-", i)
		row := nullable{D: fmt.Sprint("d", i%7), N: i}
		if i%3 != 0 {
			row.S = &s
		}
		if _, err := w.Write([]nullable{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	comparePaths[flatNullable](t, "nullable", buf.Bytes(), true, SharedStrings(), BatchSize(33))
}

// nullable is written with nulls and read as flatNullable.
type nullable struct {
	S *string  `parquet:"s,optional"`
	I *int64   `parquet:"i,optional"`
	B *bool    `parquet:"b,optional"`
	F *float64 `parquet:"f,optional"`
	D string   `parquet:"d,dict"`
	N int      `parquet:"n"`
}

// flatNullable's fields tagged optional read nulls as zero values.
type flatNullable struct {
	S string  `parquet:"s,optional"`
	I int64   `parquet:"i,optional"`
	B bool    `parquet:"b,optional"`
	F float64 `parquet:"f,optional"`
	D string  `parquet:"d"`
	N int     `parquet:"n"`
}

func TestFastPathEdgeCases(t *testing.T) {
	rows := make([]nullable, 5000)
	for i := range rows {
		rows[i].D = fmt.Sprint("d", i%7)
		rows[i].N = i
		if i%3 != 0 {
			rows[i].S = ptr(fmt.Sprint("s", i))
			rows[i].I = ptr(int64(i) * -3)
			rows[i].B = ptr(i%2 == 0)
			rows[i].F = ptr(float64(i) / 4)
		}
	}
	for _, tc := range []struct {
		name string
		opts []WriteOption
	}{
		{"v1", nil},
		{"v2 small pages", []WriteOption{DataPageV2(), PageSize(1 << 10), RowGroupRows(1500)}},
		{"v1 small pages", []WriteOption{PageSize(512), RowGroupRows(777)}},
	} {
		var buf bytes.Buffer
		w, err := NewWriter[nullable](&buf, tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		data := buf.Bytes()
		comparePaths[flatNullable](t, tc.name, data, true)
		got, _, err := readAll[flatNullable](tc.name, data)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(rows) {
			t.Fatalf("%s: read %d rows, want %d", tc.name, len(got), len(rows))
		}
		for i, r := range rows {
			want := flatNullable{D: r.D, N: r.N}
			if r.S != nil {
				want.S, want.I, want.B, want.F = *r.S, *r.I, *r.B, *r.F
			}
			if got[i] != want {
				t.Fatalf("%s row %d: got %+v, want %+v", tc.name, i, got[i], want)
			}
		}
	}
}

// parquet-go never writes a row group of zero rows (Flush and WriteRowGroup
// skip them), so this covers several small row groups and a file with none.
func TestFastPathRowGroupBoundaries(t *testing.T) {
	var empty bytes.Buffer
	ew, err := NewWriter[event](&empty)
	if err != nil {
		t.Fatal(err)
	}
	if err := ew.Close(); err != nil {
		t.Fatal(err)
	}
	comparePaths[event](t, "no row groups", empty.Bytes(), true)

	var buf bytes.Buffer
	w := parquet.NewGenericWriter[event](&buf)
	for _, n := range []int{0, 3, 0, 0, 2, 0} {
		rows := make([]event, n)
		for i := range rows {
			rows[i] = wantEvent(i)
		}
		if _, err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	comparePaths[event](t, "empty groups", data, true)
	got, st, err := readAll[event]("empty groups", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || st.Rows != 5 {
		t.Fatalf("read %d rows (stats %+v), want 5", len(got), st)
	}
}

func TestFastPathPlan(t *testing.T) {
	data := readFixture(t, "events_v2_zstd.parquet")
	type withTime struct {
		TrackID string `parquet:"track_id"`
		Ts      int64  `parquet:"ts,timestamp(millisecond)"`
	}
	type withPtr struct {
		TrackID *string `parquet:"track_id"`
	}
	type withMissing struct {
		TrackID string `parquet:"track_id"`
		Other   string `parquet:"other"`
	}
	type wrongKind struct {
		TrackID int64 `parquet:"track_id"`
	}
	type unexported struct {
		TrackID string `parquet:"track_id"`
		hidden  int
		Ignored int `parquet:"-"`
	}
	timeData := encodeRows(t, []withTime{{"t0", 5}, {"t1", 6}})
	for _, tc := range []struct {
		name string
		fast bool
	}{
		{"timestamp", usesFast[withTime](t, timeData)},
		{"pointer", usesFast[withPtr](t, data)},
		{"missing column", usesFast[withMissing](t, data, ZeroFillMissing())},
	} {
		if tc.fast {
			t.Errorf("%s: fast path taken, want row path", tc.name)
		}
	}
	comparePaths[withTime](t, "timestamp", timeData, false)
	// A string column does not read into an int64 on either path.
	if _, err := NewReader[wrongKind]("x", bytes.NewReader(data), int64(len(data))); !errors.Is(err, ErrSchemaMismatch) {
		t.Errorf("string column into int64: got %v, want a schema mismatch", err)
	}
	if !usesFast[unexported](t, data) {
		t.Error("struct with unexported and ignored fields: row path taken, want fast path")
	}
	comparePaths[unexported](t, "unexported", data, true)
	// Fields without a column are zero, not what the caller's batch held,
	// on both paths: Read gives fresh rows.
	for _, opts := range [][]ReadOption{nil, {rowPath()}} {
		r, err := NewReader[unexported]("x", bytes.NewReader(data), int64(len(data)), opts...)
		if err != nil {
			t.Fatal(err)
		}
		buf := []unexported{{"a", 5, 7}}
		if _, err := r.Read(buf); err != nil {
			t.Fatal(err)
		}
		if want := (unexported{TrackID: "t0"}); buf[0] != want {
			t.Errorf("row path %v: got %+v, want %+v", opts != nil, buf[0], want)
		}
	}
}

// The fast path reports corrupt pages like the row path, with the row group.
func TestFastPathCorruptRowGroup(t *testing.T) {
	data := readFixture(t, "events_v1_snappy.parquet")
	bad, _ := corruptRowGroup(t, data, 1)
	_, _, err := readAll[event]("bad", bad)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.RowGroup != 1 {
		t.Fatalf("got %v, want a CorruptError in row group 1", err)
	}
	comparePaths[event](t, "bad lenient", bad, true, Lenient())
}

// A column chunk whose dictionary overflows switches from dictionary-encoded
// to plain pages within the chunk.
func TestFastPathDictionaryThenPlain(t *testing.T) {
	type dictRow struct {
		S string `parquet:"s,dict"`
		N int64  `parquet:"n"`
	}
	type readRow struct {
		S string `parquet:"s"`
		N int64  `parquet:"n"`
	}
	rows := make([]dictRow, 3000)
	for i := range rows {
		rows[i] = dictRow{S: fmt.Sprintf("value-%04d", i%1000), N: int64(i)}
	}
	for _, version := range []int{1, 2} {
		var buf bytes.Buffer
		w := parquet.NewGenericWriter[dictRow](&buf, parquet.DictionaryMaxBytes(600),
			parquet.PageBufferSize(256), parquet.DataPageVersion(version))
		if _, err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		data := buf.Bytes()
		f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		encs := fmt.Sprint(f.Metadata().RowGroups[0].Columns[0].MetaData.Encoding)
		if !strings.Contains(encs, "PLAIN") || !strings.Contains(encs, "DICTIONARY") {
			t.Fatalf("v%d: column s has encodings %s, want dictionary and plain pages", version, encs)
		}
		name := fmt.Sprintf("dict then plain v%d", version)
		comparePaths[readRow](t, name, data, true)
		got, _, err := readAll[readRow](name, data)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(rows) {
			t.Fatalf("%s: read %d rows, want %d", name, len(got), len(rows))
		}
		for i, r := range rows {
			if got[i] != (readRow{r.S, r.N}) {
				t.Fatalf("%s row %d: got %+v, want %+v", name, i, got[i], r)
			}
		}
	}
}

// typedRow has one field of every kind with a typed page reader.
type typedRow struct {
	B   bool    `parquet:"b"`
	I32 int32   `parquet:"i32"`
	I64 int64   `parquet:"i64"`
	F32 float32 `parquet:"f32"`
	F64 float64 `parquet:"f64"`
	S   string  `parquet:"s"`
	N   int     `parquet:"n"`
}

type typedOptRow struct {
	B   *bool    `parquet:"b,optional"`
	I32 *int32   `parquet:"i32,optional"`
	I64 *int64   `parquet:"i64,optional"`
	F32 *float32 `parquet:"f32,optional"`
	F64 *float64 `parquet:"f64,optional"`
	S   *string  `parquet:"s,optional"`
	N   int      `parquet:"n"`
}

// typedZeroRow is typedRow tagged optional: nulls read as zero values.
type typedZeroRow struct {
	B   bool    `parquet:"b,optional"`
	I32 int32   `parquet:"i32,optional"`
	I64 int64   `parquet:"i64,optional"`
	F32 float32 `parquet:"f32,optional"`
	F64 float64 `parquet:"f64,optional"`
	S   string  `parquet:"s,optional"`
	N   int     `parquet:"n"`
}

type typedDictRow struct {
	B   bool    `parquet:"b,dict"`
	I32 int32   `parquet:"i32,dict"`
	I64 int64   `parquet:"i64,dict"`
	F32 float32 `parquet:"f32,dict"`
	F64 float64 `parquet:"f64,dict"`
	S   string  `parquet:"s,dict"`
	N   int     `parquet:"n"`
}

func makeTypedRow(i int) typedRow {
	return typedRow{
		B:   i%3 == 1,
		I32: int32(i*7919) - 1<<30,
		I64: int64(i) * -1_000_000_007,
		F32: float32(i) / 3,
		F64: float64(i) * -1.25e10,
		S:   fmt.Sprint("s", i),
		N:   i,
	}
}

func encodeRows[R any](t *testing.T, rows []R, opts ...WriteOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter[R](&buf, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fastCounts reads data as T on the fast path in batches of batch rows and
// returns the rows and, per column of the plan, how many values were read
// through typed readers and through ReadValues.
func fastCounts[T any](t *testing.T, data []byte, batch int) (rows []T, typed, generic map[string]int64) {
	t.Helper()
	r, err := NewReader[T]("x", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.fast == nil {
		t.Fatalf("%T: row path taken", *new(T))
	}
	typed, generic = map[string]int64{}, map[string]int64{}
	buf := make([]T, batch)
	for _, rg := range r.file.RowGroups() {
		g := newFastGroup(r.fast, rg, nil, false)
		for {
			clear(buf)
			n, err := g.read(unsafe.Pointer(&buf[0]), len(buf))
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, buf[:n]...)
		}
		for i, c := range r.fast.cols {
			typed[c.name] += g.chunks[i].typed
			generic[c.name] += g.chunks[i].generic
		}
		g.close()
	}
	return rows, typed, generic
}

// The fast path reads plain pages of required numeric columns through
// parquet-go's typed readers, string pages without nulls or dictionary from
// their bytes, and everything else through ReadValues, with the same rows
// as the row path whatever the batch and page sizes, with strings shared or
// not.
func TestFastPathTypedReaders(t *testing.T) {
	const n = 5000
	want := make([]typedRow, n)
	opt := make([]typedOptRow, n)
	dict := make([]typedDictRow, n)
	optNoNulls := make([]typedOptRow, n)
	for i := range want {
		r := makeTypedRow(i)
		want[i] = r
		dict[i] = typedDictRow(r)
		optNoNulls[i] = typedOptRow{&r.B, &r.I32, &r.I64, &r.F32, &r.F64, &r.S, r.N}
		opt[i] = typedOptRow{N: r.N}
		if i%5 != 2 {
			opt[i] = optNoNulls[i]
		}
	}
	wantOpt := make([]typedRow, n)
	for i, r := range opt {
		wantOpt[i] = typedRow{N: r.N}
		if r.B != nil {
			wantOpt[i] = want[i]
		}
	}
	numeric := []string{"b", "i32", "i64", "f32", "f64"}
	for _, layout := range []struct {
		name string
		opts []WriteOption
	}{
		{"default", nil},
		{"v1 small pages", []WriteOption{PageSize(300), RowGroupRows(1777)}},
		{"v2 small pages", []WriteOption{DataPageV2(), PageSize(700), RowGroupRows(2500)}},
	} {
		for _, tc := range []struct {
			name    string
			data    []byte
			want    []typedRow
			typed   bool // numeric columns read through typed readers
			strings bool // the string column read from its pages' bytes
			zero    bool // read as typedZeroRow: typedRow cannot hold the nulls
		}{
			{"required", encodeRows(t, want, layout.opts...), want, true, true, false},
			{"optional with nulls", encodeRows(t, opt, layout.opts...), wantOpt, false, false, true},
			{"optional without nulls", encodeRows(t, optNoNulls, layout.opts...), want, false, true, false},
			{"dictionary", encodeRows(t, dict, layout.opts...), want, false, false, false},
		} {
			name := layout.name + "/" + tc.name
			comparePaths[typedRow](t, name, tc.data, true)
			comparePaths[typedRow](t, name, tc.data, true, SharedStrings(), BatchSize(7))
			counts := fastCounts[typedRow]
			if tc.zero {
				var se *SchemaError
				if _, _, err := readAll[typedRow](name, tc.data); !errors.As(err, &se) || se.Column != "b" || se.Row != 2 {
					t.Fatalf("%s: got %v, want a null at row 2 of column b", name, err)
				}
				comparePaths[typedZeroRow](t, name, tc.data, true)
				comparePaths[typedZeroRow](t, name, tc.data, true, SharedStrings(), BatchSize(7))
				counts = func(t *testing.T, data []byte, batch int) ([]typedRow, map[string]int64, map[string]int64) {
					rows, typed, generic := fastCounts[typedZeroRow](t, data, batch)
					out := make([]typedRow, len(rows))
					for i, r := range rows {
						out[i] = typedRow(r)
					}
					return out, typed, generic
				}
			}
			for _, batch := range []int{1, 7, 100, 1024, n + 1} {
				got, typed, generic := counts(t, tc.data, batch)
				if len(got) != n {
					t.Fatalf("%s batch %d: read %d rows, want %d", name, batch, len(got), n)
				}
				for i := range got {
					if got[i] != tc.want[i] {
						t.Fatalf("%s batch %d row %d: got %+v, want %+v", name, batch, i, got[i], tc.want[i])
					}
				}
				for _, c := range numeric {
					if tc.typed && (typed[c] != n || generic[c] != 0) || !tc.typed && (typed[c] != 0 || generic[c] != n) {
						t.Fatalf("%s batch %d column %s: %d values read typed, %d generic; typed path wanted: %v",
							name, batch, c, typed[c], generic[c], tc.typed)
					}
				}
				if tc.strings && (typed["s"] != n || generic["s"] != 0) || !tc.strings && (typed["s"] != 0 || generic["s"] != n) {
					t.Fatalf("%s batch %d: strings read %d from page bytes, %d generic; page bytes wanted: %v",
						name, batch, typed["s"], generic["s"], tc.strings)
				}
			}
		}
	}
}

// A dictionary that overflows mid-chunk switches a numeric column from the
// generic path to the typed one between pages, within a batch.
func TestFastPathTypedAfterDictionary(t *testing.T) {
	type dictRow struct {
		I64 int64   `parquet:"i64,dict"`
		F64 float64 `parquet:"f64,dict"`
		B   bool    `parquet:"b"`
	}
	type readRow struct {
		I64 int64   `parquet:"i64"`
		F64 float64 `parquet:"f64"`
		B   bool    `parquet:"b"`
	}
	rows := make([]dictRow, 3000)
	for i := range rows {
		rows[i] = dictRow{I64: int64(i) * 3, F64: float64(i) / 8, B: i%7 < 3}
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[dictRow](&buf, parquet.DictionaryMaxBytes(800), parquet.PageBufferSize(256))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	comparePaths[readRow](t, "dict then plain", data, true)
	for _, batch := range []int{5, 300, 4000} {
		got, typed, generic := fastCounts[readRow](t, data, batch)
		if len(got) != len(rows) {
			t.Fatalf("batch %d: read %d rows, want %d", batch, len(got), len(rows))
		}
		for i, r := range rows {
			if got[i] != (readRow{r.I64, r.F64, r.B}) {
				t.Fatalf("batch %d row %d: got %+v, want %+v", batch, i, got[i], r)
			}
		}
		for _, c := range []string{"i64", "f64"} {
			if typed[c] == 0 || generic[c] == 0 || typed[c]+generic[c] != int64(len(rows)) {
				t.Fatalf("batch %d column %s: %d values read typed, %d generic; want both", batch, c, typed[c], generic[c])
			}
		}
		if typed["b"] != int64(len(rows)) {
			t.Fatalf("batch %d column b: %d values read typed, want all", batch, typed["b"])
		}
	}
}

// TestPlainStringsRefusesWrappedOffsets checks that a page of strings
// whose offsets go back is not read by unsafe.String over its bytes.
// parquet-go decodes a DELTA_LENGTH_BYTE_ARRAY page whose lengths sum past
// 2^32 (2^31-1, 2^31-1 and 12 over 10 bytes) into offsets that wrap, the
// last in range: read so, the first value would be a 2 GiB string over a
// 10-byte buffer.
func TestPlainStringsRefusesWrappedOffsets(t *testing.T) {
	src, err := new(delta.BinaryPackedEncoding).EncodeInt32(nil, []int32{1<<31 - 1, 1<<31 - 1, 12})
	if err != nil {
		t.Fatal(err)
	}
	src = append(src, "0123456789"...)
	data, offsets, err := new(delta.LengthByteArrayEncoding).DecodeByteArray(nil, src, nil)
	if err != nil {
		t.Skipf("parquet-go now refuses the page: %v", err)
	}
	page := parquet.ByteArrayType.NewPage(0, len(offsets)-1, encoding.ByteArrayValues(data, offsets))
	if b, offs := plainStrings(page); offs != nil {
		t.Errorf("plainStrings took offsets %v over %d bytes", offs, len(b))
	}
	good := parquet.ByteArrayType.NewPage(0, 2, encoding.ByteArrayValues([]byte("abcd"), []uint32{0, 1, 4}))
	if _, offs := plainStrings(good); len(offs) != 3 {
		t.Errorf("plainStrings refused a good page: offsets %v", offs)
	}
}

// A field filled from the file's path (a partition column) keeps the fast
// path, and both paths fill it in every row.
func TestFastPathWithPartitionField(t *testing.T) {
	rows := []eventNoCountry{{UserID: "u1", MsPlayed: 1}, {UserID: "u2", MsPlayed: 2}}
	data := writeGo(t, rows)
	const path = "events/country=SE/part-0.parquet"
	r, err := NewReader[event](path, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if r.fast == nil {
		t.Error("the partition field took reading off the fast path")
	}
	for _, row := range []bool{false, true} {
		opts := []ReadOption{}
		if row {
			opts = append(opts, rowPath())
		}
		got, _, err := readAll[event](path, data, opts...)
		if err != nil {
			t.Fatal(err)
		}
		want := []event{{UserID: "u1", MsPlayed: 1, Country: "SE"}, {UserID: "u2", MsPlayed: 2, Country: "SE"}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("row path %v: got %+v, want %+v", row, got, want)
		}
	}
}
