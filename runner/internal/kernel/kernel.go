package kernel

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"runtime/debug"
	"slices"

	"github.com/crunchgo/crunchgo/internal/progress"
	"github.com/crunchgo/crunchgo/plan"
)

// Outputs are the executor's side of a task: where the kernel's records go.
type Outputs struct {
	// Shuffle takes a map phase's record for channel ch of the stage. The
	// slices are valid only during the call.
	Shuffle func(ch int, key, value []byte)
	// Intermediate takes an encoded record of a materialized node.
	Intermediate func(node plan.NodeID, rec []byte)
	// Collect takes an encoded record of a Materialize node.
	Collect func(node plan.NodeID, rec []byte)
	// OpenSink opens a part file this task writes for a Sink node, in
	// subdirectory dir of the output ("" but for partitioned sinks),
	// numbered seq (plan.OpenPart). The executor owns the writer: it commits
	// or aborts it after Finish, unless done commits it first.
	OpenSink func(node plan.NodeID, dir string, seq int) (w io.Writer, done func() error, err error)
	// ReadSide reads a side input of the phase (plan.SideReader) that is
	// an intermediate; needed only by phases with such side inputs.
	ReadSide func(id plan.NodeID, fn func(rec []byte) error) error
	// SourceSides are the splits of the phase's side inputs that are
	// sources (plan.Graph.SourceSide), as the driver listed them: the
	// kernel reads such a side input itself, every split in order, from
	// the source. The driver lists them once, before any task runs, so
	// that a missing file fails the run once and every task reads the same
	// files.
	SourceSides map[plan.NodeID][]plan.Split
	// SideLen, if set, counts an intermediate side input's elements
	// (plan.SideSizer).
	SideLen func(id plan.NodeID) (int, error)
	// SideCache, if set, keeps decoded side inputs for the process's later
	// tasks (plan.SideCache).
	SideCache plan.SideCache
	// CombineKeys bounds the keys a map-side combiner holds before it
	// flushes; 0 means 10,000.
	CombineKeys int
	// CombineBytes bounds the estimated memory of the map-side combiners
	// of a task, shared among the stage's combined channels; 0 means no
	// bound but CombineKeys.
	CombineBytes int64
	// CheckInputs fails the task when a user function changes an element
	// it was given (plan.ElemType.CheckUnmodified): the in-memory runner's
	// check, too slow for production.
	CheckInputs bool
}

// Stats count a task's records.
type Stats struct {
	RecordsIn  int64 // records entering the phase (elements, or values of groups)
	Groups     int64 // reduce phases: groups
	Shuffled   int64 // records written to shuffles
	RecordsOut int64 // records written to intermediates, collections and sinks
}

// Kernel is one task's instance of a phase.
type Kernel struct {
	ctx   context.Context
	sg    *plan.StageGraph
	stage *plan.Stage
	ph    *plan.Phase
	tc    plan.TaskContext
	out   Outputs
	Stats Stats
	outs  map[plan.NodeID]plan.Emitter
	ins   map[plan.NodeID]plan.Emitter
	chans map[int]plan.Emitter
	// finish holds the user functions' Finish in the order input wires
	// them: each after every function downstream of it (a depth-first
	// post-order), so Finish runs it backwards. Then come the combiner
	// flushes, then the sink closes.
	finish []func() error
	flush  []func() error
	closes []func() error
	tear   []func()

	entry  plan.Emitter
	decode func([]byte) error
	group  func(key []byte, values iter.Seq[[]byte]) error
	// keyPayload renders a group's key for an error (plan.DescribeKey).
	keyPayload any

	values     iter.Seq[[]byte]  // the current group's values
	yield      func([]byte) bool // the current group's consumer
	countYield func([]byte) bool // counts a value and passes it to yield
	counted    iter.Seq[[]byte]  // values through countYield
}

// Build instantiates phase ph of stage st for one task.
func Build(ctx context.Context, sg *plan.StageGraph, st *plan.Stage, ph *plan.Phase, tc plan.TaskContext, out Outputs) (k *Kernel, err error) {
	if out.CombineKeys <= 0 {
		out.CombineKeys = 10_000
	}
	if len(ph.Sides) > 0 {
		for _, id := range ph.Sides {
			if !sg.Graph.SourceSide(id) && out.ReadSide == nil {
				return nil, fmt.Errorf("kernel: phase of stage %d reads side inputs %v, but the executor offers none", st.ID, ph.Sides)
			}
		}
		tc = sideContext{TaskContext: tc, ctx: ctx, g: sg.Graph, sources: out.SourceSides,
			read: out.ReadSide, len: out.SideLen, cache: out.SideCache}
	}
	k = &Kernel{ctx: ctx, sg: sg, stage: st, ph: ph, tc: tc, out: out,
		outs: map[plan.NodeID]plan.Emitter{}, ins: map[plan.NodeID]plan.Emitter{}, chans: map[int]plan.Emitter{}}
	defer func() {
		if e := recovered(recover()); e != nil {
			k.Teardown()
			k, err = nil, e
		}
	}()
	g := sg.Graph
	entry := g.Node(ph.Entry)
	switch {
	case ph.Kind == plan.ReducePhase && entry.Op == plan.OpGroupByKey:
		k.group = entry.Payload.(plan.GroupByKeyPayload).NewGroupReader(k.output(entry.ID))
		k.keyPayload = entry.Payload
	case ph.Kind == plan.ReducePhase && entry.Op == plan.OpCombineValues:
		k.group = entry.Payload.(plan.CombinePayload).NewAccumulatorMerger(k.output(entry.ID))
		k.keyPayload = entry.Payload
	case entry.Op == plan.OpSource:
		k.entry = k.output(entry.ID)
	default: // an intermediate written by an earlier stage
		if ch := sg.ShuffledFor(entry.ID); ch != nil && ch.Reduce.Stage == st.ID {
			k.decode = k.copyToShuffle(ch.Index)
		} else {
			k.decode = entry.Type.NewDecoder(k.output(entry.ID))
		}
	}
	return k, nil
}

// recovered turns a recovered panic into an error: an Abort's error, or a
// runner bug with its stack.
func recovered(r any) error {
	if r == nil {
		return nil
	}
	if a, ok := r.(plan.Abort); ok {
		return a.Err
	}
	return fmt.Errorf("internal error: %v\n%s", r, debug.Stack())
}

// output returns the emitter that takes node id's output in this phase: a
// tee of its consumers here, its shuffle writes and its intermediate write.
func (k *Kernel) output(id plan.NodeID) plan.Emitter {
	if e, ok := k.outs[id]; ok {
		return e
	}
	g := k.sg.Graph
	n := g.Node(id)
	var outs []plan.Emitter
	for _, c := range g.Consumers(id) {
		cn := g.Node(c)
		switch {
		case k.ph.Has(c):
			outs = append(outs, k.input(c))
		case cn.Op == plan.OpGroupByKey && k.ph.Kind == plan.MapPhase:
			if ch := k.stage.ChannelOf(c); ch != nil {
				outs = append(outs, k.shuffle(ch))
			}
		}
	}
	if k.ph.Writes(id) {
		write := func(b []byte) {
			k.Stats.RecordsOut++
			progress.Mark()
			k.out.Intermediate(id, b)
		}
		if ch := k.sg.ShuffledFor(id); ch != nil {
			outs = append(outs, k.shuffledIntermediate(ch, write))
		} else {
			outs = append(outs, n.Type.NewEncoder(write))
		}
	}
	e := n.Type.Tee(outs)
	k.outs[id] = e
	return e
}

// input instantiates node id and returns the emitter that feeds it.
func (k *Kernel) input(id plan.NodeID) plan.Emitter {
	if e, ok := k.ins[id]; ok {
		return e
	}
	n := k.sg.Graph.Node(id)
	var in plan.Emitter
	bind := func(b plan.Bound, err error) {
		if err != nil {
			plan.Raise(err)
		}
		in = b.In
		k.finish = append(k.finish, b.Finish)
		k.tear = append(k.tear, b.Teardown)
	}
	switch n.Op {
	case plan.OpParDo:
		bind(n.Payload.(plan.DoFnPayload).Bind(k.tc, k.output(id)))
		if k.out.CheckInputs {
			in = k.sg.Graph.CheckInput(n, in)
		}
	case plan.OpCombineValues:
		bind(n.Payload.(plan.CombinePayload).Bind(k.tc, k.output(id)))
	case plan.OpFlatten:
		in = k.output(id)
	case plan.OpMaterialize:
		in = n.Type.NewEncoder(func(b []byte) {
			k.Stats.RecordsOut++
			progress.Mark()
			k.out.Collect(id, b)
		})
	case plan.OpSink:
		var e plan.Emitter
		var closeFn func() error
		var err error
		if ps, ok := n.Payload.(plan.PartitionedSinkPayload); ok && len(ps.PartitionKeys()) > 0 {
			open := func(dir string, seq int) (io.Writer, func() error, error) { return k.out.OpenSink(id, dir, seq) }
			e, closeFn, err = ps.NewPartitionedWriter(k.ctx, k.tc, open)
		} else {
			w, _, oerr := k.out.OpenSink(id, "", 0)
			if oerr != nil {
				plan.Raise(oerr)
			}
			e, closeFn, err = n.Payload.(plan.SinkPayload).NewWriter(k.ctx, k.tc, w)
		}
		if err != nil {
			plan.Raise(fmt.Errorf("%s: %w", n.Label(), err))
		}
		in = n.Type.Counted(e, &k.Stats.RecordsOut)
		k.closes = append(k.closes, closeFn)
	default:
		plan.Raise(fmt.Errorf("kernel: cannot instantiate %s in a %s phase", n.Label(), k.ph.Kind))
	}
	k.ins[id] = in
	return in
}

// shuffle returns the writer of channel ch, with the lifted combiner in front.
func (k *Kernel) shuffle(ch *plan.Channel) plan.Emitter {
	if e, ok := k.chans[ch.Index]; ok {
		return e
	}
	idx := ch.Index
	write := func(key, value []byte) {
		k.Stats.Shuffled++
		progress.Mark()
		k.out.Shuffle(idx, key, value)
	}
	var e plan.Emitter
	if ch.Combiner != plan.NoNode {
		in, flush := k.sg.Graph.Node(ch.Combiner).Payload.(plan.CombinePayload).NewMapCombiner(k.combineBound(), write)
		k.flush = append(k.flush, flush)
		e = in
	} else {
		e = k.sg.Graph.Node(ch.GroupByKey).Payload.(plan.GroupByKeyPayload).NewShuffleWriter(write)
	}
	k.chans[ch.Index] = e
	return e
}

// combineBound is the bound of one map-side combiner: the task's
// CombineBytes split evenly among the stage's combined channels.
func (k *Kernel) combineBound() plan.CombineBound {
	n := 0
	for _, ch := range k.stage.Channels {
		if ch.Combiner != plan.NoNode {
			n++
		}
	}
	return plan.CombineBound{Keys: k.out.CombineKeys, Bytes: k.out.CombineBytes / int64(max(1, n))}
}

// shuffledIntermediate returns the writer of an intermediate that a later
// stage reads as channel ch's shuffle records: ch's map side (its lifted
// combiner or its shuffle writer) runs here, and each (key, value) it
// writes becomes one intermediate record.
func (k *Kernel) shuffledIntermediate(ch *plan.Channel, write func([]byte)) plan.Emitter {
	var rec []byte
	frame := func(key, value []byte) {
		rec = binary.AppendUvarint(rec[:0], uint64(len(key)))
		rec = append(rec, key...)
		write(append(rec, value...))
	}
	if ch.Combiner != plan.NoNode {
		in, flush := k.sg.Graph.Node(ch.Combiner).Payload.(plan.CombinePayload).NewMapCombiner(k.combineBound(), frame)
		k.flush = append(k.flush, flush)
		return in
	}
	return k.sg.Graph.Node(ch.GroupByKey).Payload.(plan.GroupByKeyPayload).NewShuffleWriter(frame)
}

// errShuffledRecord reports an intermediate record that does not frame a
// key: the file is corrupt (or not the one the plan wrote).
var errShuffledRecord = errors.New("malformed shuffle record in intermediate: key length exceeds the record")

// copyToShuffle returns the reader of an intermediate written as channel
// ch's shuffle records (see shuffledIntermediate): it passes each record to
// the shuffle as it is.
func (k *Kernel) copyToShuffle(ch int) func([]byte) error {
	return func(rec []byte) error {
		n, w := binary.Uvarint(rec)
		if w <= 0 || n > uint64(len(rec)-w) {
			return errShuffledRecord
		}
		key := rec[w : w+int(n)]
		k.Stats.Shuffled++
		progress.Mark()
		k.out.Shuffle(ch, key, rec[w+int(n):])
		return nil
	}
}

// ReadSource runs a map task over one split of the phase's source.
func (k *Kernel) ReadSource(split plan.Split) (err error) {
	start := k.Stats.RecordsIn
	defer func() {
		if e := recovered(recover()); e != nil {
			err = e
		}
		// A user function that failed on a record of a file: say which
		// (after the key, if a map-side combiner named it).
		var te *plan.TransformError
		if split.Path != "" && errors.As(err, &te) && k.Stats.RecordsIn > start {
			rec := plan.InputRecord(k.Stats.RecordsIn-start, split)
			if te.Input == "" {
				te.Input = rec
			} else {
				te.Input += " in " + rec
			}
		}
	}()
	src := k.sg.Graph.Node(k.ph.Entry)
	tc := k.tc
	if !k.firstRead() {
		tc = renamedCounters{tc, plan.CounterSuffixReadAgain}
	}
	return src.Payload.(plan.SourcePayload).Read(k.ctx, tc, split, k.countIn(src))
}

// firstRead reports whether this phase is the first of the plan, in stage
// and input order, to read its source as a main input.
func (k *Kernel) firstRead() bool {
	for _, st := range k.sg.Stages {
		for _, in := range st.Inputs {
			if in.Node == k.ph.Entry && !in.Intermediate {
				return in.Phase == k.ph
			}
		}
	}
	return true
}

// renamedCounters gives a source its counters under names with a suffix.
type renamedCounters struct {
	plan.TaskContext
	suffix string
}

func (r renamedCounters) Counter(group, name string) *plan.Counter {
	return r.TaskContext.Counter(group, name+r.suffix)
}

// countIn wraps the entry emitter to count records in.
func (k *Kernel) countIn(n *plan.Node) plan.Emitter {
	return n.Type.Counted(k.entry, &k.Stats.RecordsIn)
}

// Record feeds one encoded record of the phase's intermediate input.
func (k *Kernel) Record(rec []byte) (err error) {
	defer func() {
		if e := recovered(recover()); e != nil {
			err = e
		}
	}()
	k.Stats.RecordsIn++
	progress.Mark()
	return k.decode(rec)
}

// Group feeds one group of a reduce phase: the key and its values, in the
// order the executor merged them. A user function's error names the group.
func (k *Kernel) Group(key []byte, values iter.Seq[[]byte]) (err error) {
	defer func() {
		if e := recovered(recover()); e != nil {
			err = e
		}
		var te *plan.TransformError
		if err != nil && errors.As(err, &te) && te.Input == "" {
			te.Input = plan.InputGroup(plan.DescribeKey(k.keyPayload, key), k.tc.Info())
		}
	}()
	k.Stats.Groups++
	if k.counted == nil {
		// One iterator and one yield wrapper serve every group, so a group
		// costs no allocation (a range over a func allocates its body).
		k.countYield = func(v []byte) bool {
			k.Stats.RecordsIn++
			progress.Mark()
			return k.yield(v)
		}
		k.counted = func(yield func([]byte) bool) {
			k.yield = yield
			k.values(k.countYield)
		}
	}
	k.values = values
	return k.group(key, k.counted)
}

// Finish runs the user functions' Finish, each before those of the
// functions it emits into (which may still emit what it gives them last),
// then flushes the map-side combiners and closes the sink writers (which
// flushes their formats' trailers; the executor then commits the files).
func (k *Kernel) Finish() (err error) {
	defer func() {
		if e := recovered(recover()); e != nil {
			err = e
		}
	}()
	finish := slices.Clone(k.finish)
	slices.Reverse(finish)
	for _, steps := range [][]func() error{finish, k.flush, k.closes} {
		for _, f := range steps {
			if err := f(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Teardown releases the user functions; it runs after success or failure.
func (k *Kernel) Teardown() {
	for _, t := range k.tear {
		func() {
			defer func() { _ = recover() }()
			t()
		}()
	}
	k.tear = nil
}

// sideContext adds the executor's side input reader, and its counter and
// cache if it has them, to a task's context, and reads side inputs that
// are sources itself.
type sideContext struct {
	plan.TaskContext
	ctx     context.Context // of the task, for reading sources
	g       *plan.Graph
	sources map[plan.NodeID][]plan.Split
	read    func(id plan.NodeID, fn func(rec []byte) error) error
	len     func(id plan.NodeID) (int, error) // nil: the executor cannot count
	cache   plan.SideCache                    // nil: nothing is cached
}

func (c sideContext) ReadSide(id plan.NodeID, fn func(rec []byte) error) error {
	if c.g.SourceSide(id) {
		return c.readSource(id, fn)
	}
	return c.read(id, fn)
}

// readSource reads source side input id whole, split by split, and passes
// fn each element encoded with the source's element type, as an
// intermediate holds it, so that the payload reading it cannot tell the
// two apart. The source counts what it reads (and skips) in the task's
// counters under names ending in plan.CounterSuffixSideInput.
func (c sideContext) readSource(id plan.NodeID, fn func(rec []byte) error) error {
	n := c.g.Node(id)
	splits, ok := c.sources[id]
	if !ok {
		return fmt.Errorf("no splits given for side input %s", n.Label())
	}
	src, ok := n.Payload.(plan.SourcePayload)
	if !ok {
		return fmt.Errorf("side input %s is a source without a source payload", n.Label())
	}
	// fn's error is carried out of the source's Read as an Abort.
	enc := n.Type.NewEncoder(func(rec []byte) {
		if err := fn(rec); err != nil {
			plan.Raise(err)
		}
	})
	return plan.Catch(func() error {
		for _, split := range splits {
			if err := src.Read(c.ctx, renamedCounters{c.TaskContext, plan.CounterSuffixSideInput}, split, enc); err != nil {
				return fmt.Errorf("side input %s: %w", n.Label(), err)
			}
		}
		return nil
	})
}

// SideLen is 0, unknown, for a source: only reading it would count it.
func (c sideContext) SideLen(id plan.NodeID) (int, error) {
	if c.len == nil || c.g.SourceSide(id) {
		return 0, nil
	}
	return c.len(id)
}

func (c sideContext) CachedSide(id plan.NodeID) (any, bool) {
	if c.cache == nil {
		return nil, false
	}
	return c.cache.CachedSide(id)
}

func (c sideContext) StoreSide(id plan.NodeID, v any) {
	if c.cache != nil {
		c.cache.StoreSide(id, v)
	}
}
