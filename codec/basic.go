package codec

import (
	"encoding/binary"
	"time"
)

// Fast paths: when T is exactly one of these basic types, For and KeyFor
// return a codec that calls the primitive directly, with no type-erased
// indirection at all.

type prim[T any] struct {
	name string
	enc  func([]byte, T) []byte
	dec  func([]byte) (T, int, error)
}

func (c prim[T]) Append(dst []byte, v T) []byte { return c.enc(dst, v) }

func (c prim[T]) Decode(src []byte) (T, int, error) {
	v, n, err := c.dec(src)
	if err != nil {
		var zero T
		return zero, 0, topError(err, c.name)
	}
	return v, n, nil
}

// The concrete codec types below let the compiler inline the primitives.

type stringValue struct{}

func (stringValue) Append(dst []byte, v string) []byte { return appendString(dst, v) }
func (stringValue) Decode(src []byte) (string, int, error) {
	v, n, err := decodeString(src)
	if err != nil {
		return "", 0, topError(err, "string")
	}
	return v, n, nil
}

type int64Value struct{}

func (int64Value) Append(dst []byte, v int64) []byte { return binary.AppendVarint(dst, v) }
func (int64Value) Decode(src []byte) (int64, int, error) {
	v, n, err := decodeVarint(src)
	if err != nil {
		return 0, 0, topError(err, "int64")
	}
	return v, n, nil
}

type stringKey struct{}

func (stringKey) Append(dst []byte, v string) []byte { return appendKeyString(dst, v) }
func (stringKey) Decode(src []byte) (string, int, error) {
	v, n, err := decodeKeyString(src)
	if err != nil {
		return "", 0, topError(err, "string")
	}
	return v, n, nil
}

type int64Key struct{}

func (int64Key) Append(dst []byte, v int64) []byte { return appendKeyInt64(dst, v) }
func (int64Key) Decode(src []byte) (int64, int, error) {
	v, n, err := decodeKeyInt64(src)
	if err != nil {
		return 0, 0, topError(err, "int64")
	}
	return v, n, nil
}

func ranged[W, T signed | unsigned](dec func([]byte) (W, int, error)) func([]byte) (T, int, error) {
	return func(src []byte) (T, int, error) {
		w, n, err := dec(src)
		if err != nil {
			return 0, 0, err
		}
		t := T(w)
		if W(t) != w {
			return 0, 0, errRange
		}
		return t, n, nil
	}
}

func decodeInt8(src []byte) (int8, int, error) {
	if len(src) < 1 {
		return 0, 0, errTruncated
	}
	return int8(src[0]), 1, nil
}

func decodeKeyInt8(src []byte) (int8, int, error) {
	if len(src) < 1 {
		return 0, 0, errTruncated
	}
	return int8(src[0] ^ 0x80), 1, nil
}

// basicCodec returns the fast-path codec for T, or nil.
func basicCodec[T any](key bool) any {
	var zero T
	if key {
		switch any(zero).(type) {
		case string:
			return stringKey{}
		case int64:
			return int64Key{}
		case []byte:
			return prim[[]byte]{"[]byte", appendKeyBytes, decodeKeyBytes}
		case bool:
			return prim[bool]{"bool", appendBool, decodeBool}
		case int:
			return prim[int]{"int", func(d []byte, v int) []byte { return appendKeyInt64(d, int64(v)) }, ranged[int64, int](decodeKeyInt64)}
		case int32:
			return prim[int32]{"int32", appendKeyInt32, decodeKeyInt32}
		case int16:
			return prim[int16]{"int16", appendKeyInt16, decodeKeyInt16}
		case int8:
			return prim[int8]{"int8", func(d []byte, v int8) []byte { return appendKeyInt8(d, v) }, decodeKeyInt8}
		case uint:
			return prim[uint]{"uint", func(d []byte, v uint) []byte { return appendKeyUint64(d, uint64(v)) }, ranged[uint64, uint](decodeKeyUint64)}
		case uint64:
			return prim[uint64]{"uint64", appendKeyUint64, decodeKeyUint64}
		case uint32:
			return prim[uint32]{"uint32", appendKeyUint32, decodeKeyUint32}
		case uint16:
			return prim[uint16]{"uint16", appendKeyUint16, decodeKeyUint16}
		case uint8:
			return prim[uint8]{"uint8", func(d []byte, v uint8) []byte { return append(d, v) }, decodeKeyUint8}
		case float64:
			return prim[float64]{"float64", appendKeyFloat64, decodeKeyFloat64}
		case float32:
			return prim[float32]{"float32", appendKeyFloat32, decodeKeyFloat32}
		case time.Time:
			return prim[time.Time]{"time.Time", appendKeyTime, decodeKeyTime}
		}
		return nil
	}
	switch any(zero).(type) {
	case string:
		return stringValue{}
	case int64:
		return int64Value{}
	case []byte:
		return prim[[]byte]{"[]byte", appendBytes, decodeBytes}
	case bool:
		return prim[bool]{"bool", appendBool, decodeBool}
	case int:
		return prim[int]{"int", func(d []byte, v int) []byte { return binary.AppendVarint(d, int64(v)) }, ranged[int64, int](decodeVarint)}
	case int32:
		return prim[int32]{"int32", func(d []byte, v int32) []byte { return binary.AppendVarint(d, int64(v)) }, ranged[int64, int32](decodeVarint)}
	case int16:
		return prim[int16]{"int16", func(d []byte, v int16) []byte { return binary.AppendVarint(d, int64(v)) }, ranged[int64, int16](decodeVarint)}
	case int8:
		return prim[int8]{"int8", func(d []byte, v int8) []byte { return append(d, byte(v)) }, decodeInt8}
	case uint:
		return prim[uint]{"uint", func(d []byte, v uint) []byte { return binary.AppendUvarint(d, uint64(v)) }, ranged[uint64, uint](decodeUvarint)}
	case uint64:
		return prim[uint64]{"uint64", binary.AppendUvarint, decodeUvarint}
	case uint32:
		return prim[uint32]{"uint32", func(d []byte, v uint32) []byte { return binary.AppendUvarint(d, uint64(v)) }, ranged[uint64, uint32](decodeUvarint)}
	case uint16:
		return prim[uint16]{"uint16", func(d []byte, v uint16) []byte { return binary.AppendUvarint(d, uint64(v)) }, ranged[uint64, uint16](decodeUvarint)}
	case uint8:
		return prim[uint8]{"uint8", func(d []byte, v uint8) []byte { return append(d, v) }, decodeKeyUint8}
	case float64:
		return prim[float64]{"float64", appendFloat64, decodeFloat64}
	case float32:
		return prim[float32]{"float32", appendFloat32, decodeFloat32}
	case time.Time:
		return prim[time.Time]{"time.Time", appendTime, decodeTime}
	}
	return nil
}
