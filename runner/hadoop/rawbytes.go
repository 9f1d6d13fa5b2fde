package hadoop

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Hadoop Streaming's rawbytes framing (-io rawbytes): every key and every
// value is a 4-byte big-endian length followed by that many bytes. For
// BytesWritable keys and values the bytes are the payload; for any other
// Writable they are its serialization (Writable.write), which is what a map
// task reading NLineInputFormat gets: a LongWritable offset (8 bytes) and a
// Text line (a Hadoop VInt length, then UTF-8).

// maxFrame bounds a frame length a task accepts, so a corrupt length cannot
// make it allocate without limit.
const maxFrame = 1 << 30

// frameReader reads rawbytes frames.
type frameReader struct {
	r   *bufio.Reader
	off int64
	hdr [4]byte
}

// next reads one frame into buf (grown as needed) and returns it. It
// returns io.EOF only at a clean end before a frame.
func (f *frameReader) next(buf []byte) ([]byte, error) {
	n, err := io.ReadFull(f.r, f.hdr[:])
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("rawbytes frame header at offset %d: %w", f.off, noEOF(err))
	}
	size := binary.BigEndian.Uint32(f.hdr[:])
	if size > maxFrame {
		return nil, fmt.Errorf("rawbytes frame at offset %d: length %d exceeds %d", f.off, size, maxFrame)
	}
	f.off += int64(n)
	if cap(buf) < int(size) {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	if _, err := io.ReadFull(f.r, buf); err != nil {
		return nil, fmt.Errorf("rawbytes frame at offset %d (%d bytes): %w", f.off, size, noEOF(err))
	}
	f.off += int64(size)
	return buf, nil
}

// pair reads a key frame and a value frame; io.EOF only before the key.
func (f *frameReader) pair(kbuf, vbuf []byte) (key, value []byte, err error) {
	key, err = f.next(kbuf)
	if err != nil {
		return nil, nil, err
	}
	value, err = f.next(vbuf)
	if err == io.EOF {
		return nil, nil, fmt.Errorf("rawbytes key at offset %d has no value: %w", f.off, io.ErrUnexpectedEOF)
	}
	return key, value, err
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// appendFrame appends one rawbytes frame of the concatenation of parts.
func appendFrame(b []byte, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

var errBadText = errors.New("malformed Text serialization")

// decodeText decodes a serialized org.apache.hadoop.io.Text: a VInt length
// (WritableUtils.writeVInt) followed by that many bytes, and nothing after.
func decodeText(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, errBadText
	}
	first := int8(b[0])
	var n int64
	rest := b[1:]
	if first >= -112 {
		n = int64(first)
	} else {
		size := int(-111 - int(first)) // bytes after the first, positive numbers
		neg := first < -120
		if neg {
			size = int(-119 - int(first))
		}
		size-- // the count includes the first byte
		if size < 1 || size > 8 || len(rest) < size {
			return nil, errBadText
		}
		for _, c := range rest[:size] {
			n = n<<8 | int64(c)
		}
		if neg {
			n = ^n
		}
		rest = rest[size:]
	}
	if n < 0 || n != int64(len(rest)) {
		return nil, fmt.Errorf("%w: length %d, %d bytes follow", errBadText, n, len(rest))
	}
	return rest, nil
}
