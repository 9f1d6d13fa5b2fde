package avroio

import (
	"bytes"
	"compress/bzip2"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// Codec is a block compression codec of an Avro container file.
type Codec string

// The codecs avroio reads and writes (bzip2: reads only).
const (
	CodecNull      Codec = "null"
	CodecDeflate   Codec = "deflate"   // raw deflate (RFC 1951), by klauspost/compress/flate
	CodecSnappy    Codec = "snappy"    // snappy block + big-endian CRC-32 of the uncompressed data
	CodecZstandard Codec = "zstandard" // one zstd frame per block
	CodecXZ        Codec = "xz"        // one .xz stream per block, by ulikunitz/xz
	CodecBzip2     Codec = "bzip2"     // one .bz2 stream per block, read by compress/bzip2
)

// readable reports whether avroio reads blocks compressed with c.
func (c Codec) readable() bool {
	switch c {
	case CodecNull, CodecDeflate, CodecSnappy, CodecZstandard, CodecXZ, CodecBzip2:
		return true
	}
	return false
}

// writable returns why avroio cannot write blocks with c, or nil.
func (c Codec) writable() error {
	switch {
	case c == CodecBzip2:
		// Go's standard library has a bzip2 decoder only.
		return fmt.Errorf("avroio: codec %q is read but not written (no bzip2 encoder): write xz, zstandard or deflate", c)
	case !c.readable():
		return fmt.Errorf("avroio: unsupported codec %q", c)
	}
	return nil
}

// blockDecompressor decompresses blocks into a buffer it reuses, refusing
// output larger than max bytes.
type blockDecompressor struct {
	codec Codec
	max   int64
	out   []byte
	src   bytes.Reader
	fl    io.ReadCloser
	zd    *zstd.Decoder
}

// decompress returns the decompressed block, valid until the next call; errors
// are about the data (the caller reports them as corrupt).
func (d *blockDecompressor) decompress(src []byte) ([]byte, error) {
	switch d.codec {
	case CodecNull:
		return src, nil
	case CodecDeflate:
		d.src.Reset(src)
		if d.fl == nil {
			d.fl = flate.NewReader(&d.src)
		} else if err := d.fl.(flate.Resetter).Reset(&d.src, nil); err != nil {
			return nil, err
		}
		return d.readAll(d.fl, "deflate")
	case CodecBzip2:
		d.src.Reset(src)
		return d.readAll(bzip2.NewReader(&d.src), "bzip2")
	case CodecXZ:
		if err := d.checkXZDictionary(src); err != nil {
			return nil, err
		}
		d.src.Reset(src)
		r, err := xz.ReaderConfig{SingleStream: true}.NewReader(&d.src)
		if err != nil {
			return nil, fmt.Errorf("xz: %w", err)
		}
		return d.readAll(r, "xz")
	case CodecSnappy:
		if len(src) < 4 {
			return nil, fmt.Errorf("snappy: %d bytes is too short for the checksum", len(src))
		}
		body, sum := src[:len(src)-4], binary.BigEndian.Uint32(src[len(src)-4:])
		n, err := snappy.DecodedLen(body)
		if err != nil {
			return nil, fmt.Errorf("snappy: %w", err)
		}
		if int64(n) > d.max {
			return nil, fmt.Errorf("snappy: decompressed block of %d bytes exceeds %d bytes", n, d.max)
		}
		d.out = slices.Grow(d.out[:0], n)
		out, err := snappy.Decode(d.out[:n], body)
		if err != nil {
			return nil, fmt.Errorf("snappy: %w", err)
		}
		if got := crc32.ChecksumIEEE(out); got != sum {
			return nil, fmt.Errorf("snappy: checksum %08x, want %08x", got, sum)
		}
		return out, nil
	case CodecZstandard:
		if d.zd == nil {
			zd, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(d.max)))
			if err != nil {
				return nil, fmt.Errorf("zstandard: %w", err)
			}
			d.zd = zd
		}
		out, err := d.zd.DecodeAll(src, d.out[:0])
		if err != nil {
			return nil, fmt.Errorf("zstandard: %w", err)
		}
		d.out = out
		if int64(len(out)) > d.max {
			return nil, fmt.Errorf("zstandard: decompressed block exceeds %d bytes", d.max)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported codec %q", d.codec)
}

// checkXZDictionary refuses an xz stream whose first block declares an LZMA2
// dictionary larger than the block size limit: ulikunitz/xz allocates the
// whole dictionary before decoding (8 MiB for each block of a file written
// at Avro Java's default level, up to 3 GiB as claimed by a crafted one).
// Avro writers make one xz block per stream; the headers of further
// blocks, which only decoding reaches, are not checked.
func (d *blockDecompressor) checkXZDictionary(src []byte) error {
	const (
		streamHeader = 12 // magic, flags and CRC-32, which the library checks
		lzma2Filter  = 0x21
	)
	if len(src) < streamHeader+2 || src[streamHeader] == 0 {
		return nil // no block (an empty stream's index), or too short: the library says which
	}
	h := src[streamHeader:min(len(src), streamHeader+(int(src[streamHeader])+1)*4)]
	filters, p := int(h[1]&3)+1, 2
	for _, present := range []bool{h[1]&0x40 != 0, h[1]&0x80 != 0} { // compressed and uncompressed sizes
		if present {
			_, n := binary.Uvarint(h[p:])
			if n <= 0 {
				return nil
			}
			p += n
		}
	}
	for range filters {
		id, n := binary.Uvarint(h[p:])
		if n <= 0 {
			return nil
		}
		size, m := binary.Uvarint(h[p+n:])
		if m <= 0 || uint64(len(h)-p-n-m) < size {
			return nil
		}
		if id == lzma2Filter && size == 1 {
			dict, err := lzma.DecodeDictCap(h[p+n+m])
			if err == nil && dict > d.max {
				return fmt.Errorf("xz: dictionary of %d bytes exceeds the block size limit of %d bytes", dict, d.max)
			}
		}
		p += n + m + int(size)
	}
	return nil
}

// readAll reads a block's decompressed bytes from r into the reused buffer,
// refusing more than max bytes.
func (d *blockDecompressor) readAll(r io.Reader, codec string) ([]byte, error) {
	out := d.out[:0]
	for {
		if len(out) == cap(out) {
			if int64(len(out)) > d.max {
				return nil, fmt.Errorf("%s: decompressed block exceeds %d bytes", codec, d.max)
			}
			out = slices.Grow(out, min(max(4096, len(out)), int(d.max+1-int64(len(out)))))
		}
		n, err := r.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", codec, err)
		}
	}
	d.out = out
	if int64(len(out)) > d.max {
		return nil, fmt.Errorf("%s: decompressed block exceeds %d bytes", codec, d.max)
	}
	return out, nil
}

func (d *blockDecompressor) close() {
	if d.zd != nil {
		d.zd.Close()
		d.zd = nil
	}
}

// blockCompressor compresses blocks into a buffer it reuses.
type blockCompressor struct {
	codec Codec
	level int
	out   bytes.Buffer // deflate and xz output
	buf   []byte       // snappy and zstandard output
	fl    *flate.Writer
	ze    *zstd.Encoder
}

// compress returns the compressed block, valid until the next call.
func (c *blockCompressor) compress(src []byte) ([]byte, error) {
	switch c.codec {
	case CodecNull:
		return src, nil
	case CodecDeflate:
		c.out.Reset()
		if c.fl == nil {
			fl, err := flate.NewWriter(&c.out, c.level)
			if err != nil {
				return nil, fmt.Errorf("deflate: %w", err)
			}
			c.fl = fl
		} else {
			c.fl.Reset(&c.out)
		}
		if _, err := c.fl.Write(src); err != nil {
			return nil, fmt.Errorf("deflate: %w", err)
		}
		if err := c.fl.Close(); err != nil {
			return nil, fmt.Errorf("deflate: %w", err)
		}
		return c.out.Bytes(), nil
	case CodecSnappy:
		n := s2.MaxEncodedLen(len(src))
		if n < 0 {
			return nil, fmt.Errorf("snappy: block of %d bytes is too large", len(src))
		}
		if cap(c.buf) < n+4 {
			c.buf = make([]byte, n+4)
		}
		out := s2.EncodeSnappy(c.buf[:n], src)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(src)), nil
	case CodecZstandard:
		if c.ze == nil {
			ze, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
			if err != nil {
				return nil, fmt.Errorf("zstandard: %w", err)
			}
			c.ze = ze
		}
		c.buf = c.ze.EncodeAll(src, c.buf[:0])
		return c.buf, nil
	case CodecXZ:
		c.out.Reset()
		// The dictionary need not be larger than the block (the library's
		// default is 8 MiB, allocated per stream).
		w, err := xz.WriterConfig{DictCap: max(4096, len(src))}.NewWriter(&c.out)
		if err != nil {
			return nil, fmt.Errorf("xz: %w", err)
		}
		if _, err := w.Write(src); err != nil {
			return nil, fmt.Errorf("xz: %w", err)
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("xz: %w", err)
		}
		return c.out.Bytes(), nil
	}
	return nil, fmt.Errorf("unsupported codec %q", c.codec)
}

func (c *blockCompressor) close() error {
	if c.ze != nil {
		err := c.ze.Close()
		c.ze = nil
		return err
	}
	return nil
}
