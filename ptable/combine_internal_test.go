package ptable

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/plan"
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
			in, flush := c.NewMapCombiner(plan.CombineBound{Keys: 10}, func(key, acc []byte) {
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
	in, flush := c.NewMapCombiner(plan.CombineBound{Keys: 100}, addTo(t, c, totals))
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

// TestMapCombinerBytesBound feeds DistinctCount combiners growing sets
// under a byte bound: spread over many keys, and under three hot keys
// among cold ones. Each flushes before its estimate passes the bound, so no
// flush writes more than the bound's worth of encoded sets, and the merged
// partial sets count as the whole ones do.
func TestMapCombinerBytesBound(t *testing.T) {
	const bytesBound = 256 << 10
	for _, tc := range []struct {
		name string
		key  func(i int) int
	}{
		{"many keys", func(i int) int { return i % 500 }},
		{"hot keys", func(i int) int {
			if i%4 != 0 {
				return i % 3
			}
			return 3 + i%2000
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &combinePayload[int, string, DistinctSet[string], int64]{agg: DistinctCount[string](),
				key: codec.MustKeyFor[int](), acc: codec.MustFor[DistinctSet[string]]()}
			merged := map[int]DistinctSet[string]{}
			var flushed, largest, written int
			in, flush := c.NewMapCombiner(plan.CombineBound{Keys: 10_000, Bytes: bytesBound}, func(key, acc []byte) {
				k, _, err := c.key.Decode(key)
				a, _, err2 := c.acc.Decode(acc)
				if err != nil || err2 != nil {
					t.Fatal(err, err2)
				}
				merged[k] = c.agg.Merge(merged[k], a)
				written += len(acc)
			})
			emit := in.(func(Pair[int, string]))
			want := map[int]int64{}
			const records = 400_000
			for i := range records {
				k := tc.key(i)
				emit(KV(k, fmt.Sprintf("u%07d", i)))
				want[k]++
				if written > 0 { // a flush happened while adding this record
					flushed++
					largest = max(largest, written)
					written = 0
				}
			}
			if err := flush(); err != nil {
				t.Fatal(err)
			}
			got := map[int]int64{}
			for k, s := range merged {
				got[k] = c.agg.Result(s)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("distinct counts differ from the values' (%d keys against %d)", len(got), len(want))
			}
			// 400,000 values of 9 encoded bytes: about 3.6 MB, 14 times the
			// bound, so the key count alone would never flush.
			t.Logf("%d flushes, the largest writing %d encoded bytes", flushed, largest)
			if flushed < 4 {
				t.Errorf("%d flushes under a bound of %d bytes, want several", flushed, bytesBound)
			}
			if largest > bytesBound {
				t.Errorf("a flush wrote %d encoded bytes, more than the bound, %d", largest, bytesBound)
			}
		})
	}
}

// TestMapCombinerFixedSizeNotEstimated checks that fixed-size accumulators
// (a sum here) are bounded by their key count alone, however small the
// byte bound.
func TestMapCombinerFixedSizeNotEstimated(t *testing.T) {
	c := sumPayload(t)
	writes := 0
	in, flush := c.NewMapCombiner(plan.CombineBound{Keys: 100, Bytes: 1}, func(key, acc []byte) { writes++ })
	emit := in.(func(Pair[string, int64]))
	for i := range 100_000 {
		emit(KV(fmt.Sprint(i%50), int64(i)))
	}
	if err := flush(); err != nil {
		t.Fatal(err)
	}
	if writes != 50 {
		t.Errorf("%d accumulators written, want one per key (50)", writes)
	}
}

// BenchmarkMapCombinerEstimate measures what estimating the table's size
// costs a map-side combiner: the same records with no byte bound and with
// one too large to flush.
func BenchmarkMapCombinerEstimate(b *testing.B) {
	users := make([]string, 1<<16)
	for i := range users {
		users[i] = fmt.Sprintf("u%07d", i*7919%1_000_000)
	}
	top := &combinePayload[int, string, []string, []string]{agg: TopN(10, func(a, b string) bool { return a < b }),
		key: codec.MustKeyFor[int](), acc: codec.MustFor[[]string]()}
	distinct := &combinePayload[int, string, DistinctSet[string], int64]{agg: DistinctCount[string](),
		key: codec.MustKeyFor[int](), acc: codec.MustFor[DistinctSet[string]]()}
	for _, agg := range []struct {
		name string
		new  func(plan.CombineBound) plan.Emitter
	}{
		{"top10", func(bd plan.CombineBound) plan.Emitter {
			in, _ := top.NewMapCombiner(bd, func(key, acc []byte) {})
			return in
		}},
		{"distinct", func(bd plan.CombineBound) plan.Emitter {
			in, _ := distinct.NewMapCombiner(bd, func(key, acc []byte) {})
			return in
		}},
	} {
		for _, bytes := range []int64{0, 1 << 40} {
			b.Run(fmt.Sprintf("%s/bytes=%d", agg.name, bytes), func(b *testing.B) {
				for b.Loop() {
					emit := agg.new(plan.CombineBound{Keys: 10_000, Bytes: bytes}).(func(Pair[int, string]))
					for i, u := range users {
						emit(KV(i%200, u))
					}
				}
			})
		}
	}
}
