package textio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
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

// LineReader reads the lines of one split of a text file, with the
// semantics of Hadoop's TextInputFormat: a split that does not start at
// offset 0 skips everything up to and including the first newline at or
// after its start (that line belongs to the previous split), and a split
// reads every line that starts at or before its end, reading past the end
// to finish the last one. Splits that tile a file thus see every line
// exactly once. An empty split (length 0) reads nothing. Lines end at
// "\n"; a "\r" before it is dropped, and so is a UTF-8 byte order mark
// starting the file; a last line without a newline is a line.
//
// A compressed file (Compressed: gzip, bzip2, zstd, or Hadoop's deflate,
// snappy or lz4, by extension) is one split: its reader must start at
// offset 0 and reads the whole decompressed stream, in which offsets then
// count; a 0-byte compressed file is not a compressed stream and is an
// error matching ErrCorrupt.
type LineReader struct {
	path    string
	cfg     readConfig
	br      *bufio.Reader
	src     *io.SectionReader // the file from the split's start
	codec   *codec            // nil for a plain file
	zsrc    *sourceReader     // for a compressed file: src, as the decompressor reads it
	zbuf    *bufio.Reader     // for a compressed file: zsrc, buffered
	dec     io.ReadCloser     // for a compressed file: the decompressor
	pos     int64             // offset of the next unread byte (decompressed for a compressed file)
	end     int64             // lines starting after end belong to the next split
	long    []byte
	skipped int64
	err     error
	skip    bool
	lineAt  int64     // where the line Next returned last starts
	file    io.Closer // the file, when OpenSplit opened it
	ra      io.ReaderAt
	start   int64 // the split's offset
	lines   int   // lines Next has passed, returned or skipped as too long
}

// utf8BOM is the UTF-8 byte order mark, which Excel and Notepad start
// text files with.
var utf8BOM = []byte("\xef\xbb\xbf")

// NewLineReader returns a reader of the split [offset, offset+length) of
// the file at path (named in errors) of size bytes, read through r. A file
// that is compressed data other than its name says (gzip not named .gz,
// say), or named as compressed with a codec textio cannot read (.xz,
// .lzo, ...), is refused, matching ErrNotText.
func NewLineReader(path string, r io.ReaderAt, size, offset, length int64, opts ...ReadOption) (*LineReader, error) {
	cfg := newReadConfig(opts)
	if offset < 0 || length < 0 {
		return nil, fmt.Errorf("textio: %s: invalid split offset %d length %d", path, offset, length)
	}
	lr := &LineReader{path: path, cfg: cfg, pos: offset, end: offset + length, skip: offset != 0, ra: r, start: offset}
	if c, ext := codecFor(path); c != nil {
		if c.newReader == nil {
			return nil, errUnreadable(path, c, "extension "+ext)
		}
		return lr.openCompressed(c, r, size, offset)
	}
	lr.src = io.NewSectionReader(r, offset, size-offset)
	if length == 0 {
		lr.err = io.EOF // an empty split owns no line
	}
	lr.br = bufio.NewReaderSize(lr.src, 64<<10)
	if offset == 0 {
		// Peeked through the buffer: the first read, not one more.
		b, _ := lr.br.Peek(magicLen) // a read error shows again in Next
		if c := codecByMagic(b); c != nil {
			return nil, errUnnamed(path, c)
		}
	}
	return lr, nil
}

// openCompressed sets r up to read the whole of file through c's
// decompressor, after checking that the file starts as c's streams do.
func (r *LineReader) openCompressed(c *codec, file io.ReaderAt, size, offset int64) (*LineReader, error) {
	if offset != 0 {
		return nil, fmt.Errorf("textio: %s: a %s file cannot be split (split at offset %d)", r.path, c.name, offset)
	}
	if size == 0 {
		return nil, errEmptyCompressed(r.path, c)
	}
	r.codec = c
	r.src = io.NewSectionReader(file, 0, size)
	r.zsrc = &sourceReader{r: r.src}
	r.zbuf = bufio.NewReaderSize(r.zsrc, 64<<10)
	b, err := r.zbuf.Peek(magicLen)
	if err != nil && err != io.EOF { // io.EOF: a file shorter than magicLen
		return nil, r.readErr(err)
	}
	if m := codecByMagic(b); m != nil && m != c {
		return nil, errUnnamed(r.path, m)
	}
	dec, err := c.newReader(r.zbuf)
	if err != nil {
		return nil, r.readErr(err)
	}
	r.dec = dec
	r.br = bufio.NewReaderSize(dec, 64<<10)
	r.end = 1<<63 - 1
	return r, nil
}

// sourceReader is the compressed file as a decompressor reads it. It keeps
// the file's own read error, if any, so that what the decompressor makes of
// it is not taken for corrupt data.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// readErr is the error for err, met reading at r.pos. In a compressed file
// any error but the file's own read error is the decompressor's verdict on
// the data: corrupt, or truncated (which a decompressor meets as an
// unexpected EOF), reported with the compressed offset read up to.
func (r *LineReader) readErr(err error) error {
	if r.codec == nil {
		return &Error{Path: r.path, Offset: r.pos, Err: err}
	}
	if r.zsrc.err != nil {
		return &Error{Path: r.path, Offset: r.pos, Err: r.zsrc.err}
	}
	if errors.Is(err, zstd.ErrWindowSizeExceeded) { // a valid file (zstd --long=30), not a corrupt one
		return &Error{Path: r.path, Offset: r.pos, Err: fmt.Errorf("%w: %v (zstd frames of windows over %d MiB are not read): decompress it first", ErrNotText, err, zstd.MaxWindowSize>>20)}
	}
	if be := (*blockError)(nil); errors.As(err, &be) { // it knows where
		return &Error{Path: r.path, Offset: r.pos, Err: fmt.Errorf("%s stream, %v: %w", r.codec.name, be, ErrCorrupt)}
	}
	read, _ := r.src.Seek(0, io.SeekCurrent) // a compressed file is read from offset 0
	compressed := read - int64(r.zbuf.Buffered())
	return &Error{Path: r.path, Offset: r.pos, Err: fmt.Errorf("%s stream, near compressed offset %d: %v: %w", r.codec.name, compressed, err, ErrCorrupt)}
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
			r.lines++
			continue
		}
		if err != nil {
			r.err = err
			return nil, err
		}
		r.lines++
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
				if len(r.long)+len(chunk) > r.cfg.maxLine+1+len(utf8BOM) { // a "\r" may follow, a mark precede
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
		if start == 0 {
			// A UTF-8 byte order mark starting the file is not text, as
			// for Hadoop's LineRecordReader: a file of only one has no
			// lines. The line still starts at 0, so which split owns it
			// does not change.
			chunk = bytes.TrimPrefix(chunk, utf8BOM)
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
	r.lineAt = start
	return line, nil
}

// Offset is the byte offset at which the line Next returned last starts
// (the key Hadoop's TextInputFormat gives a mapper): in the file, or in the
// decompressed stream of a compressed file. A byte order mark starting the
// file is part of the first line's bytes, so that line is at 0.
func (r *LineReader) Offset() int64 { return r.lineAt }

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

// Close releases the reader; it does not close the io.ReaderAt, unless
// OpenSplit opened it.
func (r *LineReader) Close() error {
	var err error
	if r.dec != nil {
		err = r.dec.Close()
	}
	if r.file != nil {
		if cerr := r.file.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
