package avroio

import (
	"bytes"
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
)

// Codec is a block compression codec of an Avro container file.
type Codec string

// The codecs avroio reads and writes.
const (
	CodecNull      Codec = "null"
	CodecDeflate   Codec = "deflate"   // raw deflate (RFC 1951), by klauspost/compress/flate
	CodecSnappy    Codec = "snappy"    // snappy block + big-endian CRC-32 of the uncompressed data
	CodecZstandard Codec = "zstandard" // one zstd frame per block
)

func (c Codec) valid() bool {
	switch c {
	case CodecNull, CodecDeflate, CodecSnappy, CodecZstandard:
		return true
	}
	return false
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
		out := d.out[:0]
		for {
			if len(out) == cap(out) {
				if int64(len(out)) > d.max {
					return nil, fmt.Errorf("deflate: decompressed block exceeds %d bytes", d.max)
				}
				out = slices.Grow(out, min(max(4096, len(out)), int(d.max+1-int64(len(out)))))
			}
			n, err := d.fl.Read(out[len(out):cap(out)])
			out = out[:len(out)+n]
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("deflate: %w", err)
			}
		}
		d.out = out
		if int64(len(out)) > d.max {
			return nil, fmt.Errorf("deflate: decompressed block exceeds %d bytes", d.max)
		}
		return out, nil
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
	out   bytes.Buffer // deflate output
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
