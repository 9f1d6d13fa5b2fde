package avroio

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/hamba/avro/v2"
)

// The Object Container File layout (Avro specification, "Object Container
// Files"): a header — the magic "Obj\x01", a map<bytes> of metadata holding at
// least avro.schema (and avro.codec), and a 16-byte sync marker — followed by
// blocks, each a long record count, a long byte size, that many bytes of
// (compressed) records, and the sync marker again.

var magic = [4]byte{'O', 'b', 'j', 1}

const (
	syncSize = 16
	// maxVarint is the longest encoding of an Avro long.
	maxVarint = binary.MaxVarintLen64
)

// readLong decodes the zigzag varint at the start of b. n is the number of
// bytes read; n == 0 means b ends inside the varint, n < 0 that it overflows.
func readLong(b []byte) (v int64, n int) {
	u, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, n
	}
	return int64(u>>1) ^ -int64(u&1), n
}

func appendLong(b []byte, v int64) []byte {
	return binary.AppendUvarint(b, uint64(v<<1)^uint64(v>>63))
}

// errShortHeader means the header continues past the bytes parsed so far.
var errShortHeader = errors.New("header continues past buffer")

type header struct {
	meta  map[string][]byte
	sync  [syncSize]byte
	size  int64 // header length, sync marker included
	codec Codec
}

// headerCursor reads the header out of its first bytes, b, of a file of
// fileSize bytes; it tells a header cut short by the end of b (errShortHeader,
// read more) from one that runs past the end of the file (corrupt).
type headerCursor struct {
	b        []byte
	pos      int
	fileSize int64
}

func (c *headerCursor) long(what string) (int64, error) {
	v, n := readLong(c.b[c.pos:])
	switch {
	case n < 0:
		return 0, corruptf("%s: varint overflows 64 bits", what)
	case n == 0:
		if int64(len(c.b)) < c.fileSize && len(c.b)-c.pos < maxVarint {
			return 0, errShortHeader
		}
		return 0, corruptf("%s: truncated varint", what)
	}
	c.pos += n
	return v, nil
}

func (c *headerCursor) bytes(what string) ([]byte, error) {
	n, err := c.long(what + " length")
	if err != nil {
		return nil, err
	}
	if n < 0 || n > c.fileSize-int64(c.pos) {
		return nil, corruptf("%s: length %d with %d bytes left in file", what, n, c.fileSize-int64(c.pos))
	}
	if n > int64(len(c.b)-c.pos) {
		return nil, errShortHeader
	}
	v := c.b[c.pos : c.pos+int(n)]
	c.pos += int(n)
	return v, nil
}

// parseHeader parses the header from b, the first bytes of the file. It
// returns errShortHeader when b holds only part of the header.
func parseHeader(b []byte, fileSize int64) (*header, error) {
	if len(b) < len(magic) {
		if int64(len(b)) < fileSize {
			return nil, errShortHeader
		}
		return nil, corruptf("file of %d bytes is too short for an avro header", fileSize)
	}
	if [4]byte(b[:4]) != magic {
		return nil, corruptf("not an avro object container file: magic %q", b[:4])
	}
	c := &headerCursor{b: b, pos: len(magic), fileSize: fileSize}
	h := &header{meta: map[string][]byte{}}
	for {
		count, err := c.long("metadata map block count")
		if err != nil {
			return nil, err
		}
		if count == 0 {
			break
		}
		if count < 0 {
			if count == -count { // math.MinInt64
				return nil, corruptf("metadata map block count %d", count)
			}
			count = -count
			if _, err := c.long("metadata map block size"); err != nil {
				return nil, err
			}
		}
		// Every entry takes at least two bytes (two zero lengths).
		if left := fileSize - int64(c.pos); count > left/2 {
			return nil, corruptf("metadata map claims %d entries with %d bytes left in file", count, left)
		}
		for range count {
			k, err := c.bytes("metadata key")
			if err != nil {
				return nil, err
			}
			v, err := c.bytes("metadata value")
			if err != nil {
				return nil, err
			}
			h.meta[string(k)] = v
		}
	}
	if int64(c.pos+syncSize) > fileSize {
		return nil, corruptf("truncated sync marker")
	}
	if c.pos+syncSize > len(b) {
		return nil, errShortHeader
	}
	h.sync = [syncSize]byte(b[c.pos : c.pos+syncSize])
	h.size = int64(c.pos + syncSize)
	switch name := string(h.meta["avro.codec"]); name {
	case "", "null":
		h.codec = CodecNull
	default:
		if h.codec = Codec(name); !h.codec.readable() {
			return nil, fmt.Errorf("unsupported codec %q", name)
		}
	}
	return h, nil
}

// minEncodedSize is a lower bound on the encoded size of a value of s, used
// to reject blocks that claim more records than their bytes can hold.
func minEncodedSize(s avro.Schema) int64 {
	switch s := s.(type) {
	case *avro.RecordSchema:
		var n int64
		for _, f := range s.Fields() {
			n += minEncodedSize(f.Type())
		}
		return n
	case *avro.PrimitiveSchema:
		switch s.Type() {
		case avro.Null:
			return 0
		case avro.Float:
			return 4
		case avro.Double:
			return 8
		default: // boolean, int, long, bytes and string (their length)
			return 1
		}
	case *avro.FixedSchema:
		return int64(s.Size())
	case *avro.EnumSchema, *avro.ArraySchema, *avro.MapSchema, *avro.UnionSchema:
		return 1
	default: // references (perhaps recursive) and anything unknown
		return 0
	}
}
