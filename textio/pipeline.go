package textio

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/crunchgo/crunchgo/internal/fileformat"
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
// split into byte ranges; compressed files (Compressed: .gz, .bz2, .zst,
// and Hadoop's .deflate, .snappy, .lz4) are read whole through their
// decompressor, one split each. An Avro or Parquet file among them (by
// extension, or by its first bytes), a file compressed with a codec textio
// does not read (.xz, .lzo, .br) or compressed data under a name that does
// not say so fails the job with an error matching ErrNotText; a 0-byte
// compressed file, one matching ErrCorrupt.
func Read(p *pcollection.Pipeline, pattern string, opts ...ReadOption) pcollection.PCollection[string] {
	return pcollection.NewSource[string](p, "textio.Read", &source{pattern: pattern, opts: opts, cfg: newReadConfig(opts)})
}

// Line is a line of a text file with where it is: what Hadoop gives a
// mapper as its key and its input split's path, and Spark as
// input_file_name(). An inverted index or a per-file count needs them.
type Line struct {
	Path   string // the file's URL, as the pattern's listing gives it
	Offset int64  // where the line starts (LineReader.Offset)
	Text   string
}

// ReadLines is Read giving each line with its file and offset.
func ReadLines(p *pcollection.Pipeline, pattern string, opts ...ReadOption) pcollection.PCollection[Line] {
	return pcollection.NewSource[Line](p, "textio.ReadLines", &source{pattern: pattern, opts: opts, cfg: newReadConfig(opts), placed: true})
}

type source struct {
	pattern string
	opts    []ReadOption
	cfg     readConfig
	placed  bool // emit Lines, not strings
}

func (s *source) Describe() string {
	if s.placed {
		return "text " + s.pattern + " with paths and offsets"
	}
	return "text " + s.pattern
}

// Pattern is the pattern of the files the source reads (plan.FileSource).
func (s *source) Pattern() string { return s.pattern }

func (s *source) EstimateSize(ctx context.Context) int64 {
	return filesplit.Size(ctx, s.pattern)
}

// Splits cuts plain files into byte ranges so that there are about hint
// splits overall; each compressed file is one split. It first checks every
// file (several at once) with checkText.
func (s *source) Splits(ctx context.Context, hint int) ([]plan.Split, error) {
	files, err := storage.DataFiles(ctx, s.pattern)
	if err != nil {
		return nil, fmt.Errorf("textio: %w", err)
	}
	return splitFiles(ctx, files, hint, s.cfg)
}

// splitFiles is Splits over files listed already.
func splitFiles(ctx context.Context, files []storage.FileInfo, hint int, cfg readConfig) ([]plan.Split, error) {
	err := filesplit.EachFile(files, func(_ int, f storage.FileInfo) error {
		return checkText(ctx, f)
	})
	if err != nil {
		return nil, err
	}
	size := filesplit.RangeSize(files, hint, cfg.splitSize, DefaultMinSplitSize)
	return filesplit.ByteRanges(files, size, func(f storage.FileInfo) bool {
		_, ok := Compressed(f.URL)
		return ok
	}), nil
}

// checkText refuses a file whose bytes as lines would be garbage and let a
// job succeed on them: one that is recognisably Avro or Parquet (whether
// compressed whole or not), compressed with a codec textio cannot read, or
// compressed data under a name that does not say so, known by its
// extension or by the magic bytes it starts with; a 0-byte compressed
// file; and a pipe or device. It runs in the driver, before any task, so
// the job fails once with the reason.
func checkText(ctx context.Context, fi storage.FileInfo) error {
	c, cext := codecFor(fi.Name)
	inner := strings.TrimSuffix(fi.Name, cext) // the name the file has decompressed
	format := formatByExt(inner)
	switch {
	case c != nil && c.newReader == nil:
		return errUnreadable(fi.URL, c, "extension "+cext)
	case c != nil && format != "":
		return fmt.Errorf("textio: %s: %w: it is %s %s whole (extension %s%s); %s it and read it with %sio.Read", fi.URL, ErrNotText, format, c.compressed, path.Ext(inner), cext, c.decompress, strings.ToLower(format))
	case format != "":
		return errDataFormat(fi.URL, format, "extension "+strings.ToLower(path.Ext(inner)))
	case fi.Size < 2: // shorter than any magic
		// Opened all the same: a pipe or device stats as empty, and
		// ByteRanges gives an empty file no split, so no task would open
		// it and the job would read it as no lines.
		if err := checkOpens(ctx, fi); err != nil {
			return err
		}
		if c != nil && fi.Size == 0 {
			return errEmptyCompressed(fi.URL, c)
		}
		return nil
	}
	magic, is, err := readMagic(ctx, fi)
	if err != nil {
		return err
	}
	if m := codecByMagic(magic); m != nil && m != c {
		return errUnnamed(fi.URL, m)
	}
	if is == fileformat.Avro || is == fileformat.Parquet {
		return fmt.Errorf("textio: %s: %w: %s; %s", fi.URL, ErrNotText, is.Evidence(), is.Advice())
	}
	return nil
}

// formatByExt returns "Avro" or "Parquet" if name has their extension, else "".
func formatByExt(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".avro":
		return "Avro"
	case ".parquet":
		return "Parquet"
	}
	return ""
}

// errDataFormat refuses an Avro or Parquet file, known by why, naming the
// reader to use.
func errDataFormat(url, format, why string) error {
	return fmt.Errorf("textio: %s: %w: it is %s (%s); read it with %sio.Read", url, ErrNotText, format, why, strings.ToLower(format))
}

// checkOpens fails if fi cannot be opened for reading (storage.Open
// refuses pipes and devices, naming them).
func checkOpens(ctx context.Context, fi storage.FileInfo) error {
	f, err := storage.Open(ctx, fi.URL)
	if err != nil {
		return fmt.Errorf("textio: %w", err)
	}
	return f.Close()
}

// readMagic reads the first bytes of a file, as many as codecByMagic needs,
// and names the data format they (or, rarely, its last bytes) are of.
func readMagic(ctx context.Context, fi storage.FileInfo) ([]byte, fileformat.Format, error) {
	f, err := storage.Open(ctx, fi.URL)
	if err != nil {
		return nil, fileformat.Unknown, fmt.Errorf("textio: %w", err)
	}
	defer f.Close()
	magic := make([]byte, min(fi.Size, max(magicLen, fileformat.HeadLen)))
	n, err := f.ReadAt(magic, 0)
	if n < len(magic) {
		return nil, fileformat.Unknown, &Error{Path: fi.URL, Err: err}
	}
	return magic, fileformat.Of(magic, f, fi.Size), nil
}

func (s *source) Read(ctx context.Context, tc plan.TaskContext, split plan.Split, out plan.Emitter) error {
	if s.placed {
		emitLine := out.(func(Line))
		return EachLine(ctx, tc, split, func(line []byte, r *LineReader) error {
			emitLine(Line{split.Path, r.Offset(), string(line)})
			return nil
		}, s.opts...)
	}
	emitText := out.(func(string))
	return EachLine(ctx, tc, split, func(line []byte, _ *LineReader) error {
		emitText(string(line))
		return nil
	}, s.opts...)
}

// Write writes c as text files in dir, one line per element, one part file
// per task (part-m-00000.txt, or .txt.gz with Gzip), committed when the job
// succeeds. An element containing "\n" or ending in "\r" fails the task.
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
