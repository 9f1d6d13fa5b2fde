package parquetio_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
)

type play struct {
	User string `parquet:"user"`
	Ms   int64  `parquet:"ms"`
}

// writePlays writes rows as a Parquet file at url, one row group a row.
func writePlays(t *testing.T, url string, rows ...play) {
	t.Helper()
	var buf bytes.Buffer
	w, err := parquetio.NewWriter[play](&buf, parquetio.RowGroupRows(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := storage.WriteFile(context.Background(), url, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
}

// A two-level partitioned table: the partition columns come from the
// directories' names, unescaped, the default partition as nil.
func TestReadPartitioned(t *testing.T) {
	storage.ResetMem("pq-part")
	table := "mem://pq-part/events"
	writePlays(t, table+"/dt=2026-11-25/city=Stockholm/part-m-00000.parquet", play{"u1", 100}, play{"u2", 200})
	writePlays(t, table+"/dt=2026-11-26/city=New%20York/part-m-00000.parquet", play{"u3", 300})
	writePlays(t, table+"/dt=2026-11-26/city=__HIVE_DEFAULT_PARTITION__/part-m-00000.parquet", play{"u4", 400})
	if err := storage.WriteFile(context.Background(), table+"/_SUCCESS", nil); err != nil {
		t.Fatal(err)
	}
	type row struct {
		User string    `parquet:"user"`
		Ms   int64     `parquet:"ms"`
		Day  time.Time `parquet:"dt"`
		City *string   `parquet:"city"`
	}
	show := func(rows []row) []string {
		var out []string
		for _, r := range rows {
			city := "<nil>"
			if r.City != nil {
				city = *r.City
			}
			out = append(out, r.User+" "+r.Day.Format(time.DateOnly)+" "+city)
		}
		return out
	}
	p := pcollection.NewPipeline("pq-part")
	all := pcollection.Materialize(parquetio.Read[row](p, table))
	glob := pcollection.Materialize(parquetio.Read[row](p, table+"/dt=2026-11-2[6-9]"))
	u3 := pcollection.Materialize(parquetio.Read[row](p, table, parquetio.WithFilter(parquetio.Eq("user", "u3"))))
	res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 2 })
	crunchtest.EqualUnordered(t, show(crunchtest.Values(t, all)), []string{
		"u1 2026-11-25 Stockholm", "u2 2026-11-25 Stockholm", "u3 2026-11-26 New York", "u4 2026-11-26 <nil>"})
	crunchtest.EqualUnordered(t, show(crunchtest.Values(t, glob)), []string{"u3 2026-11-26 New York", "u4 2026-11-26 <nil>"})
	crunchtest.EqualUnordered(t, show(crunchtest.Values(t, u3)), []string{"u3 2026-11-26 New York"})
	if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterRowGroupsPruned); n != 3 {
		t.Errorf("row groups pruned = %d, want 3 (the filter on a file column still prunes)", n)
	}

	// A column the file holds wins over the path.
	type byUser struct {
		User string `parquet:"user"`
		Ms   int64  `parquet:"ms"`
	}
	storage.ResetMem("pq-part-own")
	writePlays(t, "mem://pq-part-own/t/user=dir/part-0.parquet", play{"file", 1})
	p = pcollection.NewPipeline("pq-part-own")
	own := pcollection.Materialize(parquetio.Read[byUser](p, "mem://pq-part-own/t"))
	crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, own), []byUser{{"file", 1}})
}

// Values a field cannot take fail the job before any task runs, naming
// the file and the key=value.
func TestReadPartitionedBadValues(t *testing.T) {
	storage.ResetMem("pq-part-bad")
	table := "mem://pq-part-bad/events"
	writePlays(t, table+"/dt=2026-11-25/city=__HIVE_DEFAULT_PARTITION__/part-0.parquet", play{"u1", 1})
	type plainCity struct {
		User string `parquet:"user"`
		City string `parquet:"city"`
	}
	type intDay struct {
		User string `parquet:"user"`
		Day  int64  `parquet:"dt"`
	}
	for _, tc := range []struct {
		name string
		read func(p *pcollection.Pipeline)
		want []string
	}{
		{"null into a plain field", func(p *pcollection.Pipeline) { pcollection.Materialize(parquetio.Read[plainCity](p, table)) },
			[]string{"dt=2026-11-25/city=__HIVE_DEFAULT_PARTITION__/part-0.parquet", "city=__HIVE_DEFAULT_PARTITION__", "field City (string)", "make it a pointer"}},
		{"not an integer", func(p *pcollection.Pipeline) { pcollection.Materialize(parquetio.Read[intDay](p, table)) },
			[]string{"/part-0.parquet", "dt=2026-11-25", "field Day (int64)", "invalid syntax"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pcollection.NewPipeline("pq-part-bad")
			tc.read(p)
			_, err := mem.Run(context.Background(), p, runner.Options{})
			if err == nil {
				t.Fatal("read without error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
