package runnertest

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/csvio"
	"github.com/crunchgo/crunchgo/internal/hivepart"
	"github.com/crunchgo/crunchgo/jsonio"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

// PartitionedArgs are PartitionedJob's arguments.
type PartitionedArgs struct {
	Output string `flag:"output"`
	Format string `flag:"format" default:"parquet" help:"parquet, csv or jsonl"`
}

// partitionedFormats are the formats PartitionedJob writes.
var partitionedFormats = []string{"parquet", "csv", "jsonl"}

// partitionedRow is a row of PartitionedJob's tables, partitioned by day
// and city.
type partitionedRow struct {
	ID   int64     `parquet:"id" csv:"id" json:"id"`
	Day  time.Time `parquet:"dt" csv:"dt" json:"dt"`
	City *string   `parquet:"city" csv:"city" json:"city"`
}

func (r partitionedRow) String() string {
	city := "<nil>"
	if r.City != nil {
		city = *r.City
	}
	return fmt.Sprintf("%d %s %s", r.ID, r.Day.Format(time.DateOnly), city)
}

func partitionedRows() []partitionedRow {
	cities := []string{"Stockholm", "New York", "a/b=c"}
	var rows []partitionedRow
	for i := range int64(120) {
		r := partitionedRow{ID: i, Day: time.Date(2026, 11, 24+int(i%3), 0, 0, 0, 0, time.UTC)}
		if c := i % 4; c < 3 {
			r.City = &cities[c]
		}
		rows = append(rows, r)
	}
	return rows
}

// PartitionedJob writes rows as two tables (Parquet, CSV or JSON lines)
// partitioned by day and city, "mapped" by map tasks and "reduced" by
// reduce tasks, each task keeping two partition files open at most, so
// that tasks finish files early and start more.
var PartitionedJob = runner.Register("runnertest/partitioned-write", "tables partitioned by day and city",
	func(p *pcollection.Pipeline, a *PartitionedArgs) error {
		rows := pcollection.Of(p, partitionedRows()...)
		write := func(c pcollection.PCollection[partitionedRow], dir string) {
			switch a.Format {
			case "csv":
				csvio.Write(c, dir, csvio.PartitionBy("dt", "city"), csvio.MaxOpenPartitions(2))
			case "jsonl":
				jsonio.Write(c, dir, jsonio.PartitionBy("dt", "city"), jsonio.MaxOpenPartitions(2))
			default:
				parquetio.Write(c, dir, parquetio.PartitionBy("dt", "city"), parquetio.MaxOpenPartitions(2))
			}
		}
		write(rows, a.Output+"/mapped")
		byID := ptable.ByKey(rows, func(r partitionedRow) int64 { return r.ID % 5 })
		reduced := ptable.Reduce(ptable.GroupByKey(byID), func(_ int64, vs iter.Seq[partitionedRow], emit func(partitionedRow)) error {
			for v := range vs {
				emit(v)
			}
			return nil
		})
		write(reduced, a.Output+"/reduced")
		return nil
	})

// CheckPartitioned runs PartitionedJob on r with opts, into dir (a local
// directory), once per format, and checks that each table holds in each
// partition directory the rows the in-memory runner puts there, and that
// the tables read back as the rows written. The files' names may differ:
// runners split the input into different numbers of map tasks, and reduce
// tasks may meet their rows in another order, finishing and starting
// files at other rows.
func CheckPartitioned(t *testing.T, r runner.Runner, opts runner.Options, dir string) {
	t.Helper()
	for _, format := range partitionedFormats {
		checkPartitioned(t, r, opts, filepath.Join(dir, format), format)
	}
}

func checkPartitioned(t *testing.T, r runner.Runner, opts runner.Options, dir, format string) {
	t.Helper()
	run := func(r runner.Runner, out string) {
		t.Helper()
		p, err := PartitionedJob.Build([]string{"--output", out, "--format", format})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Run(context.Background(), p, opts); err != nil {
			t.Fatalf("%T, %s: %v", r, format, err)
		}
	}
	got, want := filepath.Join(dir, "got"), filepath.Join(dir, "want")
	run(r, got)
	run(mem.Runner{}, want)
	for _, table := range []string{"mapped", "reduced"} {
		g, w := partitionRows(t, filepath.Join(got, table)), partitionRows(t, filepath.Join(want, table))
		if !slices.Equal(slices.Sorted(mapsKeys(g)), slices.Sorted(mapsKeys(w))) {
			t.Errorf("%s %s: partition directories %v, want %v", format, table, slices.Sorted(mapsKeys(g)), slices.Sorted(mapsKeys(w)))
		}
		for d, rows := range w {
			if diff := diff(g[d], rows); diff != "" {
				t.Errorf("%s %s/%s: %s", format, table, d, diff)
			}
		}
		p := pcollection.NewPipeline("partitioned-read")
		var read pcollection.PCollection[partitionedRow]
		switch path := filepath.Join(got, table); format {
		case "csv":
			read = csvio.Read[partitionedRow](p, path)
		case "jsonl":
			read = jsonio.Read[partitionedRow](p, path)
		default:
			read = parquetio.Read[partitionedRow](p, path)
		}
		m := pcollection.Materialize(read)
		if _, err := mem.Run(context.Background(), p, runner.Options{}); err != nil {
			t.Fatal(err)
		}
		vs, err := m.Values()
		if err != nil {
			t.Fatal(err)
		}
		var all []string
		for _, v := range partitionedRows() {
			all = append(all, v.String())
		}
		if diff := diff(strs(vs), all); diff != "" {
			t.Errorf("%s %s read back: %s", format, table, diff)
		}
	}
	partFile := regexp.MustCompile(`^dt=[^/]+/city=[^/]+/part-[mr]-\d{5}(-\d+)?\.` + format + `$`)
	for _, table := range []string{"mapped", "reduced"} {
		for _, f := range files(t, filepath.Join(got, table)) {
			if f != "_SUCCESS" && !partFile.MatchString(f) {
				t.Errorf("%s %s: file %s is not a part file in a partition directory", format, table, f)
			}
		}
	}
}

func mapsKeys[V any](m map[string]V) iter.Seq[string] {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func strs(rows []partitionedRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.String())
	}
	return out
}

// files lists the files under dir, relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// partitionRows reads each part file under table by itself (the partition
// columns are not in it), by its partition directory.
func partitionRows(t *testing.T, table string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, f := range files(t, table) {
		if f == "_SUCCESS" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(table, f))
		if err != nil {
			t.Fatal(err)
		}
		ids, err := partFileIDs(f, b)
		if err != nil {
			t.Fatal(err)
		}
		d := filepath.Dir(filepath.FromSlash(f))
		out[d] = append(out[d], ids...)
	}
	return out
}

// partFileIDs returns the ids of the rows of part file f, which holds b
// and no other column.
func partFileIDs(f string, b []byte) ([]string, error) {
	var ids []string
	switch filepath.Ext(f) {
	case ".csv":
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if len(recs) == 0 || !slices.Equal(recs[0], []string{"id"}) {
			return nil, fmt.Errorf("%s: header %q, want only id", f, recs)
		}
		for _, r := range recs[1:] {
			ids = append(ids, r[0])
		}
		return ids, nil
	case ".jsonl":
		d := json.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		for d.More() {
			var r struct {
				ID int64 `json:"id"`
			}
			if err := d.Decode(&r); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			ids = append(ids, fmt.Sprint(r.ID))
		}
		return ids, nil
	}
	rd, err := parquetio.NewReader[struct {
		ID int64 `parquet:"id"`
	}](f, bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	buf := make([]struct {
		ID int64 `parquet:"id"`
	}, 256)
	for {
		n, err := rd.Read(buf)
		for _, r := range buf[:n] {
			ids = append(ids, fmt.Sprint(r.ID))
		}
		if err == io.EOF {
			return ids, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// dayRows are the rows PartitionedDayJob writes: day 2026-11-25 again,
// with new IDs, for Stockholm and the null city only.
func dayRows() []partitionedRow {
	stockholm := "Stockholm"
	var rows []partitionedRow
	for i := range int64(10) {
		r := partitionedRow{ID: 1000 + i, Day: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
		if i%2 == 0 {
			r.City = &stockholm
		}
		rows = append(rows, r)
	}
	return rows
}

// PartitionedDayJob writes dayRows into PartitionedJob's "mapped" table,
// by reduce tasks.
var PartitionedDayJob = runner.Register("runnertest/partitioned-day", "one day's rows into PartitionedJob's table",
	func(p *pcollection.Pipeline, a *PartitionedArgs) error {
		byID := ptable.ByKey(pcollection.Of(p, dayRows()...), func(r partitionedRow) int64 { return r.ID % 3 })
		rows := ptable.Reduce(ptable.GroupByKey(byID), func(_ int64, vs iter.Seq[partitionedRow], emit func(partitionedRow)) error {
			for v := range vs {
				emit(v)
			}
			return nil
		})
		parquetio.Write(rows, a.Output+"/mapped", parquetio.PartitionBy("dt", "city"))
		return nil
	})

// CheckPartitionOverwrite runs PartitionedJob on r with opts into dir,
// then PartitionedDayJob into the same table with
// runner.WriteOverwritePartitions, and checks that the partitions the
// second run wrote hold its rows only, and every other partition, of that
// day too, the first run's rows.
func CheckPartitionOverwrite(t *testing.T, r runner.Runner, opts runner.Options, dir string) {
	t.Helper()
	for i, job := range []*runner.Job{PartitionedJob, PartitionedDayJob} {
		p, err := job.Build([]string{"--output", dir})
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			opts.WriteMode = runner.WriteOverwritePartitions
		}
		if _, err := r.Run(context.Background(), p, opts); err != nil {
			t.Fatalf("%T, %s: %v", r, job.Name, err)
		}
	}
	want := map[string][]string{}
	maps.Copy(want, idsByDir(partitionedRows()))
	maps.Copy(want, idsByDir(dayRows()))
	checkPartitionRows(t, filepath.Join(dir, "mapped"), want)
}

// idsByDir are the ids of rows by the partition directory they go into.
func idsByDir(rows []partitionedRow) map[string][]string {
	out := map[string][]string{}
	for _, r := range rows {
		city := "__HIVE_DEFAULT_PARTITION__"
		if r.City != nil {
			city = hivepart.Escape(*r.City)
		}
		d := filepath.Join("dt="+r.Day.Format(time.DateOnly), "city="+city)
		out[d] = append(out[d], fmt.Sprint(r.ID))
	}
	return out
}

// checkPartitionRows checks that table holds the rows of ids, by their
// partition directories, and no others.
func checkPartitionRows(t *testing.T, table string, want map[string][]string) {
	t.Helper()
	got := partitionRows(t, table)
	if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
		t.Errorf("%s: partition directories %v, want %v", table, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	for d, ids := range want {
		if diff := diff(got[d], ids); diff != "" {
			t.Errorf("%s: %s", filepath.Join(table, d), diff)
		}
	}
}

// CheckPartitionAppend runs PartitionedJob into dir twice, the second time
// with runner.WriteAppend: each table then holds every row twice, the
// second run's part files added into the partition directories of the
// first, and the run reports each as appended to.
func CheckPartitionAppend(t *testing.T, r runner.Runner, opts runner.Options, dir string) {
	t.Helper()
	var res *runner.Result
	for _, mode := range []runner.WriteMode{runner.WriteFail, runner.WriteAppend} {
		p, err := PartitionedJob.Build([]string{"--output", dir})
		if err != nil {
			t.Fatal(err)
		}
		opts.WriteMode = mode
		if res, err = r.Run(context.Background(), p, opts); err != nil {
			t.Fatalf("%T, %s: %v", r, mode, err)
		}
	}
	want := idsByDir(partitionedRows())
	for d, ids := range want {
		want[d] = append(ids, ids...)
	}
	for _, table := range []string{"mapped", "reduced"} {
		table = filepath.Join(dir, table)
		checkPartitionRows(t, table, want)
		for _, w := range res.Partitions[table] {
			if w.Action != runner.PartitionAppended {
				t.Errorf("%s: second run reports %s %s, want every partition appended to", table, w.Path, w.Action)
			}
		}
		if got := len(res.Partitions[table]); got != len(want) {
			t.Errorf("%s: second run reports %d partitions, want %d", table, got, len(want))
		}
	}
}
