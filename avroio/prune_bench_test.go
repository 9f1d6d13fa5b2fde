package avroio_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/storage"
)

// BenchmarkReadPartitionPruned reads a table of 8 country partitions
// (25k records a file) on the mem runner, whole and with a WherePartition
// that keeps one of them, and logs the ratio of the two:
// go test ./avroio -run '^$' -bench PartitionPruned
func BenchmarkReadPartitionPruned(b *testing.B) {
	const partitions, recordsPerFile = 8, 25_000
	storage.ResetMem("avro-prune-bench")
	table := "mem://avro-prune-bench/events"
	type inFile struct {
		User  string `avro:"user"`
		Track string `avro:"track"`
		Ms    int64  `avro:"ms"`
	}
	type benchPlay struct {
		User    string `avro:"user"`
		Track   string `avro:"track"`
		Ms      int64  `avro:"ms"`
		Country string `avro:"country"`
	}
	var buf bytes.Buffer
	w, err := avroio.NewFileWriter[inFile](&buf)
	if err != nil {
		b.Fatal(err)
	}
	for i := range recordsPerFile {
		if err := w.Write(inFile{fmt.Sprint("u", i%5000), fmt.Sprint("t", i%20000), int64(i)}); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	for c := range partitions {
		if err := storage.WriteFile(context.Background(), fmt.Sprintf("%s/country=C%d/part-0.avro", table, c), buf.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
	read := func(b *testing.B, want int, opts ...avroio.ReadOption) time.Duration {
		for b.Loop() {
			p := pcollection.NewPipeline("avro-prune-bench")
			got := pcollection.Materialize(avroio.Read[benchPlay](p, table, opts...))
			crunchtest.Run(b, p)
			if n := len(crunchtest.Values(b, got)); n != want {
				b.Fatalf("read %d records, want %d", n, want)
			}
		}
		return b.Elapsed() / time.Duration(b.N)
	}
	var all, one time.Duration
	b.Run("all", func(b *testing.B) { all = read(b, partitions*recordsPerFile) })
	b.Run("1of8", func(b *testing.B) {
		one = read(b, recordsPerFile, avroio.WherePartition(func(p avroio.Partition) bool { return p.Value("country") == "C3" }))
	})
	if all > 0 {
		b.Logf("pruned read / whole read = %.3f (%v / %v)", float64(one)/float64(all), one, all)
	}
}
