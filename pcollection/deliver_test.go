package pcollection_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

// TestDeliverRejectsTrailingBytes checks that a materialized record with
// bytes after its value (one damaged into zeros, say) fails the delivery
// instead of reading as whatever value its first bytes decode to.
func TestDeliverRejectsTrailingBytes(t *testing.T) {
	var m pcollection.Materialized[ptable.Pair[string, int64]]
	c := codec.MustFor[ptable.Pair[string, int64]]()
	good := c.Append(nil, ptable.KV("banana", int64(217)))
	for _, bad := range [][]byte{make([]byte, len(good)), append(slices.Clone(good), 0)} {
		if err := m.Deliver(slices.Values([][]byte{good, bad})); !errors.Is(err, codec.ErrCorrupt) {
			t.Errorf("Deliver(%x) = %v, want codec.ErrCorrupt", bad, err)
		}
	}
	if err := m.Deliver(slices.Values([][]byte{good})); err != nil {
		t.Fatal(err)
	}
	if got, err := m.Values(); err != nil || len(got) != 1 || got[0] != ptable.KV("banana", int64(217)) {
		t.Errorf("Values() = %v, %v, want the one good record", got, err)
	}
}
