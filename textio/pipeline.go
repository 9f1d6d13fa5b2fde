package textio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/crunchgo/crunchgo/internal/filesplit"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
)

// Counter names, in group "textio".
const (
	CounterGroup        = "textio"
	CounterLinesRead    = "lines read"
	CounterLongSkipped  = "long lines skipped"
	CounterLinesWritten = "lines written"
)

// Read reads the lines of the text files matching pattern (a file, a
// directory of data files or a glob; any storage URL). Plain files are
// split into byte ranges; ".gz" files are read whole, one split each. An
// Avro or Parquet file among them (by extension, or by its first bytes)
// fails the job with an error matching ErrNotText; a 0-byte ".gz" file, one
// matching ErrCorrupt.
func Read(p *pcollection.Pipeline, pattern string, opts ...ReadOption) pcollection.PCollection[string] {
	return pcollection.NewSource[string](p, "textio.Read", &source{pattern: pattern, opts: opts, cfg: newReadConfig(opts)})
}

type source struct {
	pattern string
	opts    []ReadOption
	cfg     readConfig
}

func (s *source) Describe() string { return "text " + s.pattern }

// Pattern is the pattern of the files the source reads (plan.FileSource).
func (s *source) Pattern() string { return s.pattern }

func (s *source) EstimateSize(ctx context.Context) int64 {
	return filesplit.Size(ctx, s.pattern)
}

// Splits cuts plain files into byte ranges so that there are about hint
// splits overall; each gzip file is one split. It first checks every file
// (several at once) with checkText.
func (s *source) Splits(ctx context.Context, hint int) ([]plan.Split, error) {
	files, err := storage.DataFiles(ctx, s.pattern)
	if err != nil {
		return nil, fmt.Errorf("textio: %w", err)
	}
	err = filesplit.EachFile(files, func(_ int, f storage.FileInfo) error {
		if f.Size == 0 && IsGzip(f.URL) {
			// Checked here: ByteRanges gives empty files no split, so no
			// task would open it to find it is not gzip data.
			return errEmptyGzip(f.URL)
		}
		return checkText(ctx, f)
	})
	if err != nil {
		return nil, err
	}
	size := filesplit.RangeSize(files, hint, s.cfg.splitSize, DefaultMinSplitSize)
	return filesplit.ByteRanges(files, size, func(f storage.FileInfo) bool { return IsGzip(f.URL) }), nil
}

// checkText refuses a file that is recognisably Avro or Parquet, by its
// extension or by the magic bytes it starts with: read as text, it would
// give a job garbage lines and let it succeed on them. It runs in the
// driver, before any task, so the job fails once with the reason.
func checkText(ctx context.Context, fi storage.FileInfo) error {
	var format, why string
	switch ext := strings.ToLower(path.Ext(strings.TrimSuffix(fi.Name, ".gz"))); ext {
	case ".avro":
		format, why = "Avro", "extension "+ext
	case ".parquet":
		format, why = "Parquet", "extension "+ext
	}
	if format != "" && IsGzip(fi.Name) {
		return fmt.Errorf("textio: %s: %w: it is %s gzipped whole (extension %s.gz); gunzip it and read it with %sio.Read", fi.URL, ErrNotText, format, path.Ext(strings.TrimSuffix(fi.Name, ".gz")), strings.ToLower(format))
	}
	if format == "" && fi.Size >= 4 {
		f, err := storage.Open(ctx, fi.URL)
		if err != nil {
			return fmt.Errorf("textio: %w", err)
		}
		var magic [4]byte
		n, err := f.ReadAt(magic[:], 0)
		f.Close()
		if n < len(magic) {
			return &Error{Path: fi.URL, Err: err}
		}
		if [2]byte(magic[:2]) == gzipMagic && !IsGzip(fi.URL) {
			return errUnnamedGzip(fi.URL)
		}
		switch string(magic[:]) {
		case "Obj\x01":
			format, why = "Avro", `starts with "Obj\x01"`
		case "PAR1":
			format, why = "Parquet", `starts with "PAR1"`
		}
	}
	if format == "" {
		return nil
	}
	return fmt.Errorf("textio: %s: %w: it is %s (%s); read it with %sio.Read", fi.URL, ErrNotText, format, why, strings.ToLower(format))
}

func (s *source) Read(ctx context.Context, tc plan.TaskContext, split plan.Split, out plan.Emitter) error {
	emit := out.(func(string))
	f, err := storage.Open(ctx, split.Path)
	if err != nil {
		return fmt.Errorf("textio: %w", err)
	}
	defer f.Close()
	r, err := NewLineReader(split.Path, f, f.Size(), split.Offset, split.Length, s.opts...)
	if err != nil {
		return permanentIfData(err)
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
			return permanentIfData(err)
		}
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		n++
		emit(string(line))
	}
}

// Write writes c as text files in dir, one line per element, one part file
// per task (part-m-00000.txt, or .txt.gz with Gzip), committed when the job
// succeeds. An element containing "\n" fails the task.
func Write(c pcollection.PCollection[string], dir string, opts ...WriteOption) {
	var cfg writeConfig
	for _, o := range opts {
		o(&cfg)
	}
	pcollection.NewSink(c, "textio.Write", &sink{dir: dir, opts: opts, gzip: cfg.gzip})
}

type sink struct {
	dir  string
	opts []WriteOption
	gzip bool
}

func (s *sink) URL() string { return s.dir }

func (s *sink) Ext() string {
	if s.gzip {
		return ".txt.gz"
	}
	return ".txt"
}

func (s *sink) NewWriter(ctx context.Context, tc plan.TaskContext, w io.Writer) (plan.Emitter, func() error, error) {
	tw := NewWriter(w, s.opts...)
	written := tc.Counter(CounterGroup, CounterLinesWritten)
	emit := func(line string) {
		if err := tw.WriteLine(line); err != nil {
			plan.Raise(err)
		}
		written.Inc(1)
	}
	return emit, tw.Close, nil
}

// permanentIfData marks an error in the data itself plan.Permanent: unlike
// an I/O error, reading the same bytes again fails the same way.
func permanentIfData(err error) error {
	if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrLineTooLong) || errors.Is(err, ErrNotText) {
		return plan.Permanent(err)
	}
	return err
}
