package parquetio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAll reads every selected row of data with small batches, to cross
// batch and row group boundaries.
func readAll[T any](path string, data []byte, opts ...ReadOption) ([]T, ReadStats, error) {
	r, err := NewReader[T](path, bytes.NewReader(data), int64(len(data)), opts...)
	if err != nil {
		return nil, ReadStats{}, err
	}
	defer r.Close()
	var out []T
	buf := make([]T, 100)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, r.Stats(), nil
		}
		if err != nil {
			return out, r.Stats(), err
		}
	}
}

func TestReadDuckDBEvents(t *testing.T) {
	for _, name := range []string{"events_v1_snappy.parquet", "events_v2_zstd.parquet"} {
		t.Run(name, func(t *testing.T) {
			data := readFixture(t, name)
			got, st, err := readAll[event](name, data)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2048 {
				t.Fatalf("got %d rows, want 2048", len(got))
			}
			for i, g := range got {
				if want := wantEvent(i); g != want {
					t.Fatalf("row %d: got %+v, want %+v", i, g, want)
				}
			}
			if want := (ReadStats{RowGroups: 4, Rows: 2048}); st != want {
				t.Errorf("stats: got %+v, want %+v", st, want)
			}
			// The same through the direct (no conversion) path.
			opt, _, err := readAll[eventOpt](name, data)
			if err != nil {
				t.Fatal(err)
			}
			for i, g := range opt {
				if want := wantEvent(i); event(g) != want {
					t.Fatalf("optional row %d: got %+v, want %+v", i, g, want)
				}
			}
			r, _ := NewReader[eventOpt](name, bytes.NewReader(data), int64(len(data)))
			if !r.direct {
				t.Errorf("eventOpt is not read directly")
			}
		})
	}
}

func TestReadDuckDBTypes(t *testing.T) {
	for _, name := range []string{"types_v1_snappy.parquet", "types_v2_zstd.parquet"} {
		t.Run(name, func(t *testing.T) {
			got, _, err := readAll[duckTypes](name, readFixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(wantDuckTypes) {
				t.Fatalf("got %d rows, want %d", len(got), len(wantDuckTypes))
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], wantDuckTypes[i]) {
					t.Errorf("row %d:\ngot  %#v\nwant %#v", i, got[i], wantDuckTypes[i])
				}
			}
		})
	}
}

func TestProjection(t *testing.T) {
	data := readFixture(t, "events_v1_snappy.parquet")
	got, _, err := readAll[play]("events", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2048 {
		t.Fatalf("got %d rows, want 2048", len(got))
	}
	for i, g := range got {
		w := wantEvent(i)
		if want := (play{w.TrackID, w.Country, w.MsPlayed}); g != want {
			t.Fatalf("row %d: got %+v, want %+v", i, g, want)
		}
	}
	// Projection must skip the other columns' bytes, not just drop values:
	// no read may touch a chunk of a column play does not name.
	rec := &recordingReaderAt{r: bytes.NewReader(data)}
	r, err := NewReader[play]("events", rec, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, err := r.Read(make([]play, 4096)); err == nil; _, err = r.Read(make([]play, 4096)) {
	}
	var read, skipped int64
	for _, rg := range r.file.Metadata().RowGroups {
		for _, c := range rg.Columns {
			switch c.MetaData.PathInSchema[0] {
			case "track_id", "country", "ms_played":
				continue
			}
			start := c.MetaData.DataPageOffset
			if o := c.MetaData.DictionaryPageOffset; o > 0 && o < start {
				start = o
			}
			end := start + c.MetaData.TotalCompressedSize
			skipped += end - start
			for _, rd := range rec.reads {
				if rd[0] < end && rd[1] > start {
					t.Errorf("read [%d, %d) touches column %v at [%d, %d)", rd[0], rd[1], c.MetaData.PathInSchema, start, end)
				}
			}
		}
	}
	for _, rd := range rec.reads {
		read += rd[1] - rd[0]
	}
	t.Logf("3-column read fetched %d bytes of %d, skipping %d bytes of other columns", read, len(data), skipped)
}

type recordingReaderAt struct {
	r     io.ReaderAt
	reads [][2]int64
}

func (r *recordingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.r.ReadAt(p, off)
	r.reads = append(r.reads, [2]int64{off, off + int64(n)})
	return n, err
}

// TestPushdownLogicalTypes checks filters on columns whose values are not
// their physical type's as they look: a DECIMAL's literal is scaled, a
// UUID's parsed from its text, an unsigned integer's compared unsigned. A
// literal compared as it looks would prune the row group that matches.
func TestPushdownLogicalTypes(t *testing.T) {
	type row struct {
		Cents int64    `parquet:"cents,decimal(2:18)"`
		ID    [16]byte `parquet:"id,uuid"`
		Big   uint32   `parquet:"big"`
		Price [16]byte `parquet:"price,decimal(2:38)"`
	}
	rows := make([]row, 40) // 4 row groups of 10
	for i := range rows {
		rows[i] = row{Cents: int64(i) * 100, Big: math.MaxUint32 - 39 + uint32(i)}
		rows[i].ID[15] = byte(i)
	}
	data := writeGo(t, rows, parquet.MaxRowsPerRowGroup(10))
	tests := []struct {
		name      string
		filter    Filter
		wantGroup int // the one row group kept, or -1 for an error
	}{
		{"decimal int", Eq("cents", 25), 2},
		{"decimal string", Eq("cents", "31.00"), 3},
		{"decimal too precise", Eq("cents", "31.005"), -1},
		{"uuid string", Eq("id", "00000000-0000-0000-0000-00000000000c"), 1},
		{"uuid not one", Eq("id", "12"), -1},
		{"uint32 beyond int32", Ge("big", int64(math.MaxUint32-9)), 3},
		{"decimal in bytes", Eq("price", "1.00"), -1},
	}
	for _, tt := range tests {
		got, st, err := readAll[row]("logical.parquet", data, WithFilter(tt.filter))
		if tt.wantGroup < 0 {
			if err == nil {
				t.Errorf("%s: read %d rows, want the filter refused", tt.name, len(got))
			}
			continue
		}
		if err != nil || st.RowGroupsPruned != 3 || len(got) != 10 || got[0] != rows[tt.wantGroup*10] {
			t.Errorf("%s: %d rows, %d row groups pruned (%v); want row group %d alone", tt.name, len(got), st.RowGroupsPruned, err, tt.wantGroup)
		}
	}
}

func TestPushdown(t *testing.T) {
	data := readFixture(t, "events_v2_zstd.parquet")
	tsAt := func(i int) int64 { return eventTs0 + int64(i)*1000 }
	tests := []struct {
		name       string
		filter     Filter
		wantGroups []int // row groups kept, of 4 with 512 rows each
	}{
		{"country==SE", Eq("country", "SE"), []int{0}},
		{"country==FR", Eq("country", "FR"), []int{1, 2, 3}},
		{"country==XX", Eq("country", "XX"), nil},
		{"ts>=row1536", Ge("ts", tsAt(1536)), []int{3}},
		{"ts>row1535", Gt("ts", tsAt(1535)), []int{3}},
		{"ts>row1536", Gt("ts", tsAt(1536)), []int{3}},
		{"ts<row512", Lt("ts", tsAt(512)), []int{0}},
		{"ts<=row512", Le("ts", tsAt(512)), []int{0, 1}},
		{"ts==row700", Eq("ts", tsAt(700)), []int{1}},
		{"and", And(Eq("country", "FR"), Lt("ts", tsAt(1024))), []int{1}},
		{"or", Or(Eq("country", "SE"), Ge("ts", tsAt(1536))), []int{0, 3}},
		{"ms_played int", Ge("ms_played", 0), []int{0, 1, 2, 3}},
		{"ms_played int32 literal", Lt("ms_played", int32(0)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, st, err := readAll[event]("events", data, WithFilter(tt.filter))
			if err != nil {
				t.Fatal(err)
			}
			if want := 4 - len(tt.wantGroups); st.RowGroupsPruned != want {
				t.Errorf("pruned %d row groups, want %d", st.RowGroupsPruned, want)
			}
			var want []event
			for _, g := range tt.wantGroups {
				for i := g * 512; i < (g+1)*512; i++ {
					want = append(want, wantEvent(i))
				}
			}
			if len(got) != len(want) {
				t.Fatalf("got %d rows, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("row %d: got %+v, want %+v", i, got[i], want[i])
				}
			}
		})
	}
}

func TestPushdownErrors(t *testing.T) {
	data := readFixture(t, "events_v1_snappy.parquet")
	for _, f := range []Filter{
		Eq("nope", "x"),
		Eq("country", 3),
		Ge("ts", 1.5),
		Ge("ts", time.Now()), // ts is a plain INT64, not a TIMESTAMP
	} {
		if _, err := NewReader[event]("events", bytes.NewReader(data), int64(len(data)), WithFilter(f)); err == nil {
			t.Errorf("filter %v: got no error", f)
		}
	}
}

func TestSplittingIsExact(t *testing.T) {
	for _, name := range []string{"events_v1_snappy.parquet", "events_v2_zstd.parquet"} {
		data := readFixture(t, name)
		size := int64(len(data))
		for k := int64(1); k <= 7; k++ {
			seen := make([]int, 2048)
			nonEmpty := 0
			for s := int64(0); s < k; s++ {
				off, end := s*size/k, (s+1)*size/k
				got, _, err := readAll[event](name, data, ByteRange(off, end-off))
				if err != nil {
					t.Fatal(err)
				}
				if len(got) > 0 {
					nonEmpty++
				}
				for _, e := range got {
					seen[(e.Ts-eventTs0)/1000]++
				}
			}
			for i, n := range seen {
				if n != 1 {
					t.Fatalf("%s in %d splits: row %d read %d times", name, k, i, n)
				}
			}
			if want := min(int(k), 4); nonEmpty < want-1 {
				t.Errorf("%s in %d splits: only %d splits hold rows", name, k, nonEmpty)
			}
		}
	}
}

func TestCorruptFixtures(t *testing.T) {
	tests := []struct {
		name       string
		wantOffset func(size int64) int64
	}{
		{"corrupt_bad_magic.parquet", func(int64) int64 { return 0 }},
		{"corrupt_truncated_footer.parquet", func(size int64) int64 { return size - 4 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := readFixture(t, tt.name)
			path := "testdata/" + tt.name
			_, err := NewReader[duckTypes](path, bytes.NewReader(data), int64(len(data)))
			var ce *CorruptError
			if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) {
				t.Fatalf("got %v, want a *CorruptError matching ErrCorrupt", err)
			}
			if want := (CorruptError{Path: path, RowGroup: -1, Offset: tt.wantOffset(int64(len(data)))}); ce.Path != want.Path || ce.RowGroup != want.RowGroup || ce.Offset != want.Offset {
				t.Errorf("got path %q row group %d offset %d, want %q %d %d", ce.Path, ce.RowGroup, ce.Offset, want.Path, want.RowGroup, want.Offset)
			}
			t.Log(err)
		})
	}
}

// corruptRowGroup returns a copy of the events fixture with the first page
// header of row group rg overwritten with garbage.
func corruptRowGroup(t *testing.T, data []byte, rg int) ([]byte, int64) {
	t.Helper()
	r, err := NewReader[event]("x", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	off := rowGroupOffset(&r.file.Metadata().RowGroups[rg])
	bad := bytes.Clone(data)
	for i := range 16 {
		bad[off+int64(i)] = 0xff
	}
	return bad, off
}

func TestCorruptRowGroup(t *testing.T) {
	data := readFixture(t, "events_v1_snappy.parquet")
	bad, off := corruptRowGroup(t, data, 2)

	_, _, err := readAll[event]("events", bad)
	var ce *CorruptError
	if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *CorruptError matching ErrCorrupt", err)
	}
	if ce.RowGroup != 2 || ce.Offset != off || ce.Path != "events" {
		t.Errorf("got path %q row group %d offset %d, want events, 2, %d", ce.Path, ce.RowGroup, ce.Offset, off)
	}
	t.Log(err)

	got, st, err := readAll[event]("events", bad, Lenient())
	if err != nil {
		t.Fatalf("lenient: %v", err)
	}
	if st.CorruptRowGroups != 1 {
		t.Errorf("lenient: %d corrupt row groups counted, want 1", st.CorruptRowGroups)
	}
	var want []event
	for i := range 2048 {
		if i < 1024 || i >= 1536 {
			want = append(want, wantEvent(i))
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lenient: got %d rows, want the %d rows outside row group 2", len(got), len(want))
	}
}

func TestCorruptFooterLength(t *testing.T) {
	data := bytes.Clone(readFixture(t, "types_v1_snappy.parquet"))
	binary.LittleEndian.PutUint32(data[len(data)-8:], 1<<30)
	_, err := NewReader[duckTypes]("x", bytes.NewReader(data), int64(len(data)))
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Offset != int64(len(data)-8) {
		t.Fatalf("got %v, want a corrupt footer length at offset %d", err, len(data)-8)
	}
}

// failingReaderAt fails every read after the first n bytes.
type failingReaderAt struct {
	r io.ReaderAt
	n int64
}

var errDisk = errors.New("disk on fire")

func (f *failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.n {
		return 0, errDisk
	}
	return f.r.ReadAt(p, off)
}

func TestIOErrorIsNotCorruption(t *testing.T) {
	data := readFixture(t, "events_v1_snappy.parquet")
	r, err := NewReader[event]("events", &failingReaderAt{bytes.NewReader(data), 0}, int64(len(data)))
	if err == nil {
		r.Close()
		t.Fatal("got no error")
	}
	if errors.Is(err, ErrCorrupt) || !errors.Is(err, errDisk) {
		t.Errorf("got %v, want an I/O error that is not ErrCorrupt", err)
	}
}

func TestMaxPageSize(t *testing.T) {
	data := readFixture(t, "events_v1_snappy.parquet")
	_, _, err := readAll[event]("events", data, MaxPageSize(100))
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.RowGroup != 0 {
		t.Fatalf("got %v, want a corrupt page in row group 0", err)
	}
	t.Log(err)
}

// TestOtherFormatNamed checks that an Avro container file, or gzip data,
// read as Parquet is called what it is.
func TestOtherFormatNamed(t *testing.T) {
	for magic, want := range map[string]string{
		"Obj\x01":          `not a Parquet file: it starts with Obj\x01, the magic of an Avro file; read it with avroio`,
		"\x1f\x8b\x08\x00": "not a Parquet file: it starts with 1f 8b, the magic of gzip data; gunzip it first",
	} {
		data := append([]byte(magic), make([]byte, 64)...)
		_, err := NewReader[duckTypes]("x.parquet", bytes.NewReader(data), int64(len(data)))
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "x.parquet") || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want an error saying %q", err, want)
		}
	}
}

// TestLZ4RawRefused checks that pages compressed with LZ4_RAW less than 3
// to 1, which parquet-go v0.32.0 may decode into stale bytes, fail the read
// as unsupported (not corrupt, so Lenient does not skip them), and that
// pages compressed more read.
func TestLZ4RawRefused(t *testing.T) {
	type row struct {
		N int64 `parquet:"n"`
	}
	mixed, zeros := make([]row, 5000), make([]row, 5000)
	x := uint64(1)
	for i := range mixed {
		x = x*6364136223846793005 + 1442695040888963407
		mixed[i].N = int64(x)
	}
	got, _, err := readAll[row]("zeros.parquet", writeGo(t, zeros, parquet.Compression(&parquet.Lz4Raw)))
	if err != nil || len(got) != len(zeros) {
		t.Fatalf("well-compressed LZ4_RAW: %d rows, %v; want %d", len(got), err, len(zeros))
	}
	data := writeGo(t, mixed, parquet.Compression(&parquet.Lz4Raw))
	for _, lenient := range []bool{false, true} {
		var opts []ReadOption
		if lenient {
			opts = append(opts, Lenient())
		}
		_, _, err := readAll[row]("mixed.parquet", data, opts...)
		if !errors.Is(err, ErrUnsupported) || errors.Is(err, ErrCorrupt) ||
			!strings.HasPrefix(err.Error(), "parquetio: mixed.parquet: row group 0: column n: page at offset 4 is compressed with LZ4_RAW less than 3 to 1") {
			t.Errorf("lenient %v: got %v, want LZ4_RAW refused as unsupported, naming the file and column", lenient, err)
		}
	}
}

// A literal the column cannot hold exactly is rounded; pruning must still
// keep every row group that holds a matching row (the reader prunes whole
// row groups, so keeping one too many is fine, skipping one is data lost).
func TestPushdownRoundedLiterals(t *testing.T) {
	type row struct {
		Ms   time.Time `parquet:"ms,timestamp(millisecond)"`
		Ns   time.Time `parquet:"ns"` // nanoseconds: only 1678–2262
		Day  Date      `parquet:"day,date"`
		Frac float32   `parquet:"frac"`
	}
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	d0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	// float32(0.1) is above 0.1, float32(0.3) below 0.3.
	rows := []row{
		{Ms: t0, Ns: t0, Day: DateOf(d0), Frac: float32(0.1)},
		{Ms: t0.Add(time.Second), Ns: t0.Add(time.Second), Day: DateOf(d0.AddDate(0, 0, 1)), Frac: float32(0.3)},
	}
	data := writeGo(t, rows, parquet.MaxRowsPerRowGroup(1))
	far, past := time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		filter Filter
		match  func(row) bool
	}{
		{"Lt a time between milliseconds", Lt("ms", t0.Add(500*time.Microsecond)), func(r row) bool { return r.Ms.Before(t0.Add(500 * time.Microsecond)) }},
		{"Le a time between milliseconds", Le("ms", t0.Add(500*time.Microsecond)), func(r row) bool { return !r.Ms.After(t0.Add(500 * time.Microsecond)) }},
		{"Gt a time between milliseconds", Gt("ms", t0.Add(500*time.Microsecond)), func(r row) bool { return r.Ms.After(t0.Add(500 * time.Microsecond)) }},
		{"Lt noon on a date column", Lt("day", d0.Add(12*time.Hour)), func(r row) bool { return r.Day.Time().Before(d0.Add(12 * time.Hour)) }},
		{"Lt beyond the nanosecond range", Lt("ns", far), func(row) bool { return true }},
		{"Gt beyond the nanosecond range", Gt("ns", far), func(row) bool { return false }},
		{"Gt before the nanosecond range", Gt("ns", past), func(row) bool { return true }},
		{"Lt before the nanosecond range", Lt("ns", past), func(row) bool { return false }},
		{"Gt a float64 rounded up", Gt("frac", 0.1), func(r row) bool { return float64(r.Frac) > 0.1 }},
		{"Lt a float64 rounded down", Lt("frac", 0.3), func(r row) bool { return float64(r.Frac) < 0.3 }},
	}
	for _, tt := range tests {
		got, st, err := readAll[row]("rounded.parquet", data, WithFilter(tt.filter))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		kept := map[time.Time]bool{}
		for _, r := range got {
			kept[r.Ms] = true
		}
		for _, r := range rows {
			if tt.match(r) && !kept[r.Ms] {
				t.Errorf("%s: the row group of %+v was pruned (%d pruned), though the row matches", tt.name, r, st.RowGroupsPruned)
			}
		}
		// Where nothing can match, the literal's rounding must not keep it
		// from pruning everything.
		if matches := slices.ContainsFunc(rows, tt.match); !matches && len(got) != 0 {
			t.Errorf("%s: read %d rows, want every row group pruned", tt.name, len(got))
		}
	}
}

// A file whose columns hold fewer rows than its footer says (parquet-go
// writes one from a repeated field holding a nil element) must fail as
// corrupt, naming the row group, not read as fewer rows; Lenient skips it.
func TestRowCountMismatchIsCorrupt(t *testing.T) {
	type row struct {
		X []*string `parquet:"x"`
	}
	data := writeGo(t, []row{{X: []*string{nil}}, {X: []*string{}}})
	got, _, err := readAll[row]("short.parquet", data)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.RowGroup != 0 || !strings.Contains(err.Error(), "the footer says 2") {
		t.Fatalf("read %d rows, err %v; want a CorruptError for row group 0 saying the footer says 2 rows", len(got), err)
	}
	got, st, err := readAll[row]("short.parquet", data, Lenient())
	if err != nil || st.CorruptRowGroups != 1 {
		t.Errorf("lenient: %d rows, %d corrupt row groups, err %v; want the row group skipped and counted", len(got), st.CorruptRowGroups, err)
	}
}

// TestRequire checks that Require refuses a file lacking a column that an
// optional field would read as zero, naming the file and the column;
// accepts one that has it; and refuses a name T has no column for.
func TestRequire(t *testing.T) {
	type old struct {
		ID string `parquet:"id"`
	}
	type titled struct {
		ID    string `parquet:"id"`
		Title string `parquet:"title,optional"`
	}
	without := writeAll(t, []old{{"a"}})
	if _, _, err := readAll[titled]("x.parquet", without); err != nil {
		t.Fatalf("without Require, a missing optional column reads as zero: %v", err)
	}
	var se *SchemaError
	_, _, err := readAll[titled]("x.parquet", without, Require("title"))
	if !errors.As(err, &se) || se.Column != "title" || !strings.Contains(err.Error(), "x.parquet") || !strings.Contains(err.Error(), "not in the file, which the read requires") {
		t.Errorf("missing required column: got %v", err)
	}
	got, _, err := readAll[titled]("x.parquet", writeAll(t, []titled{{"a", "One"}}), Require("title"))
	if err != nil || len(got) != 1 || got[0].Title != "One" {
		t.Errorf("a file with the required column: %v, %v", got, err)
	}
	if _, _, err := readAll[titled]("x.parquet", without, Require("titel")); err == nil || !strings.Contains(err.Error(), `Require("titel")`) {
		t.Errorf("a required name T lacks: got %v", err)
	}
}

// TestReadGivesFreshValues reads rows holding maps, slices and pointers into
// one buffer without clearing it between batches. parquet-go decodes into
// what a row already holds, so a map kept the keys of the row read into its
// slot a batch before, and rows already handed on were rewritten by the next
// batch.
func TestReadGivesFreshValues(t *testing.T) {
	type row struct {
		ID    int64            `parquet:"id"`
		Props map[string]int64 `parquet:"props"`
		Tags  []string         `parquet:"tags,list"`
		Note  *string          `parquet:"note,optional"`
	}
	want := make([]row, 250)
	for i := range want {
		r := row{ID: int64(i), Props: map[string]int64{fmt.Sprint("k", i%7): int64(i)}, Tags: []string{}}
		for j := range i % 3 {
			r.Tags = append(r.Tags, fmt.Sprint(i, "/", j))
		}
		if i%2 == 0 {
			r.Note = new(fmt.Sprint("n", i))
		}
		want[i] = r
	}
	var buf bytes.Buffer
	w, err := NewWriter[row](&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(want); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader[row]("fresh.parquet", bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []row
	batch := make([]row, 100) // reused as is, not cleared
	for {
		n, err := r.Read(batch)
		got = append(got, batch[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("row %d: got %+v, want %+v (%d rows)", i, got[i], want[i], len(got))
			}
		}
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
}
