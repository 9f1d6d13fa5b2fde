package avroio_test

import (
	"bytes"
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

// play is written with a nullable ms, so that reading it into a plain
// int64 goes through the adapter (adapt.go).
type play struct {
	User string `avro:"user"`
	Ms   *int64 `avro:"ms"`
}

// writePlays writes n plays of user as an Avro file at url, in small
// blocks so that it splits.
func writePlays(t *testing.T, url, user string, n int) {
	t.Helper()
	var buf bytes.Buffer
	w, err := avroio.NewFileWriter[play](&buf, avroio.WithBlockSize(64))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		ms := int64(i)
		if err := w.Write(play{fmt.Sprintf("%s-%d", user, i), &ms}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := storage.WriteFile(context.Background(), url, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
}

// A two-level partitioned table, its files split: every record gets its
// own file's partition values.
func TestReadPartitioned(t *testing.T) {
	storage.ResetMem("avro-part")
	table := "mem://avro-part/events"
	writePlays(t, table+"/dt=2026-11-25/city=Stockholm/part-m-00000.avro", "a", 200)
	writePlays(t, table+"/dt=2026-11-26/city=New%20York/part-m-00000.avro", "b", 100)
	writePlays(t, table+"/dt=2026-11-26/city=__HIVE_DEFAULT_PARTITION__/part-m-00000.avro", "c", 1)
	if err := storage.WriteFile(context.Background(), table+"/_SUCCESS", nil); err != nil {
		t.Fatal(err)
	}
	type row struct {
		User string    `avro:"user"`
		Ms   int64     `avro:"ms"`
		Day  time.Time `avro:"dt"`
		City *string   `avro:"city"`
	}
	count := func(rows []row) map[string]int {
		out := map[string]int{}
		for _, r := range rows {
			city := "<nil>"
			if r.City != nil {
				city = *r.City
			}
			out[r.User[:1]+" "+r.Day.Format(time.DateOnly)+" "+city]++
		}
		return out
	}
	p := pcollection.NewPipeline("avro-part")
	all := pcollection.Materialize(avroio.Read[row](p, table, avroio.WithSplitSize(1024)))
	glob := pcollection.Materialize(avroio.Read[row](p, table+"/dt=2026-11-2[6-9]"))
	res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 2 })
	for _, st := range res.Stages {
		t.Logf("stage %+v", st)
	}
	got := fmt.Sprint(count(crunchtest.Values(t, all)))
	if want := "map[a 2026-11-25 Stockholm:200 b 2026-11-26 New York:100 c 2026-11-26 <nil>:1]"; got != want {
		t.Errorf("read %s, want %s", got, want)
	}
	got = fmt.Sprint(count(crunchtest.Values(t, glob)))
	if want := "map[b 2026-11-26 New York:100 c 2026-11-26 <nil>:1]"; got != want {
		t.Errorf("the glob read %s, want %s", got, want)
	}
}

// Values a field cannot take fail the job before any task runs, naming
// the file and the key=value.
func TestReadPartitionedBadValues(t *testing.T) {
	storage.ResetMem("avro-part-bad")
	table := "mem://avro-part-bad/events"
	writePlays(t, table+"/dt=2026-11-25/city=Oslo/part-0.avro", "a", 1)
	writePlays(t, table+"/dt=x/city=__HIVE_DEFAULT_PARTITION__/part-0.avro", "a", 1)
	type plainCity struct {
		User string `avro:"user"`
		City string `avro:"city"`
	}
	type intDay struct {
		User string `avro:"user"`
		Day  int64  `avro:"dt"`
	}
	for _, tc := range []struct {
		name string
		read func(p *pcollection.Pipeline)
		want []string
	}{
		{"null into a plain field", func(p *pcollection.Pipeline) { pcollection.Materialize(avroio.Read[plainCity](p, table)) },
			[]string{"dt=x/city=__HIVE_DEFAULT_PARTITION__/part-0.avro", "city=__HIVE_DEFAULT_PARTITION__", "field City (string)", "make it a pointer"}},
		{"not an integer", func(p *pcollection.Pipeline) { pcollection.Materialize(avroio.Read[intDay](p, table)) },
			[]string{"/part-0.avro", "partition dt=", "field Day (int64)", "invalid syntax"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pcollection.NewPipeline("avro-part-bad")
			tc.read(p)
			crunchtest.RunFails(t, p, tc.want...)
		})
	}
}
