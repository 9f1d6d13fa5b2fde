package ptable

import (
	"encoding/binary"
	"fmt"
	"iter"
	"math"
	"reflect"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
)

// TryReduceSorted is a secondary sort (Crunch's SecondarySort, Beam's
// SortValues): it groups t by key and calls fn once per key with the key's
// values in ascending order of their first part S. The shuffle sorts by key
// and S together and groups by key alone, so the values stream from the
// shuffle's sort: a group need not fit in memory. S must be orderable, as a
// GroupByKey key; values with equal S come in no particular order.
// Options: Name, Partitions.
func TryReduceSorted[K, S, V, O any](t PTable[K, Pair[S, V]], fn func(key K, values iter.Seq[Pair[S, V]], emit func(O)) error, opts ...pcollection.Option) (pcollection.PCollection[O], error) {
	return reduceSorted(pcollection.Build("ReduceSorted", opts), t, fn, ascending)
}

// ReduceSorted is TryReduceSorted that panics on misuse.
func ReduceSorted[K, S, V, O any](t PTable[K, Pair[S, V]], fn func(key K, values iter.Seq[Pair[S, V]], emit func(O)) error, opts ...pcollection.Option) pcollection.PCollection[O] {
	return pcollection.Must(TryReduceSorted(t, fn, opts...))
}

// TryReduceSortedDescending is TryReduceSorted with each group's values in
// descending order of S: the latest event first, the largest amount first.
func TryReduceSortedDescending[K, S, V, O any](t PTable[K, Pair[S, V]], fn func(key K, values iter.Seq[Pair[S, V]], emit func(O)) error, opts ...pcollection.Option) (pcollection.PCollection[O], error) {
	return reduceSorted(pcollection.Build("ReduceSortedDescending", opts), t, fn, descending)
}

// ReduceSortedDescending is TryReduceSortedDescending that panics on misuse.
func ReduceSortedDescending[K, S, V, O any](t PTable[K, Pair[S, V]], fn func(key K, values iter.Seq[Pair[S, V]], emit func(O)) error, opts ...pcollection.Option) pcollection.PCollection[O] {
	return pcollection.Must(TryReduceSortedDescending(t, fn, opts...))
}

func reduceSorted[K, S, V, O any](b pcollection.BuildInfo, t PTable[K, Pair[S, V]], fn func(key K, values iter.Seq[Pair[S, V]], emit func(O)) error, order sortOrder) (pcollection.PCollection[O], error) {
	if fn == nil {
		return pcollection.PCollection[O]{}, b.Errorf("nil function")
	}
	return reduceSortedBound(b, t, func(emit func(O)) func(K, iter.Seq[Pair[S, V]]) error {
		return func(k K, vs iter.Seq[Pair[S, V]]) error { return fn(k, vs, emit) }
	}, order)
}

// reduceSortedBound is reduceSorted with a reducer bound per task (see
// reduceGroupsBound).
func reduceSortedBound[K, S, V, O any](b pcollection.BuildInfo, t PTable[K, Pair[S, V]], bind func(emit func(O)) func(key K, values iter.Seq[Pair[S, V]]) error, order sortOrder) (pcollection.PCollection[O], error) {
	p, err := b.SamePipeline(t.Pipeline())
	if err != nil {
		return pcollection.PCollection[O]{}, err
	}
	if err := checkPartitions(b); err != nil {
		return pcollection.PCollection[O]{}, err
	}
	kc, err := codec.KeyFor[K]()
	if err != nil {
		return pcollection.PCollection[O]{}, b.Errorf("key type %s cannot be grouped: %v", reflect.TypeFor[K](), err)
	}
	sc, err := codec.KeyFor[S]()
	if err != nil {
		return pcollection.PCollection[O]{}, b.Errorf("sort type %s cannot be sorted: %v", reflect.TypeFor[S](), err)
	}
	vc, err := codec.For[Pair[S, V]]()
	if err != nil {
		return pcollection.PCollection[O]{}, b.Errorf("value type %s cannot be shuffled: %v", reflect.TypeFor[Pair[S, V]](), err)
	}
	gp := &secondaryPayload[K, S, V]{key: kc, sort: sc, val: vc, partitions: b.Partitions, descending: order == descending}
	group := pcollection.BuildInfo{Name: b.Name + "/group", Caller: b.Caller, Partitions: b.Partitions}
	id := p.AddNode(group, plan.OpGroupByKey, pcollection.TypeOf[Pair[K, iter.Seq[Pair[S, V]]]](), gp, t.ID())
	return reduceGroupsBound(p, pcollection.BuildInfo{Name: b.Name, Caller: b.Caller}, id, bind)
}

// secondaryPayload is a secondary sort's grouping. Its shuffle key is the
// key's encoding, then S's, then the key encoding's length as 4 big-endian
// bytes: it sorts by key then S (no encoding is a proper prefix of another,
// so the length never decides), and the length finds the grouping prefix
// without decoding. The value is the whole Pair[S, V]. Descending, S's
// encoding is shuffled with every byte inverted, which reverses its order
// for the same reason; the reader decodes S from the value.
type secondaryPayload[K, S, V any] struct {
	key        codec.Codec[K]
	sort       codec.Codec[S]
	val        codec.Codec[Pair[S, V]]
	partitions int
	descending bool
}

func (g *secondaryPayload[K, S, V]) Partitions() int { return g.partitions }

func (g *secondaryPayload[K, S, V]) NewShuffleWriter(write func(key, value []byte)) plan.Emitter {
	var kb, vb []byte
	return func(p Pair[K, Pair[S, V]]) {
		kb = g.key.Append(kb[:0], p.Key)
		n := len(kb)
		if n > math.MaxUint32 {
			plan.Raise(fmt.Errorf("a %s key encodes to %d bytes, too long to group by", reflect.TypeFor[K](), n))
		}
		kb = g.sort.Append(kb, p.Value.Key)
		if g.descending {
			invert(kb[n:])
		}
		kb = binary.BigEndian.AppendUint32(kb, uint32(n))
		vb = g.val.Append(vb[:0], p.Value)
		write(kb, vb)
	}
}

// GroupPrefix is the key's encoding: the shuffle key up to the length its
// last 4 bytes give. A malformed key is its own group (and fails to decode).
func (g *secondaryPayload[K, S, V]) GroupPrefix(key []byte) []byte {
	if len(key) < 4 {
		return key
	}
	n := binary.BigEndian.Uint32(key[len(key)-4:])
	if uint64(n) > uint64(len(key)-4) {
		return key
	}
	return key[:n]
}

// Partition hashes the grouping prefix (FNV-1a), so that a key's values
// meet in one partition whatever their S.
func (g *secondaryPayload[K, S, V]) Partition(key []byte, partitions int) int {
	h := uint32(2166136261)
	for _, c := range g.GroupPrefix(key) {
		h = (h ^ uint32(c)) * 16777619
	}
	return int(h % uint32(partitions))
}

func (g *secondaryPayload[K, S, V]) PartitionedBy() string {
	if g.descending {
		return "key alone, each group's values sorted by their first part, descending"
	}
	return "key alone, each group's values sorted by their first part"
}

func (g *secondaryPayload[K, S, V]) NewGroupReader(out plan.Emitter) func(key []byte, values iter.Seq[[]byte]) error {
	emit := out.(func(Pair[K, iter.Seq[Pair[S, V]]]))
	d := newValueDecoder(g.val)
	return func(kb []byte, values iter.Seq[[]byte]) error {
		k, err := decodeKey(g.key, kb)
		if err != nil {
			return err
		}
		emit(Pair[K, iter.Seq[Pair[S, V]]]{Key: k, Value: d.of(values)})
		d.done()
		return nil
	}
}

// DescribeKey renders a group's key, the grouping prefix, for an error
// (plan.KeyDescriber).
func (g *secondaryPayload[K, S, V]) DescribeKey(kb []byte) string { return describeKey(g.key, kb) }

var (
	_ plan.KeyDescriber  = (*secondaryPayload[int, int, int])(nil)
	_ plan.Partitioner   = (*secondaryPayload[int, int, int])(nil)
	_ plan.GroupPrefixer = (*secondaryPayload[int, int, int])(nil)
)
