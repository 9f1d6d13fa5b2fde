package textio

import (
	"compress/bzip2"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"path"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// codec is a compression a text file may be stored in. As with Hadoop's
// CompressionCodecFactory, the file's extension says which: the bytes are
// only checked against it (a file whose first bytes are another codec's
// magic is refused rather than guessed at).
type codec struct {
	name string
	exts []string // lower case, with the dot; the first is the one to rename to
	// newReader decompresses r, reading every concatenated stream or
	// frame; nil if textio cannot read this codec.
	newReader func(r io.Reader) (io.ReadCloser, error)
	// compressed and decompress name the file's state and its remedy in
	// the message for an Avro or Parquet file compressed whole.
	compressed, decompress string
}

// codecs are the compressions textio knows by extension: the first four
// it reads, the others (Hadoop's own framings, and lz4 and brotli for
// which no reader is wired in) it refuses, since their bytes read as
// lines would be garbage.
var codecs = []*codec{
	{name: "gzip", exts: []string{".gz"}, newReader: newGzipReader, compressed: "gzipped", decompress: "gunzip"},
	{name: "bzip2", exts: []string{".bz2"}, newReader: newBzip2Reader, compressed: "bzip2-compressed", decompress: "bunzip2"},
	{name: "xz", exts: []string{".xz"}, newReader: newXZReader, compressed: "xz-compressed", decompress: "unxz"},
	{name: "zstd", exts: []string{".zst", ".zstd"}, newReader: newZstdReader, compressed: "zstd-compressed", decompress: "unzstd"},
	{name: "lz4", exts: []string{".lz4"}},
	{name: "snappy", exts: []string{".snappy"}},
	{name: "deflate", exts: []string{".deflate"}},
	{name: "lzo", exts: []string{".lzo", ".lzo_deflate"}},
	{name: "brotli", exts: []string{".br"}},
}

// codecByName returns the codec named name; it must exist.
func codecByName(name string) *codec {
	for _, c := range codecs {
		if c.name == name {
			return c
		}
	}
	panic("textio: no codec " + name)
}

// codecFor returns the codec the extension of name (a path or URL) says
// the file is compressed with, and that extension as written, or nil.
func codecFor(name string) (*codec, string) {
	ext := path.Ext(name)
	if ext == "" {
		return nil, ""
	}
	for _, c := range codecs {
		for _, e := range c.exts {
			if strings.EqualFold(ext, e) {
				return c, ext
			}
		}
	}
	return nil, ""
}

// Compressed reports the compression textio reads the file at path
// through, by its extension, case-insensitively as Hadoop does: "gzip"
// (.gz), "bzip2" (.bz2), "xz" (.xz) or "zstd" (.zst, .zstd). Such a file
// cannot be cut into byte ranges: it is one split, read from its start.
// Other compressions' extensions (.lz4, .snappy, .deflate, .lzo, .br)
// report false: Read refuses those files.
func Compressed(path string) (codec string, ok bool) {
	c, _ := codecFor(path)
	if c == nil || c.newReader == nil {
		return "", false
	}
	return c.name, true
}

// IsGzip reports whether path names a gzip file, by its extension (.gz, in
// any case). Compressed covers every codec textio reads.
func IsGzip(path string) bool {
	c, _ := Compressed(path)
	return c == "gzip"
}

// magicLen is how many leading bytes codecByMagic needs to be sure.
const magicLen = 10

// codecByMagic returns the codec whose stream b (a file's first bytes)
// starts with, or nil. The magics are chosen so that no text starts with
// them: bzip2's "BZh" and level digit are text, so its first block's magic
// ("1AY&SY", or an empty stream's end "\x17rE8P\x90") must follow. Hadoop's
// own framings (snappy, lz4 and lzo blocks) have no magic to go by.
func codecByMagic(b []byte) *codec {
	s := string(b)
	switch {
	case strings.HasPrefix(s, "\x1f\x8b"):
		return codecByName("gzip")
	case len(s) >= 10 && s[:3] == "BZh" && '1' <= s[3] && s[3] <= '9' && (s[4:10] == "1AY&SY" || s[4:10] == "\x17rE8P\x90"):
		return codecByName("bzip2")
	case strings.HasPrefix(s, "\xfd7zXZ\x00"):
		return codecByName("xz")
	case strings.HasPrefix(s, "\x28\xb5\x2f\xfd"):
		return codecByName("zstd")
	case strings.HasPrefix(s, "\x04\x22\x4d\x18"): // the lz4 frame format
		return codecByName("lz4")
	}
	return nil
}

// magicText describes c's magic in messages.
func (c *codec) magicText() string {
	switch c.name {
	case "gzip":
		return "starts with 1f 8b"
	case "bzip2":
		return `starts with "BZh" and a bzip2 block`
	case "xz":
		return "starts with fd 37 7a 58 5a 00"
	case "zstd":
		return "starts with 28 b5 2f fd"
	case "lz4":
		return "starts with 04 22 4d 18"
	}
	return c.name
}

// errUnnamed refuses data compressed with c in a file whose name does not
// say so, which read as text (or through another codec) would give garbage
// lines or a baffling error.
func errUnnamed(path string, c *codec) error {
	if c.newReader == nil {
		return errUnreadable(path, c, c.magicText())
	}
	return &Error{Path: path, Err: fmt.Errorf("%w: it is %s data (%s) but not named %s, which decides how it is read: rename it", ErrNotText, c.name, c.magicText(), c.exts[0])}
}

// errUnreadable refuses a file compressed with a codec textio cannot read,
// known by why (its extension or its first bytes).
func errUnreadable(path string, c *codec, why string) error {
	return &Error{Path: path, Err: fmt.Errorf("%w: it is %s-compressed (%s), which textio cannot read (it reads gzip, bzip2, xz and zstd): decompress it first", ErrNotText, c.name, why)}
}

// errEmptyCompressed is the error for a 0-byte file named as compressed:
// no compressed stream is empty. It would otherwise read as no lines,
// hiding (say) an output whose writer died before writing the header.
func errEmptyCompressed(path string, c *codec) error {
	return &Error{Path: path, Err: fmt.Errorf("empty file is not %s data: %w", c.name, ErrCorrupt)}
}

func newGzipReader(r io.Reader) (io.ReadCloser, error) {
	return gzip.NewReader(r) // multistream by default, as gzip -d reads them
}

func newBzip2Reader(r io.Reader) (io.ReadCloser, error) {
	return io.NopCloser(bzip2.NewReader(r)), nil // reads concatenated streams (pbzip2's)
}

// newXZReader reads xz streams. ulikunitz/xz (v0.5.17) takes a file cut
// off at a block's end or inside a block header for a whole one, ending
// without an error, so the reader also checks that the file ends as a
// stream does: with a stream footer and, optionally, padding.
func newXZReader(r io.Reader) (io.ReadCloser, error) {
	tail := &tailReader{r: r}
	x, err := xz.NewReader(tail) // reads concatenated streams and their padding
	if err != nil {
		return nil, err
	}
	return io.NopCloser(&xzReader{x: x, tail: tail}), nil
}

type xzReader struct {
	x    *xz.Reader
	tail *tailReader
}

func (r *xzReader) Read(p []byte) (int, error) {
	n, err := r.x.Read(p)
	if err == io.EOF && !r.tail.endsWithXZFooter() {
		// The xz reader ends only once its input has: tail holds the
		// file's last bytes.
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// xzFooterLen is the length of an xz stream footer: a CRC-32 of the next 6
// bytes, the index size and the stream flags, then "YZ".
const xzFooterLen = 12

// tailReader reads r, keeping the last xzFooterLen bytes before the
// trailing zero bytes read so far (the padding xz allows after a stream).
type tailReader struct {
	r     io.Reader
	tail  []byte
	zeros int64 // zero bytes read after tail
}

func (t *tailReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	b := p[:n]
	i := len(b) - 1
	for i >= 0 && b[i] == 0 {
		i--
	}
	if i < 0 {
		t.zeros += int64(n)
		return n, err
	}
	t.tail = append(t.tail, make([]byte, min(t.zeros, xzFooterLen))...)
	t.tail = append(t.tail, b[max(0, i+1-xzFooterLen):i+1]...)
	t.tail = t.tail[max(0, len(t.tail)-xzFooterLen):]
	t.zeros = int64(len(b) - 1 - i)
	return n, err
}

// endsWithXZFooter reports whether the bytes read end with a valid xz
// stream footer and padding.
func (t *tailReader) endsWithXZFooter() bool {
	f := t.tail
	return len(f) == xzFooterLen && t.zeros%4 == 0 && string(f[10:]) == "YZ" &&
		crc32.ChecksumIEEE(f[4:10]) == binary.LittleEndian.Uint32(f[:4])
}

// newZstdReader decodes synchronously: a task reads one split at a time and
// the runner runs tasks side by side, so decoder goroutines would only add
// memory. Concatenated and skippable frames are read.
func newZstdReader(r io.Reader) (io.ReadCloser, error) {
	d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	return d.IOReadCloser(), nil
}
