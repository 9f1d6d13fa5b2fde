package textio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
)

// This file is what sources of one record per line (csvio, jsonio) build
// on: Read's splits, checks and line reading, without its element type;
// and LineStream, for parsers of records that may span lines.

// Splits returns the splits Read cuts the files matching pattern into,
// after Read's checks of every file (no Avro or Parquet, compression only
// as named and readable). With SplitSize(math.MaxInt64) every file is one
// split.
func Splits(ctx context.Context, pattern string, hint int, opts ...ReadOption) ([]plan.Split, error) {
	return (&source{pattern: pattern, opts: opts, cfg: newReadConfig(opts)}).Splits(ctx, hint)
}

// SplitFiles is Splits over files already listed (storage.DataFiles), for
// a source that leaves some out first: only these are opened to check.
func SplitFiles(ctx context.Context, files []storage.FileInfo, hint int, opts ...ReadOption) ([]plan.Split, error) {
	return splitFiles(ctx, files, hint, newReadConfig(opts))
}

// OpenSplit opens split's file and returns a reader of the lines the split
// owns; closing it closes the file.
func OpenSplit(ctx context.Context, split plan.Split, opts ...ReadOption) (*LineReader, error) {
	f, err := storage.Open(ctx, split.Path)
	if err != nil {
		return nil, fmt.Errorf("textio: %w", err)
	}
	r, err := NewLineReader(split.Path, f, f.Size(), split.Offset, split.Length, opts...)
	if err != nil {
		f.Close()
		return nil, PermanentIfData(err)
	}
	r.file = f
	return r, nil
}

// EachLine calls fn with every line split owns, as Read's tasks read them,
// counting them in "textio"/"lines read" (and skipped long lines). The line
// is valid during the call; r gives its Offset. An error fn returns stops
// the read and is returned as is.
func EachLine(ctx context.Context, tc plan.TaskContext, split plan.Split, fn func(line []byte, r *LineReader) error, opts ...ReadOption) error {
	r, err := OpenSplit(ctx, split, opts...)
	if err != nil {
		return err
	}
	defer r.Close()
	var n int64
	defer func() {
		tc.Counter(CounterGroup, CounterLinesRead).Inc(n)
		tc.Counter(CounterGroup, CounterLongSkipped).Inc(r.SkippedLines())
	}()
	for {
		line, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return PermanentIfData(err)
		}
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		n++
		if err := fn(line, r); err != nil {
			return err
		}
	}
}

// PermanentIfData marks an error in the data itself plan.Permanent: unlike
// an I/O error, reading the same bytes again fails the same way.
func PermanentIfData(err error) error {
	if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrLineTooLong) || errors.Is(err, ErrNotText) {
		return plan.Permanent(err)
	}
	return err
}

// LineStream reads r's lines as one stream, each line followed by "\n",
// for a parser of records that may span lines (encoding/csv). onLine, if
// not nil, is told each line's offset as the stream takes the line. r's
// errors, io.EOF at the end, are the stream's.
func LineStream(r *LineReader, onLine func(offset int64)) io.Reader {
	return &lineStream{r: r, onLine: onLine}
}

type lineStream struct {
	r      *LineReader
	onLine func(offset int64)
	rest   []byte // of the line taken last, not read yet
}

func (s *lineStream) Read(p []byte) (int, error) {
	if len(s.rest) == 0 {
		line, err := s.r.Next()
		if err != nil {
			return 0, err
		}
		if s.onLine != nil {
			s.onLine(s.r.Offset())
		}
		s.rest = append(append(s.rest[:0], line...), '\n')
	}
	n := copy(p, s.rest)
	s.rest = s.rest[n:]
	return n, nil
}

// Line returns the number (from 1) of the line Next returned last. A
// reader of a split that starts its file (as every compressed file's does)
// counts lines as it reads them; any other counts the line ends before the
// line's offset, reading the file up to there, so ask it only for an
// error.
func (r *LineReader) Line(ctx context.Context) (int, error) {
	if r.start == 0 {
		return r.lines, nil
	}
	in := io.NewSectionReader(r.ra, 0, r.lineAt)
	buf := make([]byte, 1<<20)
	line := 1
	for {
		n, err := in.Read(buf)
		line += bytes.Count(buf[:n], []byte{'\n'})
		if err == io.EOF {
			return line, nil
		}
		if err != nil {
			return 0, fmt.Errorf("textio: %s: %w", r.path, err)
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
	}
}
