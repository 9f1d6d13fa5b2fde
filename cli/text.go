package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/textio"
)

// textFile reads a text file (compressed, by extension, with any codec
// textio.Compressed knows) with textio's line reader.
type textFile struct {
	path string
	f    storage.File
	lr   *textio.LineReader
}

// openText opens the line reader at once, so that a file textio refuses
// (.xz, compressed data not so named) fails before meta prints its
// header, and head -n 0 and schema check it as they do Avro and Parquet.
func openText(path string, f storage.File) (dataFile, error) {
	lr, err := textio.NewLineReader(path, f, f.Size(), 0, f.Size())
	if err != nil {
		return nil, err
	}
	return &textFile{path: path, f: f, lr: lr}, nil
}

func (t *textFile) Format() string { return formatText }

func (t *textFile) Schema() (string, error) { return "lines (text has no schema)", nil }

// lines calls fn with each line.
func (t *textFile) lines(ctx context.Context, fn func([]byte) error) error {
	lr := t.lr
	for i := 0; ; i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(line); err != nil {
			return err
		}
	}
}

// Records emits each line as a JSON string.
func (t *textFile) Records(ctx context.Context, emit func([]byte) error) error {
	return t.lines(ctx, func(line []byte) error {
		j, err := jsonLine(string(line))
		if err != nil {
			return err
		}
		return emit(j)
	})
}

func (t *textFile) Count(ctx context.Context) (int64, error) {
	var n int64
	err := t.lines(ctx, func([]byte) error { n++; return nil })
	return n, err
}

func (t *textFile) Meta(ctx context.Context, w io.Writer, _ bool) error {
	var n, longest, total int64
	err := t.lines(ctx, func(l []byte) error {
		n++
		longest = max(longest, int64(len(l)))
		total += int64(len(l))
		return nil
	})
	if err != nil {
		return err
	}
	comp, ok := textio.Compressed(t.path)
	if !ok {
		comp = "none"
	}
	fmt.Fprintf(w, "compression: %s\nlines: %d\nlongest line: %d bytes\nline bytes: %d\n", comp, n, longest, total)
	return nil
}

func (t *textFile) Close() error {
	t.lr.Close()
	return t.f.Close()
}
