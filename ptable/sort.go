package ptable

import (
	"bytes"
	"container/heap"
	"encoding/binary"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"sort"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/internal/splitmix"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
)

// perTaskScale is the Scale of a transform that puts out a few records a
// task whatever its input's size (a sort's sample, a Bloom join's filter),
// so that the planner does not take its output for one as large as its
// input (a Scale of 0 means the default, 1).
const perTaskScale = 1e-6

// sortSample is how many records a sort samples to choose its partitions'
// key ranges, and sortBounds how many of their keys, evenly spaced in key
// order, it broadcasts to the tasks that partition by them. With 64
// partitions (the most the runners choose by themselves) a partition's
// share then rests on about 256 sampled keys and 16 bounds (Spark samples
// 20 keys a partition), while the broadcast stays small.
//
// A sampled key is kept to its first sortBoundBytes encoded bytes, so that
// long keys cannot make the sample, or the bounds every task of the sort
// holds, large: at most 4 MiB and 256 KiB. Cut bounds still order as the
// keys did (ties aside), so every key still ranks at or above the keys
// before it; only keys sharing their first 256 bytes with a bound lose
// balance, going above it together.
const (
	sortSample     = 16384
	sortBounds     = 1024
	sortBoundBytes = 256
)

// TrySortByKey returns t sorted by key (ascending, in the key type's order,
// as GroupByKey orders keys): its tasks write part files that, read in name
// order, hold the pairs in key order, and Materialize gives them in key
// order. The values of equal keys come in no particular order. Floats
// order as cmp.Compare orders them: NaN first, where Spark puts it last.
//
// It is a total-order sort, as Crunch's Sort and Spark's sortByKey: a first
// pass samples the keys, and the sort's shuffle then partitions by key
// range, with every range about the same share of the sample, instead of by
// hash. t is read twice: a source is read again, a computed t is written
// once and read by both passes. Options: Name, Partitions (the number of
// key ranges, and so of part files).
func TrySortByKey[K, V any](t PTable[K, V], opts ...pcollection.Option) (PTable[K, V], error) {
	return sortBy(pcollection.Build("SortByKey", opts), t, pairKV[K, V], ascending)
}

// SortByKey is TrySortByKey that panics on misuse.
func SortByKey[K, V any](t PTable[K, V], opts ...pcollection.Option) PTable[K, V] {
	return pcollection.Must(TrySortByKey(t, opts...))
}

// TrySortByKeyDescending is TrySortByKey in descending key order: the
// first part file holds the greatest keys.
func TrySortByKeyDescending[K, V any](t PTable[K, V], opts ...pcollection.Option) (PTable[K, V], error) {
	return sortBy(pcollection.Build("SortByKeyDescending", opts), t, pairKV[K, V], descending)
}

// SortByKeyDescending is TrySortByKeyDescending that panics on misuse.
func SortByKeyDescending[K, V any](t PTable[K, V], opts ...pcollection.Option) PTable[K, V] {
	return pcollection.Must(TrySortByKeyDescending(t, opts...))
}

// TrySort returns c's elements in ascending order, as TrySortByKey orders
// keys: T must be orderable, as a GroupByKey key.
func TrySort[T any](c pcollection.PCollection[T], opts ...pcollection.Option) (pcollection.PCollection[T], error) {
	return sortElements(pcollection.Build("Sort", opts), c, ascending)
}

// Sort is TrySort that panics on misuse.
func Sort[T any](c pcollection.PCollection[T], opts ...pcollection.Option) pcollection.PCollection[T] {
	return pcollection.Must(TrySort(c, opts...))
}

// TrySortDescending is TrySort in descending order.
func TrySortDescending[T any](c pcollection.PCollection[T], opts ...pcollection.Option) (pcollection.PCollection[T], error) {
	return sortElements(pcollection.Build("SortDescending", opts), c, descending)
}

// SortDescending is TrySortDescending that panics on misuse.
func SortDescending[T any](c pcollection.PCollection[T], opts ...pcollection.Option) pcollection.PCollection[T] {
	return pcollection.Must(TrySortDescending(c, opts...))
}

func pairKV[K, V any](p Pair[K, V]) (K, V) { return p.Key, p.Value }

// sortElements sorts c with every element as its own key.
func sortElements[T any](b pcollection.BuildInfo, c pcollection.PCollection[T], order sortOrder) (pcollection.PCollection[T], error) {
	sorted, err := sortBy(b, c, func(v T) (T, struct{}) { return v, struct{}{} }, order)
	if err != nil {
		return pcollection.PCollection[T]{}, err
	}
	return Keys(sorted, pcollection.Name(b.Name+"/keys")), nil
}

// sortBy sorts c's elements, split by kv into key and value, by key. Both
// passes read c itself, so that a source is read twice rather than copied.
func sortBy[T, K, V any](b pcollection.BuildInfo, c pcollection.PCollection[T], kv func(T) (K, V), order sortOrder) (PTable[K, V], error) {
	if _, err := b.SamePipeline(c.Pipeline()); err != nil {
		return PTable[K, V]{}, err
	}
	kc, err := codec.KeyFor[K]()
	if err != nil {
		return PTable[K, V]{}, b.Errorf("key type %s cannot be sorted: %v", reflect.TypeFor[K](), err)
	}
	named := func(part string) pcollection.Option { return pcollection.Name(b.Name + "/" + part) }

	// The sample: each task computing c (a map task, or the reducer of c's
	// grouping) keeps the sortSample elements of its input with the lowest
	// pseudo-random priorities (a reservoir), and one reducer keeps the
	// lowest of those, then picks bounds among their keys.
	picked, err := pcollection.TryParDo[T, Pair[bool, sampledKey]](c, &keySampler[T, K, V]{key: kc, kv: kv}, named("sample"), pcollection.Scale(perTaskScale))
	if err != nil {
		return PTable[K, V]{}, err
	}
	samples, err := TryGroupByKey(picked, named("sample-group"), pcollection.Partitions(1))
	if err != nil {
		return PTable[K, V]{}, err
	}
	bounds, err := TryReduce(samples, func(_ bool, vs iter.Seq[sampledKey], emit func([][]byte)) error {
		var h sampleHeap
		for v := range vs {
			h.keep(v)
		}
		emit(h.bounds())
		return nil
	}, named("bounds"))
	if err != nil {
		return PTable[K, V]{}, err
	}

	// The sort: every pair is keyed by its rank bucket (counted from the top
	// when descending), the shuffle's partitions take contiguous bucket
	// ranges, and each reducer emits its keys in order.
	ranked, err := pcollection.TryFlatMapWithSide(c, bounds, func(side [][][]byte) (func(T, func(Pair[rankedKey[K], V])), error) {
		var r ranker
		if len(side) > 0 {
			r = newRanker(side[0])
		}
		var kb []byte
		return func(x T, emit func(Pair[rankedKey[K], V])) {
			k, v := kv(x)
			kb = kc.Append(kb[:0], k)
			bucket := r.bucket(kb)
			if order == descending {
				bucket = 0xFFFF - bucket
			}
			emit(Pair[rankedKey[K], V]{Key: rankedKey[K]{Bucket: bucket, Key: k}, Value: v})
		}, nil
	}, named("rank"))
	if err != nil {
		return PTable[K, V]{}, err
	}
	grouped, err := groupByKey(ranked, order, named("group"), pcollection.Partitions(b.Partitions))
	if err != nil {
		return PTable[K, V]{}, err
	}
	ungroup := pcollection.Build(b.Name+"/ungroup", nil)
	ungroup.Caller = b.Caller
	return reduceGroupsBound(grouped.p, ungroup, grouped.node(), func(emit func(Pair[K, V])) func(rankedKey[K], iter.Seq[V]) error {
		var key K
		body := func(v V) bool {
			emit(Pair[K, V]{Key: key, Value: v})
			return true
		}
		return func(k rankedKey[K], vs iter.Seq[V]) error {
			key = k.Key
			vs(body)
			return nil
		}
	})
}

// rankedKey is a sort's shuffle key. The key codec encodes a struct's
// fields in order, so the encoding starts with Bucket's two big-endian
// bytes, where the range partitioner reads it, and orders by bucket, then
// key: the key's own order, since buckets only grow with the key.
type rankedKey[K any] struct {
	Bucket uint16
	Key    K
}

// userKey is the key the user sorts by, for errors.
func (r rankedKey[K]) userKey() any { return r.Key }

// ranker finds an encoded key's rank bucket among the sorted sample bounds:
// how many bounds are at most the key, scaled to 16 bits, which never
// decreases as the key grows. It searches the bounds' first 8 bytes as
// integers, and compares whole keys only among bounds that share them.
type ranker struct {
	bounds [][]byte
	heads  []uint64 // each bound's first 8 bytes, big-endian, zero padded
}

func newRanker(bounds [][]byte) ranker {
	r := ranker{bounds: bounds, heads: make([]uint64, len(bounds))}
	for i, b := range bounds {
		r.heads[i] = head(b)
	}
	return r
}

// head is b's first 8 bytes as a big-endian integer, zero padded: heads
// order as the keys do, except that keys sharing 8 bytes (or shorter keys
// padded to equal ones) tie.
func head(b []byte) uint64 {
	var p [8]byte
	copy(p[:], b)
	return binary.BigEndian.Uint64(p[:])
}

func (r ranker) bucket(kb []byte) uint16 {
	if len(r.bounds) == 0 {
		return 0
	}
	h := head(kb)
	// Bounds [lo, hi) share kb's head; those before are below kb, those
	// after above it.
	lo, _ := slices.BinarySearch(r.heads, h)
	hi := lo
	for hi < len(r.heads) && r.heads[hi] == h {
		hi++
	}
	i := lo + sort.Search(hi-lo, func(j int) bool { return bytes.Compare(r.bounds[lo+j], kb) > 0 })
	return uint16(i * 0xFFFF / len(r.bounds))
}

// sortOrder says whether a grouping is a sort's, and which way it sorts.
type sortOrder int

const (
	unsorted sortOrder = iota
	ascending
	descending
)

// rangedPayload is the grouping of a sort: a partition takes a contiguous
// range of the keys' rank buckets, so partition i's keys all sort before
// partition i+1's. A descending sort's keys are rankedKeys whose bucket is
// counted from the top and whose key encoding is shuffled with every byte
// inverted: no key encoding is a proper prefix of another (see package
// codec), so inverted encodings sort in reverse.
type rangedPayload[K, V any] struct{ *groupPayload[K, V] }

func (r rangedPayload[K, V]) NewShuffleWriter(write func(key, value []byte)) plan.Emitter {
	if r.order != descending {
		return r.groupPayload.NewShuffleWriter(write)
	}
	return r.groupPayload.NewShuffleWriter(func(key, value []byte) {
		invert(key[2:]) // the writer's own buffer, encoded afresh for every pair
		write(key, value)
	})
}

func (r rangedPayload[K, V]) NewGroupReader(out plan.Emitter) func(key []byte, values iter.Seq[[]byte]) error {
	read := r.groupPayload.NewGroupReader(out)
	if r.order != descending {
		return read
	}
	var kb []byte
	return func(key []byte, values iter.Seq[[]byte]) error {
		if len(key) < 2 {
			return fmt.Errorf("decoding shuffle key %s: %d bytes: %w", reflect.TypeFor[K](), len(key), codec.ErrCorrupt)
		}
		kb = append(kb[:0], key...)
		invert(kb[2:])
		return read(kb, values)
	}
}

func (r rangedPayload[K, V]) DescribeKey(key []byte) string {
	if r.order == descending && len(key) >= 2 {
		key = slices.Clone(key)
		invert(key[2:])
	}
	return r.groupPayload.DescribeKey(key)
}

// invert flips every bit of b.
func invert(b []byte) {
	for i := range b {
		b[i] = ^b[i]
	}
}

func (rangedPayload[K, V]) Partition(key []byte, partitions int) int {
	if len(key) < 2 {
		return 0
	}
	return int(binary.BigEndian.Uint16(key)) * partitions >> 16
}

func (rangedPayload[K, V]) PartitionedBy() string { return "key range" }

var (
	_ plan.Partitioner  = rangedPayload[int, int]{}
	_ plan.KeyDescriber = rangedPayload[int, int]{}
)

// sampledKey is one sampled record: its encoded key and the priority that
// chose it.
type sampledKey struct {
	Priority uint64
	Key      []byte
}

// keySampler picks, per task, the sortSample elements with the lowest
// priorities, which are pseudo-random but fixed by the task's stage and
// number and the element's position: a retry picks the same elements.
type keySampler[T, K, V any] struct {
	key  codec.Codec[K]
	kv   func(T) (K, V)
	seed uint64
	n    uint64
	kept sampleHeap
	kb   []byte
}

func (s *keySampler[T, K, V]) Setup(ctx *pcollection.Context) error {
	info := ctx.Task()
	s.seed = splitmix.TaskSeed(info.Stage, info.Task, 0)
	s.n, s.kept = 0, nil
	return nil
}

func (s *keySampler[T, K, V]) Process(x T, _ func(Pair[bool, sampledKey])) error {
	s.n++
	pri := splitmix.Mix64(s.seed ^ s.n)
	if !s.kept.wants(pri) {
		return nil
	}
	k, _ := s.kv(x)
	s.kb = s.key.Append(s.kb[:0], k)
	s.kept.keep(sampledKey{Priority: pri, Key: bytes.Clone(s.kb[:min(len(s.kb), sortBoundBytes)])})
	return nil
}

func (s *keySampler[T, K, V]) Finish(emit func(Pair[bool, sampledKey])) error {
	for _, k := range s.kept {
		emit(Pair[bool, sampledKey]{Value: k})
	}
	return nil
}

// sampleHeap keeps the sortSample records of lowest priority it is given:
// a max-heap by priority, whose root is the first to go.
type sampleHeap []sampledKey

// wants says whether a record of priority pri would be kept.
func (h sampleHeap) wants(pri uint64) bool { return len(h) < sortSample || pri < h[0].Priority }

// keep adds s if it is among the lowest, dropping the highest if full. s's
// key must not change afterwards.
func (h *sampleHeap) keep(s sampledKey) {
	switch {
	case len(*h) < sortSample:
		heap.Push(h, s)
	case s.Priority < (*h)[0].Priority:
		(*h)[0] = s
		heap.Fix(h, 0)
	}
}

func (h sampleHeap) Len() int           { return len(h) }
func (h sampleHeap) Less(i, j int) bool { return h[i].Priority > h[j].Priority }
func (h sampleHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *sampleHeap) Push(x any)        { *h = append(*h, x.(sampledKey)) }
func (h *sampleHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// bounds returns sortBounds of the kept keys, evenly spaced in key order:
// the keys at ranks n/(m+1), 2n/(m+1) and so on of the n kept.
func (h sampleHeap) bounds() [][]byte {
	keys := make([][]byte, len(h))
	for i, s := range h {
		keys[i] = s.Key
	}
	slices.SortFunc(keys, bytes.Compare)
	m := min(len(keys), sortBounds)
	bounds := make([][]byte, m)
	for j := range bounds {
		bounds[j] = keys[(j+1)*len(keys)/(m+1)]
	}
	return bounds
}
