package ptable

import (
	"fmt"
	"iter"
	"reflect"
	"slices"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
)

// PGroupedTable is a PTable grouped by key: each key once, with all its
// values. Consume it with Reduce, CombineValues or Aggregate. The values of a
// group arrive as an iter.Seq that can be iterated once: a group may be
// larger than memory.
type PGroupedTable[K, V any] struct {
	p       *pcollection.Pipeline
	id      plan.NodeID
	input   plan.NodeID
	payload *groupPayload[K, V]
	info    pcollection.BuildInfo
}

// Pipeline returns the pipeline the table belongs to.
func (g PGroupedTable[K, V]) Pipeline() *pcollection.Pipeline { return g.p }

// node returns the GroupByKey node for a new consumer. The group values can
// be iterated only once, so a grouping consumed twice is grouped twice (the
// planner puts both shuffles in the same stage, sharing the input's read).
func (g PGroupedTable[K, V]) node() plan.NodeID {
	if len(g.p.Graph().Consumers(g.id)) == 0 {
		return g.id
	}
	return g.p.AddNode(g.info, plan.OpGroupByKey, pcollection.TypeOf[Pair[K, iter.Seq[V]]](), g.payload.plan(), g.input)
}

// TryGroupByKey groups t by key. K must be orderable (no maps, funcs, chans
// or interfaces): the shuffle sorts the keys' encodings. Options: Partitions.
func TryGroupByKey[K, V any](t PTable[K, V], opts ...pcollection.Option) (PGroupedTable[K, V], error) {
	return groupByKey(t, unsorted, opts...)
}

// groupByKey is TryGroupByKey, or a sort's grouping (rangedPayload) when
// order is ascending or descending.
func groupByKey[K, V any](t PTable[K, V], order sortOrder, opts ...pcollection.Option) (PGroupedTable[K, V], error) {
	b := pcollection.Build("GroupByKey", opts)
	p, err := b.SamePipeline(t.Pipeline())
	if err != nil {
		return PGroupedTable[K, V]{}, err
	}
	if err := checkPartitions(b); err != nil {
		return PGroupedTable[K, V]{}, err
	}
	kc, err := codec.KeyFor[K]()
	if err != nil {
		return PGroupedTable[K, V]{}, b.Errorf("key type %s cannot be grouped: %v", reflect.TypeFor[K](), err)
	}
	vc, err := codec.For[V]()
	if err != nil {
		return PGroupedTable[K, V]{}, b.Errorf("value type %s cannot be shuffled: %v", reflect.TypeFor[V](), err)
	}
	gp := &groupPayload[K, V]{key: kc, val: vc, partitions: b.Partitions, order: order, site: b.Site()}
	id := p.AddNode(b, plan.OpGroupByKey, pcollection.TypeOf[Pair[K, iter.Seq[V]]](), gp.plan(), t.ID())
	return PGroupedTable[K, V]{p: p, id: id, input: t.ID(), payload: gp, info: b}, nil
}

// checkPartitions refuses a negative Partitions option, for the transforms
// that make a shuffle.
func checkPartitions(b pcollection.BuildInfo) error {
	if b.Partitions < 0 {
		return b.Errorf("Partitions(%d): want a positive count, or 0 to let the runner choose", b.Partitions)
	}
	return nil
}

// GroupByKey is TryGroupByKey that panics on misuse.
func GroupByKey[K, V any](t PTable[K, V], opts ...pcollection.Option) PGroupedTable[K, V] {
	return pcollection.Must(TryGroupByKey(t, opts...))
}

type groupPayload[K, V any] struct {
	key        codec.Codec[K]
	val        codec.Codec[V]
	partitions int
	order      sortOrder // a sort's grouping (rangedPayload), else unsorted
	site       pcollection.Site
}

// plan returns the payload a GroupByKey node holds.
func (g *groupPayload[K, V]) plan() plan.GroupByKeyPayload {
	if g.order != unsorted {
		return rangedPayload[K, V]{g}
	}
	return g
}

func (g *groupPayload[K, V]) Partitions() int { return g.partitions }

func (g *groupPayload[K, V]) NewShuffleWriter(write func(key, value []byte)) plan.Emitter {
	var kb, vb []byte
	return func(p Pair[K, V]) {
		kb = g.key.Append(kb[:0], p.Key)
		vb = g.val.Append(vb[:0], p.Value)
		write(kb, vb)
	}
}

func (g *groupPayload[K, V]) NewGroupReader(out plan.Emitter) func(key []byte, values iter.Seq[[]byte]) error {
	emit := out.(func(Pair[K, iter.Seq[V]]))
	d := newValueDecoder(g.val)
	return func(kb []byte, values iter.Seq[[]byte]) error {
		k, err := decodeKey(g.key, kb)
		if err != nil {
			return err
		}
		emit(Pair[K, iter.Seq[V]]{Key: k, Value: d.of(values)})
		d.done()
		return nil
	}
}

// DescribeKey renders an encoded key for an error (plan.KeyDescriber).
func (g *groupPayload[K, V]) DescribeKey(kb []byte) string { return describeKey(g.key, kb) }

var _ plan.KeyDescriber = (*groupPayload[int, int])(nil)

// describeKey renders key kb, encoded by c, as its Go value (plan.KeyText),
// or as the bytes if they do not decode.
func describeKey[K any](c codec.Codec[K], kb []byte) string {
	k, err := decodeKey(c, kb)
	if err != nil {
		return plan.KeyText(kb)
	}
	if r, ok := any(k).(interface{ userKey() any }); ok {
		return plan.KeyText(r.userKey()) // a sort's: the rank is the shuffle's
	}
	return plan.KeyText(k)
}

func decodeKey[K any](c codec.Codec[K], b []byte) (K, error) {
	k, n, err := c.Decode(b)
	if err == nil && n != len(b) {
		err = fmt.Errorf("%d trailing bytes after key: %w", len(b)-n, codec.ErrCorrupt)
	}
	if err != nil {
		return k, fmt.Errorf("decoding shuffle key %s: %w", reflect.TypeFor[K](), err)
	}
	return k, nil
}

// valueDecoder decodes a group's values lazily; a corrupt value aborts the
// task. A reader's groups come one after another, so one decoder serves
// them all; each group's iterator is a small closure that knows its group,
// so that one kept and iterated during a later group's call panics rather
// than yielding that group's values.
//
// The values can be iterated once, while their group is being reduced:
// they stream from the shuffle's merge, so a second pass would see nothing
// (or, after a break, the rest) on the local and Hadoop runners while the
// in-memory runner would start over. Both misuses panic instead, on every
// runner, which fails the task with the reducer named.
type valueDecoder[V any] struct {
	c      codec.Codec[V]
	values iter.Seq[[]byte] // the current group's encoded values; nil between groups
	used   bool             // the current group's values were iterated
	group  uint64           // counts the groups begun
	yield  func(V) bool     // the current iteration's consumer
	step   func([]byte) bool
}

func newValueDecoder[V any](c codec.Codec[V]) *valueDecoder[V] {
	d := &valueDecoder[V]{c: c}
	d.step = d.decodeOne // bound once
	return d
}

// of returns the iterator over values, decoded.
func (d *valueDecoder[V]) of(values iter.Seq[[]byte]) iter.Seq[V] {
	d.values, d.used = values, false
	d.group++
	group := d.group
	return func(yield func(V) bool) { d.all(group, yield) }
}

// done ends the current group: its values may no longer be iterated.
func (d *valueDecoder[V]) done() { d.values = nil }

func (d *valueDecoder[V]) all(group uint64, yield func(V) bool) {
	switch {
	case d.values == nil || group != d.group:
		panic(fmt.Errorf("the values of a group of %s were iterated after the function given them returned: copy them into a slice to keep them", reflect.TypeFor[V]()))
	case d.used:
		panic(fmt.Errorf("the values of a group of %s were iterated twice: they stream from the shuffle and can be iterated once (copy them into a slice to read them again)", reflect.TypeFor[V]()))
	}
	d.used = true
	d.yield = yield
	d.values(d.step)
}

func (d *valueDecoder[V]) decodeOne(b []byte) bool {
	v, _, err := d.c.Decode(b)
	if err != nil {
		plan.Raise(fmt.Errorf("decoding shuffle value %s: %w", reflect.TypeFor[V](), err))
	}
	return d.yield(v)
}

// TryReduce calls fn once per group with the key and its values (which can
// be iterated once); fn emits any number of outputs.
func TryReduce[K, V, O any](g PGroupedTable[K, V], fn func(key K, values iter.Seq[V], emit func(O)) error, opts ...pcollection.Option) (pcollection.PCollection[O], error) {
	b := pcollection.Build("Reduce", opts)
	if _, err := b.SamePipeline(g.p); err != nil {
		return pcollection.PCollection[O]{}, err
	}
	if fn == nil {
		return pcollection.PCollection[O]{}, b.Errorf("nil function")
	}
	return reduceGroups(g.p, b, g.node(), fn)
}

// TryParDoGrouped runs a DoFn over g's groups, each a Pair of a key and its
// values (which can be iterated once): Crunch's PGroupedTable.parallelDo,
// Beam's ParDo after GroupByKey. Unlike Reduce's function, a DoFn has the
// lifecycle of pcollection.ParDo: Setup gets the task's Context (counters,
// task info), Finish may emit after the task's last group, and a fresh copy
// of fn serves each task.
func TryParDoGrouped[K, V, O any](g PGroupedTable[K, V], fn pcollection.DoFn[Pair[K, iter.Seq[V]], O], opts ...pcollection.Option) (pcollection.PCollection[O], error) {
	b := pcollection.Build("ParDoGrouped", opts)
	if _, err := b.SamePipeline(g.p); err != nil {
		return pcollection.PCollection[O]{}, err
	}
	return pcollection.TryParDo(pcollection.FromNode[Pair[K, iter.Seq[V]]](g.p, g.node()), fn, append(slices.Clone(opts), pcollection.Name(b.Name))...)
}

// ParDoGrouped is TryParDoGrouped that panics on misuse.
func ParDoGrouped[K, V, O any](g PGroupedTable[K, V], fn pcollection.DoFn[Pair[K, iter.Seq[V]], O], opts ...pcollection.Option) pcollection.PCollection[O] {
	return pcollection.Must(TryParDoGrouped(g, fn, opts...))
}

// reduceGroups calls fn once per group that GroupByKey node group emits.
func reduceGroups[K, V, O any](p *pcollection.Pipeline, b pcollection.BuildInfo, group plan.NodeID, fn func(key K, values iter.Seq[V], emit func(O)) error) (pcollection.PCollection[O], error) {
	return reduceGroupsBound(p, b, group, func(emit func(O)) func(K, iter.Seq[V]) error {
		return func(k K, vs iter.Seq[V]) error { return fn(k, vs, emit) }
	})
}

// reduceGroupsBound is reduceGroups for crunchgo's own reducers: bind runs
// once per task, with the task's emit, and returns what to call per group.
// A reducer that passes the values a loop body it made in bind, rather than
// ranging over them (which makes a closure per group), costs no allocation
// per group.
func reduceGroupsBound[K, V, O any](p *pcollection.Pipeline, b pcollection.BuildInfo, group plan.NodeID, bind func(emit func(O)) func(key K, values iter.Seq[V]) error) (pcollection.PCollection[O], error) {
	s := b.Site()
	in := pcollection.FromNode[Pair[K, iter.Seq[V]]](p, group)
	return pcollection.AddFunc(in, b, func(emit func(O)) func(Pair[K, iter.Seq[V]]) {
		fn := bind(emit)
		return func(p Pair[K, iter.Seq[V]]) {
			s.CallErr(func() error { return fn(p.Key, p.Value) })
		}
	})
}

// Reduce is TryReduce that panics on misuse.
func Reduce[K, V, O any](g PGroupedTable[K, V], fn func(key K, values iter.Seq[V], emit func(O)) error, opts ...pcollection.Option) pcollection.PCollection[O] {
	return pcollection.Must(TryReduce(g, fn, opts...))
}
