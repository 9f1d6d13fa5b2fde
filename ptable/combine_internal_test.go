package ptable

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/crunchgo/crunchgo/codec"
)

func sumPayload(t *testing.T) *combinePayload[string, int64, int64, int64] {
	t.Helper()
	return &combinePayload[string, int64, int64, int64]{agg: Sum[int64](), key: codec.MustKeyFor[string](), acc: codec.MustFor[int64]()}
}

// addTo returns a combiner's write function that decodes each record and
// adds it to totals.
func addTo[K comparable](t *testing.T, c *combinePayload[K, int64, int64, int64], totals map[K]int64) func(key, acc []byte) {
	return func(key, acc []byte) {
		k, _, err := c.key.Decode(key)
		v, _, err2 := c.acc.Decode(acc)
		if err != nil || err2 != nil {
			t.Fatal(err, err2)
		}
		totals[k] += v
	}
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
			add := addTo(t, c, totals)
			in, flush := c.NewMapCombiner(10, func(key, acc []byte) {
				writes++
				add(key, acc)
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

// TestMapCombinerStringKeys checks the table indexed by string keys
// themselves: keys whose memory the caller reuses after the call (as
// parquetio.SharedStrings batches may be) are copied, and a named string
// type is flushed with its own encoding.
func TestMapCombinerStringKeys(t *testing.T) {
	type word string
	c := &combinePayload[word, int64, int64, int64]{agg: Sum[int64](), key: codec.MustKeyFor[word](), acc: codec.MustFor[int64]()}
	totals := map[word]int64{}
	in, flush := c.NewMapCombiner(100, addTo(t, c, totals))
	emit := in.(func(Pair[word, int64]))
	buf := make([]byte, 3)
	want := map[word]int64{}
	for i := range 300 {
		copy(buf, fmt.Sprintf("k%02d", i%40))
		emit(KV(word(unsafe.String(&buf[0], len(buf))), int64(1))) // shares buf
		want[word(fmt.Sprintf("k%02d", i%40))]++
	}
	copy(buf, "zzz")
	if err := flush(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(totals) != fmt.Sprint(want) {
		t.Errorf("totals differ: got %v, want %v", totals, want)
	}
}
