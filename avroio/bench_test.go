package avroio_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"testing"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/hamba/avro/v2/ocf"
)

// benchEventsFlag sets how many events the read and write benchmarks use:
// go test ./avroio -run x -bench Read -args -events=10000000
var benchEventsFlag = flag.Int("events", 100_000, "events per benchmark file")

var benchEvents = 100_000

func benchFile(b *testing.B, codec avroio.Codec) []byte {
	b.Helper()
	benchEvents = *benchEventsFlag
	recs := make([]Event, benchEvents)
	for i := range recs {
		recs[i] = event(i)
	}
	return writeFile(b, recs, avroio.WithCodec(codec))
}

// BenchmarkRead reads benchEvents listening events (8 columns) into a struct
// through FileReader+Decoder and, for comparison, through hamba's own
// ocf.Decoder loop over the same bytes.
func BenchmarkRead(b *testing.B) {
	for _, codec := range []avroio.Codec{avroio.CodecNull, avroio.CodecSnappy, avroio.CodecDeflate} {
		data := benchFile(b, codec)
		b.Run(fmt.Sprintf("avroio/%s", codec), func(b *testing.B) { benchDecode[Event](b, data) })
		b.Run(fmt.Sprintf("hamba-ocf/%s", codec), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				dec, err := ocf.NewDecoder(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				var e Event // reused, as a careful user of the library would
				for dec.HasNext() {
					if err := dec.Decode(&e); err != nil {
						b.Fatal(err)
					}
					n++
				}
				if err := dec.Error(); err != nil {
					b.Fatal(err)
				}
				if n != benchEvents {
					b.Fatalf("read %d events, want %d", n, benchEvents)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchEvents), "ns/event")
		})
	}
}

// BenchmarkWrite writes benchEvents listening events per iteration.
func BenchmarkWrite(b *testing.B) {
	recs := make([]Event, benchEvents)
	for i := range recs {
		recs[i] = event(i)
	}
	for _, codec := range []avroio.Codec{avroio.CodecNull, avroio.CodecSnappy, avroio.CodecDeflate, avroio.CodecZstandard} {
		b.Run(string(codec), func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				w, err := avroio.NewFileWriter[Event](&buf, avroio.WithCodec(codec))
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range recs {
					if err := w.Write(r); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchEvents), "ns/event")
		})
	}
}

// nullableEvent is Event as Spark writes it: every column nullable.
type nullableEvent struct {
	UserID   *string `avro:"user_id"`
	TrackID  *string `avro:"track_id"`
	ArtistID *string `avro:"artist_id"`
	Country  *string `avro:"country"`
	MsPlayed *int64  `avro:"ms_played"`
	Ts       *int64  `avro:"ts"`
	Platform *string `avro:"platform"`
	Skipped  *bool   `avro:"skipped"`
}

// BenchmarkReadNullable reads a file whose 8 columns are all nullable (as
// Spark writes them) into the pointer fields hamba/avro decodes directly,
// and into Event's plain fields through the adapter.
func BenchmarkReadNullable(b *testing.B) {
	benchEvents = *benchEventsFlag
	recs := make([]nullableEvent, benchEvents)
	for i := range recs {
		e := event(i)
		recs[i] = nullableEvent{&e.UserID, &e.TrackID, &e.ArtistID, &e.Country, &e.MsPlayed, &e.Ts, &e.Platform, &e.Skipped}
	}
	data := writeFile(b, recs)
	b.Run("pointers", func(b *testing.B) { benchDecode[nullableEvent](b, data) })
	b.Run("plain", func(b *testing.B) { benchDecode[Event](b, data) })
}

// benchDecode reads data's benchEvents records into T per iteration
// through FileReader and Decoder.
func benchDecode[T any](b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := avroio.NewFileReader("bench.avro", bytes.NewReader(data), int64(len(data)))
		if err != nil {
			b.Fatal(err)
		}
		d, err := avroio.NewDecoder[T](f)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		if err := d.ReadRange(context.Background(), 0, -1, func(T) { n++ }); err != nil {
			b.Fatal(err)
		}
		if n != benchEvents {
			b.Fatalf("read %d events, want %d", n, benchEvents)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchEvents), "ns/event")
}
