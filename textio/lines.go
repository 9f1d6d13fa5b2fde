package textio

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
)

// This file is what sources of one record per line (csvio, jsonio) build
// on: Read's splits, checks and line reading, without its element type.

// Splits returns the splits Read cuts the files matching pattern into,
// after Read's checks of every file (no Avro or Parquet, compression only
// as named and readable). With SplitSize(math.MaxInt64) every file is one
// split.
func Splits(ctx context.Context, pattern string, hint int, opts ...ReadOption) ([]plan.Split, error) {
	return (&source{pattern: pattern, opts: opts, cfg: newReadConfig(opts)}).Splits(ctx, hint)
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
