package ptable

import (
	"fmt"
	"testing"

	"github.com/crunchgo/crunchgo/codec"
)

func sumPayload(t *testing.T) *combinePayload[string, int64, int64, int64] {
	t.Helper()
	return &combinePayload[string, int64, int64, int64]{agg: Sum[int64](), key: codec.MustKeyFor[string](), acc: codec.MustFor[int64]()}
}

// TestMapCombinerAdapts checks that the map-side combiner keeps combining
// keys that repeat, and passes records straight through once its first full
// table shows nearly every key is new, without changing the totals.
func TestMapCombinerAdapts(t *testing.T) {
	for _, tc := range []struct {
		name        string
		key         func(i int) string
		maxWrites   int // at most this many records reach the shuffle
		passThrough bool
	}{
		{"repeating keys are combined", func(i int) string { return fmt.Sprint(i % 7) }, 7 * 3, false},
		{"distinct keys pass through", func(i int) string { return fmt.Sprint(i) }, 1000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sumPayload(t)
			totals := map[string]int64{}
			writes := 0
			in, flush := c.NewMapCombiner(10, func(key, acc []byte) {
				writes++
				k, _, err := c.key.Decode(key)
				v, _, err2 := c.acc.Decode(acc)
				if err != nil || err2 != nil {
					t.Fatal(err, err2)
				}
				totals[k] += v
			})
			emit := in.(func(Pair[string, int64]))
			want := map[string]int64{}
			for i := range 1000 {
				emit(KV(tc.key(i), int64(i)))
				want[tc.key(i)] += int64(i)
			}
			if err := flush(); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(totals) != fmt.Sprint(want) {
				t.Errorf("totals differ: got %v, want %v", totals, want)
			}
			if writes > tc.maxWrites {
				t.Errorf("%d records reached the shuffle, want at most %d", writes, tc.maxWrites)
			}
			if tc.passThrough && writes != 1000 {
				t.Errorf("pass-through wrote %d records, want one per input (1000)", writes)
			}
		})
	}
}
