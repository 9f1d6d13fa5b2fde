package avroio_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/avroio"
)

// Event is the listening-event record of the fixtures.
type Event struct {
	UserID   string `avro:"user_id"`
	TrackID  string `avro:"track_id"`
	ArtistID string `avro:"artist_id"`
	Country  string `avro:"country"`
	MsPlayed int64  `avro:"ms_played"`
	Ts       int64  `avro:"ts"`
	Platform string `avro:"platform"`
	Skipped  bool   `avro:"skipped"`
}

// event returns the i-th fixture event; testdata/gen/gen.js uses the same formula.
func event(i int) Event {
	user := fmt.Sprintf("user-%d", i)
	if i == 1 {
		user = "Åsa ✓"
	}
	return Event{
		UserID:   user,
		TrackID:  fmt.Sprintf("t%d", 100+i),
		ArtistID: fmt.Sprintf("a%d", i%3),
		Country:  []string{"SE", "US", "DE", "BR"}[i%4],
		MsPlayed: int64(1000*i + 12345),
		Ts:       1764201600000 + int64(i)*60000,
		Platform: []string{"ios", "android", "web"}[i%3],
		Skipped:  i%5 == 0,
	}
}

func events(n int) []Event {
	out := make([]Event, n)
	for i := range out {
		out[i] = event(i)
	}
	return out
}

func openFixture(t testing.TB, name string, opts ...avroio.ReadOption) *avroio.FileReader {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return openBytes(t, name, b, opts...)
}

func openBytes(t testing.TB, name string, b []byte, opts ...avroio.ReadOption) *avroio.FileReader {
	t.Helper()
	f, err := avroio.NewFileReader(name, bytes.NewReader(b), int64(len(b)), opts...)
	if err != nil {
		t.Fatalf("NewFileReader(%s): %v", name, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// readRange reads the records owned by [off, off+length) into T.
func readRange[T any](t testing.TB, f *avroio.FileReader, off, length int64) ([]T, error) {
	t.Helper()
	d, err := avroio.NewDecoder[T](f)
	if err != nil {
		t.Fatalf("NewDecoder[%T]: %v", *new(T), err)
	}
	var got []T
	err = d.ReadRange(context.Background(), off, length, func(v T) { got = append(got, v) })
	return got, err
}

func readAll[T any](t testing.TB, f *avroio.FileReader) []T {
	t.Helper()
	got, err := readRange[T](t, f, 0, -1)
	if err != nil {
		t.Fatalf("reading %s: %v", f.Path(), err)
	}
	return got
}

func writeFile[T any](t testing.TB, recs []T, opts ...avroio.WriteOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := avroio.NewFileWriter[T](&buf, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func countBlocks(t testing.TB, f *avroio.FileReader) (blocks int, records int64) {
	t.Helper()
	for b, err := range f.Blocks(0, -1) {
		if err != nil {
			t.Fatal(err)
		}
		blocks++
		records += b.Count
	}
	return blocks, records
}

func TestRoundTripCodecs(t *testing.T) {
	want := events(1000)
	for _, codec := range []avroio.Codec{avroio.CodecNull, avroio.CodecDeflate, avroio.CodecSnappy, avroio.CodecZstandard, avroio.CodecXZ} {
		for _, blockSize := range []int{300, avroio.DefaultBlockSize} {
			t.Run(fmt.Sprintf("%s/%d", codec, blockSize), func(t *testing.T) {
				b := writeFile(t, want, avroio.WithCodec(codec), avroio.WithBlockSize(blockSize))
				f := openBytes(t, "rt.avro", b)
				if got := f.Codec(); got != codec {
					t.Errorf("Codec() = %q, want %q", got, codec)
				}
				got := readAll[Event](t, f)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("read back %d records, want %d equal ones", len(got), len(want))
				}
				blocks, n := countBlocks(t, f)
				if n != int64(len(want)) {
					t.Errorf("blocks hold %d records, want %d", n, len(want))
				}
				if blockSize == 300 && blocks < 100 {
					t.Errorf("%d blocks with block size 300, want >= 100", blocks)
				}
				if blockSize == avroio.DefaultBlockSize && blocks != 1 {
					t.Errorf("%d blocks with the default block size, want 1", blocks)
				}
			})
		}
	}
}

func TestReadAvscFixtures(t *testing.T) {
	tests := []struct {
		file       string
		codec      avroio.Codec
		want       []Event
		wantBlocks int
	}{
		{"events_null.avro", avroio.CodecNull, events(5), 1},
		{"events_deflate.avro", avroio.CodecDeflate, events(5), 1}, // ts is timestamp-millis
		{"events_3blocks.avro", avroio.CodecNull, events(9), 3},
		// Written by Apache Avro's Python implementation (gen/gen_codecs.py).
		{"events_bzip2.avro", avroio.CodecBzip2, events(9), 3},
		{"events_xz.avro", avroio.CodecXZ, events(9), 3},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := openFixture(t, tt.file)
			if f.Codec() != tt.codec {
				t.Errorf("codec %q, want %q", f.Codec(), tt.codec)
			}
			got := readAll[Event](t, f)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if blocks, _ := countBlocks(t, f); blocks != tt.wantBlocks {
				t.Errorf("%d blocks, want %d", blocks, tt.wantBlocks)
			}
		})
	}
}

// EventTime reads ts as a time.Time (logicalType timestamp-millis).
type EventTime struct {
	UserID string    `avro:"user_id"`
	Ts     time.Time `avro:"ts"`
}

// An Avro date reads into a time.Time tagged date, plain or nullable, and
// is written back as a date; untagged, the error says to tag it.
func TestReadDate(t *testing.T) {
	day := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	data := ocfBytes(t, `{"type":"record","name":"r","fields":[{"name":"day","type":{"type":"int","logicalType":"date"}},
		{"name":"maybe","type":["null",{"type":"int","logicalType":"date"}]}]}`,
		map[string]any{"day": day, "maybe": map[string]any{"int.date": day}}, map[string]any{"day": day, "maybe": nil})
	type dated struct {
		Day   time.Time  `avro:"day,date"`
		Maybe *time.Time `avro:"maybe,date"`
	}
	got, err := decodeAll[dated](t, data)
	if err != nil || len(got) != 2 || !got[0].Day.Equal(day) || got[0].Maybe == nil || !got[0].Maybe.Equal(day) || got[1].Maybe != nil {
		t.Errorf("tagged date: %+v (%v)", got, err)
	}
	s, err := avroio.SchemaOf[dated]()
	if err != nil || !strings.Contains(s.String(), `{"name":"day","type":{"type":"int","logicalType":"date"}}`) {
		t.Errorf("schema of a field tagged date: %v (%v)", s, err)
	}
	type untagged struct {
		Day time.Time `avro:"day"`
	}
	if _, err := decodeAll[untagged](t, data); err == nil || !strings.Contains(err.Error(), "field day holds a date in the file, but a time.Time field reads timestamp-millis unless tagged date") {
		t.Errorf("untagged: got %v, want the date option named", err)
	}
}

// TestWriteDate checks that a time written as a date is its calendar day in
// its own location, whatever its time of day: hamba/avro alone rounds the
// UTC instant toward zero (1969-12-31 12:00 became 1970-01-01, midnight in
// Paris the day before). The caller's values are left as they were.
func TestWriteDate(t *testing.T) {
	type inner struct {
		Day time.Time `avro:"day,date"`
	}
	type dated struct {
		Day   time.Time  `avro:"day,date"`
		Maybe *time.Time `avro:"maybe,date"`
		In    inner      `avro:"in"`
	}
	paris := time.FixedZone("CET", 3600)
	newYork := time.FixedZone("EST", -5*3600)
	cases := []struct {
		at   time.Time
		want string
	}{
		{time.Date(1970, 1, 1, 12, 0, 0, 0, time.UTC), "1970-01-01"},
		{time.Date(1969, 12, 31, 12, 0, 0, 0, time.UTC), "1969-12-31"},
		{time.Date(1900, 6, 15, 18, 0, 0, 0, time.UTC), "1900-06-15"},
		{time.Date(2024, 3, 1, 0, 0, 0, 0, paris), "2024-03-01"},
		{time.Date(2024, 3, 1, 20, 0, 0, 0, newYork), "2024-03-01"},
	}
	var recs []dated
	for _, c := range cases {
		at := c.at
		recs = append(recs, dated{Day: at, Maybe: &at, In: inner{at}})
	}
	recs = append(recs, dated{Day: cases[0].at, In: inner{cases[0].at}})
	got := readAll[dated](t, openBytes(t, "dates.avro", writeFile(t, recs)))
	for i, c := range cases {
		g := got[i]
		if d := g.Day.Format(time.DateOnly); d != c.want || g.Maybe.Format(time.DateOnly) != c.want || g.In.Day.Format(time.DateOnly) != c.want {
			t.Errorf("%v written as %s, %s and %s; want %s", c.at, d, g.Maybe.Format(time.DateOnly), g.In.Day.Format(time.DateOnly), c.want)
		}
		if !recs[i].Day.Equal(c.at) || !recs[i].Maybe.Equal(c.at) || !recs[i].In.Day.Equal(c.at) {
			t.Errorf("the caller's record %d changed: %+v", i, recs[i])
		}
	}
	if got[len(cases)].Maybe != nil {
		t.Errorf("a nil date read as %v", got[len(cases)].Maybe)
	}
	type listed struct {
		Days []time.Time `avro:"days"`
	}
	var buf bytes.Buffer
	if _, err := avroio.NewFileWriter[listed](&buf, avroio.WithWriterSchema(`{"type":"record","name":"r","fields":[{"name":"days","type":{"type":"array","items":{"type":"int","logicalType":"date"}}}]}`)); err == nil ||
		!strings.Contains(err.Error(), "a date at avroio_test.listed.Days is in an array") {
		t.Errorf("dates in an array: got %v, want refused", err)
	}
}

func TestReadTimestampMillis(t *testing.T) {
	f := openFixture(t, "events_deflate.avro")
	got := readAll[EventTime](t, f)
	if len(got) != 5 {
		t.Fatalf("%d records, want 5", len(got))
	}
	for i, g := range got {
		want := time.UnixMilli(event(i).Ts).UTC()
		if !g.Ts.Equal(want) || g.UserID != event(i).UserID {
			t.Errorf("record %d = %+v, want ts %v user %q", i, g, want, event(i).UserID)
		}
	}
}

func TestReadGeneric(t *testing.T) {
	f := openFixture(t, "events_deflate.avro")
	got := readAll[map[string]any](t, f)
	if len(got) != 5 {
		t.Fatalf("%d records, want 5", len(got))
	}
	for i, g := range got {
		e := event(i)
		want := map[string]any{
			"user_id": e.UserID, "track_id": e.TrackID, "artist_id": e.ArtistID, "country": e.Country,
			"ms_played": e.MsPlayed, "ts": time.UnixMilli(e.Ts).UTC(), "platform": e.Platform, "skipped": e.Skipped,
		}
		if !reflect.DeepEqual(g, want) {
			t.Errorf("record %d = %#v\nwant %#v", i, g, want)
		}
	}
}

// PlayV2 reads play_v1.avro, written by avsc with an older schema: user was
// renamed user_id, ms_played was an int and score a float, legacy was
// removed and country added with a default.
type PlayV2 struct {
	UserID   string  `avro:"user_id" avroaliases:"user"`
	TrackID  string  `avro:"track_id"`
	MsPlayed int64   `avro:"ms_played"`
	Score    float64 `avro:"score"`
	Country  string  `avro:"country" avrodefault:"\"unknown\""`
}

func playV2(i int) PlayV2 {
	return PlayV2{
		UserID:   fmt.Sprintf("user-%d", i),
		TrackID:  fmt.Sprintf("t%d", 100+i),
		MsPlayed: int64(30000 + i),
		Score:    float64(i) + 0.5,
		Country:  "unknown",
	}
}

func TestSchemaResolution(t *testing.T) {
	v2avsc, err := os.ReadFile("testdata/play_v2.avsc")
	if err != nil {
		t.Fatal(err)
	}
	want := []PlayV2{playV2(0), playV2(1), playV2(2), playV2(3)}

	t.Run("derived from struct tags", func(t *testing.T) {
		got := readAll[PlayV2](t, openFixture(t, "play_v1.avro"))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("given avsc into struct", func(t *testing.T) {
		type plain struct { // no aliases or defaults in tags: the .avsc has them
			UserID   string  `avro:"user_id"`
			TrackID  string  `avro:"track_id"`
			MsPlayed int64   `avro:"ms_played"`
			Score    float64 `avro:"score"`
			Country  string  `avro:"country"`
		}
		got := readAll[plain](t, openFixture(t, "play_v1.avro", avroio.WithReaderSchema(string(v2avsc))))
		for i, g := range got {
			if PlayV2(g) != want[i] {
				t.Errorf("record %d = %+v, want %+v", i, g, want[i])
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d records, want %d", len(got), len(want))
		}
	})
	t.Run("given avsc into map", func(t *testing.T) {
		got := readAll[map[string]any](t, openFixture(t, "play_v1.avro", avroio.WithReaderSchema(string(v2avsc))))
		for i, g := range got {
			w := want[i]
			wm := map[string]any{"user_id": w.UserID, "track_id": w.TrackID, "ms_played": w.MsPlayed, "score": w.Score, "country": w.Country}
			if !reflect.DeepEqual(g, wm) {
				t.Errorf("record %d = %#v, want %#v", i, g, wm)
			}
		}
	})
	t.Run("missing field without default", func(t *testing.T) {
		type noDefault struct {
			UserID  string `avro:"user_id" avroaliases:"user"`
			Country string `avro:"country"`
		}
		f := openFixture(t, "play_v1.avro")
		_, err := avroio.NewDecoder[noDefault](f)
		first, rest, _ := strings.Cut(fmt.Sprint(err), "\n")
		if err == nil || errors.Is(err, avroio.ErrCorrupt) || !strings.Contains(first, "play_v1.avro: field country is not in the file and has no default") ||
			strings.Contains(first, `"fields"`) || !strings.HasPrefix(rest, "the file's schema: {") {
			t.Errorf("NewDecoder = %v, want the missing field on the first line, the file's schema after it", err)
		}
	})
	t.Run("field named unlike the file's", func(t *testing.T) {
		type untagged struct{ TrackID string }
		type otherCase struct {
			TrackID string `avro:"TRACK_ID"`
		}
		for _, tc := range []struct {
			open func() error
			want string
		}{
			{func() error { _, err := avroio.NewDecoder[untagged](openFixture(t, "play_v1.avro")); return err },
				`field TrackID is not in the file (it has "track_id": name it in the field's tag, avro:"track_id") and has no default`},
			{func() error { _, err := avroio.NewDecoder[otherCase](openFixture(t, "play_v1.avro")); return err },
				`field TRACK_ID is not in the file (it has "track_id": names are case-sensitive; name it in the field's tag, avro:"track_id") and has no default`},
		} {
			if err := tc.open(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewDecoder = %v, want %q in it", err, tc.want)
			}
		}
	})
	t.Run("incompatible type", func(t *testing.T) {
		type narrowing struct {
			MsPlayed int32 `avro:"ms_played"` // long to int does not resolve
		}
		b := writeFile(t, events(3))
		_, err := avroio.NewDecoder[narrowing](openBytes(t, "x.avro", b))
		if err == nil {
			t.Error("NewDecoder reading long as int succeeded, want error")
		}
	})
	t.Run("go writer, promoted and pointer fields", func(t *testing.T) {
		type v1 struct {
			ID    int32   `avro:"id"`
			Score float32 `avro:"score"`
			Name  string  `avro:"name"`
		}
		type v2 struct {
			ID    int64   `avro:"id"`
			Score float64 `avro:"score"`
			Note  *string `avro:"note"` // absent in the writer: default null
		}
		b := writeFile(t, []v1{{1, 1.5, "a"}, {2, -2.25, "b"}}, avroio.WithCodec(avroio.CodecSnappy))
		got := readAll[v2](t, openBytes(t, "v1.avro", b))
		wantV2 := []v2{{1, 1.5, nil}, {2, -2.25, nil}}
		if !reflect.DeepEqual(got, wantV2) {
			t.Errorf("got %+v, want %+v", got, wantV2)
		}
	})
}

// TestCorruptErrorInSplit checks that a split starting inside the file
// says its block count starts there, not at the file's first block.
func TestCorruptErrorInSplit(t *testing.T) {
	_, err := readRange[Event](t, openFixture(t, "corrupt_sync.avro"), 500, -1)
	var ce *avroio.CorruptError
	if !errors.As(err, &ce) || ce.Block != 0 || ce.Offset != 535 || ce.From != 500 {
		t.Fatalf("err = %#v, want block 0 of the range from 500, at offset 535", err)
	}
	want := "avroio: corrupt_sync.avro: block at offset 535 (block 0 of the split from offset 500): "
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q, want prefix %q", err, want)
	}
}

func TestCorruptFixtures(t *testing.T) {
	tests := []struct {
		file        string
		wantBlock   int
		wantOffset  int64
		wantMsg     string
		wantRecords int // delivered before the error
		// lenient mode
		wantLenientRecords int
		wantSkipped        int64
	}{
		{"corrupt_truncated.avro", 1, 535, "truncated block", 3, 3, 1},
		{"corrupt_sync.avro", 1, 535, "sync marker at offset 638 does not match", 3, 3, 1},
		{"corrupt_huge_count.avro", 1, 535, "block claims 1152921504606846976 records in 100 bytes", 3, 6, 1},
		{"corrupt_huge_size.avro", 1, 535, "block size 1152921504606846976 exceeds limit", 3, 6, 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := readRange[Event](t, openFixture(t, tt.file), 0, -1)
			if !errors.Is(err, avroio.ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			var ce *avroio.CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %T, want *CorruptError", err)
			}
			if ce.Path != tt.file || ce.Block != tt.wantBlock || ce.Offset != tt.wantOffset {
				t.Errorf("error at %s block %d offset %d, want %s block %d offset %d", ce.Path, ce.Block, ce.Offset, tt.file, tt.wantBlock, tt.wantOffset)
			}
			wantPrefix := fmt.Sprintf("avroio: %s: block %d at offset %d: ", tt.file, tt.wantBlock, tt.wantOffset)
			if msg := err.Error(); !strings.HasPrefix(msg, wantPrefix) || !strings.Contains(msg, tt.wantMsg) || !strings.HasSuffix(msg, ": corrupt data") {
				t.Errorf("message %q, want prefix %q, containing %q", msg, wantPrefix, tt.wantMsg)
			}
			if !reflect.DeepEqual(got, events(tt.wantRecords)) {
				t.Errorf("delivered %d records before the error, want the first %d", len(got), tt.wantRecords)
			}

			f := openFixture(t, tt.file, avroio.Lenient())
			got, err = readRange[Event](t, f, 0, -1)
			if err != nil {
				t.Fatalf("lenient read: %v", err)
			}
			var want []Event
			for i := range tt.wantLenientRecords {
				j := i
				if i >= 3 {
					j = i + 3 // block 1 is lost
				}
				want = append(want, event(j))
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("lenient read got %d records, want %d: %+v", len(got), len(want), got)
			}
			if skipped, bytes := f.Skipped(); skipped != tt.wantSkipped || bytes <= 0 {
				t.Errorf("Skipped() = %d blocks, %d bytes; want %d blocks and some bytes", skipped, bytes, tt.wantSkipped)
			}
		})
	}
}

func TestCorruptHeader(t *testing.T) {
	three, err := os.ReadFile("testdata/events_3blocks.avro")
	if err != nil {
		t.Fatal(err)
	}
	huge, err := os.ReadFile("testdata/corrupt_header_huge_map.avro")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		data    []byte
		wantMsg string
	}{
		{"huge metadata map", huge, "metadata map claims 1152921504606846976 entries"},
		{"empty", nil, "too short"},
		{"bad magic", append([]byte("Obj\x02"), three[4:]...), "magic"},
		{"gzipped", append([]byte("\x1f\x8b\x08\x00"), three[4:]...), "not an Avro file: it starts with 1f 8b, the magic of gzip data; gunzip it first"},
		{"truncated schema", three[:100], "metadata value: length 362 with 81 bytes left in file"},
		{"truncated sync", three[:410], "truncated sync marker"},
		{"bad schema", bytes.Replace(three, []byte(`"type":"record"`), []byte(`"type":"recorx"`), 1), "writer schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := avroio.NewFileReader("h.avro", bytes.NewReader(tt.data), int64(len(tt.data)))
			var ce *avroio.CorruptError
			if !errors.As(err, &ce) || !errors.Is(err, avroio.ErrCorrupt) {
				t.Fatalf("err = %v, want a *CorruptError", err)
			}
			if ce.Block != avroio.HeaderBlock || ce.Offset != 0 || !strings.Contains(err.Error(), tt.wantMsg) ||
				!strings.HasPrefix(err.Error(), "avroio: h.avro: header at offset 0: ") {
				t.Errorf("err = %q (block %d), want header error containing %q", err, ce.Block, tt.wantMsg)
			}
		})
	}
}

// TestSplitsExact reads the 3-block file as n contiguous byte ranges for n =
// 1..7, and as two ranges cut at every byte: each record comes out exactly once.
func TestSplitsExact(t *testing.T) {
	b, err := os.ReadFile("testdata/events_3blocks.avro")
	if err != nil {
		t.Fatal(err)
	}
	size := int64(len(b))
	want := events(9)
	f := openBytes(t, "events_3blocks.avro", b)
	read := func(off, length int64) []Event {
		got, err := readRange[Event](t, f, off, length)
		if err != nil {
			t.Fatalf("range [%d, %d): %v", off, off+length, err)
		}
		return got
	}
	for n := int64(1); n <= 7; n++ {
		step := (size + n - 1) / n
		var got []Event
		for off := int64(0); off < size; off += step {
			got = append(got, read(off, min(step, size-off))...)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%d splits: got %d records %v, want each of 9 once", n, len(got), got)
		}
	}
	for cut := int64(0); cut <= size; cut++ {
		got := append(read(0, cut), read(cut, size-cut)...)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("cut at %d: got %d records, want each of 9 once", cut, len(got))
		}
	}
	// Past the end and empty ranges own nothing.
	for _, r := range [][2]int64{{size, 10}, {size + 5, 10}, {100, 0}} {
		if got := read(r[0], r[1]); len(got) != 0 {
			t.Errorf("range %v read %d records, want 0", r, len(got))
		}
	}
}

func TestLenientResyncAcrossSplits(t *testing.T) {
	b, err := os.ReadFile("testdata/corrupt_huge_count.avro")
	if err != nil {
		t.Fatal(err)
	}
	size := int64(len(b))
	for cut := int64(0); cut <= size; cut++ {
		f := openBytes(t, "c.avro", b, avroio.Lenient())
		got1, err1 := readRange[Event](t, f, 0, cut)
		got2, err2 := readRange[Event](t, f, cut, size-cut)
		if err1 != nil || err2 != nil {
			t.Fatalf("cut %d: %v, %v", cut, err1, err2)
		}
		got := append(got1, got2...)
		want := append(events(3), event(6), event(7), event(8))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("cut %d: got %d records, want blocks 0 and 2 once", cut, len(got))
		}
	}
}

func TestRecordsIterator(t *testing.T) {
	d, err := avroio.NewDecoder[Event](openFixture(t, "events_3blocks.avro"))
	if err != nil {
		t.Fatal(err)
	}
	var got []Event
	for e, err := range d.Records(context.Background(), 0, -1) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
		if len(got) == 4 {
			break
		}
	}
	if !reflect.DeepEqual(got, events(4)) {
		t.Errorf("got %v, want the first 4 events", got)
	}
}

func TestWriterOptions(t *testing.T) {
	sync := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	b1 := writeFile(t, events(10), avroio.WithSyncMarker(sync), avroio.WithMetadata("origin", []byte("test")))
	b2 := writeFile(t, events(10), avroio.WithSyncMarker(sync), avroio.WithMetadata("origin", []byte("test")))
	if !bytes.Equal(b1, b2) {
		t.Error("two writes with a fixed sync marker differ")
	}
	f := openBytes(t, "w.avro", b1)
	if got := string(f.Metadata()["origin"]); got != "test" {
		t.Errorf("metadata origin = %q, want test", got)
	}
	if _, err := avroio.NewFileWriter[Event](&bytes.Buffer{}, avroio.WithMetadata("avro.codec", nil)); err == nil {
		t.Error("reserved metadata key accepted")
	}
	if _, err := avroio.NewFileWriter[Event](&bytes.Buffer{}, avroio.WithCodec("lz4")); err == nil || err.Error() != `avroio: unsupported codec "lz4"` {
		t.Errorf("unsupported codec: %v", err)
	}
	if _, err := avroio.NewFileWriter[Event](&bytes.Buffer{}, avroio.WithCodec(avroio.CodecBzip2)); err == nil || !strings.Contains(err.Error(), `codec "bzip2" is read but not written`) {
		t.Errorf("bzip2 writer: %v", err)
	}
	if _, err := avroio.NewFileWriter[map[string]any](&bytes.Buffer{}); err == nil {
		t.Error("map writer without schema accepted")
	}
	// Generic write with a given schema, read back as a struct.
	avsc, err := os.ReadFile("testdata/listening_event.avsc")
	if err != nil {
		t.Fatal(err)
	}
	e := event(3)
	m := map[string]any{"user_id": e.UserID, "track_id": e.TrackID, "artist_id": e.ArtistID, "country": e.Country,
		"ms_played": e.MsPlayed, "ts": e.Ts, "platform": e.Platform, "skipped": e.Skipped}
	b := writeFile(t, []map[string]any{m}, avroio.WithWriterSchema(string(avsc)), avroio.WithCodec(avroio.CodecZstandard))
	if got := readAll[Event](t, openBytes(t, "g.avro", b)); !reflect.DeepEqual(got, []Event{e}) {
		t.Errorf("generic write read back %+v, want %+v", got, e)
	}
	// A record that fails to encode leaves the file intact.
	var buf bytes.Buffer
	w, err := avroio.NewFileWriter[map[string]any](&buf, avroio.WithWriterSchema(string(avsc)))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(map[string]any{"user_id": 7}); err == nil {
		t.Error("writing a bad record succeeded")
	}
	if err := w.Write(m); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := readAll[Event](t, openBytes(t, "g2.avro", buf.Bytes())); !reflect.DeepEqual(got, []Event{e}) {
		t.Errorf("after a failed write read back %+v, want %+v", got, e)
	}
}

// TestWrittenSchemaKeepsDefaults checks that a file's header holds the full
// writer schema, with the defaults, aliases and docs that readers resolve
// with, not its canonical form, which drops them.
func TestWrittenSchemaKeepsDefaults(t *testing.T) {
	type evolved struct {
		ID      int64   `avro:"id"`
		Country string  `avro:"country" avrodefault:"\"ZZ\"" avroaliases:"cc"`
		Note    *string `avro:"note"`
	}
	f := openBytes(t, "evolved.avro", writeFile(t, []evolved{{ID: 1}}))
	header := string(f.Metadata()["avro.schema"])
	for _, want := range []string{`"aliases":["cc"]`, `"default":"ZZ"`, `"default":null`} {
		if !strings.Contains(header, want) {
			t.Errorf("header schema %s lacks %s", header, want)
		}
	}
	const given = `{"type":"record","name":"r","doc":"rows","fields":[{"name":"id","type":"long","doc":"the key","default":0}]}`
	type row struct {
		ID int64 `avro:"id"`
	}
	f = openBytes(t, "given.avro", writeFile(t, []row{{1}}, avroio.WithWriterSchema(given)))
	header = string(f.Metadata()["avro.schema"])
	for _, want := range []string{`"doc":"rows"`, `"doc":"the key"`, `"default":0`} {
		if !strings.Contains(header, want) {
			t.Errorf("header schema %s lacks %s", header, want)
		}
	}
}

// Readers refuse blocks over DefaultMaxBlockSize by default, so the writer
// never writes one: a record too large for a block is refused, naming it,
// and a block is closed before a record would take it over the limit; the
// file stays readable with the records before and after.
func TestWriterKeepsBlocksWithinReadersLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 145 MiB of records")
	}
	type rec struct{ S string }
	var buf bytes.Buffer
	w, err := avroio.NewFileWriter[rec](&buf)
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 40<<20)
	for i, r := range []rec{{"a" + big}, {"b" + big}, {strings.Repeat("y", 65<<20)}, {"small"}} {
		err := w.Write(r)
		if i == 2 {
			if err == nil || !strings.Contains(err.Error(), "record 2:") || !strings.Contains(err.Error(), "more than a block may hold") {
				t.Errorf("a 65 MiB record: got %v, want it refused, naming record 2", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := decodeAll[rec](t, buf.Bytes())
	if err != nil {
		t.Fatalf("reading the file back with default options: %v", err)
	}
	var firsts []string
	for _, r := range recs {
		firsts = append(firsts, r.S[:1])
	}
	if got := strings.Join(firsts, ""); got != "abs" {
		t.Errorf("read back records starting %q, want a, b and small", got)
	}
}

// TestTimeUnitTag writes times tagged timestamp-micros, which keep their
// microseconds (untagged, a time.Time is timestamp-millis and loses them),
// and reads each file into both Go types: a file is read in its own unit,
// whatever the reading type's tag.
func TestTimeUnitTag(t *testing.T) {
	type millis struct {
		At  time.Time  `avro:"at"`
		Opt *time.Time `avro:"opt"`
	}
	type micros struct {
		At  time.Time  `avro:"at,timestamp-micros"`
		Opt *time.Time `avro:"opt,timestamp-micros"`
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	if s, err := avroio.SchemaOf[micros](); err != nil || !strings.Contains(s.String(), `"logicalType":"timestamp-micros"`) {
		t.Fatalf("schema of micros: %v, %v", s, err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want time.Time
	}{
		{"millis", writeOne(t, millis{at, &at}), at.Truncate(time.Millisecond)},
		{"micros", writeOne(t, micros{at, &at}), at.Truncate(time.Microsecond)},
	} {
		ms, err := decodeAll[millis](t, tc.data)
		if err != nil || len(ms) != 1 || !ms[0].At.Equal(tc.want) || ms[0].Opt == nil || !ms[0].Opt.Equal(tc.want) {
			t.Errorf("%s file read untagged: %+v, %v; want %v", tc.name, ms, err, tc.want)
		}
		us, err := decodeAll[micros](t, tc.data)
		if err != nil || len(us) != 1 || !us[0].At.Equal(tc.want) || us[0].Opt == nil || !us[0].Opt.Equal(tc.want) {
			t.Errorf("%s file read tagged micros: %+v, %v; want %v", tc.name, us, err, tc.want)
		}
	}
}

// writeOne is a container file of v.
func writeOne[T any](t *testing.T, v T) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := avroio.NewFileWriter[T](&buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(v); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
