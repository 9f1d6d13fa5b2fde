package jsonio

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"unsafe"

	"github.com/crunchgo/crunchgo/internal/hivepart"
	"github.com/crunchgo/crunchgo/internal/partprune"
	"github.com/crunchgo/crunchgo/internal/partwrite"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/textio"
	segjson "github.com/segmentio/encoding/json"
)

// Counter names, in group "jsonio".
const (
	CounterGroup          = "jsonio"
	CounterRecordsRead    = "records read"
	CounterRecordsWritten = "records written"
	CounterPartitionFiles = "partition files written"
	CounterFilesPruned    = "files pruned"
)

// Option configures reading or writing; each says which it applies to.
type Option func(*config)

type config struct {
	strict      bool
	splitSize   int64
	gzip        bool
	partitionBy []string // PartitionBy: keys
	maxOpen     int      // MaxOpenPartitions

	wherePartition func(Partition) bool // WherePartition; nil: every file
}

// DisallowUnknownFields makes a key T has no field for an error, reading.
func DisallowUnknownFields() Option { return func(c *config) { c.strict = true } }

// SplitSize cuts files into byte ranges of n bytes instead of sizing them
// from the runner's hint (textio.SplitSize), reading.
func SplitSize(n int64) Option { return func(c *config) { c.splitSize = n } }

// Gzip compresses what Write writes (part files *.jsonl.gz).
func Gzip() Option { return func(c *config) { c.gzip = true } }

// PartitionBy writes a Hive-style partitioned table, as Spark's
// partitionBy does, writing a struct T: Write puts each record in the
// directory its values of the top-level fields of the JSON keys named
// here spell, in order (dir/dt=2026-11-26/country=SE/part-m-00000.jsonl),
// and leaves those keys out of the lines, since Read fills them back from
// the path. A Writer leaves them out too. Directory values are written as
// avroio.PartitionBy writes them: escaped as Spark does, a nil pointer or
// empty string as __HIVE_DEFAULT_PARTITION__ (read back as null, which
// only a pointer field holds). Only string, integer, float, bool and
// time.Time fields, or pointers to them, partition, and T may not embed
// structs or encode itself (MarshalJSON).
func PartitionBy(keys ...string) Option { return func(c *config) { c.partitionBy = keys } }

// MaxOpenPartitions bounds how many partitions' files a task of a
// partitioned Write keeps open (default 32), writing: meeting one more
// finishes the least recently written, and if that partition comes again
// the task starts another file in it (part-m-00000-1.jsonl).
func MaxOpenPartitions(n int) Option { return func(c *config) { c.maxOpen = n } }

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Read reads the JSON lines files matching pattern (a file, a directory of
// data files or a glob; any storage URL) as a collection of T, decoding
// each line as encoding/json does. It panics with a build error if
// encoding/json decodes no line but null into a T (a channel, a function,
// a complex number, an interface with methods); see TryRead.
func Read[T any](p *pcollection.Pipeline, pattern string, opts ...Option) pcollection.PCollection[T] {
	return pcollection.Must(TryRead[T](p, pattern, opts...))
}

// TryRead is Read returning the build error instead of panicking.
func TryRead[T any](p *pcollection.Pipeline, pattern string, opts ...Option) (pcollection.PCollection[T], error) {
	if why := undecodable(reflect.TypeFor[T]()); why != "" {
		return pcollection.PCollection[T]{}, pcollection.Build("jsonio.Read", nil).Errorf("%v cannot be read from JSON: %s", reflect.TypeFor[T](), why)
	}
	return pcollection.NewSource[T](p, "jsonio.Read", &source[T]{pattern: pattern, cfg: newConfig(opts), nullable: nullable[T](), fields: keyFields(reflect.TypeFor[T]())}), nil
}

type source[T any] struct {
	pattern  string
	cfg      config
	nullable bool             // a null line is a T (nil), not a record of zeros
	fields   []hivepart.Field // that partition directories may fill (partition.go)
}

// fastFlags are segmentio/encoding/json's flags for cfg: the defaults
// copy strings and raw values out of the line, which textio reuses.
func (c config) fastFlags() segjson.ParseFlags {
	if c.strict {
		return segjson.DisallowUnknownFields
	}
	return 0
}

// nullable reports whether a JSON null is a value of T: encoding/json
// decodes null as nil into a pointer, interface, map or slice, and leaves
// any other T its zero value, which would be a made-up record.
func nullable[T any]() bool {
	switch reflect.TypeFor[T]().Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		return true
	}
	return false
}

func (s *source[T]) Describe() string { return "json lines " + s.pattern }

// Pattern is the pattern of the files the source reads (plan.FileSource).
func (s *source[T]) Pattern() string { return s.pattern }

// ReadFiles lists the files the source reads, those WherePartition
// keeps (plan.PrunedFileSource).
func (s *source[T]) ReadFiles(ctx context.Context) ([]string, error) {
	return partprune.URLs(ctx, s.pattern, s.cfg.wherePartition)
}

var _ plan.PrunedFileSource = (*source[struct{}])(nil)

// EstimateSize is the size of the files WherePartition keeps.
func (s *source[T]) EstimateSize(ctx context.Context) int64 {
	return partprune.Size(ctx, s.pattern, s.cfg.wherePartition)
}

func (s *source[T]) textOptions() []textio.ReadOption {
	if s.cfg.splitSize > 0 {
		return []textio.ReadOption{textio.SplitSize(s.cfg.splitSize)}
	}
	return nil
}

// Splits are textio's, of the files WherePartition keeps, the others left
// unopened. A partition value in a kept file's path that does not parse
// into its field fails here, before any task runs.
func (s *source[T]) Splits(ctx context.Context, hint int) ([]plan.Split, error) {
	files, pruned, err := partprune.Files(ctx, s.pattern, s.cfg.wherePartition)
	if err != nil {
		return nil, fmt.Errorf("jsonio: %w", err)
	}
	splits, err := textio.SplitFiles(ctx, files, hint, s.textOptions()...)
	if err != nil {
		return nil, err
	}
	for i, sp := range splits {
		if i == 0 || sp.Path != splits[i-1].Path { // a file's splits are adjacent
			if _, err := pathSetter[T](sp.Path, s.fields); err != nil {
				return nil, err
			}
		}
	}
	partprune.CountPruned(splits, pruned)
	return splits, nil
}

func (s *source[T]) Read(ctx context.Context, tc plan.TaskContext, split plan.Split, out plan.Emitter) error {
	emit := out.(func(T))
	if split.Pruned > 0 {
		tc.Counter(CounterGroup, CounterFilesPruned).Inc(int64(split.Pruned))
	}
	var n int64
	defer func() { tc.Counter(CounterGroup, CounterRecordsRead).Inc(n) }()
	fromPath, err := pathSetter[T](split.Path, s.fields)
	if err != nil {
		return err
	}
	reset := func(v *T) {
		*v = *new(T)
		if fromPath != nil {
			fromPath.Set(unsafe.Pointer(v))
		}
	}
	var in bytes.Reader
	return textio.EachLine(ctx, tc, split, func(line []byte, r *textio.LineReader) error {
		if len(bytes.Trim(line, " \t")) == 0 {
			return nil
		}
		var v T
		reset(&v)
		if err := s.decode(line, &in, &v, reset); err != nil {
			lineNo, _ := r.Line(ctx) // 0 if it cannot tell
			return plan.Permanent(&Error{Path: split.Path, Line: lineNo, Offset: r.Offset(), Err: err})
		}
		n++
		emit(v)
		return nil
	}, s.textOptions()...)
}

var jsonNull = []byte("null")

// decode decodes line, which must hold one JSON value and nothing else,
// into v. segmentio/encoding/json follows encoding/json's rules at about
// four times its speed (it skips encoding/json's separate validating
// scan); a line it refuses goes to decodeStd, so that encoding/json has
// the last word on what is wrong, and on the few values only it accepts
// (a json.Number from a JSON string). v holds what reset puts in it (the
// values of partition fields), which keys of the line overwrite.
func (s *source[T]) decode(line []byte, in *bytes.Reader, v *T, reset func(*T)) error {
	if !s.nullable && bytes.Equal(bytes.TrimSpace(line), jsonNull) {
		return fmt.Errorf("null, not a %T (read *%[1]T to take null lines as nil)", *v)
	}
	if rest, err := segjson.Parse(line, v, s.cfg.fastFlags()); err == nil && len(rest) == 0 {
		return nil
	}
	reset(v) // what a failed Parse left
	return decodeStd(line, in, v, s.cfg.strict, reset)
}

// decodeStd decodes line into v with encoding/json. json.Unmarshal
// accepts exactly the lines holding one value and is about twice as fast
// as a Decoder; the Decoder, which can refuse unknown keys, explains what
// is wrong with the others.
func decodeStd[T any](line []byte, in *bytes.Reader, v *T, strict bool, reset func(*T)) error {
	if !strict && json.Unmarshal(line, v) == nil {
		return nil
	}
	in.Reset(line)
	reset(v) // what a failed Unmarshal left
	return decodeOne(in, v, strict)
}

// decodeOne decodes the one JSON value in, which must hold nothing else.
func decodeOne(in *bytes.Reader, v any, strict bool) error {
	size := in.Size()
	d := json.NewDecoder(in)
	if strict {
		d.DisallowUnknownFields()
	}
	if err := d.Decode(v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("%w (at byte %d of the line)", err, se.Offset)
		}
		if err == io.ErrUnexpectedEOF {
			return fmt.Errorf("%w: the line ends inside a JSON value", err)
		}
		return err
	}
	end := d.InputOffset()
	if d.More() {
		return fmt.Errorf("more than one JSON value on the line (the first ends at byte %d)", end)
	}
	if _, err := d.Token(); err != io.EOF {
		return fmt.Errorf("invalid data after the JSON value, at byte %d of %d", d.InputOffset(), size)
	}
	return nil
}

// Writer writes values as JSON lines to an io.Writer. Close flushes (and
// ends the gzip stream); it does not close the io.Writer.
type Writer[T any] struct {
	bw   *bufio.Writer
	gz   *gzip.Writer
	enc  *json.Encoder
	view reflect.Type // with PartitionBy, T's layout without the partition keys (partition.go)
	// fast, if T is a type segmentio/encoding/json writes as encoding/json
	// does (fastwrite.go), points at rec, as a *T or a pointer to its
	// view, for it to encode what Write puts in rec.
	fast any
	rec  T
	err  error
}

// NewWriter returns a Writer on w; Gzip and PartitionBy (leaving its keys
// out) apply. A PartitionBy T cannot take makes every Write fail.
func NewWriter[T any](w io.Writer, opts ...Option) *Writer[T] {
	jw := &Writer[T]{}
	cfg := newConfig(opts)
	if len(cfg.partitionBy) > 0 {
		_, jw.view, jw.err = partitionView(reflect.TypeFor[T](), cfg.partitionBy)
	}
	if cfg.gzip {
		jw.gz = gzip.NewWriter(w)
		w = jw.gz
	}
	jw.bw = bufio.NewWriterSize(w, 64<<10)
	jw.enc = json.NewEncoder(jw.bw) // Encode ends each value with "\n"
	jw.enc.SetEscapeHTML(false)
	switch {
	case jw.err != nil:
	case jw.view != nil && fastEncodes(jw.view):
		jw.fast = reflect.NewAt(jw.view, unsafe.Pointer(&jw.rec)).Interface()
	case jw.view == nil && fastEncodes(reflect.TypeFor[T]()):
		jw.fast = &jw.rec
	}
	return jw
}

// Write writes v as one line. After an error the writer is unusable.
func (w *Writer[T]) Write(v T) error {
	if w.err != nil {
		return w.err
	}
	if w.fast != nil {
		w.rec = v
		// Appended in place to what bw has room for; a value segmentio
		// refuses (a NaN) goes to encoding/json, for its error.
		if b, err := segjson.Append(w.bw.AvailableBuffer(), w.fast, segjson.SortMapKeys); err == nil {
			if _, err := w.bw.Write(append(b, '\n')); err != nil {
				w.err = fmt.Errorf("jsonio: write: %w", err)
			}
			return w.err
		}
	}
	return w.writeStd(v)
}

// writeStd writes v with encoding/json. It is apart from Write so that v
// escapes to the heap only on this path.
func (w *Writer[T]) writeStd(v T) error {
	var x any = v
	if w.view != nil {
		x = reflect.NewAt(w.view, unsafe.Pointer(&v)).Interface()
	}
	if err := w.enc.Encode(x); err != nil {
		w.err = fmt.Errorf("jsonio: write: %w", err)
	}
	return w.err
}

// Close flushes; the output is complete only if it returns nil.
func (w *Writer[T]) Close() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("jsonio: write: %w", err)
		return w.err
	}
	if w.gz != nil {
		if err := w.gz.Close(); err != nil {
			w.err = fmt.Errorf("jsonio: write: %w", err)
			return w.err
		}
	}
	w.err = errors.New("jsonio: writer closed")
	return nil
}

// Write writes c as JSON lines files in dir, one part file per task
// (part-m-00000.jsonl, or .jsonl.gz with Gzip), committed when the job
// succeeds. An element encoding/json cannot encode (a MarshalJSON that
// fails, a NaN) fails the task. It panics with a build error if T holds
// what encoding/json never encodes (a channel, a function, a complex
// number); see TryWrite.
func Write[T any](c pcollection.PCollection[T], dir string, opts ...Option) {
	if err := TryWrite(c, dir, opts...); err != nil {
		panic(err)
	}
}

// TryWrite is Write, returning its build error instead of panicking.
func TryWrite[T any](c pcollection.PCollection[T], dir string, opts ...Option) error {
	if why := unencodable(reflect.TypeFor[T]()); why != "" {
		return pcollection.Build("jsonio.Write", nil).Errorf("%v cannot be written as JSON: %s", reflect.TypeFor[T](), why)
	}
	cfg := newConfig(opts)
	if len(cfg.partitionBy) > 0 {
		if _, _, err := partitionView(reflect.TypeFor[T](), cfg.partitionBy); err != nil {
			return pcollection.Build("jsonio.Write", nil).Errorf("%v", err)
		}
	}
	if cfg.maxOpen < 0 {
		return pcollection.Build("jsonio.Write", nil).Errorf("jsonio: %d open partitions: must be positive", cfg.maxOpen)
	}
	pcollection.NewSink(c, "jsonio.Write", &sink[T]{dir: dir, opts: opts, gzip: cfg.gzip, partitionBy: cfg.partitionBy, maxOpen: cfg.maxOpen})
	return nil
}

type sink[T any] struct {
	dir         string
	opts        []Option
	gzip        bool
	partitionBy []string
	maxOpen     int
}

// PartitionKeys are the keys of PartitionBy (plan.PartitionedSinkPayload).
func (s *sink[T]) PartitionKeys() []string { return s.partitionBy }

// NewPartitionedWriter writes each record to its partition's part file
// (plan.PartitionedSinkPayload).
func (s *sink[T]) NewPartitionedWriter(ctx context.Context, tc plan.TaskContext, open plan.OpenPart) (plan.Emitter, func() error, error) {
	dirs, _, err := partitionView(reflect.TypeFor[T](), s.partitionBy)
	if err != nil {
		return nil, nil, err
	}
	emit, closeFn := partwrite.Sink[T](open, dirs,
		func(w io.Writer) (plan.Emitter, func() error, error) { return s.NewWriter(ctx, tc, w) },
		s.maxOpen, tc.Counter(CounterGroup, CounterPartitionFiles))
	return emit, closeFn, nil
}

func (s *sink[T]) URL() string { return s.dir }

func (s *sink[T]) Ext() string {
	if s.gzip {
		return ".jsonl.gz"
	}
	return ".jsonl"
}

func (s *sink[T]) NewWriter(ctx context.Context, tc plan.TaskContext, w io.Writer) (plan.Emitter, func() error, error) {
	jw := NewWriter[T](w, s.opts...)
	written := tc.Counter(CounterGroup, CounterRecordsWritten)
	emit := func(v T) {
		if err := jw.Write(v); err != nil {
			plan.Raise(err)
		}
		written.Inc(1)
	}
	return emit, jw.Close, nil
}
