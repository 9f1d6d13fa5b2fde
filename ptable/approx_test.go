package ptable_test

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"testing"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

// The hash is fixed, so these estimates are too: the bounds cannot flake.
func TestApproxDistinctCountAccuracy(t *testing.T) {
	for _, n := range []int{0, 1, 100, 5_000, 200_000} {
		agg := ptable.ApproxDistinctCount[string]()
		h := agg.Init()
		for i := range n {
			// Every value twice: duplicates must not count.
			h = agg.Add(h, fmt.Sprintf("user-%d", i))
			h = agg.Add(h, fmt.Sprintf("user-%d", i))
		}
		got := agg.Result(h)
		// A standard error of 0.8%: 3% is almost four of them.
		if math.Abs(float64(got)-float64(n)) > 0.03*float64(n) {
			t.Errorf("%d distinct values estimated as %d", n, got)
		}
	}
}

// Merging the sketches of parts estimates what one sketch of everything
// does, after a trip through the codec, as between map and reduce tasks.
func TestApproxDistinctCountMerges(t *testing.T) {
	agg := ptable.ApproxDistinctCount[int64]()
	c, err := codec.For[ptable.HLL]()
	if err != nil {
		t.Fatal(err)
	}
	whole, merged := agg.Init(), agg.Init()
	for part := range 4 {
		h := agg.Init()
		for i := range 30_000 {
			v := int64(i * (part + 1)) // the parts overlap
			h = agg.Add(h, v)
			whole = agg.Add(whole, v)
		}
		b := c.Append(nil, h)
		back, n, err := c.Decode(b)
		if err != nil || n != len(b) {
			t.Fatalf("decoding a sketch: %d of %d bytes, %v", n, len(b), err)
		}
		merged = agg.Merge(merged, back)
	}
	if agg.Result(merged) != agg.Result(whole) {
		t.Errorf("merged parts estimate %d, one sketch of everything %d", agg.Result(merged), agg.Result(whole))
	}
	// An empty accumulator survives the codec too.
	if b := c.Append(nil, agg.Init()); len(b) != 1 {
		t.Errorf("an empty sketch encodes as %x", b)
	} else if h, _, err := c.Decode(b); err != nil || agg.Result(h) != 0 {
		t.Errorf("an empty sketch decodes to %d, %v", agg.Result(h), err)
	}
}

// encodedSketch is the encoding of a sketch of n distinct strings.
func encodedSketch(n int) []byte {
	agg := ptable.ApproxDistinctCount[string]()
	c, _ := codec.For[ptable.HLL]()
	h := agg.Init()
	for i := range n {
		h = agg.Add(h, fmt.Sprint(i))
	}
	return c.Append(nil, h)
}

// checkCorruptSketches decodes every prefix of good, and every prefix with
// a 0xFF after it: each must decode or fail with codec.ErrCorrupt, without
// a panic.
func checkCorruptSketches[S any](t *testing.T, good []byte) {
	t.Helper()
	c, err := codec.For[S]()
	if err != nil {
		t.Fatal(err)
	}
	for i := range good {
		for _, bad := range [][]byte{good[:i], append(append([]byte{}, good[:i]...), 0xFF)} {
			if _, _, err := c.Decode(bad); err != nil && !errors.Is(err, codec.ErrCorrupt) {
				t.Fatalf("%d bytes: error %v does not wrap codec.ErrCorrupt", len(bad), err)
			}
		}
	}
}

// fuzzSketchDecode fuzzes S's codec from seed: whatever it decodes without
// an error, it must have consumed within the input.
func fuzzSketchDecode[S any](f *testing.F, seed []byte) {
	c, _ := codec.For[S]()
	f.Add(seed)
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, n, err := c.Decode(b); err == nil && (n <= 0 || n > len(b)) {
			t.Fatalf("decoded %d of %d bytes without error", n, len(b))
		}
	})
}

func TestApproxDistinctCountCorruptSketch(t *testing.T) {
	checkCorruptSketches[ptable.HLL](t, encodedSketch(1000))
}

func FuzzHLLDecode(f *testing.F) { fuzzSketchDecode[ptable.HLL](f, encodedSketch(200)) }

func TestApproxDistinctCountRefusesUnorderable(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Error("ApproxDistinctCount of a map type did not panic")
		}
	}()
	ptable.ApproxDistinctCount[map[string]int]()
}

func ExampleApproxDistinctCount() {
	p := pcollection.NewPipeline("listeners")
	plays := pcollection.Of(p, ptable.KV("a1", "u1"), ptable.KV("a1", "u2"), ptable.KV("a1", "u1"), ptable.KV("a2", "u3"))
	listeners := pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(plays), ptable.ApproxDistinctCount[string]()))
	run(p)
	fmt.Println(sorted(listeners))
	// Output: [{a1 2} {a2 1}]
}

// distinctPairs are 1M (artist, user) plays: up to 20 artists, one with
// about half the plays, and 200,000 users.
func distinctPairs() []ptable.Pair[string, string] {
	out := make([]ptable.Pair[string, string], 1_000_000)
	x := uint64(1)
	for i := range out {
		x = x*6364136223846793005 + 1442695040888963407
		artist := bits.Len64(x>>40) % 20 // skewed: half the plays go to one artist
		out[i] = ptable.KV(fmt.Sprintf("a%02d", artist), fmt.Sprintf("u%06d", (x>>8)%200_000))
	}
	return out
}

// BenchmarkDistinctListeners counts distinct users per artist on the mem
// runner: exactly with DistinctCount (sets of users combined map-side),
// exactly with Distinct then Count (two shuffles, as daily-plays does), and
// approximately with ApproxDistinctCount.
func BenchmarkDistinctListeners(b *testing.B) {
	pairs := distinctPairs()
	artists := map[string]bool{}
	for _, p := range pairs {
		artists[p.Key] = true
	}
	for _, tc := range []struct {
		name  string
		count func(ptable.PTable[string, string]) ptable.PTable[string, int64]
	}{
		{"DistinctCount", func(t ptable.PTable[string, string]) ptable.PTable[string, int64] {
			return ptable.Aggregate(ptable.GroupByKey(t), ptable.DistinctCount[string]())
		}},
		{"DistinctThenCount", func(t ptable.PTable[string, string]) ptable.PTable[string, int64] {
			artists := pcollection.Map(ptable.Keys(ptable.Count(t)), func(p ptable.Pair[string, string]) string { return p.Key })
			return ptable.Count(artists)
		}},
		{"ApproxDistinctCount", func(t ptable.PTable[string, string]) ptable.PTable[string, int64] {
			return ptable.Aggregate(ptable.GroupByKey(t), ptable.ApproxDistinctCount[string]())
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				p := pcollection.NewPipeline("listeners")
				out := pcollection.Materialize(tc.count(pcollection.Of(p, pairs...)))
				run(p)
				if vs, _ := out.Values(); len(vs) != len(artists) {
					b.Fatalf("%d artists, want %d", len(vs), len(artists))
				}
			}
		})
	}
}
