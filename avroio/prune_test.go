package avroio_test

import (
	"fmt"
	"testing"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/internal/partprune/prunetest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/storage"
)

// avroFormat is avroio as prunetest drives it: files of plays in blocks
// small enough to split, read into rows without their ms field.
var avroFormat = prunetest.Format[avroio.ReadOption]{
	Name:           "avroio",
	Ext:            ".avro",
	Write:          writePlays,
	Read:           avroio.Read[prunetest.Row],
	ReadHours:      avroio.Read[prunetest.HourRow],
	WherePartition: avroio.WherePartition,
	SmallSplits:    avroio.WithSplitSize(512),
	Unreadable: map[string]string{
		"not avro":         "not avro",
		"a corrupt header": "Obj\x01 and no more",
	},
}

// WherePartition reads only the files whose partition values the predicate
// takes, counts the others, opens none of them, and fails the planning on
// a predicate it cannot judge (prunetest.Run).
func TestReadWherePartition(t *testing.T) {
	prunetest.Run(t, avroFormat)
}

// Generic reads prune too.
func TestReadWherePartitionGeneric(t *testing.T) {
	storage.ResetMem("avro-prune-generic")
	table := "mem://avro-prune-generic/events"
	for _, h := range []int{2, 9, 10, 23} {
		writePlays(t, fmt.Sprintf("%s/hour=%d/part-0.avro", table, h), fmt.Sprint("h", h), 1)
	}
	p := pcollection.NewPipeline("avro-prune-generic")
	recs := avroio.ReadGeneric(p, table, avroio.WherePartition(func(p avroio.Partition) bool { return p.Int("hour") >= 9 }))
	users := pcollection.Materialize(pcollection.Map(recs, func(r map[string]any) string { return r["user"].(string) }))
	res := crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, users), []string{"h9-0", "h10-0", "h23-0"})
	if n := res.Counters.Get(avroio.CounterGroup, avroio.CounterFilesPruned); n != 1 {
		t.Errorf("files pruned = %d, want 1", n)
	}
}
