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
	"github.com/crunchgo/crunchgo/runner"
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
			crunchtest.RunFails(t, p, tc.want...)
		})
	}
}

type partRow struct {
	User    string    `parquet:"user"`
	Ms      int64     `parquet:"ms"`
	Day     time.Time `parquet:"dt"`
	Hour    int       `parquet:"hour"`
	Country *string   `parquet:"country"`
}

func (r partRow) String() string {
	c := "<nil>"
	if r.Country != nil {
		c = *r.Country
	}
	return fmt.Sprintf("%s %d %s %d %s", r.User, r.Ms, r.Day.Format(time.DateOnly), r.Hour, c)
}

// writePartTable writes a table partitioned by dt, hour and country, one
// row per row group, so that row-group statistics are exact.
func writePartTable(t *testing.T, table string) {
	t.Helper()
	writePlays(t, table+"/dt=2026-11-25/hour=9/country=SE/part-0.parquet", play{"u1", 100}, play{"u2", 200})
	writePlays(t, table+"/dt=2026-11-25/hour=10/country=US/part-0.parquet", play{"u3", 300})
	writePlays(t, table+"/dt=2026-11-26/hour=9/country=SE/part-0.parquet", play{"u4", 400})
	writePlays(t, table+"/dt=2026-11-26/hour=10/country=__HIVE_DEFAULT_PARTITION__/part-0.parquet", play{"u5", 500}, play{"u1", 600})
	writePlays(t, table+"/dt=2026-11-26/hour=23/country=US/part-0.parquet", play{"u6", 700})
}

// A filter naming partition columns leaves out whole files by their
// paths' values, compared in the fields' types, and still prunes row
// groups by the file's columns inside the files it keeps. With one row
// per row group the filter is exact, so what it reads is what a Go
// filter keeps of a plain read.
func TestReadPartitionPruning(t *testing.T) {
	storage.ResetMem("pq-prune")
	table := "mem://pq-prune/events"
	writePartTable(t, table)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	country := func(r partRow) string {
		if r.Country == nil {
			return "\x00null"
		}
		return *r.Country
	}
	for _, tc := range []struct {
		name       string
		filter     parquetio.Filter
		keep       func(partRow) bool
		filesGone  int64
		groupsGone int64
	}{
		{"string partition", parquetio.Eq("country", "SE"),
			func(r partRow) bool { return country(r) == "SE" }, 3, 0},
		{"numbers compare as numbers", parquetio.Ge("hour", 10),
			func(r partRow) bool { return r.Hour >= 10 }, 2, 0},
		{"times compare as times", parquetio.Lt("dt", day(25).Add(12*time.Hour)),
			func(r partRow) bool { return r.Day.Before(day(25).Add(12 * time.Hour)) }, 3, 0},
		{"a Date literal", parquetio.Ge("dt", parquetio.DateOf(day(26))),
			func(r partRow) bool { return !r.Day.Before(day(26)) }, 2, 0},
		{"null matches no comparison", parquetio.Lt("country", "T"),
			func(r partRow) bool { return r.Country != nil && *r.Country < "T" }, 3, 0},
		{"and with a file column", parquetio.And(parquetio.Eq("dt", day(26)), parquetio.Gt("ms", 450)),
			func(r partRow) bool { return r.Day.Equal(day(26)) && r.Ms > 450 }, 2, 1},
		{"or with a file column keeps every file", parquetio.Or(parquetio.Eq("dt", day(25)), parquetio.Eq("user", "u6")),
			func(r partRow) bool { return r.Day.Equal(day(25)) || r.User == "u6" }, 0, 3},
		{"or of partitions", parquetio.Or(parquetio.Eq("hour", 23), parquetio.And(parquetio.Eq("hour", 9), parquetio.Eq("country", "SE"))),
			func(r partRow) bool { return r.Hour == 23 || r.Hour == 9 && country(r) == "SE" }, 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pcollection.NewPipeline("pq-prune")
			all := pcollection.Materialize(parquetio.Read[partRow](p, table))
			got := pcollection.Materialize(parquetio.Read[partRow](p, table, parquetio.WithFilter(tc.filter)))
			res := crunchtest.Run(t, p)
			var want []string
			for _, r := range crunchtest.Values(t, all) {
				if tc.keep(r) {
					want = append(want, r.String())
				}
			}
			var gotRows []string
			for _, r := range crunchtest.Values(t, got) {
				gotRows = append(gotRows, r.String())
			}
			crunchtest.EqualUnordered(t, gotRows, want)
			if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterFilesPruned); n != tc.filesGone {
				t.Errorf("files pruned = %d, want %d", n, tc.filesGone)
			}
			if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterRowGroupsPruned); n != tc.groupsGone {
				t.Errorf("row groups pruned = %d, want %d", n, tc.groupsGone)
			}
		})
	}
}

// When a filter rules out every file, the read is empty and still counts
// them.
func TestReadPartitionPruningAll(t *testing.T) {
	storage.ResetMem("pq-prune-all")
	table := "mem://pq-prune-all/events"
	writePartTable(t, table)
	p := pcollection.NewPipeline("pq-prune-all")
	got := pcollection.Materialize(parquetio.Read[partRow](p, table, parquetio.WithFilter(parquetio.Eq("hour", 12))))
	res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 2 })
	if rows := crunchtest.Values(t, got); len(rows) != 0 {
		t.Errorf("read %v, want nothing", rows)
	}
	// No task runs, so none counts the files left out.
	if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterFilesPruned); n != 0 {
		t.Errorf("files pruned = %d, want 0 (no task ran to count them)", n)
	}
}

// A column a file holds wins over its path: a filter on it is not judged
// by the path's value, though every file's path rules it out.
func TestReadPartitionPruningFileColumnWins(t *testing.T) {
	type byUser struct {
		User string `parquet:"user"`
		Ms   int64  `parquet:"ms"`
	}
	storage.ResetMem("pq-prune-own")
	writePlays(t, "mem://pq-prune-own/t/user=a/part-0.parquet", play{"other", 1})
	writePlays(t, "mem://pq-prune-own/t/user=b/part-0.parquet", play{"file", 2})
	p := pcollection.NewPipeline("pq-prune-own")
	got := pcollection.Materialize(parquetio.Read[byUser](p, "mem://pq-prune-own/t", parquetio.WithFilter(parquetio.Eq("user", "file"))))
	res := crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), []byUser{{"file", 2}})
	if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterFilesPruned); n != 0 {
		t.Errorf("files pruned = %d, want 0", n)
	}
	if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterRowGroupsPruned); n != 1 {
		t.Errorf("row groups pruned = %d, want 1 (by the file's user column)", n)
	}
}

// A literal that does not go with the partition field's type fails the
// job before any task runs, naming the file; a value that does not parse
// still fails naming the file and key=value.
func TestReadPartitionPruningErrors(t *testing.T) {
	storage.ResetMem("pq-prune-bad")
	table := "mem://pq-prune-bad/events"
	writePartTable(t, table)
	writePlays(t, table+"/dt=2026-11-27/hour=x/country=SE/part-0.parquet", play{"u7", 1})
	for _, tc := range []struct {
		name   string
		filter parquetio.Filter
		want   []string
	}{
		{"string for an int", parquetio.Eq("hour", "10"),
			[]string{"/part-0.parquet", `filter hour == 10: cannot compare string with partition column "hour" (int64)`}},
		{"bad value", parquetio.Eq("country", "SE"),
			[]string{"dt=2026-11-27/hour=x/country=SE/part-0.parquet", "hour=x", "field Hour (int)", "invalid syntax"}},
		{"bad value in a file the filter rules out", parquetio.Eq("country", "US"),
			[]string{"dt=2026-11-27/hour=x/country=SE/part-0.parquet", "hour=x", "field Hour (int)", "invalid syntax"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pcollection.NewPipeline("pq-prune-bad")
			pcollection.Materialize(parquetio.Read[partRow](p, table, parquetio.WithFilter(tc.filter)))
			crunchtest.RunFails(t, p, tc.want...)
		})
	}
}

// A table stored under a key=value directory of its own
// (warehouse/env=prod/events/dt=...) reads for a type without an env
// field: keys no field names are not asked for, and filters on the
// table's own partitions prune as usual.
func TestReadPartitionedUnderKeyValueDir(t *testing.T) {
	storage.ResetMem("pq-part-base")
	table := "mem://pq-part-base/warehouse/env=prod/events"
	writePlays(t, table+"/dt=2026-11-25/part-0.parquet", play{"u1", 1})
	writePlays(t, table+"/dt=2026-11-26/part-0.parquet", play{"u2", 2})
	type row struct {
		User string    `parquet:"user"`
		Day  time.Time `parquet:"dt"`
	}
	p := pcollection.NewPipeline("pq-part-base")
	got := pcollection.Materialize(parquetio.Read[row](p, table,
		parquetio.WithFilter(parquetio.Eq("dt", time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)))))
	res := crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), []row{{"u2", time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)}})
	if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterFilesPruned); n != 1 {
		t.Errorf("files pruned = %d, want 1", n)
	}
}
