package codec

import (
	"bytes"
	"encoding/binary"
	"math"
	"time"
	"unsafe"
)

// Key-encoding primitives. Every key encoding is self-delimiting, and
// bytes.Compare of two encodings orders like the values (see doc.go).

func appendKeyUint64(dst []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(dst, v) }
func appendKeyUint32(dst []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(dst, v) }
func appendKeyUint16(dst []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(dst, v) }

func appendKeyInt64(dst []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(dst, uint64(v)^(1<<63))
}
func appendKeyInt32(dst []byte, v int32) []byte {
	return binary.BigEndian.AppendUint32(dst, uint32(v)^(1<<31))
}
func appendKeyInt16(dst []byte, v int16) []byte {
	return binary.BigEndian.AppendUint16(dst, uint16(v)^(1<<15))
}
func appendKeyInt8(dst []byte, v int8) []byte { return append(dst, uint8(v)^(1<<7)) }

func decodeKeyUint64(src []byte) (uint64, int, error) {
	if len(src) < 8 {
		return 0, 0, errTruncated
	}
	return binary.BigEndian.Uint64(src), 8, nil
}
func decodeKeyUint32(src []byte) (uint32, int, error) {
	if len(src) < 4 {
		return 0, 0, errTruncated
	}
	return binary.BigEndian.Uint32(src), 4, nil
}
func decodeKeyUint16(src []byte) (uint16, int, error) {
	if len(src) < 2 {
		return 0, 0, errTruncated
	}
	return binary.BigEndian.Uint16(src), 2, nil
}
func decodeKeyUint8(src []byte) (uint8, int, error) {
	if len(src) < 1 {
		return 0, 0, errTruncated
	}
	return src[0], 1, nil
}

// Floats: NaN (every NaN) encodes as all zero bytes and sorts first, like
// cmp.Compare; -0 encodes as +0. Otherwise positive numbers get their sign
// bit set and negative numbers all bits flipped.
func keyFloat64Bits(v float64) uint64 {
	if v != v {
		return 0
	}
	if v == 0 {
		v = 0 // -0 -> +0
	}
	b := math.Float64bits(v)
	if b&(1<<63) != 0 {
		return ^b
	}
	return b | 1<<63
}

func appendKeyFloat64(dst []byte, v float64) []byte {
	return binary.BigEndian.AppendUint64(dst, keyFloat64Bits(v))
}

func decodeKeyFloat64(src []byte) (float64, int, error) {
	if len(src) < 8 {
		return 0, 0, errTruncated
	}
	k := binary.BigEndian.Uint64(src)
	if k == 0 {
		return math.NaN(), 8, nil
	}
	var v float64
	if k&(1<<63) != 0 {
		v = math.Float64frombits(k &^ (1 << 63))
	} else {
		v = math.Float64frombits(^k)
	}
	if keyFloat64Bits(v) != k { // -0, a NaN other than the canonical one
		return 0, 0, errNonCanon
	}
	return v, 8, nil
}

func keyFloat32Bits(v float32) uint32 {
	if v != v {
		return 0
	}
	if v == 0 {
		v = 0
	}
	b := math.Float32bits(v)
	if b&(1<<31) != 0 {
		return ^b
	}
	return b | 1<<31
}

func appendKeyFloat32(dst []byte, v float32) []byte {
	return binary.BigEndian.AppendUint32(dst, keyFloat32Bits(v))
}

func decodeKeyFloat32(src []byte) (float32, int, error) {
	if len(src) < 4 {
		return 0, 0, errTruncated
	}
	k := binary.BigEndian.Uint32(src)
	if k == 0 {
		return float32(math.NaN()), 4, nil
	}
	var v float32
	if k&(1<<31) != 0 {
		v = math.Float32frombits(k &^ (1 << 31))
	} else {
		v = math.Float32frombits(^k)
	}
	if keyFloat32Bits(v) != k {
		return 0, 0, errNonCanon
	}
	return v, 4, nil
}

// Strings and byte slices: each 0x00 becomes 0x00 0xFF; the end is 0x00 0x01.
func appendKeyString(dst []byte, s string) []byte {
	for {
		i := indexZero(s)
		if i < 0 {
			break
		}
		dst = append(dst, s[:i+1]...)
		dst = append(dst, 0xFF)
		s = s[i+1:]
	}
	dst = append(dst, s...)
	return append(dst, 0x00, 0x01)
}

func indexZero(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return -1
}

func appendKeyBytes(dst []byte, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			break
		}
		dst = append(dst, b[:i+1]...)
		dst = append(dst, 0xFF)
		b = b[i+1:]
	}
	dst = append(dst, b...)
	return append(dst, 0x00, 0x01)
}

// scanKeyString finds the end of an escaped string: it returns the decoded
// length, the number of encoded bytes including the terminator, and whether
// any escape occurred.
func scanKeyString(src []byte) (dlen, n int, escaped bool, err error) {
	i := 0
	for {
		j := bytes.IndexByte(src[i:], 0)
		if j < 0 || i+j+1 >= len(src) {
			return 0, 0, false, errTruncated
		}
		dlen += j
		i += j + 1
		switch src[i] {
		case 0x01:
			return dlen, i + 1, escaped, nil
		case 0xFF:
			dlen++
			escaped = true
			i++
		default:
			return 0, 0, false, errEscape
		}
	}
}

// unescapeKey writes the dlen decoded bytes of an escaped key string to out.
func unescapeKey(out, src []byte) {
	o := 0
	for o < len(out) {
		c := src[0]
		out[o] = c
		o++
		if c == 0 {
			src = src[2:]
		} else {
			src = src[1:]
		}
	}
}

func decodeKeyString(src []byte) (string, int, error) {
	dlen, n, escaped, err := scanKeyString(src)
	if err != nil {
		return "", 0, err
	}
	if !escaped {
		return string(src[:dlen]), n, nil
	}
	b := make([]byte, dlen) // dlen > 0: an escape decodes to a zero byte
	unescapeKey(b, src)
	return unsafe.String(&b[0], len(b)), n, nil // b is never written again
}

// decodeKeyBytes returns nil for the empty byte string.
func decodeKeyBytes(src []byte) ([]byte, int, error) {
	dlen, n, escaped, err := scanKeyString(src)
	if err != nil {
		return nil, 0, err
	}
	if dlen == 0 {
		return nil, n, nil
	}
	b := make([]byte, dlen)
	if escaped {
		unescapeKey(b, src)
	} else {
		copy(b, src)
	}
	return b, n, nil
}

// Times: Unix seconds as a sign-flipped big-endian int64, then nanoseconds
// as a big-endian uint32: 12 bytes ordered by instant.
func appendKeyTime(dst []byte, t time.Time) []byte {
	dst = appendKeyInt64(dst, t.Unix())
	return appendKeyUint32(dst, uint32(t.Nanosecond()))
}

func decodeKeyTime(src []byte) (time.Time, int, error) {
	if len(src) < 12 {
		return time.Time{}, 0, errTruncated
	}
	s := int64(binary.BigEndian.Uint64(src) ^ (1 << 63))
	ns := binary.BigEndian.Uint32(src[8:])
	if ns >= 1e9 {
		return time.Time{}, 0, errNanos
	}
	return time.Unix(s, int64(ns)).UTC(), 12, nil
}
