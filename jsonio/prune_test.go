package jsonio_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/jsonio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
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
		for j := range 20 {
			fmt.Fprintf(&b, "{\"user\":\"u%d-%d\"}\n", i, j)
		}
		put(t, table+"/"+dir+"/part-m-00000.jsonl", b.String())
	}
}

// Files the predicate rules out are not read, and counted once, however
// many splits the files kept are cut into; the rows read are those of a
// whole read filtered in Go.
func TestReadWherePartition(t *testing.T) {
	storage.ResetMem("json-prune")
	table := "mem://json-prune/events"
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
		where     func(jsonio.Partition) bool
		keep      func(cityPlay) bool
		filesGone int64
	}{
		{"one key, as a time", func(p jsonio.Partition) bool { return p.Time("dt").After(day(25)) },
			func(r cityPlay) bool { return r.Day.After(day(25)) }, 2},
		{"both keys", func(p jsonio.Partition) bool { return !p.Time("dt").Before(day(26)) && p.Value("city") == "Stockholm" },
			func(r cityPlay) bool { return !r.Day.Before(day(26)) && city(r) == "Stockholm" }, 4},
		{"an escaped value", func(p jsonio.Partition) bool { return p.Value("city") == "New York" },
			func(r cityPlay) bool { return city(r) == "New York" }, 4},
		{"the null partition", func(p jsonio.Partition) bool { return p.Null("city") },
			func(r cityPlay) bool { return r.City == nil }, 4},
		{"values as strings", func(p jsonio.Partition) bool { return p.Value("dt") <= "2026-11-25" && !p.Null("city") },
			func(r cityPlay) bool { return !r.Day.After(day(25)) && r.City != nil }, 4},
		{"every file", func(jsonio.Partition) bool { return true },
			func(cityPlay) bool { return true }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pcollection.NewPipeline("json-prune")
			all := pcollection.Materialize(jsonio.Read[cityPlay](p, table))
			got := pcollection.Materialize(jsonio.Read[cityPlay](p, table, jsonio.SplitSize(64), jsonio.WherePartition(tc.where)))
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
			if n := res.Counters.Get(jsonio.CounterGroup, jsonio.CounterFilesPruned); n != tc.filesGone {
				t.Errorf("files pruned = %d, want %d", n, tc.filesGone)
			}
		})
	}
}

type hourPlay struct {
	User string `json:"user"`
	Hour int    `json:"hour"`
}

// Integers compare as numbers ("10" >= "9").
func TestReadWherePartitionInt(t *testing.T) {
	storage.ResetMem("json-prune-int")
	table := "mem://json-prune-int/events"
	for _, h := range []int{2, 9, 10, 23} {
		put(t, fmt.Sprintf("%s/hour=%d/part-0.jsonl", table, h), fmt.Sprintf("{\"user\":\"h%d-a\"}\n{\"user\":\"h%d-b\"}\n", h, h))
	}
	p := pcollection.NewPipeline("json-prune-int")
	all := pcollection.Materialize(jsonio.Read[hourPlay](p, table))
	got := pcollection.Materialize(jsonio.Read[hourPlay](p, table,
		jsonio.WherePartition(func(p jsonio.Partition) bool { return p.Int("hour") >= 9 })))
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
	if n := res.Counters.Get(jsonio.CounterGroup, jsonio.CounterFilesPruned); n != 1 {
		t.Errorf("files pruned = %d, want 1", n)
	}
}

// When the predicate rules out every file, the read is empty and no task
// runs to count them.
func TestReadWherePartitionNothingKept(t *testing.T) {
	storage.ResetMem("json-prune-none")
	table := "mem://json-prune-none/events"
	pruneTable(t, table)
	p := pcollection.NewPipeline("json-prune-none")
	got := pcollection.Materialize(jsonio.Read[cityPlay](p, table, jsonio.WherePartition(func(p jsonio.Partition) bool { return p.Value("city") == "Paris" })))
	res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 2 })
	if rows := crunchtest.Values(t, got); len(rows) != 0 {
		t.Errorf("read %v, want nothing", rows)
	}
	if n := res.Counters.Get(jsonio.CounterGroup, jsonio.CounterFilesPruned); n != 0 {
		t.Errorf("files pruned = %d, want 0 (no task ran to count them)", n)
	}
	if n := res.Counters.Get(jsonio.CounterGroup, jsonio.CounterRecordsRead); n != 0 {
		t.Errorf("records read = %d, want 0 (no task ran)", n)
	}
}

// A predicate that cannot be judged fails the job before any task runs,
// naming the pattern or file and what went wrong.
func TestReadWherePartitionErrors(t *testing.T) {
	storage.ResetMem("json-prune-bad")
	table := "mem://json-prune-bad/events"
	pruneTable(t, table)
	put(t, "mem://json-prune-bad/flat/part-0.jsonl", `{"user":"f","dt":"2026-11-26T00:00:00Z","city":"Oslo"}`+"\n")
	for _, tc := range []struct {
		name    string
		pattern string
		where   func(jsonio.Partition) bool
		want    []string
	}{
		{"not partitioned", "mem://json-prune-bad/flat", func(p jsonio.Partition) bool { return p.Value("dt") != "" },
			[]string{"jsonio: WherePartition on mem://json-prune-bad/flat:", "not a partitioned table", "flat/part-0.jsonl"}},
		{"a key the path lacks", table, func(p jsonio.Partition) bool { return p.Value("country") == "SE" },
			[]string{"dt=2026-11-25/city=Stockholm/part-m-00000.jsonl", `no partition key "country"`, "its keys: dt, city"}},
		{"not an integer", table, func(p jsonio.Partition) bool { return p.Int("dt") > 0 },
			[]string{"dt=2026-11-25/city=Stockholm/part-m-00000.jsonl", "partition dt=2026-11-25 is not an integer"}},
		{"a null as a number", table, func(p jsonio.Partition) bool { return p.Value("city") == "" && p.Int("city") > 0 },
			[]string{"city=__HIVE_DEFAULT_PARTITION__/part-m-00000.jsonl", "is null: check Null first"}},
		{"not a time", table, func(p jsonio.Partition) bool { return p.Time("city").IsZero() },
			[]string{"city=Stockholm/part-m-00000.jsonl", "partition city=Stockholm: not a date"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pcollection.NewPipeline("json-prune-bad")
			pcollection.Materialize(jsonio.Read[cityPlay](p, tc.pattern, jsonio.WherePartition(tc.where)))
			crunchtest.RunFails(t, p, tc.want...)
		})
	}
}

// Files left out are not opened: a file in a partition ruled out that
// would fail the read (by its bytes, a line or its path's values) does
// not.
func TestReadWherePartitionLeavesFilesUnopened(t *testing.T) {
	for _, tc := range []struct{ name, file, data string }{
		{"not text", "dt=2026-11-28/city=Bad/part-0.jsonl", "Obj\x01 avro bytes"},
		{"a bad line", "dt=2026-11-28/city=Bad/part-0.jsonl", `{"user":`},
		{"a bad path value", "dt=never/city=Bad/part-0.jsonl", `{"user":"x"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storage.ResetMem("json-prune-unopened")
			table := "mem://json-prune-unopened/events"
			pruneTable(t, table)
			put(t, table+"/"+tc.file, tc.data)
			whole := pcollection.NewPipeline("json-prune-unopened")
			pcollection.Materialize(jsonio.Read[cityPlay](whole, table))
			crunchtest.RunFails(t, whole, "city=Bad/part-0.jsonl") // the file is bad

			p := pcollection.NewPipeline("json-prune-unopened")
			got := pcollection.Materialize(jsonio.Read[cityPlay](p, table,
				jsonio.WherePartition(func(p jsonio.Partition) bool { return p.Value("city") != "Bad" })))
			res := crunchtest.Run(t, p)
			if n := len(crunchtest.Values(t, got)); n != 5*20 {
				t.Errorf("read %d rows, want %d", n, 5*20)
			}
			if n := res.Counters.Get(jsonio.CounterGroup, jsonio.CounterFilesPruned); n != 1 {
				t.Errorf("files pruned = %d, want 1", n)
			}
		})
	}
}
