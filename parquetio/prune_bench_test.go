package parquetio_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/storage"
)

type benchPlay struct {
	User    string `parquet:"user"`
	Track   string `parquet:"track"`
	Ms      int64  `parquet:"ms"`
	Country string `parquet:"country"`
}

// BenchmarkReadPartitionPruned reads a table of 8 country partitions
// (25k rows a file) on the mem runner, whole and with a filter on the
// partition column that keeps one of them, and logs the ratio of the two:
// go test ./parquetio -run '^$' -bench PartitionPruned
func BenchmarkReadPartitionPruned(b *testing.B) {
	const partitions, rowsPerFile = 8, 25_000
	storage.ResetMem("pq-prune-bench")
	table := "mem://pq-prune-bench/events"
	type inFile struct {
		User  string `parquet:"user"`
		Track string `parquet:"track"`
		Ms    int64  `parquet:"ms"`
	}
	rows := make([]inFile, rowsPerFile)
	for i := range rows {
		rows[i] = inFile{fmt.Sprint("u", i%5000), fmt.Sprint("t", i%20000), int64(i)}
	}
	var buf bytes.Buffer
	w, err := parquetio.NewWriter[inFile](&buf)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := w.Write(rows); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	for c := range partitions {
		if err := storage.WriteFile(context.Background(), fmt.Sprintf("%s/country=C%d/part-0.parquet", table, c), buf.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
	read := func(b *testing.B, want int, opts ...parquetio.ReadOption) time.Duration {
		for b.Loop() {
			p := pcollection.NewPipeline("pq-prune-bench")
			got := pcollection.Materialize(parquetio.Read[benchPlay](p, table, opts...))
			crunchtest.Run(b, p)
			if n := len(crunchtest.Values(b, got)); n != want {
				b.Fatalf("read %d rows, want %d", n, want)
			}
		}
		return b.Elapsed() / time.Duration(b.N)
	}
	var all, one time.Duration
	b.Run("all", func(b *testing.B) { all = read(b, partitions*rowsPerFile) })
	b.Run("1of8", func(b *testing.B) {
		one = read(b, rowsPerFile, parquetio.WithFilter(parquetio.Eq("country", "C3")))
	})
	if all > 0 {
		b.Logf("filtered read / whole read = %.3f (%v / %v)", float64(one)/float64(all), one, all)
	}
}
