package textio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/golang/snappy"
	"github.com/pierrec/lz4/v4"
)

// blockReader decodes the framing of Hadoop's BlockCompressorStream, which
// SnappyCodec (.snappy) and Lz4Codec (.lz4) write: a sequence of blocks,
// each a 4-byte big-endian length of its decoded bytes and then chunks,
// each a 4-byte big-endian length and that many bytes of one raw snappy or
// LZ4 block, whose decoded lengths add up to the block's.
//
// Hadoop's reader (BlockDecompressorStream) takes a file cut short, even
// inside a chunk, for its end, and stops at a block of length 0 (which
// its writer puts at the end of an empty file, or after a last write
// larger than its buffer). This one is strict instead: a stream ends only
// between blocks, lengths must add up exactly, and a 0-length block is
// read past, so that files concatenated whole read whole. No lines are
// lost silently.
//
// Memory follows the bytes read, never a length as declared: a block is
// decoded chunk by chunk, a chunk's compressed bytes are buffered as they
// arrive, and a chunk may decode to no more than maxExpansion bytes per
// compressed byte.
type blockReader struct {
	r      io.Reader
	decode func(dst, src []byte, limit int) ([]byte, error)

	read    int64 // compressed bytes consumed
	blockAt int64 // where the current block's header starts
	size    int64 // the current block's declared length
	left    int64 // of it, not yet decoded
	comp    bytes.Buffer
	buf     []byte // the decoded chunk's storage, reused
	out     []byte // of buf, the bytes not yet returned
	err     error
}

// maxExpansion bounds how many bytes one compressed byte decodes to: LZ4's
// densest encoding, a run of 255-valued match-length bytes, gives 255
// each; snappy's, a 3-byte copy of 64 bytes, under 22.
const maxExpansion = 255

// blockError is corrupt framing, already naming where in the file it is.
type blockError struct{ msg string }

func (e *blockError) Error() string { return e.msg }

func newSnappyReader(r io.Reader) (io.ReadCloser, error) {
	return &blockReader{r: r, decode: decodeSnappy}, nil
}

func newLZ4Reader(r io.Reader) (io.ReadCloser, error) {
	return &blockReader{r: r, decode: decodeLZ4}, nil
}

// decodeSnappy decodes the raw snappy block src into dst's storage if it
// fits, refusing one that declares more than limit bytes before
// allocating them.
func decodeSnappy(dst, src []byte, limit int) ([]byte, error) {
	n, err := snappy.DecodedLen(src)
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("it declares %d decoded bytes", n)
	}
	return snappy.Decode(dst[:cap(dst)], src)
}

// decodeLZ4 decodes the raw LZ4 block src into at most limit bytes. The
// block does not say its decoded length, so room for it is doubled until
// it fits: about twice the decoded bytes, not limit, are allocated.
func decodeLZ4(dst, src []byte, limit int) ([]byte, error) {
	size := min(limit, max(cap(dst), 4*len(src), 64<<10))
	for {
		if cap(dst) < size {
			dst = make([]byte, size)
		}
		n, err := lz4.UncompressBlock(src, dst[:size])
		if err == nil {
			return dst[:n], nil
		}
		if size == limit || !errors.Is(err, lz4.ErrInvalidSourceShortBuffer) {
			return nil, err
		}
		size = min(limit, 2*size)
	}
}

func (b *blockReader) Read(p []byte) (int, error) {
	for len(b.out) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		b.err = b.next()
	}
	n := copy(p, b.out)
	b.out = b.out[n:]
	return n, nil
}

func (b *blockReader) Close() error { return nil }

// next reads a block header or decodes a chunk into b.out; io.EOF at the
// end of the file between blocks.
func (b *blockReader) next() error {
	if b.left == 0 {
		at := b.read
		n, err := b.readLength()
		if err != nil {
			return lengthErr(err, "block at compressed offset %d: the file ends inside its 4-byte length", at)
		}
		if n > math.MaxInt32 {
			return corrupt("block at compressed offset %d declares %d bytes, more than Hadoop's framing can (%d)", at, n, math.MaxInt32)
		}
		b.blockAt, b.size, b.left = at, n, n
		return nil
	}
	at := b.read
	n, err := b.readLength()
	if err == io.EOF {
		return corrupt("%s: the file ends after %d of them", b.block(), b.size-b.left)
	}
	if err != nil {
		return lengthErr(err, "%s: chunk at compressed offset %d: the file ends inside its 4-byte length", b.block(), at)
	}
	if n == 0 || n > math.MaxInt32 {
		return corrupt("%s: chunk at compressed offset %d declares %d compressed bytes", b.block(), at, n)
	}
	b.comp.Reset()
	got, err := io.CopyN(&b.comp, b.r, n) // grows with the bytes there, not as declared
	b.read += got
	if err == io.EOF {
		return corrupt("%s: chunk at compressed offset %d of %d bytes: the file ends after %d of them", b.block(), at, n, got)
	}
	if err != nil {
		return err
	}
	limit := min(b.left, maxExpansion*n)
	out, err := b.decode(b.buf, b.comp.Bytes(), int(limit))
	if err != nil {
		return corrupt("%s: chunk at compressed offset %d of %d bytes: %v (it may decode to at most %d: the bytes left of its block, and %d per compressed byte)", b.block(), at, n, err, limit, maxExpansion)
	}
	b.buf, b.out = out, out
	b.left -= int64(len(out))
	return nil
}

// block names the current block in errors.
func (b *blockReader) block() string {
	return fmt.Sprintf("block at compressed offset %d of %d bytes", b.blockAt, b.size)
}

// readLength reads a 4-byte big-endian length: io.EOF if the file ends
// before it, io.ErrUnexpectedEOF if inside it.
func (b *blockReader) readLength() (int64, error) {
	var l [4]byte
	n, err := io.ReadFull(b.r, l[:])
	b.read += int64(n)
	if err != nil {
		return 0, err
	}
	return int64(binary.BigEndian.Uint32(l[:])), nil
}

// lengthErr is the error for err, met reading a length: the file's own
// read error or io.EOF as they are, a file ending inside it as corrupt.
func lengthErr(err error, format string, args ...any) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return corrupt(format, args...)
	}
	return err
}

func corrupt(format string, args ...any) error {
	return &blockError{msg: fmt.Sprintf(format, args...)}
}
