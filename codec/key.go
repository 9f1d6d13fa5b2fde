package codec

import (
	"reflect"
	"unsafe"
)

func fixedKeyCoder[V any](c *coder, size int, enc func([]byte, V) []byte, dec func([]byte) (V, int, error)) {
	primCoder(c, size, enc, dec)
}

// convKeyCoder encodes a Go type M through the fixed-width primitive of type
// W (int through int64, uint and uintptr through uint64), with a range check
// on decode.
func convKeyCoder[M, W signed | unsigned](c *coder, size int, enc func([]byte, W) []byte, dec func([]byte) (W, int, error)) {
	c.minSize = size
	c.enc = func(dst []byte, p unsafe.Pointer) []byte { return enc(dst, W(*(*M)(p))) }
	c.dec = func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		w, n, err := dec(src)
		if err != nil {
			return 0, err
		}
		m := M(w)
		if W(m) != w {
			return 0, errRange
		}
		*(*M)(p) = m
		return n, nil
	}
}

func decodeKeyInt64(src []byte) (int64, int, error) {
	u, n, err := decodeKeyUint64(src)
	return int64(u ^ 1<<63), n, err
}

func decodeKeyInt32(src []byte) (int32, int, error) {
	u, n, err := decodeKeyUint32(src)
	return int32(u ^ 1<<31), n, err
}

func decodeKeyInt16(src []byte) (int16, int, error) {
	u, n, err := decodeKeyUint16(src)
	return int16(u ^ 1<<15), n, err
}

func (cp *compiler) buildKey(c *coder, t reflect.Type, path string) error {
	switch t {
	case timeType:
		fixedKeyCoder(c, 12, appendKeyTime, decodeKeyTime)
		return nil
	case ratType:
		return cp.unsupported(t, path, "big.Rat has no key encoding: key by its FloatString at a fixed scale, or by its unscaled integer")
	}
	switch t.Kind() {
	case reflect.Bool:
		boolCoder(c)
	case reflect.Int:
		convKeyCoder[int, int64](c, 8, appendKeyInt64, decodeKeyInt64)
	case reflect.Int8:
		byteCoder(c, 0x80)
	case reflect.Int16:
		fixedKeyCoder(c, 2, appendKeyInt16, decodeKeyInt16)
	case reflect.Int32:
		fixedKeyCoder(c, 4, appendKeyInt32, decodeKeyInt32)
	case reflect.Int64:
		fixedKeyCoder(c, 8, appendKeyInt64, decodeKeyInt64)
	case reflect.Uint:
		convKeyCoder[uint, uint64](c, 8, appendKeyUint64, decodeKeyUint64)
	case reflect.Uintptr:
		convKeyCoder[uintptr, uint64](c, 8, appendKeyUint64, decodeKeyUint64)
	case reflect.Uint8:
		byteCoder(c, 0)
	case reflect.Uint16:
		fixedKeyCoder(c, 2, appendKeyUint16, decodeKeyUint16)
	case reflect.Uint32:
		fixedKeyCoder(c, 4, appendKeyUint32, decodeKeyUint32)
	case reflect.Uint64:
		fixedKeyCoder(c, 8, appendKeyUint64, decodeKeyUint64)
	case reflect.Float32:
		fixedKeyCoder(c, 4, appendKeyFloat32, decodeKeyFloat32)
	case reflect.Float64:
		fixedKeyCoder(c, 8, appendKeyFloat64, decodeKeyFloat64)
	case reflect.String:
		fixedKeyCoder(c, 2, appendKeyString, decodeKeyString)
	case reflect.Slice:
		if cp.rawBytes(t.Elem()) {
			fixedKeyCoder(c, 2, appendKeyBytes, decodeKeyBytes)
			return nil
		}
		ec, err := cp.compile(t.Elem(), path+"[]")
		if err != nil {
			return err
		}
		keySlice(c, t, ec)
	case reflect.Array:
		return cp.buildArray(c, t, path)
	case reflect.Struct:
		fs, err := cp.structFields(t, path)
		if err != nil {
			return err
		}
		c.minSize = structMinSize(fs)
		c.enc = keyStructEnc(fs)
		c.dec = keyStructDec(fs)
	case reflect.Pointer:
		return cp.buildPointer(c, t, path)
	case reflect.Map:
		return cp.unsupported(t, path, "maps have no order")
	case reflect.Interface:
		return cp.unsupported(t, path, "interfaces have no order")
	case reflect.Complex64, reflect.Complex128:
		return cp.unsupported(t, path, "complex numbers have no order")
	default: // Func, Chan, UnsafePointer, Invalid
		return cp.unsupported(t, path, t.Kind().String()+" values have no order")
	}
	return nil
}

// keySlice: each element is preceded by 0x01, the end is marked by 0x00, so
// a proper prefix sorts first. A decoded empty slice is nil.
func keySlice(c *coder, t reflect.Type, ec *coder) {
	size := t.Elem().Size()
	c.minSize = 1
	c.enc = func(dst []byte, p unsafe.Pointer) []byte {
		h := (*sliceHeader)(p)
		for i := 0; i < h.len; i++ {
			dst = ec.enc(append(dst, 1), unsafe.Add(h.data, uintptr(i)*size))
		}
		return append(dst, 0)
	}
	c.dec = func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		h := (*sliceHeader)(p)
		if depth >= maxDepth {
			return 0, errDepth
		}
		*h = sliceHeader{}
		off := 0
		for i := 0; ; i++ {
			if off >= len(src) {
				*h = sliceHeader{}
				return 0, wrapAt(errTruncated, indexPath(i), off)
			}
			switch src[off] {
			case 0:
				return off + 1, nil
			case 1:
			default:
				*h = sliceHeader{}
				return 0, wrapAt(errFlag, indexPath(i), off)
			}
			off++
			if len(src)-off < ec.minSize {
				*h = sliceHeader{}
				return 0, wrapAt(errTruncated, indexPath(i), off)
			}
			if h.len == h.cap {
				// Every element costs at least its marker byte, so the
				// element count, and with it this allocation, is bounded
				// by len(src).
				reflect.NewAt(t, p).Elem().Grow(1)
			}
			h.len++
			n, err := ec.dec(src[off:], unsafe.Add(h.data, uintptr(i)*size), depth+1)
			if err != nil {
				*h = sliceHeader{}
				return 0, wrapAt(err, indexPath(i), off)
			}
			off += n
		}
	}
}
