package jsonio_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/jsonio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/storagetest"
)

type cityPlay struct {
	User   string    `json:"user"`
	Day    time.Time `json:"dt"`
	City   *string   `json:"city"`
	hidden int
}

func (r cityPlay) String() string {
	city := "<nil>"
	if r.City != nil {
		city = *r.City
	}
	return fmt.Sprintf("%s %s %s", r.User, r.Day.UTC().Format(time.RFC3339), city)
}

func readStrings(t *testing.T, pattern string, opts ...jsonio.Option) []string {
	t.Helper()
	p := pcollection.NewPipeline("json-part-read")
	got := pcollection.Materialize(jsonio.Read[cityPlay](p, pattern, opts...))
	crunchtest.Run(t, p)
	var out []string
	for _, r := range crunchtest.Values(t, got) {
		out = append(out, r.String())
	}
	return out
}

// Fields a line lacks take the values of the path's key=value
// directories, escaped and null ones included; a key the line holds wins
// over the path, null included, matched as encoding/json matches keys.
func TestReadPartitioned(t *testing.T) {
	storage.ResetMem("json-part")
	table := "mem://json-part/events"
	put(t, table+"/dt=2026-11-25/city=New%20York%2FNY/part-0.jsonl", `{"user":"a"}`+"\n"+`{"user":"b"}`+"\n")
	put(t, table+"/dt=2026-11-26/city=__HIVE_DEFAULT_PARTITION__/part-0.jsonl", `{"user":"c"}`+"\n")
	put(t, table+"/dt=2026-11-26/city=Malm%C3%B6/part-0.jsonl", `{"user":"d","city":"Lund"}`+"\n"+`{"user":"e","City":null}`+"\n"+`{"user":"f"}`+"\n")
	put(t, table+"/_SUCCESS", "")
	got := readStrings(t, table, jsonio.SplitSize(8))
	want := []string{
		"a 2026-11-25T00:00:00Z New York/NY",
		"b 2026-11-25T00:00:00Z New York/NY",
		"c 2026-11-26T00:00:00Z <nil>",
		"d 2026-11-26T00:00:00Z Lund", // the line's key wins
		"e 2026-11-26T00:00:00Z <nil>",
		"f 2026-11-26T00:00:00Z Malmö",
	}
	crunchtest.EqualUnordered(t, got, want)
}

// A partition value that does not parse into its field fails the job while
// splits are planned, naming the file.
func TestReadPartitionedBadValue(t *testing.T) {
	storage.ResetMem("json-part-bad")
	bad := "mem://json-part-bad/t/dt=yesterday/part-0.jsonl"
	put(t, bad, `{"user":"a"}`+"\n")
	p := pcollection.NewPipeline("bad")
	c := jsonio.Read[cityPlay](p, "mem://json-part-bad/t")
	_, err := c.Pipeline().Graph().Nodes()[c.ID()].Payload.(plan.SourcePayload).Splits(context.Background(), 4)
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "partition dt=yesterday") {
		t.Errorf("got %v, want an error naming %s and dt=yesterday", err, bad)
	}
}

// Records written partitioned land in key=value directories, without the
// partition keys in the lines, one file per partition a task meets (more
// when it keeps fewer open), and read back as they were.
func TestWritePartitioned(t *testing.T) {
	storage.ResetMem("json-pw")
	dir := "mem://json-pw/plays"
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	sto, ny := "Stockholm", "New York/NY"
	rows := []cityPlay{{"u1", day, &sto, 1}, {"u2", day, &ny, 2}, {"u3", day, &sto, 3}, {"u4", day.Add(10 * time.Hour), nil, 4}}
	p := pcollection.NewPipeline("json-pw")
	jsonio.Write(pcollection.Of(p, rows...), dir, jsonio.PartitionBy("dt", "city"), jsonio.MaxOpenPartitions(1))
	res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 1 })
	want := []string{
		"_SUCCESS",
		"dt=2026-11-25 10%3A00%3A00/city=__HIVE_DEFAULT_PARTITION__/part-m-00000.jsonl",
		"dt=2026-11-25/city=New York%2FNY/part-m-00000.jsonl",
		"dt=2026-11-25/city=Stockholm/part-m-00000-1.jsonl",
		"dt=2026-11-25/city=Stockholm/part-m-00000.jsonl",
	}
	if got := storagetest.Files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := res.Counters.Get(jsonio.CounterGroup, jsonio.CounterPartitionFiles); n != 4 {
		t.Errorf("partition files written = %d, want 4", n)
	}
	data, err := storage.ReadFile(context.Background(), dir+"/dt=2026-11-25/city=Stockholm/part-m-00000.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(data), `{"user":"u1"}`+"\n"; got != want {
		t.Errorf("file holds %q, want %q", got, want)
	}
	var ws []string
	for _, r := range rows {
		ws = append(ws, r.String())
	}
	crunchtest.EqualUnordered(t, readStrings(t, dir), ws)
}

type selfEncoding struct{ ID int64 }

func (selfEncoding) MarshalJSON() ([]byte, error) { return []byte("{}"), nil }

type embedding struct {
	cityPlay
	N int `json:"n"`
}

// Partitioning by a key T lacks, or a T whose lines cannot leave keys out,
// fails the build.
func TestWritePartitionedBuildErrors(t *testing.T) {
	p := pcollection.NewPipeline("b")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{jsonio.TryWrite(pcollection.Of(p, cityPlay{}), "mem://b/x", jsonio.PartitionBy("nope")), `column "nope"`},
		{jsonio.TryWrite(pcollection.Of(p, cityPlay{}), "mem://b/x", jsonio.PartitionBy("User")), `column "User"`}, // keys, not field names
		{jsonio.TryWrite(pcollection.Of(p, selfEncoding{}), "mem://b/x", jsonio.PartitionBy("ID")), "encodes itself"},
		{jsonio.TryWrite(pcollection.Of(p, embedding{}), "mem://b/x", jsonio.PartitionBy("n")), "embedded field cityPlay"},
		{jsonio.TryWrite(pcollection.Of(p, map[string]string{}), "mem://b/x", jsonio.PartitionBy("a")), "only structs"},
		{jsonio.TryWrite(pcollection.Of(p, cityPlay{}), "mem://b/x", jsonio.PartitionBy("dt"), jsonio.MaxOpenPartitions(-1)), "must be positive"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", tc.err, tc.want)
		}
	}
}
