package parquetio

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/ptable"
	"github.com/parquet-go/parquet-go"
)

var update = flag.Bool("update", false, "rewrite the files in testdata that parquetio writes (crunchgo_*.parquet)")

// allTypes has a field of every supported kind.
type allTypes struct {
	S      string           `parquet:"s"`
	OptS   *string          `parquet:"opt_s"`
	I      int              `parquet:"i"`
	I32    int32            `parquet:"i32"`
	I64    int64            `parquet:"i64"`
	OptI64 *int64           `parquet:"opt_i64"`
	F32    float32          `parquet:"f32"`
	F64    float64          `parquet:"f64"`
	OptF64 *float64         `parquet:"opt_f64"`
	B      bool             `parquet:"b"`
	OptB   *bool            `parquet:"opt_b"`
	Bytes  []byte           `parquet:"bytes"`
	TsMs   time.Time        `parquet:"ts_ms,timestamp(millisecond)"`
	TsUs   time.Time        `parquet:"ts_us,timestamp(microsecond)"`
	OptTs  *time.Time       `parquet:"opt_ts,timestamp(microsecond)"`
	Day    Date             `parquet:"day,date"`
	OptDay *Date            `parquet:"opt_day,date"`
	Tags   []string         `parquet:"tags,list"`
	Nums   []int64          `parquet:"nums,list"`
	Attrs  map[string]int32 `parquet:"attrs"`
	Nested struct {
		Country string  `parquet:"country"`
		Score   *int32  `parquet:"score"`
		Tags    []int32 `parquet:"tags,list"`
	} `parquet:"nested"`
}

func makeAllTypes(n int) []allTypes {
	base := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	rows := make([]allTypes, n)
	for i := range rows {
		r := &rows[i]
		r.S = fmt.Sprintf("s%03d", i)
		r.I = i * -3
		r.I32 = int32(i * 1000)
		r.I64 = int64(i) << 33
		r.F32 = float32(i) / 4
		r.F64 = float64(i) * 1.5
		r.B = i%2 == 0
		r.Bytes = []byte(strings.Repeat("x", i%4))
		r.TsMs = base.Add(time.Duration(i) * 1234 * time.Millisecond)
		r.TsUs = base.Add(time.Duration(i) * 1234567 * time.Microsecond)
		r.Day = DateOf(time.Date(1960+i%100, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC))
		r.Tags = []string{}
		for j := range i % 4 {
			r.Tags = append(r.Tags, fmt.Sprintf("t%d", j))
		}
		r.Nums = []int64{}
		for j := range i % 3 {
			r.Nums = append(r.Nums, int64(i*j))
		}
		r.Attrs = map[string]int32{}
		for j := range i % 3 {
			r.Attrs[fmt.Sprintf("k%d", j)] = int32(i + j)
		}
		r.Nested.Country = [...]string{"SE", "DE", "US"}[i%3]
		r.Nested.Tags = []int32{}
		if i%3 != 0 {
			r.OptS = ptr(fmt.Sprintf("o%d", i))
			r.OptI64 = ptr(int64(-i))
			r.OptF64 = ptr(float64(i) / 8)
			r.OptB = ptr(i%4 == 1)
			r.OptTs = ptr(base.Add(-time.Duration(i) * time.Hour))
			r.OptDay = ptr(Date(-i))
			r.Nested.Score = ptr(int32(i))
			r.Nested.Tags = []int32{int32(i), int32(i + 1)}
		}
	}
	return rows
}

func writeAll[T any](t testing.TB, rows []T, opts ...WriteOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter[T](&buf, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for len(rows) > 0 { // several Write calls, odd batch sizes
		n := min(len(rows), 37)
		if _, err := w.Write(rows[:n]); err != nil {
			t.Fatal(err)
		}
		rows = rows[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	want := makeAllTypes(300)
	for _, codec := range []Codec{Snappy, Zstd, Uncompressed} {
		for _, v2 := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/v2=%v", codec, v2), func(t *testing.T) {
				opts := []WriteOption{Compression(codec), RowGroupRows(64)}
				if v2 {
					opts = append(opts, DataPageV2())
				}
				data := writeAll(t, want, opts...)
				r, err := NewReader[allTypes]("rt", bytes.NewReader(data), int64(len(data)))
				if err != nil {
					t.Fatal(err)
				}
				if got := r.NumRowGroups(); got != 5 {
					t.Errorf("got %d row groups, want 5", got)
				}
				if !r.direct {
					t.Errorf("own file not read directly")
				}
				got, _, err := readAll[allTypes]("rt", data)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("got %d rows, want %d", len(got), len(want))
				}
				for i := range want {
					if !reflect.DeepEqual(got[i], want[i]) {
						t.Fatalf("row %d:\ngot  %+v\nwant %+v", i, got[i], want[i])
					}
				}
			})
		}
	}
}

func TestWriterStatsPrune(t *testing.T) {
	rows := makeAllTypes(300)
	data := writeAll(t, rows, RowGroupRows(100))
	// ts_us grows with the row number: only the last row group holds row 250.
	got, st, err := readAll[allTypes]("w", data, WithFilter(Ge("ts_us", rows[250].TsUs)))
	if err != nil {
		t.Fatal(err)
	}
	if st.RowGroupsPruned != 2 || len(got) != 100 || !reflect.DeepEqual(got[0], rows[200]) {
		t.Errorf("pruned %d, read %d rows: want 2 pruned, rows 200..299", st.RowGroupsPruned, len(got))
	}
	// Dates and nested columns.
	_, st, err = readAll[allTypes]("w", data, WithFilter(And(Lt("day", rows[0].Day), Eq("nested.country", "SE"))))
	if err != nil {
		t.Fatal(err)
	}
	if st.RowGroups != 3 {
		t.Errorf("got %d row groups, want 3", st.RowGroups)
	}
}

func TestWriterErrors(t *testing.T) {
	if _, err := NewWriter[allTypes](io.Discard, Compression(Codec(42))); err == nil {
		t.Error("unknown codec: got no error")
	}
	if _, err := NewWriter[allTypes](io.Discard, RowGroupRows(0)); err == nil {
		t.Error("zero row group size: got no error")
	}
	if _, err := NewWriter[chan int](io.Discard); err == nil {
		t.Error("chan type: got no error")
	}
	if _, err := NewWriter[duckTypes](io.Discard); err == nil {
		t.Error("time.Time date field: got no error")
	}
	w, err := NewWriter[allTypes](failWriter{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Write(makeAllTypes(10))
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		t.Error("failing io.Writer: got no error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errDisk }

// oursRow is the shape of testdata/crunchgo_written.parquet, which the
// generator reads back with DuckDB (testdata/gen).
type oursRow struct {
	ID      int32            `parquet:"id"`
	Name    *string          `parquet:"name"`
	Score   *float64         `parquet:"score"`
	Big     int64            `parquet:"big"`
	Flag    bool             `parquet:"flag"`
	Payload []byte           `parquet:"payload"`
	TsUs    time.Time        `parquet:"ts_us,timestamp(microsecond)"`
	TsMs    *time.Time       `parquet:"ts_ms,timestamp(millisecond)"`
	Day     Date             `parquet:"day,date"`
	Tags    []string         `parquet:"tags,list"`
	Attrs   map[string]int32 `parquet:"attrs"`
}

func makeOurs() []oursRow {
	rows := make([]oursRow, 50)
	for i := range rows {
		r := &rows[i]
		r.ID = int32(i)
		r.Big = int64(i-25) * 1_000_000_007
		r.Flag = i%3 == 0
		r.Payload = []byte(strings.Repeat(string(rune('a'+i%26)), i%5))
		r.TsUs = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 1_234_567 * time.Microsecond)
		r.Day = DateOf(time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*37))
		r.Tags = []string{}
		for j := range i % 3 {
			r.Tags = append(r.Tags, fmt.Sprintf("tag%d", i+j))
		}
		r.Attrs = map[string]int32{}
		if i%2 == 1 {
			r.Attrs[fmt.Sprintf("k%d", i)] = int32(i * i)
		}
		if i%4 != 0 {
			r.Name = ptr(fmt.Sprintf("name-%d", i))
			r.Score = ptr(float64(i) * 0.125)
			r.TsMs = ptr(time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 1001 * time.Millisecond))
		}
	}
	return rows
}

// canonical renders a row as the generator's DuckDB query does.
func (r oursRow) canonical() string {
	or := func(p *string) string {
		if p == nil {
			return "NULL"
		}
		return *p
	}
	score, tsMs := "NULL", "NULL"
	if r.Score != nil {
		score = fmt.Sprint(int64(math.Round(*r.Score * 1000)))
	}
	if r.TsMs != nil {
		tsMs = fmt.Sprint(r.TsMs.UnixMilli())
	}
	var attrs []string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range r.Attrs {
			if !yield(k) {
				return
			}
		}
	}) {
		attrs = append(attrs, fmt.Sprintf("%s=%d", k, r.Attrs[k]))
	}
	flag := 0
	if r.Flag {
		flag = 1
	}
	return strings.Join([]string{
		fmt.Sprint(r.ID), or(r.Name), score, fmt.Sprint(r.Big), fmt.Sprint(flag),
		strings.ToUpper(hex.EncodeToString(r.Payload)), fmt.Sprint(r.TsUs.UnixMicro()), tsMs,
		fmt.Sprint(int32(r.Day)), strings.Join(r.Tags, ","), strings.Join(attrs, ","),
	}, "|")
}

// TestDuckDBReadsOurs checks that testdata/crunchgo_written.parquet is what
// the writer produces today, and that DuckDB, reading it, saw the rows we
// wrote (testdata/crunchgo_written.duckdb.txt, recorded by testdata/gen).
// After a change to the writer: go test -run TestDuckDBReadsOurs -update,
// then (cd testdata/gen && go run .).
func TestDuckDBReadsOurs(t *testing.T) {
	rows := makeOurs()
	data := writeAll(t, rows, Compression(Zstd), RowGroupRows(16))
	const path = "testdata/crunchgo_written.parquet"
	if *update {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if committed := readFixture(t, "crunchgo_written.parquet"); !bytes.Equal(committed, data) {
		t.Fatalf("the writer's output differs from %s: run this test with -update and then testdata/gen", path)
	}
	var lines []string
	for _, r := range rows {
		lines = append(lines, r.canonical())
	}
	sum := md5.Sum([]byte(strings.Join(lines, "\n")))
	want := fmt.Sprintf("%d %x\n", len(rows), sum)
	got := string(readFixture(t, "crunchgo_written.duckdb.txt"))
	if got != want {
		t.Errorf("DuckDB read back %q, want %q", got, want)
	}
}

// columnPaths are the leaf columns of the Parquet file data, as dotted
// paths.
func columnPaths(t *testing.T, data []byte) []string {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, path := range f.Schema().Columns() {
		cols = append(cols, strings.Join(path, "."))
	}
	return cols
}

// A PTable written as-is has columns key and value, and reads back.
func TestWritePairs(t *testing.T) {
	rows := []ptable.Pair[string, ptable.Pair[int64, *string]]{
		ptable.KV("SE", ptable.KV[int64, *string](3, nil)),
		ptable.KV("NO", ptable.KV(int64(5), new("Song"))),
	}
	data := writeAll(t, rows)
	if cols, want := columnPaths(t, data), []string{"key", "value.key", "value.value"}; !slices.Equal(cols, want) {
		t.Errorf("columns %q, want %q", cols, want)
	}
	got, _, err := readAll[ptable.Pair[string, ptable.Pair[int64, *string]]]("pairs", data)
	if err != nil || len(got) != 2 || got[0].Value.Value != nil || got[1].Key != "NO" || *got[1].Value.Value != "Song" {
		t.Errorf("read back %+v (%v), want the rows written", got, err)
	}
}

// A Join3's output has columns key and value.a, value.b, value.c, and reads
// back.
func TestWriteTriples(t *testing.T) {
	type row = ptable.Pair[string, ptable.Triple[int64, *string, float64]]
	rows := []row{
		ptable.KV("SE", ptable.Triple[int64, *string, float64]{A: 3, C: 0.5}),
		ptable.KV("NO", ptable.Triple[int64, *string, float64]{A: 5, B: new("Song"), C: 1.5}),
	}
	data := writeAll(t, rows)
	if cols, want := columnPaths(t, data), []string{"key", "value.a", "value.b", "value.c"}; !slices.Equal(cols, want) {
		t.Errorf("columns %q, want %q", cols, want)
	}
	got, _, err := readAll[row]("triples", data)
	if err != nil || len(got) != 2 || got[0] != rows[0] || got[1].Key != "NO" || got[1].Value.A != 5 ||
		got[1].Value.B == nil || *got[1].Value.B != "Song" || got[1].Value.C != 1.5 {
		t.Errorf("read back %+v (%v), want the rows written", got, err)
	}
}

// TestWriteNanosecondTimesInRange checks that a time a TIMESTAMP in
// nanoseconds (an untagged time.Time's unit) cannot hold is refused, naming
// the row and field, where parquet-go wrote its wrapped UnixNano: the zero
// time.Time read back as 1754-08-30 and 2300 as 1715. A unit tag or a nil
// pointer writes what a nanosecond column cannot.
func TestWriteNanosecondTimesInRange(t *testing.T) {
	type inner struct {
		At []time.Time `parquet:"at,list"`
	}
	type stamped struct {
		ID    int64      `parquet:"id"`
		At    time.Time  `parquet:"at"`
		Maybe *time.Time `parquet:"maybe,optional"`
		Milli time.Time  `parquet:"milli,timestamp(millisecond)"`
		In    inner      `parquet:"in"`
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	far := time.Date(2300, 6, 1, 0, 0, 0, 0, time.UTC)
	ok := stamped{ID: 1, At: now, Milli: now, In: inner{[]time.Time{now}}}
	for _, c := range []struct {
		row  stamped
		want string
	}{
		{stamped{ID: 2}, "row 1, field at: time 0001-01-01T00:00:00Z is outside"},
		{stamped{ID: 2, At: now, Maybe: &far, Milli: now}, "row 1, field maybe: time 2300-06-01T00:00:00Z is outside"},
		{stamped{ID: 2, At: now, Milli: now, In: inner{[]time.Time{now, far}}}, "row 1, field in.at: time 2300-06-01T00:00:00Z"},
	} {
		var buf bytes.Buffer
		w, err := NewWriter[stamped](&buf)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]stamped{ok, c.row}); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "make the field a pointer") {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
	var buf bytes.Buffer
	w, err := NewWriter[stamped](&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]stamped{ok, ok}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _, err := readAll[stamped]("ok.parquet", buf.Bytes())
	if err != nil || len(got) != 2 || !got[0].At.Equal(now) || !got[1].Milli.Equal(ok.Milli) || got[1].Maybe != nil {
		t.Errorf("in range: %+v (%v)", got, err)
	}
}

// parquet-go writes a slice of pointers not tagged as a list as a bare
// repeated column, which cannot hold a nil element: it dropped one, or
// wrote a file whose rows vanished on reading; and it panicked closing a
// file with a pointer to a pointer. Such types are refused up front,
// naming the field and the tag to use.
func TestWriterRefusesWhatParquetGoWritesWrongly(t *testing.T) {
	type elem struct{ A string }
	type noList struct {
		X []*elem `parquet:"x"`
	}
	type noListStrings struct {
		S []*string
	}
	type mapNoList struct {
		M map[string][]*elem `parquet:"m"`
	}
	type nested struct {
		In struct {
			P **int64 `parquet:"p"`
		} `parquet:"in"`
	}
	for _, tc := range []struct {
		name string
		make func() error
		want string
	}{
		{"slice of pointers", func() error { _, err := NewWriter[noList](io.Discard); return err }, "field x: a slice of pointers ([]*parquetio.elem) needs the list tag"},
		{"untagged slice of pointers", func() error { _, err := NewWriter[noListStrings](io.Discard); return err }, "`parquet:\"S,list\"`"},
		{"map of slices of pointers", func() error { _, err := NewWriter[mapNoList](io.Discard); return err }, "`parquet-value:\",list\"`"},
		{"pointer to a pointer", func() error { _, err := NewWriter[nested](io.Discard); return err }, "field in.p: a pointer to a pointer"},
	} {
		err := tc.make()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// Tagged as lists, slices of pointers keep their nil elements, in a field
// and in a map's values.
func TestWriterListsKeepNilElements(t *testing.T) {
	type elem struct{ A string }
	type row struct {
		L []*elem            `parquet:"l,list"`
		S []*string          `parquet:"s,list"`
		M map[string][]*elem `parquet:"m" parquet-value:",list"`
	}
	x := "x"
	rows := []row{
		{L: []*elem{{A: "a"}, nil, {A: "b"}}, S: []*string{nil, &x}, M: map[string][]*elem{"z": {nil, {A: "q"}}}},
		{},
	}
	got, _, err := readAll[row]("lists.parquet", writeAll(t, rows))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[0].L) != 3 || got[0].L[1] != nil || got[0].L[2].A != "b" ||
		len(got[0].S) != 2 || got[0].S[0] != nil || *got[0].S[1] != "x" ||
		len(got[0].M["z"]) != 2 || got[0].M["z"][0] != nil || got[0].M["z"][1].A != "q" || len(got[1].L) != 0 {
		t.Errorf("read back %+v", got)
	}
}
