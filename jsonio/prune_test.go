package jsonio_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/internal/partprune/prunetest"
	"github.com/crunchgo/crunchgo/jsonio"
)

// jsonFormat is jsonio as prunetest drives it.
var jsonFormat = prunetest.Format[jsonio.Option]{
	Name: "jsonio",
	Ext:  ".jsonl",
	Write: func(t *testing.T, url, user string, n int) {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "{\"user\":\"%s-%d\"}\n", user, i)
		}
		put(t, url, b.String())
	},
	Read:           jsonio.Read[prunetest.Row],
	ReadHours:      jsonio.Read[prunetest.HourRow],
	WherePartition: jsonio.WherePartition,
	SmallSplits:    jsonio.SplitSize(64),
	Unreadable: map[string]string{
		"not text":   "Obj\x01 avro bytes",
		"a bad line": `{"user":`,
	},
}

// WherePartition reads only the files whose partition values the predicate
// takes, counts the others, opens none of them, and fails the planning on
// a predicate it cannot judge (prunetest.Run).
func TestReadWherePartition(t *testing.T) {
	prunetest.Run(t, jsonFormat)
}
