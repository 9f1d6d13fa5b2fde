package ptable

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"iter"
	"reflect"
	"slices"

	"github.com/bits-and-blooms/bloom/v3"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/pcollection"
)

// BloomFalsePositiveRate is the share of absent keys BloomJoin's filter lets
// through when b has expectedKeys distinct keys.
const BloomFalsePositiveRate = 0.01

// BloomJoin is Join with a Bloom filter in front of a's shuffle (Crunch's
// BloomFilterJoinStrategy; the small side is on the right here, as in Join
// and MapSideJoin). A first pass over b trains a filter on its keys, sized
// for expectedKeys distinct keys at BloomFalsePositiveRate (about 1.2 bytes
// a key); a's map tasks take it as a side input and drop the pairs whose
// key b cannot have before they are shuffled. Its output is Join's whatever
// expectedKeys is: more keys than expected only let more of a through. It
// adds a stage, since a's map tasks wait for the whole filter (b is still
// read once: its side of the join is written in the first stage), for a
// smaller shuffle of a, so it helps when b's keys are few against a's
// records and most of a's keys are not among them; when b's values also
// fit in memory, MapSideJoin avoids the shuffle altogether.
//
// With expectedKeys 0 the filter is sized for the keys b turns out to have:
// b's map tasks then keep a 64-bit hash of each distinct key they see (8
// bytes a key, up to twice that between compactions) instead of training
// filters, and the one task that merges them holds all of their hashes (8
// bytes a key per map task that saw it) to count them before it fills a
// filter of that size. It panics for expectedKeys < 0.
func BloomJoin[K, A, B any](a PTable[K, A], b PTable[K, B], expectedKeys int, opts ...pcollection.Option) PTable[K, Pair[A, B]] {
	info := pcollection.Build("BloomJoin", opts)
	if expectedKeys < 0 {
		panic(info.Errorf("BloomJoin needs expectedKeys ≥ 0 (0: count b's keys), got %d", expectedKeys))
	}
	kc, err := codec.KeyFor[K]()
	if err != nil {
		panic(info.Errorf("key type %s cannot be joined on: %v", reflect.TypeFor[K](), err))
	}
	named := func(suffix string) pcollection.Option { return pcollection.Name(info.Name + "/" + suffix) }
	keys := keyBytes(kc)

	// newProbe returns what the filter holds for a key, one per task;
	// trainer turns one map task of b into one record for merge, which
	// makes the filter.
	newProbe := func() func(dst []byte, k K) []byte { return keys }
	var trainer pcollection.DoFn[Pair[K, B], Pair[bool, []byte]] = &bloomTrainer[K, B]{keys: keys, expected: uint(expectedKeys)}
	merge := mergeFilters
	if expectedKeys == 0 {
		newProbe = func() func(dst []byte, k K) []byte { return hashedKeys(keys) }
		trainer = &keyHasher[K, B]{keys: keys}
		merge = filterOfHashes
	}
	trained := pcollection.Must(pcollection.TryParDo(b, trainer, named("train"), pcollection.Scale(perTaskScale)))
	filter := pcollection.Must(TryReduce(pcollection.Must(TryGroupByKey(trained, named("filters"), pcollection.Partitions(1))),
		func(_ bool, parts iter.Seq[[]byte], emit func([]byte)) error {
			f, err := merge(parts)
			if err != nil || f == nil {
				return err
			}
			b, err := f.MarshalBinary()
			if err != nil {
				return err
			}
			emit(b)
			return nil
		}, named("merge")))
	// With no filter b has no keys: nothing of a can join.
	filtered := pcollection.Must(pcollection.TryFlatMapWithSide(a, filter, func(side [][]byte) (func(Pair[K, A], func(Pair[K, A])), error) {
		if len(side) == 0 {
			return func(Pair[K, A], func(Pair[K, A])) {}, nil
		}
		f, err := decodeBloom(side[0])
		if err != nil {
			return nil, err
		}
		probe := newProbe()
		var buf []byte
		return func(p Pair[K, A], emit func(Pair[K, A])) {
			buf = probe(buf[:0], p.Key)
			if f.Test(buf) {
				emit(p)
			}
		}, nil
	}, named("filter")))
	return Join(filtered, b, append(slices.Clone(opts), pcollection.Name(info.Name))...)
}

// mergeFilters ORs the map tasks' filters into one; nil when there are none.
func mergeFilters(parts iter.Seq[[]byte]) (*bloom.BloomFilter, error) {
	var all *bloom.BloomFilter
	for part := range parts {
		f, err := decodeBloom(part)
		if err != nil {
			return nil, err
		}
		if all == nil {
			all = f
		} else if err := all.Merge(f); err != nil {
			return nil, fmt.Errorf("merging the map tasks' Bloom filters: %w", err)
		}
	}
	return all, nil
}

// filterOfHashes makes a filter of the map tasks' key hashes, sized for how
// many distinct ones there are; nil when there are none.
func filterOfHashes(parts iter.Seq[[]byte]) (*bloom.BloomFilter, error) {
	var all []uint64
	for part := range parts {
		if len(part)%8 != 0 {
			return nil, fmt.Errorf("key hashes: %d bytes, not a whole number of hashes: %w", len(part), codec.ErrCorrupt)
		}
		for i := 0; i < len(part); i += 8 {
			all = append(all, binary.LittleEndian.Uint64(part[i:]))
		}
	}
	if len(all) == 0 {
		return nil, nil
	}
	slices.Sort(all)
	all = slices.Compact(all)
	f := bloom.NewWithEstimates(uint(len(all)), BloomFalsePositiveRate)
	var buf [8]byte
	for _, h := range all {
		f.Add(binary.LittleEndian.AppendUint64(buf[:0], h))
	}
	return f, nil
}

// hashedKeys returns what a filter of key hashes holds for a key: the hash
// of its keyBytes (newKeyHash), little-endian. It is for one goroutine.
func hashedKeys[K any](keys func(dst []byte, k K) []byte) func(dst []byte, k K) []byte {
	hash := newKeyHash()
	var kb []byte
	return func(dst []byte, k K) []byte {
		kb = keys(kb[:0], k)
		return binary.LittleEndian.AppendUint64(dst, hash(kb))
	}
}

// newKeyHash returns a function for one goroutine that hashes a key's
// keyBytes with 64-bit FNV-1a: the same in every process, as hashes shipped
// from b's map tasks to a's must be.
func newKeyHash() func(b []byte) uint64 {
	h := fnv.New64a()
	return func(b []byte) uint64 {
		h.Reset()
		h.Write(b)
		return h.Sum64()
	}
}

// keyHasher keeps the hashes of the distinct keys of one map task's pairs
// and emits them, sorted, when the task ends: one record per task.
type keyHasher[K, V any] struct {
	keys   func(dst []byte, k K) []byte
	hash   func([]byte) uint64
	hashes []uint64
	// distinct is how many hashes the last compaction left; hashes grows
	// to twice that (or minCompact) before the next.
	distinct int
	buf      []byte
}

// minCompact is how many hashes a keyHasher gathers before it first
// removes repeats: 512 KiB, whatever b's keys.
const minCompact = 1 << 16

func (h *keyHasher[K, V]) Setup(*pcollection.Context) error {
	h.hash, h.hashes, h.distinct = newKeyHash(), nil, 0
	return nil
}

func (h *keyHasher[K, V]) Process(p Pair[K, V], _ func(Pair[bool, []byte])) error {
	h.buf = h.keys(h.buf[:0], p.Key)
	h.hashes = append(h.hashes, h.hash(h.buf))
	if len(h.hashes) >= max(2*h.distinct, minCompact) {
		h.compact()
	}
	return nil
}

func (h *keyHasher[K, V]) compact() {
	slices.Sort(h.hashes)
	h.hashes = slices.Compact(h.hashes)
	h.distinct = len(h.hashes)
}

func (h *keyHasher[K, V]) Finish(emit func(Pair[bool, []byte])) error {
	if len(h.hashes) == 0 {
		return nil
	}
	h.compact()
	out := make([]byte, 0, 8*len(h.hashes))
	for _, x := range h.hashes {
		out = binary.LittleEndian.AppendUint64(out, x)
	}
	h.hashes = nil
	emit(Pair[bool, []byte]{Value: out})
	return nil
}

// bloomTrainer adds the keys of one map task's pairs to a filter and emits
// the filter when the task ends: one record per task, whatever its input.
type bloomTrainer[K, V any] struct {
	keys     func(dst []byte, k K) []byte
	expected uint
	filter   *bloom.BloomFilter
	buf      []byte
}

func (t *bloomTrainer[K, V]) Setup(*pcollection.Context) error {
	t.filter = nil
	return nil
}

func (t *bloomTrainer[K, V]) Process(p Pair[K, V], _ func(Pair[bool, []byte])) error {
	if t.filter == nil {
		t.filter = bloom.NewWithEstimates(t.expected, BloomFalsePositiveRate)
	}
	t.buf = t.keys(t.buf[:0], p.Key)
	t.filter.Add(t.buf)
	return nil
}

func (t *bloomTrainer[K, V]) Finish(emit func(Pair[bool, []byte])) error {
	if t.filter == nil {
		return nil
	}
	b, err := t.filter.MarshalBinary()
	if err != nil {
		return err
	}
	emit(Pair[bool, []byte]{Value: b})
	return nil
}

// decodeBloom decodes a filter a trainer or the merge encoded.
func decodeBloom(b []byte) (*bloom.BloomFilter, error) {
	return decodeGuarded("Bloom filter", b, func(b []byte) (*bloom.BloomFilter, error) {
		f := new(bloom.BloomFilter)
		return f, f.UnmarshalBinary(b)
	})
}
