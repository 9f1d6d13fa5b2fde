package prunetest

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/internal/partprune"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
)

// Row is a record of the table Run builds: the user from the file, the day
// and the city from its path.
type Row struct {
	User string    `avro:"user" csv:"user" json:"user"`
	Day  time.Time `avro:"dt" csv:"dt" json:"dt"`
	City *string   `avro:"city" csv:"city" json:"city"` // nil in the null partition
}

func (r Row) String() string {
	city := "<nil>"
	if r.City != nil {
		city = *r.City
	}
	return fmt.Sprintf("%s %s %s", r.User, r.Day.UTC().Format(time.DateOnly), city)
}

// HourRow is a record of the table partitioned by an integer hour.
type HourRow struct {
	User string `avro:"user" csv:"user" json:"user"`
	Hour int    `avro:"hour" csv:"hour" json:"hour"`
}

// Format is what Run needs of a format package whose read options are O.
type Format[O any] struct {
	// Name is the package, "csvio": its errors start with it, its
	// counters are in the group of that name, and failures name it.
	Name string
	Ext  string // the extension of its files, ".csv"
	// Write writes at url a data file of n records whose "user" is
	// user-0 to user-(n-1); any other column is not read.
	Write func(t *testing.T, url, user string, n int)
	// Read, ReadHours and WherePartition are the package's own, as in
	// csvio.Read[prunetest.Row].
	Read           func(p *pcollection.Pipeline, pattern string, opts ...O) pcollection.PCollection[Row]
	ReadHours      func(p *pcollection.Pipeline, pattern string, opts ...O) pcollection.PCollection[HourRow]
	WherePartition func(keep func(partprune.Partition) bool) O
	// SmallSplits cuts each file of the table (rowsPerFile records) into
	// several splits, so that a file pruned is seen to be counted once.
	SmallSplits O
	// Unreadable holds, by case name, contents of a file that fails a
	// plain read of Row (bytes of another format, a bad record): in a
	// partition the predicate leaves out, it must not fail the read.
	Unreadable map[string]string
}

// rowsPerFile is the number of records of each file of the table Run
// builds.
const rowsPerFile = 40

// The counters every pruning format keeps, in its own group.
const (
	counterFilesPruned = "files pruned"
	counterRecordsRead = "records read"
)

// partitionDirs are the directories of the table Run builds, partitioned by
// dt and city, one city null and one escaped.
var partitionDirs = []string{
	"dt=2026-11-25/city=Stockholm",
	"dt=2026-11-25/city=__HIVE_DEFAULT_PARTITION__",
	"dt=2026-11-26/city=New%20York",
	"dt=2026-11-26/city=Stockholm",
	"dt=2026-11-27/city=Oslo",
}

// partition is short for the predicates' argument.
type partition = partprune.Partition

// Run runs every shared case of WherePartition against f, each as a
// subtest.
func Run[O any](t *testing.T, f Format[O]) {
	t.Run("kept", func(t *testing.T) { checkKept(t, f) })
	t.Run("integers", func(t *testing.T) { checkIntegers(t, f) })
	t.Run("nothing kept", func(t *testing.T) { checkNothingKept(t, f) })
	t.Run("errors", func(t *testing.T) { checkErrors(t, f) })
	t.Run("unopened", func(t *testing.T) { checkUnopened(t, f) })
}

// writeTable empties mem bucket and writes in it a table of a file per
// partition directory, returning its URL.
func writeTable[O any](t *testing.T, f Format[O], bucket string) string {
	t.Helper()
	storage.ResetMem(bucket)
	table := "mem://" + bucket + "/events"
	for i, dir := range partitionDirs {
		f.Write(t, table+"/"+dir+"/part-m-00000"+f.Ext, fmt.Sprint("u", i), rowsPerFile)
	}
	return table
}

// checkKept checks that files the predicate rules out are not read, and are
// counted once however many splits the files kept are cut into, and that
// the rows read are those of a plain read filtered in Go.
func checkKept[O any](t *testing.T, f Format[O]) {
	table := writeTable(t, f, f.Name+"-prune")
	p := pcollection.NewPipeline(f.Name + "-prune-all")
	all := pcollection.Materialize(f.Read(p, table))
	crunchtest.Run(t, p)
	rows := crunchtest.Values(t, all)

	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	city := func(r Row) string {
		if r.City == nil {
			return "\x00null"
		}
		return *r.City
	}
	for _, tc := range []struct {
		name      string
		where     func(partition) bool
		keep      func(Row) bool
		filesGone int64
	}{
		{"one key, as a time", func(p partition) bool { return p.Time("dt").After(day(25)) },
			func(r Row) bool { return r.Day.After(day(25)) }, 2},
		{"both keys", func(p partition) bool { return !p.Time("dt").Before(day(26)) && p.Value("city") == "Stockholm" },
			func(r Row) bool { return !r.Day.Before(day(26)) && city(r) == "Stockholm" }, 4},
		{"an escaped value", func(p partition) bool { return p.Value("city") == "New York" },
			func(r Row) bool { return city(r) == "New York" }, 4},
		{"the null partition", func(p partition) bool { return p.Null("city") },
			func(r Row) bool { return r.City == nil }, 4},
		{"values as strings", func(p partition) bool { return p.Value("dt") <= "2026-11-25" && !p.Null("city") },
			func(r Row) bool { return !r.Day.After(day(25)) && r.City != nil }, 4},
		{"every file", func(partition) bool { return true },
			func(Row) bool { return true }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, r := range rows {
				if tc.keep(r) {
					want = append(want, r.String())
				}
			}
			if len(want) == 0 {
				t.Fatalf("%s: the case keeps none of the %d rows of a plain read", f.Name, len(rows))
			}
			p := pcollection.NewPipeline(f.Name + "-prune")
			got := pcollection.Materialize(f.Read(p, table, f.SmallSplits, f.WherePartition(tc.where)))
			res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 2 })
			var gotRows []string
			for _, r := range crunchtest.Values(t, got) {
				gotRows = append(gotRows, r.String())
			}
			crunchtest.EqualUnordered(t, gotRows, want)
			if n := res.Counters.Get(f.Name, counterFilesPruned); n != tc.filesGone {
				t.Errorf("%s: files pruned = %d, want %d", f.Name, n, tc.filesGone)
			}
			if kept, tasks := int64(len(partitionDirs))-tc.filesGone, mapTasks(res); tasks <= int(kept) {
				t.Errorf("%s: %d map tasks for %d files kept, want more: SmallSplits does not split them", f.Name, tasks, kept)
			}
		})
	}
}

func mapTasks(res *runner.Result) int {
	n := 0
	for _, s := range res.Stages {
		n += s.MapTasks
	}
	return n
}

// checkIntegers checks that partition values read as integers compare as
// numbers: 10 >= 9.
func checkIntegers[O any](t *testing.T, f Format[O]) {
	bucket := f.Name + "-prune-int"
	storage.ResetMem(bucket)
	table := "mem://" + bucket + "/events"
	for _, h := range []int{2, 9, 10, 23} {
		f.Write(t, fmt.Sprintf("%s/hour=%d/part-0%s", table, h, f.Ext), fmt.Sprint("h", h), 2)
	}
	p := pcollection.NewPipeline(bucket)
	all := pcollection.Materialize(f.ReadHours(p, table))
	got := pcollection.Materialize(f.ReadHours(p, table,
		f.WherePartition(func(p partition) bool { return p.Int("hour") >= 9 })))
	res := crunchtest.Run(t, p)
	var want []HourRow
	for _, r := range crunchtest.Values(t, all) {
		if r.Hour >= 9 {
			want = append(want, r)
		}
	}
	if len(want) != 6 {
		t.Errorf("%s: a plain read filtered keeps %v, want the 6 rows of hours 9, 10 and 23", f.Name, want)
	}
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), want)
	if n := res.Counters.Get(f.Name, counterFilesPruned); n != 1 {
		t.Errorf("%s: files pruned = %d, want 1", f.Name, n)
	}
}

// checkNothingKept checks that when the predicate rules out every file the
// read is empty and no task runs, to read or to count them.
func checkNothingKept[O any](t *testing.T, f Format[O]) {
	table := writeTable(t, f, f.Name+"-prune-none")
	p := pcollection.NewPipeline(f.Name + "-prune-none")
	got := pcollection.Materialize(f.Read(p, table,
		f.WherePartition(func(p partition) bool { return p.Value("city") == "Paris" })))
	res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 2 })
	if rows := crunchtest.Values(t, got); len(rows) != 0 {
		t.Errorf("%s: read %d rows, want none", f.Name, len(rows))
	}
	if n := res.Counters.Get(f.Name, counterFilesPruned); n != 0 {
		t.Errorf("%s: files pruned = %d, want 0 (no task ran to count them)", f.Name, n)
	}
	if n := res.Counters.Get(f.Name, counterRecordsRead); n != 0 {
		t.Errorf("%s: records read = %d, want 0 (no task ran)", f.Name, n)
	}
}

// checkErrors checks that a predicate that cannot be judged fails the job
// before any task runs, naming the pattern or file and what went wrong.
func checkErrors[O any](t *testing.T, f Format[O]) {
	bucket := f.Name + "-prune-bad"
	table := writeTable(t, f, bucket)
	flat := "mem://" + bucket + "/flat"
	f.Write(t, flat+"/part-0"+f.Ext, "f", 1)
	file := "/part-m-00000" + f.Ext
	for _, tc := range []struct {
		name    string
		pattern string
		where   func(partition) bool
		want    []string
	}{
		{"not partitioned", flat, func(p partition) bool { return p.Value("dt") != "" },
			[]string{f.Name + ": WherePartition on " + flat + ":", "not a partitioned table", "flat/part-0" + f.Ext}},
		{"a key the path lacks", table, func(p partition) bool { return p.Value("country") == "SE" },
			[]string{"dt=2026-11-25/city=Stockholm" + file, `no partition key "country"`, "its keys: dt, city"}},
		{"not an integer", table, func(p partition) bool { return p.Int("dt") > 0 },
			[]string{"dt=2026-11-25/city=Stockholm" + file, "partition dt=2026-11-25 is not an integer"}},
		{"a null as a number", table, func(p partition) bool { return p.Value("city") == "" && p.Int("city") > 0 },
			[]string{"city=__HIVE_DEFAULT_PARTITION__" + file, "is null: check Null first"}},
		{"not a time", table, func(p partition) bool { return p.Time("city").IsZero() },
			[]string{"city=Stockholm" + file, "partition city=Stockholm: not a date"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pcollection.NewPipeline(bucket)
			pcollection.Materialize(f.Read(p, tc.pattern, f.WherePartition(tc.where)))
			crunchtest.RunFails(t, p, tc.want...)
		})
	}
}

// checkUnopened checks that files left out are not opened: a file in a
// partition ruled out that fails a plain read, by its contents or by its
// path's values, does not fail a read that prunes it.
func checkUnopened[O any](t *testing.T, f Format[O]) {
	bucket := f.Name + "-prune-unopened"
	badPathValue := "a bad path value"
	for _, name := range append([]string{badPathValue}, slices.Sorted(maps.Keys(f.Unreadable))...) {
		t.Run(name, func(t *testing.T) {
			table := writeTable(t, f, bucket)
			if name == badPathValue {
				f.Write(t, table+"/dt=never/city=Bad/part-0"+f.Ext, "x", 1)
			} else if err := storage.WriteFile(t.Context(), table+"/dt=2026-11-28/city=Bad/part-0"+f.Ext, []byte(f.Unreadable[name])); err != nil {
				t.Fatal(err)
			}
			whole := pcollection.NewPipeline(bucket + "-whole")
			pcollection.Materialize(f.Read(whole, table))
			crunchtest.RunFails(t, whole, "city=Bad/part-0"+f.Ext) // the file is bad

			p := pcollection.NewPipeline(bucket)
			got := pcollection.Materialize(f.Read(p, table,
				f.WherePartition(func(p partition) bool { return p.Value("city") != "Bad" })))
			res := crunchtest.Run(t, p)
			if n := len(crunchtest.Values(t, got)); n != len(partitionDirs)*rowsPerFile {
				t.Errorf("%s: read %d rows, want %d", f.Name, n, len(partitionDirs)*rowsPerFile)
			}
			if n := res.Counters.Get(f.Name, counterFilesPruned); n != 1 {
				t.Errorf("%s: files pruned = %d, want 1", f.Name, n)
			}
		})
	}
}
