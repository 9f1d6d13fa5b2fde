package csvio_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/csvio"
	"github.com/crunchgo/crunchgo/internal/partprune/prunetest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
)

// csvFormat is csvio as prunetest drives it: files with a header.
var csvFormat = prunetest.Format[csvio.Option]{
	Name: "csvio",
	Ext:  ".csv",
	Write: func(t *testing.T, url, user string, n int) {
		var b strings.Builder
		b.WriteString("user\n")
		for i := range n {
			fmt.Fprintf(&b, "%s-%d\n", user, i)
		}
		put(t, url, b.String())
	},
	Read:           csvio.Read[prunetest.Row],
	ReadHours:      csvio.Read[prunetest.HourRow],
	WherePartition: csvio.WherePartition,
	SmallSplits:    csvio.SplitSize(64),
	Unreadable: map[string]string{
		"no header":    "nobody\nx\n",
		"not text":     "Obj\x01 avro bytes",
		"a bad record": "user\n\"open\n",
	},
}

// WherePartition reads only the files whose partition values the predicate
// takes, counts the others, opens none of them, and fails the planning on
// a predicate it cannot judge (prunetest.Run).
func TestReadWherePartition(t *testing.T) {
	prunetest.Run(t, csvFormat)
}

type hourPlay struct {
	User string `csv:"user"`
	Hour int    `csv:"hour"`
}

// A headerless read prunes too.
func TestReadWherePartitionNoHeader(t *testing.T) {
	storage.ResetMem("csv-prune-nohead")
	table := "mem://csv-prune-nohead/events"
	for _, h := range []int{2, 9, 10, 23} {
		put(t, fmt.Sprintf("%s/hour=%d/part-0.csv", table, h), fmt.Sprintf("h%d-a\nh%d-b\n", h, h))
	}
	p := pcollection.NewPipeline("csv-prune-nohead")
	got := pcollection.Materialize(csvio.Read[hourPlay](p, table, csvio.NoHeader(),
		csvio.WherePartition(func(p csvio.Partition) bool { return p.Int("hour") >= 9 })))
	res := crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got),
		[]hourPlay{{"h9-a", 9}, {"h9-b", 9}, {"h10-a", 10}, {"h10-b", 10}, {"h23-a", 23}, {"h23-b", 23}})
	if n := res.Counters.Get(csvio.CounterGroup, csvio.CounterFilesPruned); n != 1 {
		t.Errorf("files pruned = %d, want 1", n)
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
