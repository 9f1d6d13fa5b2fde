package csvio

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/crunchgo/crunchgo/internal/filesplit"
	"github.com/crunchgo/crunchgo/internal/partprune"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/textio"
)

// Counter names, in group "csvio".
const (
	CounterGroup          = "csvio"
	CounterRecordsRead    = "records read"
	CounterRecordsWritten = "records written"
	CounterPartitionFiles = "partition files written"
	CounterFilesPruned    = "files pruned"
)

// Read reads the CSV files matching pattern (a file, a directory of data
// files or a glob; any storage URL) as a collection of T: a struct whose
// fields take the columns of the same name (see the package doc), or
// []string for the records as they are. It panics with a build error if T
// or an option is not supported; see TryRead.
func Read[T any](p *pcollection.Pipeline, pattern string, opts ...Option) pcollection.PCollection[T] {
	return pcollection.Must(TryRead[T](p, pattern, opts...))
}

// TryRead is Read returning the build error instead of panicking.
func TryRead[T any](p *pcollection.Pipeline, pattern string, opts ...Option) (pcollection.PCollection[T], error) {
	cfg, err := newConfig(opts)
	if err == nil {
		_, err = layoutOf(reflect.TypeFor[T]())
	}
	if err != nil {
		return pcollection.PCollection[T]{}, pcollection.Build("csvio.Read", nil).Errorf("%v", err)
	}
	return pcollection.NewSource[T](p, "csvio.Read", &source[T]{pattern: pattern, cfg: cfg}), nil
}

type source[T any] struct {
	pattern string
	cfg     config
}

func (s *source[T]) Describe() string { return "csv " + s.pattern }

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

// Splits are textio's: byte ranges of plain files, whole compressed files,
// or whole files with WholeFiles, of the files WherePartition keeps, the
// others left unopened. With a header, each file's header is checked
// against T's fields first (checkHeaders).
func (s *source[T]) Splits(ctx context.Context, hint int) ([]plan.Split, error) {
	files, pruned, err := partprune.Files(ctx, s.pattern, s.cfg.wherePartition)
	if err != nil {
		return nil, fmt.Errorf("csvio: %w", err)
	}
	splits, err := textio.SplitFiles(ctx, files, hint, s.cfg.textOptions()...)
	if err != nil {
		return nil, err
	}
	if err := s.checkHeaders(ctx, splits); err != nil {
		return nil, err
	}
	partprune.CountPruned(splits, pruned)
	return splits, nil
}

// checkHeaders reads the header of each file the splits are of, several
// files at once, and fails on the first that does not fit T's fields (or
// whose path holds a partition value a field cannot take), so
// that a file lacking a column fails the job before any task runs rather
// than in one task among many (as Spark's CSV reader with enforceSchema
// off checks headers). It opens each file once more to read its first
// line: about 0.15 ms a file on local disk (BenchmarkSplitsHeaders).
// Tasks check the header again, as the file may have changed since.
func (s *source[T]) checkHeaders(ctx context.Context, splits []plan.Split) error {
	l, _ := layoutOf(reflect.TypeFor[T]())
	if l.raw {
		return nil // no names to match
	}
	var files []storage.FileInfo
	for i, sp := range splits {
		if i == 0 || sp.Path != splits[i-1].Path { // a file's splits are adjacent
			files = append(files, storage.FileInfo{URL: sp.Path})
		}
	}
	if !s.cfg.header { // only partition values in paths to check
		for _, f := range files {
			if _, err := newDecoder[T](l, nil, f.URL, s.cfg); err != nil {
				return fail(f.URL, 0, 0, err)
			}
		}
		return nil
	}
	return filesplit.EachFile(files, func(_ int, f storage.FileInfo) error {
		header, line, at, err := s.readHeader(ctx, f.URL)
		if s.cfg.wholeFiles && errors.Is(err, ErrQuotedNewline) {
			return nil // a header holding a newline, which only the task's csv.Reader reads
		}
		if err != nil || header == nil {
			return err
		}
		if _, err := newDecoder[T](l, header, f.URL, s.cfg); err != nil {
			return fail(f.URL, line, at, err)
		}
		return nil
	})
}

func (s *source[T]) Read(ctx context.Context, tc plan.TaskContext, split plan.Split, out plan.Emitter) error {
	emit := out.(func(T))
	if split.Pruned > 0 {
		tc.Counter(CounterGroup, CounterFilesPruned).Inc(int64(split.Pruned))
	}
	var n int64
	defer func() { tc.Counter(CounterGroup, CounterRecordsRead).Inc(n) }()
	each := func(v T) { n++; emit(v) }
	if s.cfg.wholeFiles {
		return s.readWhole(ctx, split, each)
	}
	return s.readLines(ctx, tc, split, each)
}

// readLines reads a split record by record, one line each.
func (s *source[T]) readLines(ctx context.Context, tc plan.TaskContext, split plan.Split, emit func(T)) error {
	l, _ := layoutOf(reflect.TypeFor[T]())
	headerAt, headerLine := int64(-1), 0
	var header []string
	if s.cfg.header {
		var err error
		if header, headerLine, headerAt, err = s.readHeader(ctx, split.Path); err != nil || header == nil {
			return err // a file of blank lines has no records
		}
	}
	dec, err := newDecoder[T](l, header, split.Path, s.cfg)
	if err != nil {
		return fail(split.Path, headerLine, headerAt, err)
	}
	p := newLineParser(s.cfg)
	return textio.EachLine(ctx, tc, split, func(line []byte, r *textio.LineReader) error {
		if r.Offset() == headerAt {
			return nil
		}
		rec, err := p.parse(line)
		if err == nil && rec != nil {
			var v T
			if v, err = dec.decode(rec); err == nil {
				emit(v)
			}
		}
		if err != nil {
			lineNo, _ := r.Line(ctx) // 0 if it cannot tell
			return fail(split.Path, lineNo, r.Offset(), err)
		}
		return nil
	}, s.cfg.textOptions()...)
}

// readHeader returns the header of the file at path, its first non-blank
// line, its number and where it starts, for every split of the file to
// skip it and know the columns; nil if the file has only blank lines.
func (s *source[T]) readHeader(ctx context.Context, path string) ([]string, int, int64, error) {
	r, err := textio.OpenSplit(ctx, plan.Split{Path: path, Length: 1 << 62}, s.cfg.textOptions()...)
	if err != nil {
		return nil, 0, -1, err
	}
	defer r.Close()
	p := newLineParser(s.cfg)
	for {
		b, err := r.Next()
		if err == io.EOF {
			return nil, 0, -1, nil
		}
		if err != nil {
			return nil, 0, -1, textio.PermanentIfData(err)
		}
		rec, err := p.parse(b)
		line, _ := r.Line(ctx) // counted: the reader starts the file
		if err != nil {
			return nil, 0, -1, fail(path, line, r.Offset(), fmt.Errorf("header: %w", err))
		}
		if rec != nil {
			return append([]string(nil), rec...), line, r.Offset(), nil
		}
	}
}

// readWhole reads a whole file (one split) with one csv.Reader, so that
// quoted fields may hold newlines.
func (s *source[T]) readWhole(ctx context.Context, split plan.Split, emit func(T)) error {
	r, err := textio.OpenSplit(ctx, split, s.cfg.textOptions()...)
	if err != nil {
		return err
	}
	defer r.Close()
	return s.readRecords(ctx, split.Path, newFileStream(r), emit)
}

// readRecords reads the records of the file at path from in.
func (s *source[T]) readRecords(ctx context.Context, path string, in *fileStream, emit func(T)) error {
	l, _ := layoutOf(reflect.TypeFor[T]())
	var dec *decoder[T]
	if !s.cfg.header {
		var err error
		if dec, err = newDecoder[T](l, nil, path, s.cfg); err != nil {
			return fail(path, 0, 0, err)
		}
	}
	return eachRecord(ctx, path, in, s.cfg, func(rec []string, line int, at int64) error {
		var err error
		if dec == nil {
			if dec, err = newDecoder[T](l, append([]string(nil), rec...), path, s.cfg); err != nil {
				return fail(path, line, at, err)
			}
			return nil
		}
		v, err := dec.decode(rec)
		if err != nil {
			return fail(path, line, at, err)
		}
		emit(v)
		return nil
	})
}

// eachRecord calls fn with each record of the file at path read from in,
// its line and where that starts; rec is reused by the next call.
func eachRecord(ctx context.Context, path string, in *fileStream, cfg config, fn func(rec []string, line int, at int64) error) error {
	cr := newCSVReader(in, cfg)
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			line := pe.StartLine
			return fail(path, line, in.offset(line), fmt.Errorf("%w (line %d, byte %d)", pe.Err, pe.Line, pe.Column))
		case err != nil:
			return textio.PermanentIfData(err)
		}
		if cfg.trimSpace {
			trimFields(rec)
		}
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line, _ := cr.FieldPos(0)
		at := in.offset(line) // and forget the lines before: memory stays one record's
		if err := fn(rec, line, at); err != nil {
			return err
		}
	}
}

// fail is the permanent error for a record of the file at path, at line
// (0 if unknown) and offset: bad data reads the same way again.
func fail(path string, line int, offset int64, err error) error {
	if pe := (*pathValueError)(nil); errors.As(err, &pe) {
		return plan.Permanent(fmt.Errorf("csvio: %w", pe.err)) // it names the file
	}
	e := &Error{Path: path, Line: line, Offset: offset, Err: err}
	var ce *columnError
	if errors.As(err, &ce) {
		e.Column, e.Field, e.Err = ce.column, ce.field, ce.err
	}
	return plan.Permanent(e)
}
