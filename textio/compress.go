package textio

import (
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/klauspost/compress/zstd"
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
	// compressed names the file's state in messages, and decompress its
	// remedy in the message for an Avro or Parquet file compressed whole.
	compressed, decompress string
}

// codecs are the compressions textio knows, by extension or by magic: the
// first six it reads, the others it refuses, since their bytes read as
// lines would be garbage. Of those Hadoop writes, .deflate (DefaultCodec)
// is zlib streams, and .snappy and .lz4 are BlockCompressorStream's
// framing (see blockReader); LZO has no well-kept Go reader. Brotli has no
// reader wired in, nor Hadoop codec; lz4's frame format (as the lz4 tool
// writes it) is not Hadoop's framing, so not read as .lz4. xz's Go reader
// (ulikunitz/xz v0.5.17) reads a file with a damaged block header as no
// lines, without an error, and allocates whatever dictionary a block
// declares (up to 4 GiB); Hadoop has no xz codec either.
var codecs = []*codec{
	{name: "gzip", exts: []string{".gz"}, newReader: newGzipReader, compressed: "gzipped", decompress: "gunzip"},
	{name: "bzip2", exts: []string{".bz2"}, newReader: newBzip2Reader, compressed: "bzip2-compressed", decompress: "bunzip2"},
	{name: "zstd", exts: []string{".zst", ".zstd"}, newReader: newZstdReader, compressed: "zstd-compressed", decompress: "unzstd"},
	{name: "deflate", exts: []string{".deflate"}, newReader: newZlibReader, compressed: "deflate-compressed", decompress: "decompress"},
	{name: "snappy", exts: []string{".snappy"}, newReader: newSnappyReader, compressed: "snappy-compressed", decompress: "decompress"},
	{name: "lz4", exts: []string{".lz4"}, newReader: newLZ4Reader, compressed: "lz4-compressed", decompress: "decompress"},
	{name: "lz4 frame", compressed: "in lz4's frame format"},
	{name: "xz", exts: []string{".xz"}, compressed: "xz-compressed"},
	{name: "lzo", exts: []string{".lzo", ".lzo_deflate"}, compressed: "lzo-compressed"},
	{name: "brotli", exts: []string{".br"}, compressed: "brotli-compressed"},
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
// (.gz), "bzip2" (.bz2), "zstd" (.zst, .zstd), or Hadoop's "deflate"
// (.deflate), "snappy" (.snappy) and "lz4" (.lz4). Such a file cannot be
// cut into byte ranges: it is one split, read from its start. Other
// compressions' extensions (.xz, .lzo, .br) report false: Read refuses
// those files.
func Compressed(path string) (codec string, ok bool) {
	c, _ := codecFor(path)
	if c == nil || c.newReader == nil {
		return "", false
	}
	return c.name, true
}

// CompressionOf names the compression the extension of path says the file
// has, for any compression textio knows (those of Compressed, and .xz,
// .lzo, .br), and whether textio reads it; "" if the extension names none.
func CompressionOf(path string) (codec string, readable bool) {
	c, _ := codecFor(path)
	if c == nil {
		return "", false
	}
	return c.name, c.newReader != nil
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
// own framings (snappy, lz4 and lzo blocks) have no magic to go by, and
// zlib's two bytes (.deflate) can start text ("x^").
func codecByMagic(b []byte) *codec {
	s := string(b)
	switch {
	case strings.HasPrefix(s, "\x1f\x8b"):
		return codecByName("gzip")
	case len(s) >= 10 && s[:3] == "BZh" && '1' <= s[3] && s[3] <= '9' && (s[4:10] == "1AY&SY" || s[4:10] == "\x17rE8P\x90"):
		return codecByName("bzip2")
	case strings.HasPrefix(s, "\xfd7zXZ\x00"):
		return codecByName("xz")
	case strings.HasPrefix(s, "\x28\xb5\x2f\xfd"),
		len(s) >= 4 && s[0]&0xf0 == 0x50 && s[1:4] == "\x2a\x4d\x18": // a skippable frame, as pzstd writes first
		return codecByName("zstd")
	case strings.HasPrefix(s, "\x04\x22\x4d\x18"), // the lz4 frame format
		strings.HasPrefix(s, "\x02\x21\x4c\x18"): // and its legacy format (lz4 -l)
		return codecByName("lz4 frame")
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
		return "starts with 28 b5 2f fd, or a skippable frame"
	case "lz4 frame":
		return "starts with 04 22 4d 18, or 02 21 4c 18"
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
	return &Error{Path: path, Err: fmt.Errorf("%w: it is %s (%s), which textio cannot read (it reads gzip, bzip2, zstd, and Hadoop's .deflate, .snappy and .lz4): decompress it first", ErrNotText, c.compressed, why)}
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

// newZlibReader reads zlib streams, as Hadoop's DefaultCodec writes them,
// one after another (files concatenated whole), as Hadoop does.
func newZlibReader(r io.Reader) (io.ReadCloser, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(r)
	}
	z, err := zlib.NewReader(br) // reads no further than its stream: br is an io.ByteReader
	if err != nil {
		return nil, err
	}
	return &zlibStreams{r: br, z: z}, nil
}

type zlibStreams struct {
	r *bufio.Reader
	z io.ReadCloser
}

func (s *zlibStreams) Read(p []byte) (int, error) {
	for {
		n, err := s.z.Read(p)
		if err != io.EOF {
			return n, err
		}
		if _, err := s.r.Peek(1); err != nil {
			return n, err // io.EOF: the end of the last stream
		}
		if err := s.z.(zlib.Resetter).Reset(s.r, nil); err != nil {
			return n, err
		}
		if n > 0 {
			return n, nil
		}
	}
}

func (s *zlibStreams) Close() error { return s.z.Close() }
