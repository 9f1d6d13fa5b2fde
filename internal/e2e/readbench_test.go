package e2e

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/hamba/avro/v2/ocf"
	"github.com/parquet-go/parquet-go"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/examples/listening"
	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

// The read benchmarks compare a whole pipeline-level read — avroio.Read or
// parquetio.Read on the in-memory runner, splits and kernel included — with
// the bare library loop over the same file, in the same run:
//
//	go test ./internal/e2e -run x -bench PipelineRead -args -events=10000000
var readEvents = flag.Int("events", 1_000_000, "events in the read benchmarks' files")

func benchEvents(n int) func(yield func(listening.Event) bool) {
	return func(yield func(listening.Event) bool) {
		for i := range n {
			e := listening.Event{
				UserID: fmt.Sprintf("u%07d", i%100_003), TrackID: fmt.Sprintf("t%07d", (i*7)%50_021),
				ArtistID: fmt.Sprintf("a%05d", (i*13)%9_001), Country: [...]string{"SE", "DE", "US", "BR"}[i%4],
				MsPlayed: int64(i % 300_000), TS: 1_764_000_000_000 + int64(i)*37, Platform: "ios", Skipped: i%9 == 0,
			}
			if !yield(e) {
				return
			}
		}
	}
}

func benchInput(b *testing.B, ext string) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "events"+ext)
	if err := fileio.WriteFile(context.Background(), path, benchEvents(*readEvents)); err != nil {
		b.Fatal(err)
	}
	return path
}

// pipelineRead runs read -> Filter(false) on the mem runner with one worker
// (one goroutine, like the bare loop) and checks every event went through.
func pipelineRead(b *testing.B, read func(p *pcollection.Pipeline) pcollection.PCollection[listening.Event]) {
	for b.Loop() {
		p := pcollection.NewPipeline("read")
		seen := 0
		none := pcollection.Filter(read(p), func(listening.Event) bool { seen++; return false })
		pcollection.Materialize(none)
		if _, err := mem.Run(context.Background(), p, runner.Options{Workers: 1}); err != nil {
			b.Fatal(err)
		}
		if seen != *readEvents {
			b.Fatalf("read %d events, want %d", seen, *readEvents)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N**readEvents), "ns/event")
}

func BenchmarkPipelineReadAvro(b *testing.B) {
	path := benchInput(b, ".avro")
	b.Run("avroio.Read", func(b *testing.B) {
		pipelineRead(b, func(p *pcollection.Pipeline) pcollection.PCollection[listening.Event] {
			return avroio.Read[listening.Event](p, path)
		})
	})
	b.Run("hamba-ocf-loop", func(b *testing.B) {
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			dec, err := ocf.NewDecoder(f)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			var e listening.Event
			for dec.HasNext() {
				if err := dec.Decode(&e); err != nil {
					b.Fatal(err)
				}
				n++
			}
			f.Close()
			if n != *readEvents {
				b.Fatalf("read %d events", n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N**readEvents), "ns/event")
	})
}

func BenchmarkPipelineReadParquet(b *testing.B) {
	path := benchInput(b, ".parquet")
	b.Run("parquetio.Read", func(b *testing.B) {
		pipelineRead(b, func(p *pcollection.Pipeline) pcollection.PCollection[listening.Event] {
			return parquetio.Read[listening.Event](p, path)
		})
	})
	b.Run("parquet-go-loop", func(b *testing.B) {
		buf := make([]listening.Event, 1024)
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			r := parquet.NewGenericReader[listening.Event](f)
			n := 0
			for {
				k, err := r.Read(buf)
				n += k
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			r.Close()
			f.Close()
			if n != *readEvents {
				b.Fatalf("read %d events", n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N**readEvents), "ns/event")
	})
}
