package csvio_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/csvio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/storagetest"
)

type cityPlay struct {
	User string    `csv:"user"`
	Day  time.Time `csv:"dt"`
	City *string   `csv:"city"`
}

func (r cityPlay) String() string {
	city := "<nil>"
	if r.City != nil {
		city = *r.City
	}
	return fmt.Sprintf("%s %s %s", r.User, r.Day.UTC().Format(time.RFC3339), city)
}

func readStrings[T fmt.Stringer](t *testing.T, pattern string, opts ...csvio.Option) []string {
	t.Helper()
	p := pcollection.NewPipeline("csv-part-read")
	got := pcollection.Materialize(csvio.Read[T](p, pattern, opts...))
	crunchtest.Run(t, p)
	var out []string
	for _, r := range crunchtest.Values(t, got) {
		out = append(out, r.String())
	}
	return out
}

// Fields a file's header lacks take the values of the path's key=value
// directories, escaped and null ones included; a column in the header wins
// over the path, and a file split in byte ranges fills every record.
func TestReadPartitioned(t *testing.T) {
	storage.ResetMem("csv-part")
	table := "mem://csv-part/events"
	put(t, table+"/dt=2026-11-25/city=New%20York%2FNY/part-0.csv", "user\na\nb\n")
	put(t, table+"/dt=2026-11-26/city=__HIVE_DEFAULT_PARTITION__/part-0.csv", "user\nc\n")
	put(t, table+"/dt=2026-11-26/city=Malm%C3%B6/part-0.csv", "city,user\nLund,d\n,e\n")
	put(t, table+"/_SUCCESS", "")
	got := readStrings[cityPlay](t, table, csvio.SplitSize(3))
	want := []string{
		"a 2026-11-25T00:00:00Z New York/NY",
		"b 2026-11-25T00:00:00Z New York/NY",
		"c 2026-11-26T00:00:00Z <nil>",
		"d 2026-11-26T00:00:00Z Lund", // the header's column wins
		"e 2026-11-26T00:00:00Z <nil>",
	}
	crunchtest.EqualUnordered(t, got, want)

	// Without a header, the columns are the fields the path does not name.
	put(t, "mem://csv-part/nohead/dt=2026-11-27/city=Oslo/part-0.csv", "f\n")
	crunchtest.EqualUnordered(t, readStrings[cityPlay](t, "mem://csv-part/nohead", csvio.NoHeader()),
		[]string{"f 2026-11-27T00:00:00Z Oslo"})

	// A file that holds every field reads them all, though a directory
	// above the table names one of them; split in ranges too.
	put(t, "mem://csv-part/city=Oslo/whole/part-0.csv", "g,2026-11-28T00:00:00Z,Bergen\nh,2026-11-28T00:00:00Z,Bergen\n")
	crunchtest.EqualUnordered(t, readStrings[cityPlay](t, "mem://csv-part/city=Oslo/whole", csvio.NoHeader(), csvio.SplitSize(8)),
		[]string{"g 2026-11-28T00:00:00Z Bergen", "h 2026-11-28T00:00:00Z Bergen"})
}

// A partition value that does not parse into its field fails the job while
// splits are planned, naming the file, with or without a header.
func TestReadPartitionedBadValue(t *testing.T) {
	storage.ResetMem("csv-part-bad")
	bad := "mem://csv-part-bad/t/dt=yesterday/city=Oslo/part-0.csv"
	put(t, bad, "user\na\n")
	for _, opts := range [][]csvio.Option{nil, {csvio.NoHeader()}} {
		p := pcollection.NewPipeline("bad")
		err := splits(csvio.Read[cityPlay](p, "mem://csv-part-bad/t", opts...))
		if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "partition dt=yesterday") {
			t.Errorf("options %d: got %v, want an error naming %s and dt=yesterday", len(opts), err, bad)
		}
	}
	// Without key=value directories a header must still hold every column.
	put(t, "mem://csv-part-bad/plain/part-0.csv", "user\na\n")
	err := splits(csvio.Read[cityPlay](pcollection.NewPipeline("plain"), "mem://csv-part-bad/plain"))
	if err == nil || !strings.Contains(err.Error(), `no column "dt"`) {
		t.Errorf("no partition directories: got %v, want a missing column", err)
	}
}

// Records written partitioned land in key=value directories, without the
// partition columns in the files, one file per partition a task meets
// (more when it keeps fewer open), and read back as they were.
func TestWritePartitioned(t *testing.T) {
	storage.ResetMem("csv-pw")
	dir := "mem://csv-pw/plays"
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	sto, ny := "Stockholm", "New York/NY"
	rows := []cityPlay{{"u1", day, &sto}, {"u2", day, &ny}, {"u3", day, &sto}, {"u4", day.Add(10 * time.Hour), nil}}
	for _, opts := range [][]csvio.Option{nil, {csvio.NoHeader()}} {
		storage.ResetMem("csv-pw")
		p := pcollection.NewPipeline("csv-pw")
		csvio.Write(pcollection.Of(p, rows...), dir, append([]csvio.Option{csvio.PartitionBy("dt", "city"), csvio.MaxOpenPartitions(1)}, opts...)...)
		res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 1 })
		want := []string{
			"_SUCCESS",
			"dt=2026-11-25 10%3A00%3A00/city=__HIVE_DEFAULT_PARTITION__/part-m-00000.csv",
			"dt=2026-11-25/city=New York%2FNY/part-m-00000.csv",
			"dt=2026-11-25/city=Stockholm/part-m-00000-1.csv",
			"dt=2026-11-25/city=Stockholm/part-m-00000.csv",
		}
		if got := storagetest.Files(t, dir); !slices.Equal(got, want) {
			t.Errorf("files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if n := res.Counters.Get(csvio.CounterGroup, csvio.CounterPartitionFiles); n != 4 {
			t.Errorf("partition files written = %d, want 4", n)
		}
		data, err := storage.ReadFile(context.Background(), dir+"/dt=2026-11-25/city=Stockholm/part-m-00000.csv")
		if err != nil {
			t.Fatal(err)
		}
		wantData := "user\nu1\n"
		if len(opts) > 0 {
			wantData = "u1\n"
		}
		if string(data) != wantData {
			t.Errorf("file holds %q, want %q", data, wantData)
		}
		var ws []string
		for _, r := range rows {
			ws = append(ws, r.String())
		}
		crunchtest.EqualUnordered(t, readStrings[cityPlay](t, dir, opts...), ws)
	}
}

// Partitioning by a column T lacks, by every column, or of []string
// fails the build.
func TestWritePartitionedBuildErrors(t *testing.T) {
	type one struct {
		ID int64 `csv:"id"`
	}
	p := pcollection.NewPipeline("b")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{csvio.TryWrite(pcollection.Of(p, cityPlay{}), "mem://b/x", csvio.PartitionBy("nope")), `column "nope"`},
		{csvio.TryWrite(pcollection.Of(p, one{}), "mem://b/x", csvio.PartitionBy("id")), "no column to write"},
		{csvio.TryWrite(pcollection.Of(p, []string{"a"}), "mem://b/x", csvio.PartitionBy("a")), "only structs"},
		{csvio.TryWrite(pcollection.Of(p, cityPlay{}), "mem://b/x", csvio.PartitionBy("dt"), csvio.MaxOpenPartitions(-1)), "must be positive"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", tc.err, tc.want)
		}
	}
}
