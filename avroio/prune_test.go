package avroio_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
)

type cityRow struct {
	User string    `avro:"user"`
	Ms   int64     `avro:"ms"`
	Day  time.Time `avro:"dt"`
	City *string   `avro:"city"`
}

func (r cityRow) String() string {
	city := "<nil>"
	if r.City != nil {
		city = *r.City
	}
	return fmt.Sprintf("%s %d %s %s", r.User, r.Ms, r.Day.Format(time.DateOnly), city)
}

// writeCityTable writes five files of a table partitioned by dt and city,
// one with a null city and one with an escaped one.
func writeCityTable(t *testing.T, table string) {
	t.Helper()
	for i, dir := range []string{
		"dt=2026-11-25/city=Stockholm",
		"dt=2026-11-25/city=__HIVE_DEFAULT_PARTITION__",
		"dt=2026-11-26/city=New%20York",
		"dt=2026-11-26/city=Stockholm",
		"dt=2026-11-27/city=Oslo",
	} {
		writePlays(t, table+"/"+dir+"/part-m-00000.avro", fmt.Sprint("u", i), 40)
	}
}

// Files the predicate rules out are not read, and counted once, however
// many splits the files kept are cut into; the rows read are those of a
// whole read filtered in Go.
func TestReadWherePartition(t *testing.T) {
	storage.ResetMem("avro-prune")
	table := "mem://avro-prune/events"
	writeCityTable(t, table)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	city := func(r cityRow) string {
		if r.City == nil {
			return "\x00null"
		}
		return *r.City
	}
	for _, tc := range []struct {
		name      string
		where     func(avroio.Partition) bool
		keep      func(cityRow) bool
		filesGone int64
	}{
		{"one key, as a time", func(p avroio.Partition) bool { return p.Time("dt").After(day(25)) },
			func(r cityRow) bool { return r.Day.After(day(25)) }, 2},
		{"both keys", func(p avroio.Partition) bool { return !p.Time("dt").Before(day(26)) && p.Value("city") == "Stockholm" },
			func(r cityRow) bool { return !r.Day.Before(day(26)) && city(r) == "Stockholm" }, 4},
		{"an escaped value", func(p avroio.Partition) bool { return p.Value("city") == "New York" },
			func(r cityRow) bool { return city(r) == "New York" }, 4},
		{"the null partition", func(p avroio.Partition) bool { return p.Null("city") },
			func(r cityRow) bool { return r.City == nil }, 4},
		{"values as strings", func(p avroio.Partition) bool { return p.Value("dt") <= "2026-11-25" && !p.Null("city") },
			func(r cityRow) bool { return !r.Day.After(day(25)) && r.City != nil }, 4},
		{"every file", func(avroio.Partition) bool { return true },
			func(cityRow) bool { return true }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pcollection.NewPipeline("avro-prune")
			all := pcollection.Materialize(avroio.Read[cityRow](p, table))
			got := pcollection.Materialize(avroio.Read[cityRow](p, table, avroio.WithSplitSize(512), avroio.WherePartition(tc.where)))
			res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 2 })
			var want, gotRows []string
			for _, r := range crunchtest.Values(t, all) {
				if tc.keep(r) {
					want = append(want, r.String())
				}
			}
			for _, r := range crunchtest.Values(t, got) {
				gotRows = append(gotRows, r.String())
			}
			if len(want) == 0 {
				t.Fatal("the case keeps no row")
			}
			crunchtest.EqualUnordered(t, gotRows, want)
			if n := res.Counters.Get(avroio.CounterGroup, avroio.CounterFilesPruned); n != tc.filesGone {
				t.Errorf("files pruned = %d, want %d", n, tc.filesGone)
			}
		})
	}
}

// Integers compare as numbers, and generic reads prune too.
func TestReadWherePartitionIntGeneric(t *testing.T) {
	storage.ResetMem("avro-prune-int")
	table := "mem://avro-prune-int/events"
	for _, h := range []int{2, 9, 10, 23} {
		writePlays(t, fmt.Sprintf("%s/hour=%d/part-0.avro", table, h), fmt.Sprint("h", h), 1)
	}
	p := pcollection.NewPipeline("avro-prune-int")
	recs := avroio.ReadGeneric(p, table, avroio.WherePartition(func(p avroio.Partition) bool { return p.Int("hour") >= 9 }))
	users := pcollection.Materialize(pcollection.Map(recs, func(r map[string]any) string { return r["user"].(string) }))
	res := crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, users), []string{"h9-0", "h10-0", "h23-0"})
	if n := res.Counters.Get(avroio.CounterGroup, avroio.CounterFilesPruned); n != 1 {
		t.Errorf("files pruned = %d, want 1", n)
	}
}

// When the predicate rules out every file, the read is empty and no task
// runs to count them.
func TestReadWherePartitionAll(t *testing.T) {
	storage.ResetMem("avro-prune-all")
	table := "mem://avro-prune-all/events"
	writeCityTable(t, table)
	p := pcollection.NewPipeline("avro-prune-all")
	got := pcollection.Materialize(avroio.Read[cityRow](p, table, avroio.WherePartition(func(p avroio.Partition) bool { return p.Value("city") == "Paris" })))
	res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 2 })
	if rows := crunchtest.Values(t, got); len(rows) != 0 {
		t.Errorf("read %v, want nothing", rows)
	}
	if n := res.Counters.Get(avroio.CounterGroup, avroio.CounterFilesPruned); n != 0 {
		t.Errorf("files pruned = %d, want 0 (no task ran to count them)", n)
	}
}

// A predicate that cannot be judged fails the job before any task runs,
// naming the pattern or file and what went wrong.
func TestReadWherePartitionErrors(t *testing.T) {
	storage.ResetMem("avro-prune-bad")
	table := "mem://avro-prune-bad/events"
	writeCityTable(t, table)
	writePlays(t, "mem://avro-prune-bad/flat/part-0.avro", "f", 1)
	for _, tc := range []struct {
		name    string
		pattern string
		where   func(avroio.Partition) bool
		want    []string
	}{
		{"not partitioned", "mem://avro-prune-bad/flat", func(p avroio.Partition) bool { return p.Value("dt") != "" },
			[]string{"WherePartition on mem://avro-prune-bad/flat:", "not a partitioned table", "flat/part-0.avro"}},
		{"a key the path lacks", table, func(p avroio.Partition) bool { return p.Value("country") == "SE" },
			[]string{"dt=2026-11-25/city=Stockholm/part-m-00000.avro", `no partition key "country"`, "its keys: dt, city"}},
		{"not an integer", table, func(p avroio.Partition) bool { return p.Int("dt") > 0 },
			[]string{"dt=2026-11-25/city=Stockholm/part-m-00000.avro", "partition dt=2026-11-25 is not an integer"}},
		{"a null as a number", table, func(p avroio.Partition) bool { return p.Value("city") == "" && p.Int("city") > 0 },
			[]string{"city=__HIVE_DEFAULT_PARTITION__/part-m-00000.avro", "is null: check Null first"}},
		{"not a time", table, func(p avroio.Partition) bool { return p.Time("city").IsZero() },
			[]string{"city=Stockholm/part-m-00000.avro", "partition city=Stockholm: not a date"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pcollection.NewPipeline("avro-prune-bad")
			pcollection.Materialize(avroio.Read[cityRow](p, tc.pattern, avroio.WherePartition(tc.where)))
			crunchtest.RunFails(t, p, tc.want...)
		})
	}
}

// Files left out are not opened: a corrupt one in a partition ruled out
// does not fail the read.
func TestReadWherePartitionLeavesFilesUnopened(t *testing.T) {
	storage.ResetMem("avro-prune-unopened")
	table := "mem://avro-prune-unopened/events"
	writeCityTable(t, table)
	if err := storage.WriteFile(context.Background(), table+"/dt=2026-11-28/city=Bad/part-0.avro", []byte("not avro")); err != nil {
		t.Fatal(err)
	}
	p := pcollection.NewPipeline("avro-prune-unopened")
	got := pcollection.Materialize(avroio.Read[cityRow](p, table, avroio.WherePartition(func(p avroio.Partition) bool { return p.Value("city") != "Bad" })))
	res := crunchtest.Run(t, p)
	if n := len(crunchtest.Values(t, got)); n != 5*40 {
		t.Errorf("read %d rows, want %d", n, 5*40)
	}
	if n := res.Counters.Get(avroio.CounterGroup, avroio.CounterFilesPruned); n != 1 {
		t.Errorf("files pruned = %d, want 1", n)
	}
}
