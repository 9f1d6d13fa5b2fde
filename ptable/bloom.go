package ptable

import (
	"fmt"
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
// fit in memory, MapSideJoin avoids the shuffle altogether. It panics for
// expectedKeys < 1.
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

	trained := pcollection.Must(pcollection.TryParDo[Pair[K, B], Pair[bool, []byte]](b,
		&bloomTrainer[K, B]{keys: keys, expected: uint(expectedKeys)}, named("train"), pcollection.Scale(0)))
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
	// With no filter b has no keys: nothing of a can join.
	filtered := pcollection.Must(pcollection.TryFlatMapWithSide(a, filter, func(side [][]byte) (func(Pair[K, A], func(Pair[K, A])), error) {
		if len(side) == 0 {
			return func(Pair[K, A], func(Pair[K, A])) {}, nil
		}
		f, err := decodeBloom(side[0])
		if err != nil {
			return nil, err
		}
		var buf []byte
		return func(p Pair[K, A], emit func(Pair[K, A])) {
			buf = keys(buf[:0], p.Key)
			if f.Test(buf) {
				emit(p)
			}
		}, nil
	}, named("filter")))
	return Join(filtered, b, append(slices.Clone(opts), pcollection.Name(info.Name))...)
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
