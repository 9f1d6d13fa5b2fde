package textio

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DefaultMaxLineLength is the default line length limit.
const DefaultMaxLineLength = 64 << 20

// ReadOption configures reading, for both LineReader and Read.
type ReadOption func(*readConfig)

type readConfig struct {
	maxLine   int
	skipLong  bool
	splitSize int64
}

// MaxLineLength sets the longest line, in bytes without its terminator,
// the reader accepts (default DefaultMaxLineLength). A longer line is an
// error wrapping ErrLineTooLong, unless SkipLongLines is set.
func MaxLineLength(n int) ReadOption { return func(c *readConfig) { c.maxLine = n } }

// SkipLongLines skips lines longer than the limit instead of failing,
// counting them (LineReader.SkippedLines; the pipeline counter
// "textio"/"long lines skipped").
func SkipLongLines() ReadOption { return func(c *readConfig) { c.skipLong = true } }

// SplitSize makes Read cut files into byte ranges of n bytes, instead of
// sizing them from the runner's hint (at least DefaultMinSplitSize each).
func SplitSize(n int64) ReadOption { return func(c *readConfig) { c.splitSize = n } }

// DefaultMinSplitSize is the smallest byte range Read cuts a file into when
// sizing splits from the runner's hint.
const DefaultMinSplitSize = 1 << 20

func newReadConfig(opts []ReadOption) readConfig {
	c := readConfig{maxLine: DefaultMaxLineLength}
	for _, o := range opts {
		o(&c)
	}
	if c.maxLine <= 0 {
		c.maxLine = DefaultMaxLineLength
	}
	return c
}

// IsGzip reports whether path names a gzip file, by its extension.
func IsGzip(path string) bool { return strings.HasSuffix(path, ".gz") }

// LineReader reads the lines of one split of a text file, with the
// semantics of Hadoop's TextInputFormat: a split that does not start at
// offset 0 skips everything up to and including the first newline at or
// after its start (that line belongs to the previous split), and a split
// reads every line that starts at or before its end, reading past the end
// to finish the last one. Splits that tile a file thus see every line
// exactly once. An empty split (length 0) reads nothing. Lines end at "\n"; a "\r" before it is dropped; a last line
// without a newline is a line. A gzip file (IsGzip) is one split: its reader
// must start at offset 0 and reads the whole stream; a 0-byte gzip file is
// not a gzip stream and is an error matching ErrCorrupt.
type LineReader struct {
	path    string
	cfg     readConfig
	br      *bufio.Reader
	src     *io.SectionReader // the file from the split's start; for gzip, its position is the compressed offset
	gz      *gzip.Reader
	pos     int64 // offset of the next unread byte (decompressed for gzip)
	end     int64 // lines starting after end belong to the next split
	long    []byte
	skipped int64
	err     error
	skip    bool
}

// gzipMagic starts every gzip stream; no text file starts with it.
var gzipMagic = [2]byte{0x1f, 0x8b}

// errUnnamedGzip refuses gzip data in a file not named .gz, which read as
// text would give garbage lines.
func errUnnamedGzip(path string) error {
	return &Error{Path: path, Err: fmt.Errorf("%w: it is gzip data (starts with 1f 8b) but not named .gz, which decides how it is read: rename it", ErrNotText)}
}

// NewLineReader returns a reader of the split [offset, offset+length) of
// the file at path (named in errors) of size bytes, read through r. A plain
// file whose data is gzip (not named .gz) is refused, matching ErrNotText.
func NewLineReader(path string, r io.ReaderAt, size, offset, length int64, opts ...ReadOption) (*LineReader, error) {
	cfg := newReadConfig(opts)
	if offset < 0 || length < 0 {
		return nil, fmt.Errorf("textio: %s: invalid split offset %d length %d", path, offset, length)
	}
	lr := &LineReader{path: path, cfg: cfg, pos: offset, end: offset + length, skip: offset != 0}
	if IsGzip(path) {
		if offset != 0 {
			return nil, fmt.Errorf("textio: %s: a gzip file cannot be split (split at offset %d)", path, offset)
		}
		if size == 0 {
			return nil, errEmptyGzip(path)
		}
		lr.src = io.NewSectionReader(r, 0, size)
		gz, err := gzip.NewReader(bufio.NewReaderSize(lr.src, 64<<10))
		if err != nil {
			return nil, lr.corrupt(err)
		}
		lr.gz = gz
		lr.br = bufio.NewReaderSize(gz, 64<<10)
		lr.end = 1<<63 - 1
		return lr, nil
	}
	lr.src = io.NewSectionReader(r, offset, size-offset)
	if length == 0 {
		lr.err = io.EOF // an empty split owns no line
	}
	lr.br = bufio.NewReaderSize(lr.src, 64<<10)
	if offset == 0 {
		// Peeked through the buffer: the first read, not one more.
		if b, _ := lr.br.Peek(2); len(b) == 2 && [2]byte(b) == gzipMagic {
			return nil, errUnnamedGzip(path)
		}
	}
	return lr, nil
}

// errEmptyGzip is the error for a 0-byte file named as gzip. It would
// otherwise read as no lines, hiding (say) an output whose writer died
// before writing the gzip header.
func errEmptyGzip(path string) error {
	return &Error{Path: path, Err: fmt.Errorf("empty file is not gzip data: %w", ErrCorrupt)}
}

func (r *LineReader) corrupt(err error) error {
	var flateErr flate.CorruptInputError
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, gzip.ErrHeader) ||
		errors.Is(err, gzip.ErrChecksum) || errors.As(err, &flateErr) {
		compressed, _ := r.src.Seek(0, io.SeekCurrent) // a gzip file is read from offset 0
		return &Error{Path: r.path, Offset: r.pos, Err: fmt.Errorf("gzip stream, near compressed offset %d: %v: %w", compressed, err, ErrCorrupt)}
	}
	return &Error{Path: r.path, Offset: r.pos, Err: err}
}

// Next returns the next line without its terminator. The slice is valid
// until the next call. At the end of the split it returns nil, io.EOF.
func (r *LineReader) Next() ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.skip {
		r.skip = false
		if err := r.skipFirst(); err != nil {
			r.err = err
			return nil, err
		}
	}
	for {
		if r.pos > r.end {
			r.err = io.EOF
			return nil, io.EOF
		}
		line, err := r.readLine()
		if err == errSkipped {
			continue
		}
		if err != nil {
			r.err = err
			return nil, err
		}
		return line, nil
	}
}

var errSkipped = errors.New("skipped")

// skipFirst discards bytes through the first newline.
func (r *LineReader) skipFirst() error {
	for {
		chunk, err := r.br.ReadSlice('\n')
		r.pos += int64(len(chunk))
		switch err {
		case nil:
			return nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			return nil // the next read sees EOF
		default:
			return r.readErr(err)
		}
	}
}

func (r *LineReader) readErr(err error) error {
	if r.gz != nil {
		return r.corrupt(err)
	}
	return &Error{Path: r.path, Offset: r.pos, Err: err}
}

// readLine reads one line starting at r.pos.
func (r *LineReader) readLine() ([]byte, error) {
	start := r.pos
	r.long = r.long[:0]
	tooLong := false
	for {
		chunk, err := r.br.ReadSlice('\n')
		r.pos += int64(len(chunk))
		if err == bufio.ErrBufferFull { // part of a line longer than the buffer
			if !tooLong {
				if len(r.long)+len(chunk) > r.cfg.maxLine+1 { // +1: a "\r" may follow
					tooLong = true
					r.long = r.long[:0]
				} else {
					r.long = append(r.long, chunk...)
				}
			}
			continue
		}
		if err != nil && err != io.EOF {
			return nil, r.readErr(err)
		}
		// chunk ends with "\n", or is the rest of the input (io.EOF).
		if tooLong {
			return r.overlong(start)
		}
		if len(r.long) > 0 {
			r.long = append(r.long, chunk...)
			chunk = r.long
		}
		if len(chunk) == 0 {
			return nil, io.EOF
		}
		return r.trim(chunk, start)
	}
}

func (r *LineReader) trim(line []byte, start int64) ([]byte, error) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > r.cfg.maxLine {
		return r.overlong(start)
	}
	return line, nil
}

func (r *LineReader) overlong(start int64) ([]byte, error) {
	if r.cfg.skipLong {
		r.skipped++
		return nil, errSkipped
	}
	return nil, &Error{Path: r.path, Offset: start,
		Err: fmt.Errorf("line longer than %d bytes: %w", r.cfg.maxLine, ErrLineTooLong)}
}

// SkippedLines returns the number of overlong lines skipped.
func (r *LineReader) SkippedLines() int64 { return r.skipped }

// Close releases the reader; it does not close the io.ReaderAt.
func (r *LineReader) Close() error {
	if r.gz != nil {
		return r.gz.Close()
	}
	return nil
}
