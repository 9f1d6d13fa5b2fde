package ptable

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/pcollection"
)

// The range partitioner reads a sort key's bucket from its first two
// bytes: that is where the key codec must put it.
func TestRankedKeyStartsWithBucket(t *testing.T) {
	kc, err := codec.KeyFor[rankedKey[string]]()
	if err != nil {
		t.Fatal(err)
	}
	b := kc.Append(nil, rankedKey[string]{Bucket: 0x1234, Key: "x"})
	if len(b) < 2 || b[0] != 0x12 || b[1] != 0x34 {
		t.Fatalf("rankedKey encodes as %x, want it to start with 1234", b)
	}
	var p rangedPayload[string, int]
	if got := p.Partition(b, 1<<16); got != 0x1234 {
		t.Errorf("Partition over 65536 partitions = %d, want the bucket %d", got, 0x1234)
	}
}

// Samples distinct keys as four map tasks would, merges their samples as
// the sort's reducer does, and checks that the ranges split the keys evenly
// and in order.
func TestSortRangesBalanced(t *testing.T) {
	kc, _ := codec.KeyFor[int64]()
	const n, tasks = 200_000, 4
	var merged sampleHeap
	var keys [][]byte
	for task := range tasks {
		s := &keySampler[Pair[int64, struct{}], int64, struct{}]{key: kc, seed: uint64(task) << 32,
			kv: func(p Pair[int64, struct{}]) (int64, struct{}) { return p.Key, p.Value }}
		for i := range int64(n / tasks) {
			// A scrambled order: ranges must not follow the input's order.
			v := ((int64(task)*n/tasks + i) * 7919) % n
			s.Process(KV(v, struct{}{}), nil)
			keys = append(keys, kc.Append(nil, v))
		}
		if len(s.kept) != sortSample {
			t.Fatalf("task %d kept %d samples, want %d", task, len(s.kept), sortSample)
		}
		s.Finish(func(p Pair[bool, sampledKey]) { merged.keep(p.Value) })
	}
	bounds := merged.bounds()
	if len(bounds) != sortBounds || !slices.IsSortedFunc(bounds, bytes.Compare) {
		t.Fatalf("got %d bounds (sorted: %v), want %d in order", len(bounds), slices.IsSortedFunc(bounds, bytes.Compare), sortBounds)
	}
	var p rangedPayload[int64, struct{}]
	rk, _ := codec.KeyFor[rankedKey[int64]]()
	r := newRanker(bounds)
	for _, parts := range []int{1, 3, 8, 64} {
		count := make([]int, parts)
		last := 0
		slices.SortFunc(keys, bytes.Compare)
		for i, kb := range keys {
			v, _, _ := kc.Decode(kb)
			part := p.Partition(rk.Append(nil, rankedKey[int64]{Bucket: r.bucket(kb), Key: v}), parts)
			if part < last || part >= parts {
				t.Fatalf("%d partitions: key %d (rank %d) went to partition %d after one went to %d", parts, v, i, part, last)
			}
			last = part
			count[part]++
		}
		// The sample is a fixed pseudo-random one, so this cannot flake:
		// each range is within 5% of its even share up to 8 partitions
		// (about 2,000 sampled keys each), within 20% at 64 (256 each).
		slack := 0.05
		if parts > 8 {
			slack = 0.2
		}
		for i, c := range count {
			if share := float64(n) / float64(parts); float64(c) < share*(1-slack) || float64(c) > share*(1+slack) {
				t.Errorf("%d partitions: partition %d holds %d keys, want about %.0f (counts %v)", parts, i, c, share, count)
				break
			}
		}
	}
}

// Long keys are sampled by their first sortBoundBytes bytes: the samples
// and bounds stay small, and the ranges still follow key order and split
// keys that differ within those bytes evenly.
func TestSortLongKeysSampledByPrefix(t *testing.T) {
	kc, _ := codec.KeyFor[string]()
	const n = 20_000
	long := func(i int) string {
		// A scrambled 6-digit head, then 4 KiB shared by all keys, then
		// the key's own tail: keys differ in the head and past the cut.
		return fmt.Sprintf("%06d", (i*7919)%n) + strings.Repeat("x", 4096) + fmt.Sprint(i)
	}
	s := &keySampler[Pair[string, struct{}], string, struct{}]{key: kc,
		kv: func(p Pair[string, struct{}]) (string, struct{}) { return p.Key, p.Value }}
	var keys [][]byte
	for i := range n {
		s.Process(KV(long(i), struct{}{}), nil)
		keys = append(keys, kc.Append(nil, long(i)))
	}
	kept := 0
	for _, k := range s.kept {
		if len(k.Key) > sortBoundBytes {
			t.Fatalf("a sampled key holds %d bytes, want at most %d", len(k.Key), sortBoundBytes)
		}
		kept += len(k.Key)
	}
	if kept > sortSample*sortBoundBytes {
		t.Fatalf("the sample holds %d bytes", kept)
	}
	bounds := s.kept.bounds()
	r := newRanker(bounds)
	slices.SortFunc(keys, bytes.Compare)
	var p rangedPayload[string, struct{}]
	rk, _ := codec.KeyFor[rankedKey[string]]()
	const parts = 4
	count := make([]int, parts)
	last := 0
	for _, kb := range keys {
		v, _, _ := kc.Decode(kb)
		part := p.Partition(rk.Append(nil, rankedKey[string]{Bucket: r.bucket(kb), Key: v}), parts)
		if part < last {
			t.Fatalf("key %.10q... went to partition %d after one went to %d", v, part, last)
		}
		last = part
		count[part]++
	}
	for i, c := range count {
		if c < n/parts*9/10 || c > n/parts*11/10 {
			t.Errorf("partition %d holds %d keys, want about %d (counts %v)", i, c, n/parts, count)
		}
	}
}

func TestSortEdgeBuckets(t *testing.T) {
	if got := newRanker(nil).bucket([]byte("a")); got != 0 {
		t.Errorf("no bounds: bucket %d, want 0", got)
	}
	r := newRanker([][]byte{[]byte("b"), []byte("d")})
	for _, tc := range []struct {
		key  string
		want uint16
	}{{"a", 0}, {"b", 0x7FFF}, {"c", 0x7FFF}, {"d", 0xFFFF}, {"z", 0xFFFF}} {
		if got := r.bucket([]byte(tc.key)); got != tc.want {
			t.Errorf("bucket(%q) = %#x, want %#x", tc.key, got, tc.want)
		}
	}
}

// The ranker's search by 8-byte heads must count the bounds at most a key
// exactly as comparing whole keys does, for keys that share heads, are
// shorter than 8 bytes or hold zero bytes.
func TestRankerMatchesPlainSearch(t *testing.T) {
	var keys [][]byte
	for _, stem := range []string{"", "a", "ab\x00", "abcdefgh", "abcdefgi", "abcdefg"} {
		for _, tail := range []string{"", "\x00", "\x01", "x", "xy", "\xff\xff"} {
			keys = append(keys, []byte(stem+tail))
		}
	}
	slices.SortFunc(keys, bytes.Compare)
	keys = slices.CompactFunc(keys, bytes.Equal)
	for n := range len(keys) + 1 {
		bounds := keys[:n:n]
		r := newRanker(bounds)
		for _, k := range keys {
			at := 0
			for at < n && bytes.Compare(bounds[at], k) <= 0 {
				at++
			}
			want := uint16(0)
			if n > 0 {
				want = uint16(at * 0xFFFF / n)
			}
			if got := r.bucket(k); got != want {
				t.Errorf("%d bounds: bucket(%q) = %d, want %d", n, k, got, want)
			}
		}
	}
}

func TestRangePartitionEdges(t *testing.T) {
	var p rangedPayload[string, int]
	if got := p.Partition([]byte{0xFF, 0xFF}, 7); got != 6 {
		t.Errorf("the last bucket went to partition %d of 7, want 6", got)
	}
	if got := p.Partition(nil, 7); got != 0 {
		t.Errorf("an empty key went to partition %d, want 0", got)
	}
}

func TestSortUnorderableKeyRefused(t *testing.T) {
	p := pcollection.NewPipeline("sort")
	in := pcollection.Of(p, KV(map[string]int{}, 1))
	if _, err := TrySortByKey(in); err == nil || !bytes.Contains([]byte(err.Error()), []byte("cannot be sorted")) {
		t.Errorf("sorting by a map key: err = %v, want one saying it cannot be sorted", err)
	}
}

// A secondary sort's shuffle key groups and partitions by the key's
// encoding alone, whatever the sort value.
func TestSecondaryKeyPrefix(t *testing.T) {
	kc, _ := codec.KeyFor[string]()
	vc, _ := codec.For[Pair[string, int]]()
	sc, _ := codec.KeyFor[string]()
	g := &secondaryPayload[string, string, int]{key: kc, sort: sc, val: vc}
	var keys [][]byte
	w := g.NewShuffleWriter(func(k, _ []byte) { keys = append(keys, bytes.Clone(k)) }).(func(Pair[string, Pair[string, int]]))
	for _, s := range []string{"", "a", "a\x00", "b"} {
		w(KV("user\x00", KV(s, 1)))
	}
	want := kc.Append(nil, "user\x00")
	for i, k := range keys {
		if !bytes.Equal(g.GroupPrefix(k), want) {
			t.Errorf("key %d: group prefix %x, want %x", i, g.GroupPrefix(k), want)
		}
		if g.Partition(k, 7) != g.Partition(keys[0], 7) {
			t.Errorf("key %d went to partition %d, key 0 to %d", i, g.Partition(k, 7), g.Partition(keys[0], 7))
		}
		if i > 0 && bytes.Compare(keys[i-1], k) >= 0 {
			t.Errorf("shuffle keys %d and %d out of the sort values' order", i-1, i)
		}
	}
	for _, bad := range [][]byte{nil, {1, 2}, {0xFF, 0xFF, 0xFF, 0xFF}, {'a', 0, 0, 0, 9}} {
		if got := g.GroupPrefix(bad); !bytes.Equal(got, bad) {
			t.Errorf("malformed key %x: prefix %x, want the key itself", bad, got)
		}
	}
}

// With a full set of 1,024 random bounds sharing prefixes of several
// lengths, the ranker must count the bounds at most a key exactly as a
// plain search does, for keys with the bounds' prefix and without it.
func TestRankerMatchesPlainSearchAtScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randomKey := func(prefix string) []byte {
		b := []byte(prefix)
		for range rng.IntN(12) {
			b = append(b, byte(rng.IntN(256)))
		}
		return b
	}
	for _, prefix := range []string{"", "t", "t000", "abcdefg", "abcdefgh", "\xff\xff", "\x00"} {
		var bounds [][]byte
		for range sortBounds {
			bounds = append(bounds, randomKey(prefix))
		}
		slices.SortFunc(bounds, bytes.Compare)
		r := newRanker(bounds)
		var probes [][]byte
		for range 20_000 {
			probes = append(probes, randomKey(prefix))
		}
		probes = append(probes, randomKey(""), nil, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		probes = append(probes, bounds[0], bounds[len(bounds)/2], bounds[len(bounds)-1])
		for _, k := range probes {
			at, _ := slices.BinarySearchFunc(bounds, k, func(b, k []byte) int {
				if bytes.Compare(b, k) <= 0 {
					return -1
				}
				return 1
			})
			if got, want := r.bucket(k), uint16(at*0xFFFF/len(bounds)); got != want {
				t.Fatalf("prefix %q: bucket(%q) = %d, want %d", prefix, k, got, want)
			}
		}
	}
}
