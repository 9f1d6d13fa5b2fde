package fileio_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/local"
	"github.com/crunchgo/crunchgo/runner/mem"
)

func TestMain(m *testing.M) { crunchtest.Main(m) }

// cityRow is row with the partition column the files lack.
type cityRow struct {
	Name  string `avro:"name" parquet:"name"`
	Count int64  `avro:"count" parquet:"count"`
	City  string `avro:"city" parquet:"city"`
}

// copyPartitionedJob copies a partitioned table into one unpartitioned
// output, its partition column now in the files.
var copyPartitionedJob = runner.Register("fileio-test/copy-partitioned", "copies a partitioned table", func(p *pcollection.Pipeline, a *struct {
	In     string `flag:"in"`
	Out    string `flag:"out"`
	Format string `flag:"format"`
}) error {
	f, err := fileio.ParseFormat(a.Format)
	if err != nil {
		return err
	}
	rows, err := fileio.Read[cityRow](context.Background(), p, a.In)
	if err != nil {
		return err
	}
	return fileio.Write(rows, a.Out, f)
})

// A partitioned table in each format read on the local runner, whose
// workers find the partition values in the paths of their splits.
func TestLocalRunnerPartitioned(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	ctx := context.Background()
	for _, f := range []fileio.Format{fileio.Avro, fileio.Parquet} {
		dir := t.TempDir()
		in := filepath.Join(dir, "in")
		for _, part := range []struct{ city, name string }{{"Oslo", "a"}, {"New%20York", "b"}} {
			url := filepath.Join(in, "city="+part.city, "part-m-00000"+f.Ext())
			if err := fileio.WriteFile(ctx, url, slices.Values([]row{{Name: part.name, Count: 1}, {Name: part.name, Count: 2}})); err != nil {
				t.Fatal(err)
			}
		}
		out := filepath.Join(dir, "out")
		p, err := copyPartitionedJob.Build([]string{"--in", in, "--out", out, "--format", string(f)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := local.Run(ctx, p, runner.Options{Workers: 2}); err != nil {
			t.Fatal(err)
		}
		var got []cityRow
		if err := fileio.ScanFiles(ctx, out, func(r cityRow) { got = append(got, r) }); err != nil {
			t.Fatal(err)
		}
		crunchtest.EqualUnordered(t, got, []cityRow{{"a", 1, "Oslo"}, {"a", 2, "Oslo"}, {"b", 1, "New York"}, {"b", 2, "New York"}})
	}
}

// Write with PartitionBy writes a partitioned table in either format,
// which reads back whole.
func TestWritePartitioned(t *testing.T) {
	ctx := context.Background()
	rows := []cityRow{{"a", 1, "Oslo"}, {"b", 2, "New York"}, {"c", 3, "Oslo"}}
	for _, f := range []fileio.Format{fileio.Avro, fileio.Parquet} {
		out := filepath.Join(t.TempDir(), "out")
		p := pcollection.NewPipeline("write-partitioned")
		if err := fileio.Write(pcollection.Of(p, rows...), out, f, fileio.PartitionBy("city"), fileio.MaxOpenPartitions(1)); err != nil {
			t.Fatal(err)
		}
		if _, err := mem.Run(ctx, p, runner.Options{}); err != nil {
			t.Fatal(err)
		}
		for _, city := range []string{"Oslo", "New York"} { // Spark leaves spaces unescaped
			if parts, _ := filepath.Glob(filepath.Join(out, "city="+city, "part-*"+f.Ext())); len(parts) == 0 {
				t.Errorf("%s: no part files in city=%s", f, city)
			}
		}
		var got []cityRow
		if err := fileio.ScanFiles(ctx, out, func(r cityRow) { got = append(got, r) }); err != nil {
			t.Fatal(err)
		}
		crunchtest.EqualUnordered(t, got, rows)
	}
}
