package partwrite

import (
	"fmt"
	"io"
	"unsafe"

	"github.com/crunchgo/crunchgo/internal/hivepart"
	"github.com/crunchgo/crunchgo/plan"
)

// MaxOpen is how many part files a task keeps open by default.
const MaxOpen = 32

// File is one part file of a format: Write takes a record, Close writes
// the format's trailer (it does not close the io.Writer it was started on).
type File[T any] struct {
	Write func(T) error
	Close func() error
}

// Writers routes records of type T to a part file per partition.
type Writers[T any] struct {
	open    plan.OpenPart
	dirOf   func(rec *T, buf []byte) []byte
	newFile func(w io.Writer) (File[T], error)
	max     int
	files   map[string]*openFile[T]
	seqs    map[string]int // files started, by partition directory
	clock   uint64
	buf     []byte
	started int
}

type openFile[T any] struct {
	dir      string
	file     File[T]
	done     func() error
	lastUsed uint64
}

// New returns Writers starting files through open, in the directory dirOf
// appends to a buffer for each record, with newFile. It keeps at most max
// files open (MaxOpen if max is 0).
func New[T any](open plan.OpenPart, dirOf func(rec *T, buf []byte) []byte, newFile func(w io.Writer) (File[T], error), max int) *Writers[T] {
	if max <= 0 {
		max = MaxOpen
	}
	return &Writers[T]{open: open, dirOf: dirOf, newFile: newFile, max: max, files: map[string]*openFile[T]{}, seqs: map[string]int{}}
}

// Write writes rec to the file of its partition.
func (w *Writers[T]) Write(rec T) error {
	w.buf = w.dirOf(&rec, w.buf[:0])
	f, ok := w.files[string(w.buf)]
	if !ok {
		var err error
		if f, err = w.start(string(w.buf)); err != nil {
			return err
		}
	}
	w.clock++
	f.lastUsed = w.clock
	return f.file.Write(rec)
}

// start starts the file of partition directory dir, first finishing the
// least recently used file if max are open.
func (w *Writers[T]) start(dir string) (*openFile[T], error) {
	if len(w.files) >= w.max {
		var lru *openFile[T]
		for _, f := range w.files {
			if lru == nil || f.lastUsed < lru.lastUsed {
				lru = f
			}
		}
		if err := w.finish(lru); err != nil {
			return nil, err
		}
	}
	seq := w.seqs[dir]
	out, done, err := w.open(dir, seq)
	if err != nil {
		return nil, err
	}
	file, err := w.newFile(out)
	if err != nil {
		return nil, fmt.Errorf("partition %s: %w", dir, err)
	}
	w.seqs[dir] = seq + 1
	w.started++
	f := &openFile[T]{dir: dir, file: file, done: done}
	w.files[dir] = f
	return f, nil
}

func (w *Writers[T]) finish(f *openFile[T]) error {
	delete(w.files, f.dir)
	if err := f.file.Close(); err != nil {
		return fmt.Errorf("partition %s: %w", f.dir, err)
	}
	return f.done()
}

// Close writes the trailers of the files still open; the runner finishes
// them with the task.
func (w *Writers[T]) Close() error {
	for _, f := range w.files {
		if err := f.file.Close(); err != nil {
			return fmt.Errorf("partition %s: %w", f.dir, err)
		}
	}
	clear(w.files)
	return nil
}

// Started is how many part files the Writers started.
func (w *Writers[T]) Started() int { return w.started }

// Sink returns the emitter and close of a partitioned sink
// (plan.PartitionedSinkPayload) whose part files newWriter starts, as the
// sink's NewWriter does, in the directories dirs names; files counts the
// files started.
func Sink[T any](open plan.OpenPart, dirs *hivepart.Dirs, newWriter func(w io.Writer) (plan.Emitter, func() error, error), max int, files *plan.Counter) (plan.Emitter, func() error) {
	dirOf := func(rec *T, buf []byte) []byte { return dirs.Append(buf, unsafe.Pointer(rec)) }
	w := New(open, dirOf, func(out io.Writer) (File[T], error) {
		emit, closeFn, err := newWriter(out)
		if err != nil {
			return File[T]{}, err
		}
		files.Inc(1)
		write := emit.(func(T))
		return File[T]{Write: func(v T) error { write(v); return nil }, Close: closeFn}, nil
	}, max)
	emit := func(v T) {
		if err := w.Write(v); err != nil {
			plan.Raise(err)
		}
	}
	return emit, w.Close
}
