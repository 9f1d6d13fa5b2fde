package parquetio_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/storagetest"
	"github.com/parquet-go/parquet-go"
)

type cityPlay struct {
	User string    `parquet:"user"`
	Ms   int64     `parquet:"ms"`
	Day  time.Time `parquet:"dt"`
	City *string   `parquet:"city"`
}

func (r cityPlay) String() string {
	city := "<nil>"
	if r.City != nil {
		city = *r.City
	}
	return r.User + " " + r.Day.UTC().Format(time.RFC3339) + " " + city
}

func strp(s string) *string { return &s }

var cityPlays = []cityPlay{
	{"u1", 100, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), strp("Stockholm")},
	{"u2", 200, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), strp("Stockholm")},
	{"u3", 300, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), strp("New York/NY=1")},
	{"u4", 400, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), nil},
	{"u5", 500, time.Date(2026, 11, 26, 10, 30, 0, 0, time.UTC), strp("Malmö")},
}

func showAll[T interface{ String() string }](rows []T) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.String())
	}
	return out
}

// writeCityPlays writes rows partitioned by dt and city in mode and
// returns the run's result.
func writeCityPlays(t *testing.T, dir string, mode runner.WriteMode, rows []cityPlay, opts ...parquetio.WriteOption) *runner.Result {
	t.Helper()
	p := pcollection.NewPipeline("pq-part-write")
	opts = append([]parquetio.WriteOption{parquetio.PartitionBy("dt", "city")}, opts...)
	parquetio.Write(pcollection.Of(p, rows...), dir, opts...)
	return crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 2; o.WriteMode = mode })
}

func readCityPlays(t *testing.T, dir string) []string {
	t.Helper()
	p := pcollection.NewPipeline("pq-part-read")
	got := pcollection.Materialize(parquetio.Read[cityPlay](p, dir))
	crunchtest.Run(t, p)
	return showAll(crunchtest.Values(t, got))
}

// Rows written partitioned land in key=value directories, escaped as
// Spark escapes them, without the partition columns in the files, and
// read back as they were.
func TestWritePartitioned(t *testing.T) {
	storage.ResetMem("pq-pw")
	dir := "mem://pq-pw/plays"
	res := writeCityPlays(t, dir, runner.WriteFail, cityPlays)
	want := []string{
		"_SUCCESS",
		"dt=2026-11-25/city=Stockholm/part-m-00000.parquet",
		"dt=2026-11-26 10%3A30%3A00/city=Malmö/part-m-00001.parquet",
		"dt=2026-11-26/city=New York%2FNY%3D1/part-m-00001.parquet",
		"dt=2026-11-26/city=__HIVE_DEFAULT_PARTITION__/part-m-00001.parquet",
	}
	if got := storagetest.Files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterPartitionFiles); n != 4 {
		t.Errorf("partition files written = %d, want 4", n)
	}
	if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterRowsWritten); n != 5 {
		t.Errorf("rows written = %d, want 5", n)
	}
	// The files hold the other columns only.
	f := dir + "/dt=2026-11-25/city=Stockholm/part-m-00000.parquet"
	data, err := storage.ReadFile(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range pf.Schema().Fields() {
		cols = append(cols, c.Name())
	}
	if !slices.Equal(cols, []string{"user", "ms"}) {
		t.Errorf("columns of %s = %v, want [user ms]", f, cols)
	}
	crunchtest.EqualUnordered(t, readCityPlays(t, dir), showAll(cityPlays))
}

// A task with more partitions than it keeps open finishes the least
// recently written one's file, and starts another file when that
// partition comes again.
func TestWritePartitionedFewOpen(t *testing.T) {
	storage.ResetMem("pq-pw-few")
	dir := "mem://pq-pw-few/plays"
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	// One task (one split): a, b, a with one file open.
	rows := []cityPlay{{"u1", 1, day, strp("a")}, {"u2", 2, day, strp("b")}, {"u3", 3, day, strp("a")}}
	p := pcollection.NewPipeline("pq-pw-few")
	parquetio.Write(pcollection.Of(p, rows...), dir, parquetio.PartitionBy("dt", "city"), parquetio.MaxOpenPartitions(1))
	res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 1 })
	want := []string{
		"_SUCCESS",
		"dt=2026-11-25/city=a/part-m-00000-1.parquet",
		"dt=2026-11-25/city=a/part-m-00000.parquet",
		"dt=2026-11-25/city=b/part-m-00000.parquet",
	}
	if got := storagetest.Files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterPartitionFiles); n != 3 {
		t.Errorf("partition files written = %d, want 3", n)
	}
	crunchtest.EqualUnordered(t, readCityPlays(t, dir), showAll(rows))
}

// Appending adds files under new names to the partition directories
// there, and new directories for new partitions; overwriting replaces
// the whole table; the default mode refuses an existing one.
func TestWritePartitionedModes(t *testing.T) {
	storage.ResetMem("pq-pw-modes")
	dir := "mem://pq-pw-modes/plays"
	writeCityPlays(t, dir, runner.WriteFail, cityPlays[:2])
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	more := []cityPlay{{"u6", 6, day, strp("Stockholm")}, {"u7", 7, day, strp("Oslo")}}
	writeCityPlays(t, dir, runner.WriteAppend, more)
	got := storagetest.Files(t, dir)
	var stockholm, oslo int
	for _, f := range got {
		switch {
		case strings.HasPrefix(f, "dt=2026-11-25/city=Stockholm/part-m-"):
			stockholm++
		case strings.HasPrefix(f, "dt=2026-11-25/city=Oslo/part-m-"):
			oslo++
		case f != "_SUCCESS":
			t.Errorf("unexpected file %s after append", f)
		}
	}
	if stockholm != 3 || oslo != 1 { // the first run's two tasks wrote one each
		t.Errorf("after append: files\n%s\nwant 3 in city=Stockholm, 1 in city=Oslo", strings.Join(got, "\n"))
	}
	crunchtest.EqualUnordered(t, readCityPlays(t, dir), showAll(append(slices.Clone(cityPlays[:2]), more...)))

	writeCityPlays(t, dir, runner.WriteOverwrite, cityPlays[3:4])
	want := []string{"_SUCCESS", "dt=2026-11-26/city=__HIVE_DEFAULT_PARTITION__/part-m-00000.parquet"}
	if got := storagetest.Files(t, dir); !slices.Equal(got, want) {
		t.Errorf("after overwrite: files\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	crunchtest.EqualUnordered(t, readCityPlays(t, dir), showAll(cityPlays[3:4]))

	p := pcollection.NewPipeline("pq-pw-fail")
	parquetio.Write(pcollection.Of(p, cityPlays...), dir, parquetio.PartitionBy("dt", "city"))
	if _, err := mem.Run(context.Background(), p, runner.Options{}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("writing into an existing table in the default mode: error %v, want it to exist already", err)
	}
}

// Appending rows partitioned by other keys than the table's, or to a table
// that is not partitioned, or unpartitioned rows to a partitioned table,
// is refused before anything runs.
func TestWritePartitionedAppendLayout(t *testing.T) {
	storage.ResetMem("pq-pw-layout")
	dir := "mem://pq-pw-layout/plays"
	writeCityPlays(t, dir, runner.WriteFail, cityPlays[:1])
	p := pcollection.NewPipeline("pq-pw-layout")
	parquetio.Write(pcollection.Of(p, cityPlays...), dir, parquetio.PartitionBy("city"))
	_, err := mem.Run(context.Background(), p, runner.Options{WriteMode: runner.WriteAppend})
	if err == nil || !strings.Contains(err.Error(), "dt=2026-11-25") || !strings.Contains(err.Error(), "expects a directory city=<value>") {
		t.Errorf("appending partitioned by city to a table partitioned by dt, city: error %v, want one naming dt=2026-11-25", err)
	}

	flat := "mem://pq-pw-layout/flat"
	p = pcollection.NewPipeline("pq-pw-flat")
	parquetio.Write(pcollection.Of(p, cityPlays...), flat)
	crunchtest.Run(t, p)
	p = pcollection.NewPipeline("pq-pw-flat-append")
	parquetio.Write(pcollection.Of(p, cityPlays...), flat, parquetio.PartitionBy("city"))
	_, err = mem.Run(context.Background(), p, runner.Options{WriteMode: runner.WriteAppend})
	if err == nil || !strings.Contains(err.Error(), "part-m-00000.parquet") {
		t.Errorf("appending partitioned rows to an unpartitioned table: error %v, want one naming its part file", err)
	}

	p = pcollection.NewPipeline("pq-pw-unpartitioned-append")
	parquetio.Write(pcollection.Of(p, cityPlays...), dir)
	_, err = mem.Run(context.Background(), p, runner.Options{WriteMode: runner.WriteAppend})
	if err == nil || !strings.Contains(err.Error(), "is partitioned (it holds dt=2026-11-25)") {
		t.Errorf("appending unpartitioned rows to a partitioned table: error %v, want one naming its partition directory", err)
	}
}

// An output of no rows has no partition directories, only _SUCCESS, as
// Spark writes it; reading it back is an error that says it holds no data
// files, as for any directory without them, since there is no file to
// take a schema from.
func TestWritePartitionedEmpty(t *testing.T) {
	storage.ResetMem("pq-pw-empty")
	dir := "mem://pq-pw-empty/plays"
	writeCityPlays(t, dir, runner.WriteFail, nil)
	if got, want := storagetest.Files(t, dir), []string{"_SUCCESS"}; !slices.Equal(got, want) {
		t.Errorf("files = %v, want %v", got, want)
	}
	p := pcollection.NewPipeline("pq-pw-empty-read")
	pcollection.Materialize(parquetio.Read[cityPlay](p, dir))
	if _, err := mem.Run(context.Background(), p, runner.Options{}); err == nil || !strings.Contains(err.Error(), "no data files") {
		t.Errorf("reading an empty partitioned output: error %v, want one saying it holds no data files", err)
	}
}

// A field that cannot name a directory, or a column T lacks, fails the
// build naming it.
func TestWritePartitionedBuildErrors(t *testing.T) {
	type nested struct {
		ID   int64    `parquet:"id"`
		Tags []string `parquet:"tags"`
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"slice", parquetio.TryWrite(pcollection.Of(pcollection.NewPipeline("b1"), nested{}), "mem://b/x", parquetio.PartitionBy("tags")), "field Tags ([]string)"},
		{"missing", parquetio.TryWrite(pcollection.Of(pcollection.NewPipeline("b2"), nested{}), "mem://b/x", parquetio.PartitionBy("nope")), `column "nope"`},
		{"twice", parquetio.TryWrite(pcollection.Of(pcollection.NewPipeline("b3"), nested{}), "mem://b/x", parquetio.PartitionBy("id", "id")), "named twice"},
		{"not a struct", parquetio.TryWrite(pcollection.Of(pcollection.NewPipeline("b4"), int64(1)), "mem://b/x", parquetio.PartitionBy("id")), "only structs"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, tc.err, tc.want)
		}
	}
}
