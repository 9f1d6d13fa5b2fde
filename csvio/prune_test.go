package csvio_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/csvio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
)

// pruneTable writes five files of a table partitioned by dt and city, one
// with a null city and one with an escaped one, 20 rows each.
func pruneTable(t *testing.T, table string) {
	t.Helper()
	for i, dir := range []string{
		"dt=2026-11-25/city=Stockholm",
		"dt=2026-11-25/city=__HIVE_DEFAULT_PARTITION__",
		"dt=2026-11-26/city=New%20York",
		"dt=2026-11-26/city=Stockholm",
		"dt=2026-11-27/city=Oslo",
	} {
		var b strings.Builder
		b.WriteString("user\n")
		for j := range 20 {
			fmt.Fprintf(&b, "u%d-%d\n", i, j)
		}
		put(t, table+"/"+dir+"/part-m-00000.csv", b.String())
	}
}

// Files the predicate rules out are not read, and counted once, however
// many splits the files kept are cut into; the rows read are those of a
// whole read filtered in Go.
func TestReadWherePartition(t *testing.T) {
	storage.ResetMem("csv-prune")
	table := "mem://csv-prune/events"
	pruneTable(t, table)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	city := func(r cityPlay) string {
		if r.City == nil {
			return "\x00null"
		}
		return *r.City
	}
	for _, tc := range []struct {
		name      string
		where     func(csvio.Partition) bool
		keep      func(cityPlay) bool
		filesGone int64
	}{
		{"one key, as a time", func(p csvio.Partition) bool { return p.Time("dt").After(day(25)) },
			func(r cityPlay) bool { return r.Day.After(day(25)) }, 2},
		{"both keys", func(p csvio.Partition) bool { return !p.Time("dt").Before(day(26)) && p.Value("city") == "Stockholm" },
			func(r cityPlay) bool { return !r.Day.Before(day(26)) && city(r) == "Stockholm" }, 4},
		{"an escaped value", func(p csvio.Partition) bool { return p.Value("city") == "New York" },
			func(r cityPlay) bool { return city(r) == "New York" }, 4},
		{"the null partition", func(p csvio.Partition) bool { return p.Null("city") },
			func(r cityPlay) bool { return r.City == nil }, 4},
		{"values as strings", func(p csvio.Partition) bool { return p.Value("dt") <= "2026-11-25" && !p.Null("city") },
			func(r cityPlay) bool { return !r.Day.After(day(25)) && r.City != nil }, 4},
		{"every file", func(csvio.Partition) bool { return true },
			func(cityPlay) bool { return true }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pcollection.NewPipeline("csv-prune")
			all := pcollection.Materialize(csvio.Read[cityPlay](p, table))
			got := pcollection.Materialize(csvio.Read[cityPlay](p, table, csvio.SplitSize(64), csvio.WherePartition(tc.where)))
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
			if n := res.Counters.Get(csvio.CounterGroup, csvio.CounterFilesPruned); n != tc.filesGone {
				t.Errorf("files pruned = %d, want %d", n, tc.filesGone)
			}
		})
	}
}

type hourPlay struct {
	User string `csv:"user"`
	Hour int    `csv:"hour"`
}

// Integers compare as numbers ("10" >= "9"), and a headerless read prunes
// too.
func TestReadWherePartitionInt(t *testing.T) {
	storage.ResetMem("csv-prune-int")
	table := "mem://csv-prune-int/events"
	for _, h := range []int{2, 9, 10, 23} {
		put(t, fmt.Sprintf("%s/hour=%d/part-0.csv", table, h), fmt.Sprintf("h%d-a\nh%d-b\n", h, h))
	}
	p := pcollection.NewPipeline("csv-prune-int")
	all := pcollection.Materialize(csvio.Read[hourPlay](p, table, csvio.NoHeader()))
	got := pcollection.Materialize(csvio.Read[hourPlay](p, table, csvio.NoHeader(),
		csvio.WherePartition(func(p csvio.Partition) bool { return p.Int("hour") >= 9 })))
	res := crunchtest.Run(t, p)
	var want []hourPlay
	for _, r := range crunchtest.Values(t, all) {
		if r.Hour >= 9 {
			want = append(want, r)
		}
	}
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), want)
	if len(want) != 6 {
		t.Errorf("a plain read filtered keeps %v, want the 6 rows of hours 9, 10 and 23", want)
	}
	if n := res.Counters.Get(csvio.CounterGroup, csvio.CounterFilesPruned); n != 1 {
		t.Errorf("files pruned = %d, want 1", n)
	}
}

// When the predicate rules out every file, the read is empty and no task
// runs to count them.
func TestReadWherePartitionNothingKept(t *testing.T) {
	storage.ResetMem("csv-prune-none")
	table := "mem://csv-prune-none/events"
	pruneTable(t, table)
	p := pcollection.NewPipeline("csv-prune-none")
	got := pcollection.Materialize(csvio.Read[cityPlay](p, table, csvio.WherePartition(func(p csvio.Partition) bool { return p.Value("city") == "Paris" })))
	res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 2 })
	if rows := crunchtest.Values(t, got); len(rows) != 0 {
		t.Errorf("read %v, want nothing", rows)
	}
	if n := res.Counters.Get(csvio.CounterGroup, csvio.CounterFilesPruned); n != 0 {
		t.Errorf("files pruned = %d, want 0 (no task ran to count them)", n)
	}
	if n := res.Counters.Get(csvio.CounterGroup, csvio.CounterRecordsRead); n != 0 {
		t.Errorf("records read = %d, want 0 (no task ran)", n)
	}
}

// A predicate that cannot be judged fails the job before any task runs,
// naming the pattern or file and what went wrong.
func TestReadWherePartitionErrors(t *testing.T) {
	storage.ResetMem("csv-prune-bad")
	table := "mem://csv-prune-bad/events"
	pruneTable(t, table)
	put(t, "mem://csv-prune-bad/flat/part-0.csv", "user,dt,city\nf,2026-11-26,Oslo\n")
	for _, tc := range []struct {
		name    string
		pattern string
		where   func(csvio.Partition) bool
		want    []string
	}{
		{"not partitioned", "mem://csv-prune-bad/flat", func(p csvio.Partition) bool { return p.Value("dt") != "" },
			[]string{"csvio: WherePartition on mem://csv-prune-bad/flat:", "not a partitioned table", "flat/part-0.csv"}},
		{"a key the path lacks", table, func(p csvio.Partition) bool { return p.Value("country") == "SE" },
			[]string{"dt=2026-11-25/city=Stockholm/part-m-00000.csv", `no partition key "country"`, "its keys: dt, city"}},
		{"not an integer", table, func(p csvio.Partition) bool { return p.Int("dt") > 0 },
			[]string{"dt=2026-11-25/city=Stockholm/part-m-00000.csv", "partition dt=2026-11-25 is not an integer"}},
		{"a null as a number", table, func(p csvio.Partition) bool { return p.Value("city") == "" && p.Int("city") > 0 },
			[]string{"city=__HIVE_DEFAULT_PARTITION__/part-m-00000.csv", "is null: check Null first"}},
		{"not a time", table, func(p csvio.Partition) bool { return p.Time("city").IsZero() },
			[]string{"city=Stockholm/part-m-00000.csv", "partition city=Stockholm: not a date"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pcollection.NewPipeline("csv-prune-bad")
			pcollection.Materialize(csvio.Read[cityPlay](p, tc.pattern, csvio.WherePartition(tc.where)))
			crunchtest.RunFails(t, p, tc.want...)
		})
	}
}

// Files left out are not opened: a file in a partition ruled out that
// would fail the read (by its header, its bytes or its path's values)
// does not.
func TestReadWherePartitionLeavesFilesUnopened(t *testing.T) {
	for _, tc := range []struct{ name, file, data string }{
		{"no header", "dt=2026-11-28/city=Bad/part-0.csv", "nobody\nx\n"},
		{"not text", "dt=2026-11-28/city=Bad/part-0.csv", "Obj\x01 avro bytes"},
		{"a bad record", "dt=2026-11-28/city=Bad/part-0.csv", "user\n\"open\n"},
		{"a bad path value", "dt=never/city=Bad/part-0.csv", "user\nx\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storage.ResetMem("csv-prune-unopened")
			table := "mem://csv-prune-unopened/events"
			pruneTable(t, table)
			put(t, table+"/"+tc.file, tc.data)
			whole := pcollection.NewPipeline("csv-prune-unopened")
			pcollection.Materialize(csvio.Read[cityPlay](whole, table))
			crunchtest.RunFails(t, whole, "city=Bad/part-0.csv") // the file is bad

			p := pcollection.NewPipeline("csv-prune-unopened")
			got := pcollection.Materialize(csvio.Read[cityPlay](p, table,
				csvio.WherePartition(func(p csvio.Partition) bool { return p.Value("city") != "Bad" })))
			res := crunchtest.Run(t, p)
			if n := len(crunchtest.Values(t, got)); n != 5*20 {
				t.Errorf("read %d rows, want %d", n, 5*20)
			}
			if n := res.Counters.Get(csvio.CounterGroup, csvio.CounterFilesPruned); n != 1 {
				t.Errorf("files pruned = %d, want 1", n)
			}
		})
	}
}

// dayRow is a row of a table partitioned by day.
type dayRow struct {
	User string    `csv:"user"`
	Day  time.Time `csv:"dt"`
}

// replacing runs p with runner.WriteOverwritePartitions.
func replacing(p *pcollection.Pipeline) error {
	_, err := mem.Run(context.Background(), p, runner.Options{WriteMode: runner.WriteOverwritePartitions})
	return err
}

// A daily job that reads yesterday's partition of its own table through
// WherePartition replaces today's with --write-mode overwrite-partitions,
// run after run: the commit refuses only partitions the job read.
func TestWherePartitionThenReplacePartition(t *testing.T) {
	storage.ResetMem("csv-daily")
	table := "mem://csv-daily/t"
	put(t, table+"/dt=2026-11-25/part-0.csv", "user\na\nb\n")
	run := func(read string) error {
		p := pcollection.NewPipeline("csv-daily")
		rows := csvio.Read[dayRow](p, table, csvio.WherePartition(func(p csvio.Partition) bool { return p.Value("dt") == read }))
		next := pcollection.Map(rows, func(r dayRow) dayRow { r.Day = r.Day.AddDate(0, 0, 1); return r })
		csvio.Write(next, table, csvio.PartitionBy("dt"))
		return replacing(p)
	}
	for i := range 2 { // the second run replaces the first's day 26
		if err := run("2026-11-25"); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	if err := run("2026-11-26"); err != nil {
		t.Fatalf("reading day 26 into day 27: %v", err)
	}
	p := pcollection.NewPipeline("csv-daily-read")
	got := pcollection.Materialize(csvio.Read[dayRow](p, table))
	crunchtest.Run(t, p)
	var days []string
	for _, r := range crunchtest.Values(t, got) {
		days = append(days, r.User+" "+r.Day.Format(time.DateOnly))
	}
	crunchtest.EqualUnordered(t, days, []string{"a 2026-11-25", "b 2026-11-25", "a 2026-11-26", "b 2026-11-26", "a 2026-11-27", "b 2026-11-27"})

	// Reading day 27 and writing it again is refused.
	p = pcollection.NewPipeline("csv-daily-same")
	rows := csvio.Read[dayRow](p, table, csvio.WherePartition(func(p csvio.Partition) bool { return p.Value("dt") == "2026-11-27" }))
	csvio.Write(rows, table, csvio.PartitionBy("dt"))
	err := replacing(p)
	if err == nil || !strings.Contains(err.Error(), "which the job read") {
		t.Errorf("replacing the day the job read: %v, want it refused", err)
	}
}
