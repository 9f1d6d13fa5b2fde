package parquetio

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// benchRowsFlag sets how many events BenchmarkRead uses:
// go test ./parquetio -run x -bench 'Read$' -args -events=10000000
var benchRowsFlag = flag.Int("events", 200_000, "events in the benchmark file")

var benchRows = 200_000

var benchFile = sync.OnceValue(func() []byte {
	benchRows = *benchRowsFlag
	rows := make([]event, benchRows)
	for i := range rows {
		rows[i] = wantEvent(i)
	}
	var buf bytes.Buffer
	w, err := NewWriter[event](&buf)
	if err != nil {
		panic(err)
	}
	if _, err := w.Write(rows); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

func benchOurs[T any](b *testing.B, data []byte, opts ...ReadOption) {
	benchOursAt[T](b, "bench", data, opts...)
}

// benchOursAt is benchOurs reading the file as if at path.
func benchOursAt[T any](b *testing.B, path string, data []byte, opts ...ReadOption) {
	b.ReportAllocs()
	buf := make([]T, 1024)
	for b.Loop() {
		r, err := NewReader[T](path, bytes.NewReader(data), int64(len(data)), opts...)
		if err != nil {
			b.Fatal(err)
		}
		total := 0
		for {
			n, err := r.Read(buf)
			total += n
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		if total != benchRows {
			b.Fatalf("read %d rows", total)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(benchRows)/float64(b.N), "ns/event")
}

func benchBare[T any](b *testing.B, data []byte) {
	b.ReportAllocs()
	buf := make([]T, 1024)
	for b.Loop() {
		r := parquet.NewGenericReader[T](bytes.NewReader(data))
		total := 0
		for {
			n, err := r.Read(buf)
			total += n
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
		if total != benchRows {
			b.Fatalf("read %d rows", total)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkRead reads 200k listening events written by Writer: the Reader
// (columnar fast path, and forced onto the row path) against a bare
// parquet-go GenericReader loop, all 8 columns and a 3-column projection.
func BenchmarkRead(b *testing.B) {
	data := benchFile()
	b.Logf("file: %d rows, %d bytes", benchRows, len(data))
	b.Run("8cols/parquetio", func(b *testing.B) { benchOurs[event](b, data) })
	b.Run("8cols/parquetio-shared", func(b *testing.B) { benchOurs[event](b, data, SharedStrings()) })
	b.Run("8cols/parquetio-rowpath", func(b *testing.B) { benchOurs[event](b, data, rowPath()) })
	b.Run("8cols/parquet-go", func(b *testing.B) { benchBare[event](b, data) })
	b.Run("3cols/parquetio", func(b *testing.B) { benchOurs[play](b, data) })
	b.Run("3cols/parquetio-rowpath", func(b *testing.B) { benchOurs[play](b, data, rowPath()) })
	b.Run("3cols/parquet-go", func(b *testing.B) { benchBare[play](b, data) })
}

// eventNoCountry is event without its country, as a partitioned table
// keeps it in its directories' names.
type eventNoCountry struct {
	UserID   string `parquet:"user_id"`
	TrackID  string `parquet:"track_id"`
	ArtistID string `parquet:"artist_id"`
	Platform string `parquet:"platform"`
	MsPlayed int64  `parquet:"ms_played"`
	Ts       int64  `parquet:"ts"`
	Skipped  bool   `parquet:"skipped"`
}

// benchPartitionFile holds the benchmark's events without their country.
var benchPartitionFile = sync.OnceValue(func() []byte {
	benchFile() // sets benchRows
	rows := make([]eventNoCountry, benchRows)
	for i := range rows {
		e := wantEvent(i)
		rows[i] = eventNoCountry{e.UserID, e.TrackID, e.ArtistID, e.Platform, e.MsPlayed, e.Ts, e.Skipped}
	}
	var buf bytes.Buffer
	w, err := NewWriter[eventNoCountry](&buf)
	if err != nil {
		panic(err)
	}
	if _, err := w.Write(rows); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

// BenchmarkReadPartitioned reads the benchmark's events as event from a
// partitioned copy (country in the path, 7 columns in the file) against
// the unpartitioned file (8 columns), and the partitioned copy's 7 columns
// alone: the third's difference to the first is the cost of filling the
// partition field.
func BenchmarkReadPartitioned(b *testing.B) {
	b.Run("unpartitioned", func(b *testing.B) { benchOursAt[event](b, "events/part-0.parquet", benchFile()) })
	b.Run("partitioned", func(b *testing.B) {
		benchOursAt[event](b, "events/country=SE/part-0.parquet", benchPartitionFile())
	})
	b.Run("partitioned-7cols", func(b *testing.B) {
		benchOursAt[eventNoCountry](b, "events/country=SE/part-0.parquet", benchPartitionFile())
	})
}

// benchNullableFile holds the benchmark's events in nullable columns
// without nulls, as DuckDB and Spark write them.
var benchNullableFile = sync.OnceValue(func() []byte {
	type nullable struct {
		UserID   *string `parquet:"user_id"`
		TrackID  *string `parquet:"track_id"`
		ArtistID *string `parquet:"artist_id"`
		Country  *string `parquet:"country"`
		Platform *string `parquet:"platform"`
		MsPlayed *int64  `parquet:"ms_played"`
		Ts       *int64  `parquet:"ts"`
		Skipped  *bool   `parquet:"skipped"`
	}
	benchFile() // sets benchRows
	rows := make([]nullable, benchRows)
	for i := range rows {
		e := wantEvent(i)
		rows[i] = nullable{&e.UserID, &e.TrackID, &e.ArtistID, &e.Country, &e.Platform, &e.MsPlayed, &e.Ts, &e.Skipped}
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[nullable](&buf)
	if _, err := w.Write(rows); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

// BenchmarkReadNullable reads the benchmark's events from nullable columns
// into plain fields, whose pages are checked for nulls, and into fields
// tagged optional, which take nulls as zero values and are not checked.
func BenchmarkReadNullable(b *testing.B) {
	data := benchNullableFile()
	b.Run("8cols/checked", func(b *testing.B) { benchOurs[event](b, data) })
	b.Run("8cols/unchecked", func(b *testing.B) { benchOurs[eventOpt](b, data) })
}

// BenchmarkReadDuckDB reads the DuckDB fixture (nullable columns) into plain
// fields (converted rows) and into optional-tagged fields (direct).
func BenchmarkReadDuckDB(b *testing.B) {
	data := readFixture(b, "events_v2_zstd.parquet")
	for _, bm := range []struct {
		name string
		f    func(*testing.B)
	}{
		{"converted/parquetio", func(b *testing.B) { benchN[event](b, data, 2048) }},
		{"direct/parquetio", func(b *testing.B) { benchN[eventOpt](b, data, 2048) }},
	} {
		b.Run(bm.name, bm.f)
	}
}

func benchN[T any](b *testing.B, data []byte, want int) {
	buf := make([]T, 1024)
	for b.Loop() {
		r, err := NewReader[T]("bench", bytes.NewReader(data), int64(len(data)))
		if err != nil {
			b.Fatal(err)
		}
		total := 0
		for {
			n, err := r.Read(buf)
			total += n
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		if total != want {
			b.Fatal(fmt.Sprintf("read %d rows", total))
		}
	}
}

// BenchmarkWrite writes 200k listening events.
func BenchmarkWrite(b *testing.B) {
	rows := make([]event, benchRows)
	for i := range rows {
		rows[i] = wantEvent(i)
	}
	for _, c := range []Codec{Snappy, Zstd} {
		b.Run(c.String(), func(b *testing.B) {
			for b.Loop() {
				w, err := NewWriter[event](io.Discard, Compression(c))
				if err != nil {
					b.Fatal(err)
				}
				for i := 0; i < len(rows); i += 1024 {
					if _, err := w.Write(rows[i:min(i+1024, len(rows))]); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
