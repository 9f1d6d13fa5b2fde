package ptable

import (
	"fmt"
	"iter"
	"reflect"
	"slices"
	"unsafe"

	"github.com/bits-and-blooms/bloom/v3"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/pcollection"
)

// BloomFalsePositiveRate is the share of absent keys BloomJoin's filter lets
// through when a has expectedKeys distinct keys.
const BloomFalsePositiveRate = 0.01

// BloomJoin is Join with a Bloom filter in front of b's shuffle (Crunch's
// BloomFilterJoinStrategy). A first pass over a trains a filter on its keys,
// sized for expectedKeys distinct keys at BloomFalsePositiveRate (about 1.2
// bytes a key); b's map tasks take it as a side input and drop the pairs
// whose key a cannot have before they are shuffled. Its output is Join's
// whatever expectedKeys is: more keys than expected only let more of b
// through. It adds a stage, since b's map tasks wait for the whole filter
// (a is still read once: its side of the join is written in the first
// stage), for a smaller shuffle of b, so it helps when a's keys are few
// against b's records and most of b's keys are not among them; when a's
// values also fit in memory, MapSideJoin avoids the shuffle altogether. It
// panics for expectedKeys < 1.
func BloomJoin[K, A, B any](a PTable[K, A], b PTable[K, B], expectedKeys int, opts ...pcollection.Option) PTable[K, Pair[A, B]] {
	info := pcollection.Build("BloomJoin", opts)
	if expectedKeys < 1 {
		panic(info.Errorf("BloomJoin needs expectedKeys ≥ 1, got %d", expectedKeys))
	}
	kc, err := codec.KeyFor[K]()
	if err != nil {
		panic(info.Errorf("key type %s cannot be joined on: %v", reflect.TypeFor[K](), err))
	}
	named := func(suffix string) pcollection.Option { return pcollection.Name(info.Name + "/" + suffix) }
	keys := keyBytes(kc)

	trained := pcollection.Must(pcollection.TryParDo[Pair[K, A], Pair[bool, []byte]](a,
		&bloomTrainer[K, A]{keys: keys, expected: uint(expectedKeys)}, named("train"), pcollection.Scale(0)))
	filter := pcollection.Must(TryReduce(pcollection.Must(TryGroupByKey(trained, named("filters"), pcollection.Partitions(1))),
		func(_ bool, parts iter.Seq[[]byte], emit func([]byte)) error {
			var all *bloom.BloomFilter
			for part := range parts {
				f, err := decodeBloom(part)
				if err != nil {
					return err
				}
				if all == nil {
					all = f
				} else if err := all.Merge(f); err != nil {
					return fmt.Errorf("merging the map tasks' Bloom filters: %w", err)
				}
			}
			if all != nil {
				b, err := all.MarshalBinary()
				if err != nil {
					return err
				}
				emit(b)
			}
			return nil
		}, named("merge")))
	// With no filter a has no keys: nothing of b can join.
	filtered := pcollection.Must(pcollection.TryFlatMapWithSide(b, filter, func(side [][]byte) (func(Pair[K, B], func(Pair[K, B])), error) {
		if len(side) == 0 {
			return func(Pair[K, B], func(Pair[K, B])) {}, nil
		}
		f, err := decodeBloom(side[0])
		if err != nil {
			return nil, err
		}
		var buf []byte
		return func(p Pair[K, B], emit func(Pair[K, B])) {
			buf = keys(buf[:0], p.Key)
			if f.Test(buf) {
				emit(p)
			}
		}, nil
	}, named("filter")))
	return Join(a, filtered, append(slices.Clone(opts), pcollection.Name(info.Name))...)
}

// keyBytes returns the bytes a key is hashed by: its key encoding, the same
// for equal keys in every process (a string's own bytes, which are).
func keyBytes[K any](kc codec.Codec[K]) func(dst []byte, k K) []byte {
	if reflect.TypeFor[K]().Kind() == reflect.String {
		return func(dst []byte, k K) []byte { return append(dst, *(*string)(unsafe.Pointer(&k))...) }
	}
	return kc.Append
}

// bloomTrainer adds the keys of one map task's pairs to a filter and emits
// the filter when the task ends: one record per task, whatever its input.
type bloomTrainer[K, A any] struct {
	keys     func(dst []byte, k K) []byte
	expected uint
	filter   *bloom.BloomFilter
	buf      []byte
}

func (t *bloomTrainer[K, A]) Setup(*pcollection.Context) error {
	t.filter = nil
	return nil
}

func (t *bloomTrainer[K, A]) Process(p Pair[K, A], _ func(Pair[bool, []byte])) error {
	if t.filter == nil {
		t.filter = bloom.NewWithEstimates(t.expected, BloomFalsePositiveRate)
	}
	t.buf = t.keys(t.buf[:0], p.Key)
	t.filter.Add(t.buf)
	return nil
}

func (t *bloomTrainer[K, A]) Finish(emit func(Pair[bool, []byte])) error {
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
