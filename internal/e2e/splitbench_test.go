package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/examples/listening"
	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/hdfs"
	"github.com/crunchgo/crunchgo/storage/hdfs/hdfstest"
	"github.com/crunchgo/crunchgo/textio"
)

// BenchmarkSplitsOnHDFS plans the splits of sources of many small files on
// the test namenode, as the driver does before any task runs: a Parquet
// source reads every file's footer, a text source every file's first bytes.
// Every namenode call and datanode operation takes a millisecond more, as
// on a cluster's network.
//
//	go test ./internal/e2e -run x -bench SplitsOnHDFS
func BenchmarkSplitsOnHDFS(b *testing.B) {
	ctx := context.Background()
	c := hdfstest.Start(b, hdfstest.WithLatency(time.Millisecond))
	b.Cleanup(func() { hdfs.Disconnect(c.Addr()) })
	const files = 200
	for i := range files {
		if err := fileio.WriteFile(ctx, c.URL(fmt.Sprintf("/many/pq/part-%05d.parquet", i)), benchEvents(10)); err != nil {
			b.Fatal(err)
		}
		if err := storage.WriteFile(ctx, c.URL(fmt.Sprintf("/many/txt/part-%05d.txt", i)), []byte("a line\n")); err != nil {
			b.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		read func(p *pcollection.Pipeline)
	}{
		{"parquet", func(p *pcollection.Pipeline) { parquetio.Read[listening.Event](p, c.URL("/many/pq")) }},
		{"text", func(p *pcollection.Pipeline) { textio.Read(p, c.URL("/many/txt")) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p := pcollection.NewPipeline("splits")
			tc.read(p)
			var src plan.SourcePayload
			for _, n := range p.Graph().Nodes() {
				if n.Op == plan.OpSource {
					src = n.Payload.(plan.SourcePayload)
				}
			}
			for b.Loop() {
				splits, err := src.Splits(ctx, 8)
				if err != nil {
					b.Fatal(err)
				}
				if len(splits) != files {
					b.Fatalf("%d splits, want one per file (%d)", len(splits), files)
				}
			}
		})
	}
}
