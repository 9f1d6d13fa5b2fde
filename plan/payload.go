package plan

import (
	"context"
	"io"
	"iter"
)

// The interfaces in this file are the contract between the typed layer
// (pcollection, ptable, the io packages), which builds nodes, and the
// runners, which execute them. The planner never calls them; runners do.
//
// An Emitter is always a func(T) for the element type T of the collection it
// feeds, hidden behind any. Runners only pass emitters between payloads of
// adjacent nodes, so the type assertion happens once per task, when a kernel
// is wired, and never per record.
type Emitter = any

// ElemType is what a runner needs to know about a collection's element type.
type ElemType interface {
	// String names the Go type, for plans and errors.
	String() string
	// Tee returns an emitter that forwards each element to every one of outs.
	Tee(outs []Emitter) Emitter
	// Discard returns an emitter that drops elements.
	Discard() Emitter
	// CheckUnmodified returns an emitter that passes each element to in,
	// the input of user function fn (named for the error), and raises an
	// error when the call changed the element: a collection's consumers in
	// one task share its elements. Types a function cannot change through
	// its copy of a value are passed through unchecked. For runners that
	// test user code (the in-memory runner); it encodes each element twice.
	CheckUnmodified(in Emitter, fn string) Emitter
	// Counted returns an emitter that adds one to *n per element, marks
	// the task's progress (internal/progress), and forwards it to out.
	Counted(out Emitter, n *int64) Emitter
	// NewEncoder returns an emitter that encodes each element with the
	// type's value codec and passes the bytes (valid only during the call) to write.
	NewEncoder(write func([]byte)) Emitter
	// NewDecoder returns a function that decodes one encoded element and emits it to out.
	NewDecoder(out Emitter) func([]byte) error
}

// WidthEstimator is implemented by an ElemType that can guess the encoded
// size of its elements from the type alone. The planner compares widths to
// tell a narrow projection of its input from a collection as wide as it.
type WidthEstimator interface {
	Width() float64
}

// TaskContext is what a running task offers to the payloads it binds.
type TaskContext interface {
	// Counter returns the task-local counter (group, name); the runner sums
	// counters across tasks.
	Counter(group, name string) *Counter
	// Info describes the running task.
	Info() TaskInfo
}

// Suffixes of the counters a source counts in when it reads what the job
// reads elsewhere too: a source read again by a later stage (the planner
// recomputes work from it rather than write that work out) or read whole
// by every task as a side input. Its plain counters ("records read") count
// its first read as a main input, each record once, as its files hold
// them; these count every other read (a side input once per task, or per
// worker process that caches it), so that what those reads skip still
// shows. A source read only as a side input has only the latter.
const (
	CounterSuffixReadAgain = " (read again)"
	CounterSuffixSideInput = " (side input)"
)

// SideReader is implemented by the TaskContext of a task whose phase runs
// nodes with side inputs (Node.Side, Phase.Sides): payloads read their side
// inputs through it when they are bound. ReadSide calls fn with every
// encoded element (the collection type's value encoding) of side input id,
// the whole collection, in no particular order.
type SideReader interface {
	ReadSide(id NodeID, fn func(rec []byte) error) error
}

// SideSizer is implemented by a SideReader that can count a side input's
// elements without decoding them. A payload that collects the elements
// sizes its slice once: grown by doubling, it is copied again and again
// into fresh memory, which took a third of the load of a table of 100,000
// string pairs.
type SideSizer interface {
	// SideLen returns the number of elements of side input id, or 0 when
	// it cannot tell.
	SideLen(id NodeID) (int, error)
}

// SideCache is implemented by the TaskContext of a task whose process keeps
// decoded side inputs for its later tasks: consecutive tasks of a phase read
// the same side input, and decoding it again for each can cost more than
// the task's own work. A cached value is shared by every task that gets
// it, so it must not be modified.
type SideCache interface {
	// CachedSide returns what an earlier task of this process stored for
	// side input id, if it read the same side input (the same files of the
	// same run).
	CachedSide(id NodeID) (v any, ok bool)
	// StoreSide keeps v, side input id as decoded by this task, for later
	// tasks.
	StoreSide(id NodeID, v any)
}

// Counter is a task-local counter. Tasks are single-threaded, so it needs no locking.
type Counter struct{ Value int64 }

// Inc adds n to the counter.
func (c *Counter) Inc(n int64) { c.Value += n }

// TaskInfo describes a running task attempt.
type TaskInfo struct {
	Stage   int
	Role    string // "map" or "reduce"
	Task    int    // map: split index; reduce: partition
	Attempt int
}

// Bound is a user function bound to one task: Finish is called once after the
// last element (it may emit), Teardown always runs, even after a failure.
type Bound struct {
	In       Emitter
	Finish   func() error
	Teardown func()
}

// DoFnPayload is the payload of a ParDo node.
type DoFnPayload interface {
	// Bind makes a fresh instance of the function for one task, emitting to out.
	Bind(tc TaskContext, out Emitter) (Bound, error)
}

// Split is one independently readable piece of a source. It is plain data so
// it can be written to a manifest and read by another process.
type Split struct {
	Path   string `json:"path,omitempty"`
	Offset int64  `json:"offset,omitempty"`
	Length int64  `json:"length,omitempty"`
	Index  int    `json:"index,omitempty"`
	Count  int    `json:"count,omitempty"`
	// Pruned is how many files of the source its planning left out (a
	// filter ruled them out by their paths), on one split only, so that the
	// task reading it counts them.
	Pruned int `json:"pruned,omitempty"`
}

// ContentHasher is implemented by payloads that carry data of their own
// (in-memory values): ContentHash digests it, and Graph.Fingerprint
// includes it, so that a worker whose copy of the data differs from the
// driver's (built from a map's iteration order, say) is refused rather than
// reading other values.
type ContentHasher interface {
	ContentHash() string
}

// SourcePayload is the payload of a Source node.
type SourcePayload interface {
	// Describe names the source in plans, e.g. "avro hdfs://nn/logs/*.avro".
	Describe() string
	// EstimateSize returns the input size in bytes, or -1 if unknown.
	EstimateSize(ctx context.Context) int64
	// Splits divides the input into about hint pieces (more or fewer is fine).
	Splits(ctx context.Context, hint int) ([]Split, error)
	// Read emits every element of split to out.
	Read(ctx context.Context, tc TaskContext, split Split, out Emitter) error
}

// FileSource is a SourcePayload that reads the data files a pattern
// matches (see storage.DataFiles). Runners use it to refuse overwriting a
// directory the job reads from.
type FileSource interface {
	SourcePayload
	Pattern() string
}

// PrunedFileSource is a FileSource that may read only some of the data
// files its pattern matches, leaving out by their paths those a partition
// predicate or filter rules out. ReadFiles lists the URLs of the files it
// reads, so that replacing the partitions of the others is not refused as
// deleting the job's input.
type PrunedFileSource interface {
	FileSource
	ReadFiles(ctx context.Context) ([]string, error)
}

// SinkPayload is the payload of a Sink node: a directory of part files.
type SinkPayload interface {
	// URL is the output directory.
	URL() string
	// Ext is the part files' extension, with the dot (".avro").
	Ext() string
	// NewWriter starts one part file on w; the returned emitter takes
	// elements, and close flushes the format's trailer (it does not close w).
	NewWriter(ctx context.Context, tc TaskContext, w io.Writer) (in Emitter, close func() error, err error)
}

// PartitionedSinkPayload is implemented by a SinkPayload that can write
// Hive-style partitioned output: each element goes to a part file in the
// subdirectory its partition values name (dt=2026-11-26/country=SE), so
// that a task writes one part file per partition it meets.
type PartitionedSinkPayload interface {
	SinkPayload
	// PartitionKeys are the columns the sink partitions by, in directory
	// order; none when it writes no partitions (then runners call
	// NewWriter).
	PartitionKeys() []string
	// NewPartitionedWriter is NewWriter for a partitioned sink: it starts
	// part files through open as partitions come, and close finishes
	// those still open.
	NewPartitionedWriter(ctx context.Context, tc TaskContext, open OpenPart) (in Emitter, close func() error, err error)
}

// OpenPart starts a part file of the task in subdirectory dir (slash
// separated, relative to the sink's output); seq tells apart the task's
// files in one directory (0 for the first, which has the task's usual
// part name). done, called once the format's trailer is written, finishes
// the file before the task ends; the runner finishes (or, if the task
// fails, aborts) the files whose done was not called.
type OpenPart func(dir string, seq int) (w io.Writer, done func() error, err error)

// AppendChecker is implemented by a SinkPayload whose format has a schema:
// appending to a directory of files its element type cannot read would
// leave a dataset that no one type reads. CheckAppend checks the data files
// already in the sink's directory.
type AppendChecker interface {
	CheckAppend(ctx context.Context) error
}

// MaterializePayload is the payload of a Materialize node: the runner hands
// the collection's encoded elements back to the typed handle after the run.
type MaterializePayload interface {
	Deliver(records iter.Seq[[]byte]) error
	// Reset forgets what an earlier run delivered. Runners call it when a
	// run starts, so that a run that fails leaves no stale elements to
	// read as if it had produced them.
	Reset()
}

// GroupByKeyPayload is the payload of a GroupByKey node, whose input is a
// collection of Pair[K,V] and whose output is Pair[K, iter.Seq[V]].
type GroupByKeyPayload interface {
	// Partitions is the number of reduce partitions the user asked for (0: runner default).
	Partitions() int
	// NewShuffleWriter returns a func(Pair[K,V]) that encodes the key with the
	// order-preserving key codec and the value with the value codec.
	// The slices passed to write are valid only during the call.
	NewShuffleWriter(write func(key, value []byte)) Emitter
	// NewGroupReader returns a function the runner calls once per group, in
	// key order, with the group's encoded key and its encoded values; it
	// decodes them lazily and emits a Pair[K, iter.Seq[V]] to out.
	NewGroupReader(out Emitter) func(key []byte, values iter.Seq[[]byte]) error
}

// Partitioner is an optional upgrade of GroupByKeyPayload that places its
// shuffle's records itself: Partition maps an encoded key to one of
// partitions. A sort's keeps its key order across partitions (every key of
// partition i sorts before every key of partition i+1); a secondary sort's
// hashes the part of the key it groups by. Without it runners hash the
// whole key.
type Partitioner interface {
	Partition(key []byte, partitions int) int
	// PartitionedBy says how, for plans: "key range".
	PartitionedBy() string
}

// GroupPrefixer is an optional upgrade of GroupByKeyPayload whose shuffle
// keys sort by more than they group by, as a secondary sort's do: runners
// group consecutive records (in key order) whose keys have equal
// GroupPrefix, and pass that prefix as the group's key. GroupPrefix returns
// a part of key without copying.
type GroupPrefixer interface {
	GroupPrefix(key []byte) []byte
}

// CombinePayload is the payload of a CombineValues node, whose input is the
// output of a GroupByKey and whose output is Pair[K, O]. The combine function
// is associative and commutative with an accumulator type A, so it can be
// lifted into the map side of the shuffle.
type CombinePayload interface {
	// Bind reduces whole groups: a func(Pair[K, iter.Seq[V]]) emitting Pair[K,O] to out.
	Bind(tc TaskContext, out Emitter) (Bound, error)
	// NewMapCombiner returns a func(Pair[K,V]) that folds values into one
	// accumulator per key and passes (key, encoded accumulator) to write when
	// it holds more than bound allows, or when flush is called.
	NewMapCombiner(bound CombineBound, write func(key, acc []byte)) (in Emitter, flush func() error)
	// NewAccumulatorMerger is the reduce side after lifting: it merges a
	// group's encoded accumulators, extracts the output and emits Pair[K,O] to out.
	NewAccumulatorMerger(out Emitter) func(key []byte, accs iter.Seq[[]byte]) error
}

// CombineBound bounds a map-side combiner's table, which flushes when it
// would hold more than Keys keys or, by its estimate of their accumulators'
// memory, more than Bytes bytes (0: no byte bound). The estimate matters
// for accumulators that grow (DistinctCount's sets, TopN's lists): a few
// thousand of them can outweigh the shuffle's buffers.
type CombineBound struct {
	Keys  int
	Bytes int64
}

// AccumulatorCombiner is an optional upgrade of CombinePayload: it merges a
// group's encoded accumulators into one encoded accumulator without extracting
// the output, so runners can combine again when they spill or merge sorted runs.
type AccumulatorCombiner interface {
	NewAccumulatorCombiner(write func(key, acc []byte)) func(key []byte, accs iter.Seq[[]byte]) error
}
