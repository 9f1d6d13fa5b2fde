package parquetio

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// flatTypes is the flat, fast-path readable part of duckTypes: its nullable
// columns read into non-pointer fields.
type flatTypes struct {
	ID    int32   `parquet:"id"`
	Name  string  `parquet:"name"`
	Score float64 `parquet:"score"`
	Ratio float32 `parquet:"ratio"`
	Big   int64   `parquet:"big"`
	Flag  bool    `parquet:"flag"`
}

// usesFast reports whether a Reader of T on data takes the fast path.
func usesFast[T any](t *testing.T, data []byte) bool {
	t.Helper()
	r, err := NewReader[T]("x", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return r.fast != nil
}

// comparePaths reads data through the fast path and the row path and
// requires identical rows, stats and errors.
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
		comparePaths[flatTypes](t, name, data, true)
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
	got, _, err := readAll[flatTypes]("types", readFixture(t, "types_v2_zstd.parquet"))
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
		if got[i] != want {
			t.Errorf("types row %d: got %+v, want %+v", i, got[i], want)
		}
	}
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

type flatNullable struct {
	S string  `parquet:"s"`
	I int64   `parquet:"i"`
	B bool    `parquet:"b"`
	F float64 `parquet:"f"`
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
	for _, tc := range []struct {
		name string
		fast bool
	}{
		{"timestamp", usesFast[withTime](t, data)},
		{"pointer", usesFast[withPtr](t, data)},
		{"missing column", usesFast[withMissing](t, data)},
	} {
		if tc.fast {
			t.Errorf("%s: fast path taken, want row path", tc.name)
		}
	}
	comparePaths[wrongKind](t, "wrong kind", data, false)
	if !usesFast[unexported](t, data) {
		t.Error("struct with unexported and ignored fields: row path taken, want fast path")
	}
	comparePaths[unexported](t, "unexported", data, true)
	// Fields without a column keep what the caller's batch held, on both paths.
	for _, opts := range [][]ReadOption{nil, {rowPath()}} {
		r, err := NewReader[unexported]("x", bytes.NewReader(data), int64(len(data)), opts...)
		if err != nil {
			t.Fatal(err)
		}
		buf := []unexported{{"a", 5, 7}}
		if _, err := r.Read(buf); err != nil {
			t.Fatal(err)
		}
		if want := (unexported{"t0", 5, 7}); buf[0] != want {
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
