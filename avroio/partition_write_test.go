package avroio_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/storagetest"
)

type cityPlay struct {
	User string    `avro:"user"`
	Day  time.Time `avro:"dt"`
	City *string   `avro:"city"`
}

func (r cityPlay) String() string {
	city := "<nil>"
	if r.City != nil {
		city = *r.City
	}
	return fmt.Sprintf("%s %s %s", r.User, r.Day.UTC().Format(time.RFC3339), city)
}

// Records written partitioned land in key=value directories, without the
// partition fields in the files' schema, one file per partition a task
// meets (more when it keeps fewer open), and read back as they were.
func TestWritePartitioned(t *testing.T) {
	storage.ResetMem("avro-pw")
	dir := "mem://avro-pw/plays"
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	sto, ny := "Stockholm", "New York/NY"
	rows := []cityPlay{{"u1", day, &sto}, {"u2", day, &ny}, {"u3", day, &sto}, {"u4", day.Add(10 * time.Hour), nil}}
	p := pcollection.NewPipeline("avro-pw")
	avroio.Write(pcollection.Of(p, rows...), dir, avroio.PartitionBy("dt", "city"), avroio.MaxOpenPartitions(1))
	res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 1 })
	want := []string{
		"_SUCCESS",
		"dt=2026-11-25 10%3A00%3A00/city=__HIVE_DEFAULT_PARTITION__/part-m-00000.avro",
		"dt=2026-11-25/city=New York%2FNY/part-m-00000.avro",
		"dt=2026-11-25/city=Stockholm/part-m-00000-1.avro",
		"dt=2026-11-25/city=Stockholm/part-m-00000.avro",
	}
	if got := storagetest.Files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := res.Counters.Get(avroio.CounterGroup, avroio.CounterPartitionFiles); n != 4 {
		t.Errorf("partition files written = %d, want 4", n)
	}
	f := dir + "/dt=2026-11-25/city=Stockholm/part-m-00000.avro"
	data, err := storage.ReadFile(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(data); !strings.Contains(s, `"user"`) || strings.Contains(s, `"dt"`) || strings.Contains(s, `"city"`) {
		t.Errorf("%s: schema holds a partition field, or no user field: %.200q", f, s)
	}

	p = pcollection.NewPipeline("avro-pw-read")
	got := pcollection.Materialize(avroio.Read[cityPlay](p, dir))
	crunchtest.Run(t, p)
	var gs, ws []string
	for _, r := range crunchtest.Values(t, got) {
		gs = append(gs, r.String())
	}
	for _, r := range rows {
		ws = append(ws, r.String())
	}
	crunchtest.EqualUnordered(t, gs, ws)
}

// A field that cannot name a directory fails the build naming it.
func TestWritePartitionedBuildErrors(t *testing.T) {
	type nested struct {
		ID   int64    `avro:"id"`
		Tags []string `avro:"tags"`
	}
	err := avroio.TryWrite(pcollection.Of(pcollection.NewPipeline("b1"), nested{}), "mem://b/x", avroio.PartitionBy("tags"))
	if err == nil || !strings.Contains(err.Error(), "field Tags ([]string)") {
		t.Errorf("partitioning by a slice: error %v, want one naming field Tags", err)
	}
}
