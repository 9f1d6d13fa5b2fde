package codec

import (
	"encoding/binary"
	"math"
	"time"
)

// Value-encoding primitives shared by the basic-type fast paths and the
// compiled struct/slice coders.

func appendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, 1)
	}
	return append(dst, 0)
}

func decodeBool(src []byte) (bool, int, error) {
	if len(src) < 1 {
		return false, 0, errTruncated
	}
	switch src[0] {
	case 0:
		return false, 1, nil
	case 1:
		return true, 1, nil
	}
	return false, 0, errBool
}

func decodeVarint(src []byte) (int64, int, error) {
	v, n := binary.Varint(src)
	if n <= 0 {
		if n == 0 {
			return 0, 0, errTruncated
		}
		return 0, 0, errVarint
	}
	return v, n, nil
}

func decodeUvarint(src []byte) (uint64, int, error) {
	v, n := binary.Uvarint(src)
	if n <= 0 {
		if n == 0 {
			return 0, 0, errTruncated
		}
		return 0, 0, errVarint
	}
	return v, n, nil
}

func decodeIntN(src []byte, lo, hi int64) (int64, int, error) {
	v, n, err := decodeVarint(src)
	if err != nil {
		return 0, 0, err
	}
	if v < lo || v > hi {
		return 0, 0, errRange
	}
	return v, n, nil
}

func decodeUintN(src []byte, hi uint64) (uint64, int, error) {
	v, n, err := decodeUvarint(src)
	if err != nil {
		return 0, 0, err
	}
	if v > hi {
		return 0, 0, errRange
	}
	return v, n, nil
}

func appendFloat64(dst []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
}

func decodeFloat64(src []byte) (float64, int, error) {
	if len(src) < 8 {
		return 0, 0, errTruncated
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(src)), 8, nil
}

func appendFloat32(dst []byte, v float32) []byte {
	return binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
}

func decodeFloat32(src []byte) (float32, int, error) {
	if len(src) < 4 {
		return 0, 0, errTruncated
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(src)), 4, nil
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// decodeLen reads a length prefix and checks that at least length bytes
// follow it.
func decodeLen(src []byte) (int, int, error) {
	l, n, err := decodeUvarint(src)
	if err != nil {
		return 0, 0, err
	}
	if l > uint64(len(src)-n) {
		return 0, 0, errLength
	}
	return int(l), n, nil
}

func decodeString(src []byte) (string, int, error) {
	l, n, err := decodeLen(src)
	if err != nil {
		return "", 0, err
	}
	return string(src[n : n+l]), n + l, nil
}

// Byte slices carry length+1 so that nil (0) and empty (1) stay distinct.
func appendBytes(dst []byte, b []byte) []byte {
	if b == nil {
		return append(dst, 0)
	}
	dst = binary.AppendUvarint(dst, uint64(len(b))+1)
	return append(dst, b...)
}

// decodeSliceLen reads a nil-aware slice length (0 = nil, n+1 = length n).
func decodeSliceLen(src []byte) (l int, isNil bool, n int, err error) {
	v, n, err := decodeUvarint(src)
	if err != nil {
		return 0, false, 0, err
	}
	if v == 0 {
		return 0, true, n, nil
	}
	v--
	if v > uint64(len(src))+zeroSizeLimit { // callers refine the bound with fitsLen
		return 0, false, 0, errLength
	}
	return int(v), false, n, nil
}

// zeroSizeLimit bounds the element count of slices and maps whose elements
// may encode to zero bytes (struct{}, custom codecs): such a collection may
// hold up to len(input)+zeroSizeLimit elements.
const zeroSizeLimit = 1 << 16

// preallocated is how many of l decoded elements to make room for before
// decoding them: all of them when each takes at least one encoded byte
// (fitsLen then bounds l by the input), else no more than the input has
// bytes, so that a corrupt length cannot make a few bytes allocate l
// large elements; the rest come as they decode.
func preallocated(l, rest, minSize int) int {
	if minSize > 0 {
		return l
	}
	return min(l, rest+1)
}

// fitsLen reports whether l elements of at least minSize encoded bytes each
// can come from rest bytes of input. This is what bounds allocation by the
// input size.
func fitsLen(l, rest, minSize int) bool {
	if minSize > 0 {
		return l <= rest/minSize
	}
	return l <= rest+zeroSizeLimit
}

func decodeBytes(src []byte) ([]byte, int, error) {
	l, isNil, n, err := decodeSliceLen(src)
	if err != nil {
		return nil, 0, err
	}
	if isNil {
		return nil, n, nil
	}
	if l > len(src)-n {
		return nil, 0, errLength
	}
	b := make([]byte, l)
	copy(b, src[n:])
	return b, n + l, nil
}

// Times are (Unix seconds as zig-zag varint, nanoseconds as uvarint).
func appendTime(dst []byte, t time.Time) []byte {
	dst = binary.AppendVarint(dst, t.Unix())
	return binary.AppendUvarint(dst, uint64(t.Nanosecond()))
}

func decodeTime(src []byte) (time.Time, int, error) {
	s, n, err := decodeVarint(src)
	if err != nil {
		return time.Time{}, 0, err
	}
	ns, m, err := decodeUvarint(src[n:])
	if err != nil {
		return time.Time{}, 0, err
	}
	if ns >= 1e9 {
		return time.Time{}, 0, errNanos
	}
	return time.Unix(s, int64(ns)).UTC(), n + m, nil
}
