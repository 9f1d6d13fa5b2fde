package csvio

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"reflect"

	"github.com/crunchgo/crunchgo/internal/partwrite"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
)

// Writer writes values of T as CSV records to an io.Writer, after a header
// of T's column names (unless NoHeader; []string has no header), quoting
// fields as encoding/csv does. Close flushes (and ends the gzip stream);
// it does not close the io.Writer.
type Writer[T any] struct {
	l      layout
	cw     *csv.Writer
	out    io.Writer // under cw
	gz     *gzip.Writer
	rec    []string
	header bool // still to write
	err    error
}

// NewWriter returns a Writer on w; Delimiter, NoHeader, Gzip and
// PartitionBy (leaving its columns out) apply.
func NewWriter[T any](w io.Writer, opts ...Option) (*Writer[T], error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	l, err := layoutOf(reflect.TypeFor[T]())
	if err != nil {
		return nil, err
	}
	if len(cfg.partitionBy) > 0 {
		if _, l, err = partitionLayout(reflect.TypeFor[T](), l, cfg.partitionBy); err != nil {
			return nil, err
		}
	}
	cw := &Writer[T]{l: l, header: cfg.header && !l.raw}
	if cfg.gzip {
		cw.gz = gzip.NewWriter(w)
		w = cw.gz
	}
	cw.cw, cw.out = csv.NewWriter(w), w
	cw.cw.Comma = cfg.comma
	return cw, nil
}

// Write writes v as one record. After an error the writer is unusable.
func (w *Writer[T]) Write(v T) error {
	if w.err != nil {
		return w.err
	}
	if w.header {
		w.header = false
		if err := w.cw.Write(w.l.names()); err != nil {
			w.err = fmt.Errorf("csvio: write: %w", err)
			return w.err
		}
	}
	if w.l.raw {
		return w.write(any(v).([]string))
	}
	rv := reflect.ValueOf(&v).Elem()
	w.rec = w.rec[:0]
	for _, f := range w.l.fields {
		s, err := f.format(rv.Field(f.index))
		if err != nil {
			w.err = fmt.Errorf("csvio: field %s: %w", f.name, err)
			return w.err
		}
		w.rec = append(w.rec, s)
	}
	return w.write(w.rec)
}

func (w *Writer[T]) write(rec []string) error {
	if len(rec) == 1 && rec[0] == "" {
		// encoding/csv would write a blank line, which readers skip.
		w.cw.Flush()
		if err := w.cw.Error(); err != nil {
			w.err = fmt.Errorf("csvio: write: %w", err)
			return w.err
		}
		if _, err := io.WriteString(w.out, "\"\"\n"); err != nil {
			w.err = fmt.Errorf("csvio: write: %w", err)
		}
		return w.err
	}
	if err := w.cw.Write(rec); err != nil {
		w.err = fmt.Errorf("csvio: write: %w", err)
	}
	return w.err
}

// Close writes the header if no record did, and flushes; the output is
// complete only if it returns nil.
func (w *Writer[T]) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.header {
		w.header = false
		w.cw.Write(w.l.names()) // its error shows in Flush
	}
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		w.err = fmt.Errorf("csvio: write: %w", err)
		return w.err
	}
	if w.gz != nil {
		if err := w.gz.Close(); err != nil {
			w.err = fmt.Errorf("csvio: write: %w", err)
			return w.err
		}
	}
	w.err = fmt.Errorf("csvio: writer closed")
	return nil
}

// Write writes c as CSV files in dir, one part file per task
// (part-m-00000.csv, .tsv with Delimiter('\t'), and .gz after either
// with Gzip), each with a header unless NoHeader, committed when the job
// succeeds. It panics with a build error
// if T or an option is not supported; see TryWrite.
func Write[T any](c pcollection.PCollection[T], dir string, opts ...Option) {
	if err := TryWrite(c, dir, opts...); err != nil {
		panic(err)
	}
}

// TryWrite is Write returning the build error instead of panicking.
func TryWrite[T any](c pcollection.PCollection[T], dir string, opts ...Option) error {
	// A writer checks T and the options, partitioning included.
	cfg, err := newConfig(opts)
	if err == nil {
		_, err = NewWriter[T](io.Discard, opts...)
	}
	if err != nil {
		return pcollection.Build("csvio.Write", nil).Errorf("%v", err)
	}
	ext := ".csv"
	if cfg.comma == '\t' {
		ext = ".tsv" // which crunchgo cat reads as tab-separated
	}
	if cfg.gzip {
		ext += ".gz"
	}
	pcollection.NewSink(c, "csvio.Write", &sink[T]{dir: dir, opts: opts, ext: ext, partitionBy: cfg.partitionBy, maxOpen: cfg.maxOpen})
	return nil
}

type sink[T any] struct {
	dir         string
	opts        []Option
	ext         string
	partitionBy []string
	maxOpen     int
}

// PartitionKeys are the columns of PartitionBy (plan.PartitionedSinkPayload).
func (s *sink[T]) PartitionKeys() []string { return s.partitionBy }

// NewPartitionedWriter writes each record to its partition's part file
// (plan.PartitionedSinkPayload).
func (s *sink[T]) NewPartitionedWriter(ctx context.Context, tc plan.TaskContext, open plan.OpenPart) (plan.Emitter, func() error, error) {
	t := reflect.TypeFor[T]()
	l, err := layoutOf(t)
	if err != nil {
		return nil, nil, err
	}
	dirs, _, err := partitionLayout(t, l, s.partitionBy)
	if err != nil {
		return nil, nil, err
	}
	emit, closeFn := partwrite.Sink[T](open, dirs,
		func(w io.Writer) (plan.Emitter, func() error, error) { return s.NewWriter(ctx, tc, w) },
		s.maxOpen, tc.Counter(CounterGroup, CounterPartitionFiles))
	return emit, closeFn, nil
}

func (s *sink[T]) URL() string { return s.dir }

func (s *sink[T]) Ext() string { return s.ext }

func (s *sink[T]) NewWriter(ctx context.Context, tc plan.TaskContext, w io.Writer) (plan.Emitter, func() error, error) {
	cw, err := NewWriter[T](w, s.opts...)
	if err != nil {
		return nil, nil, err
	}
	written := tc.Counter(CounterGroup, CounterRecordsWritten)
	emit := func(v T) {
		if err := cw.Write(v); err != nil {
			plan.Raise(err)
		}
		written.Inc(1)
	}
	return emit, cw.Close, nil
}
