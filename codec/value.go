package codec

import (
	"encoding/binary"
	"math"
	"reflect"
	"time"
	"unsafe"
)

var timeType = reflect.TypeFor[time.Time]()

type signed interface {
	~int | ~int16 | ~int32 | ~int64
}

type unsigned interface {
	~uint | ~uint16 | ~uint32 | ~uint64 | ~uintptr
}

func varintCoder[I signed](c *coder, lo, hi int64) {
	c.minSize = 1
	c.enc = func(dst []byte, p unsafe.Pointer) []byte { return binary.AppendVarint(dst, int64(*(*I)(p))) }
	c.dec = func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		v, n, err := decodeIntN(src, lo, hi)
		if err != nil {
			return 0, err
		}
		*(*I)(p) = I(v)
		return n, nil
	}
}

func uvarintCoder[U unsigned](c *coder, hi uint64) {
	c.minSize = 1
	c.enc = func(dst []byte, p unsafe.Pointer) []byte { return binary.AppendUvarint(dst, uint64(*(*U)(p))) }
	c.dec = func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		v, n, err := decodeUintN(src, hi)
		if err != nil {
			return 0, err
		}
		*(*U)(p) = U(v)
		return n, nil
	}
}

// byteCoder handles int8 and uint8 (one raw byte); used by values and keys
// (keys flip the sign bit of int8, via flip).
func byteCoder(c *coder, flip byte) {
	c.minSize = 1
	c.enc = func(dst []byte, p unsafe.Pointer) []byte { return append(dst, *(*byte)(p)^flip) }
	c.dec = func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		if len(src) < 1 {
			return 0, errTruncated
		}
		*(*byte)(p) = src[0] ^ flip
		return 1, nil
	}
}

func boolCoder(c *coder) {
	c.minSize = 1
	c.enc = func(dst []byte, p unsafe.Pointer) []byte { return appendBool(dst, *(*bool)(p)) }
	c.dec = func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		v, n, err := decodeBool(src)
		if err != nil {
			return 0, err
		}
		*(*bool)(p) = v
		return n, nil
	}
}

// primCoder builds a coder from a pair of primitive functions.
func primCoder[V any](c *coder, minSize int, enc func([]byte, V) []byte, dec func([]byte) (V, int, error)) {
	c.minSize = minSize
	c.enc = func(dst []byte, p unsafe.Pointer) []byte { return enc(dst, *(*V)(p)) }
	c.dec = func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		v, n, err := dec(src)
		if err != nil {
			return 0, err
		}
		*(*V)(p) = v
		return n, nil
	}
}

func (cp *compiler) buildValue(c *coder, t reflect.Type, path string) error {
	switch t {
	case timeType:
		primCoder(c, 2, appendTime, decodeTime)
		return nil
	case ratType:
		primCoder(c, 2, appendRat, decodeRat)
		return nil
	}
	switch t.Kind() {
	case reflect.Bool:
		boolCoder(c)
	case reflect.Int:
		varintCoder[int](c, math.MinInt, math.MaxInt)
	case reflect.Int8:
		byteCoder(c, 0)
	case reflect.Int16:
		varintCoder[int16](c, math.MinInt16, math.MaxInt16)
	case reflect.Int32:
		varintCoder[int32](c, math.MinInt32, math.MaxInt32)
	case reflect.Int64:
		varintCoder[int64](c, math.MinInt64, math.MaxInt64)
	case reflect.Uint:
		uvarintCoder[uint](c, math.MaxUint)
	case reflect.Uint8:
		byteCoder(c, 0)
	case reflect.Uint16:
		uvarintCoder[uint16](c, math.MaxUint16)
	case reflect.Uint32:
		uvarintCoder[uint32](c, math.MaxUint32)
	case reflect.Uint64:
		uvarintCoder[uint64](c, math.MaxUint64)
	case reflect.Uintptr:
		uvarintCoder[uintptr](c, uint64(^uintptr(0)))
	case reflect.Float32:
		primCoder(c, 4, appendFloat32, decodeFloat32)
	case reflect.Float64:
		primCoder(c, 8, appendFloat64, decodeFloat64)
	case reflect.Complex64:
		primCoder(c, 8, func(dst []byte, v complex64) []byte {
			return appendFloat32(appendFloat32(dst, real(v)), imag(v))
		}, func(src []byte) (complex64, int, error) {
			if len(src) < 8 {
				return 0, 0, errTruncated
			}
			r, _, _ := decodeFloat32(src)
			i, _, _ := decodeFloat32(src[4:])
			return complex(r, i), 8, nil
		})
	case reflect.Complex128:
		primCoder(c, 16, func(dst []byte, v complex128) []byte {
			return appendFloat64(appendFloat64(dst, real(v)), imag(v))
		}, func(src []byte) (complex128, int, error) {
			if len(src) < 16 {
				return 0, 0, errTruncated
			}
			r, _, _ := decodeFloat64(src)
			i, _, _ := decodeFloat64(src[8:])
			return complex(r, i), 16, nil
		})
	case reflect.String:
		primCoder(c, 1, appendString, decodeString)
	case reflect.Slice:
		if cp.rawBytes(t.Elem()) {
			primCoder(c, 1, appendBytes, decodeBytes)
			return nil
		}
		ec, err := cp.compile(t.Elem(), path+"[]")
		if err != nil {
			return err
		}
		valueSlice(c, t, ec)
	case reflect.Array:
		return cp.buildArray(c, t, path)
	case reflect.Struct:
		fs, err := cp.structFields(t, path)
		if err != nil {
			return err
		}
		c.minSize = structMinSize(fs)
		c.enc = structEnc(fs)
		c.dec = structDec(fs)
	case reflect.Pointer:
		return cp.buildPointer(c, t, path)
	case reflect.Map:
		kc, err := cp.compile(t.Key(), path+"[key]")
		if err != nil {
			return err
		}
		vc, err := cp.compile(t.Elem(), path+"[value]")
		if err != nil {
			return err
		}
		if typed, ok := typedMaps[[2]reflect.Type{t.Key(), t.Elem()}]; ok {
			typed(c, kc, vc)
		} else {
			valueMap(c, t, kc, vc)
		}
	case reflect.Interface:
		return cp.unsupported(t, path, "interfaces have no fixed encoding; use a concrete type or Register a codec")
	default: // Func, Chan, UnsafePointer, Invalid
		return cp.unsupported(t, path, t.Kind().String()+" values cannot be encoded")
	}
	return nil
}

// rawArray encodes [N]byte as its N bytes, for values and keys alike.
func rawArray(c *coder, n int) {
	c.minSize = n
	c.enc = func(dst []byte, p unsafe.Pointer) []byte { return append(dst, unsafe.Slice((*byte)(p), n)...) }
	c.dec = func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		if len(src) < n {
			return 0, errTruncated
		}
		copy(unsafe.Slice((*byte)(p), n), src)
		return n, nil
	}
}

// valueSlice: uvarint(len+1) (0 for nil), then the elements.
func valueSlice(c *coder, t reflect.Type, ec *coder) {
	size := t.Elem().Size()
	c.minSize = 1
	c.enc = func(dst []byte, p unsafe.Pointer) []byte {
		h := (*sliceHeader)(p)
		if h.data == nil {
			return append(dst, 0)
		}
		dst = binary.AppendUvarint(dst, uint64(h.len)+1)
		for i := 0; i < h.len; i++ {
			dst = ec.enc(dst, unsafe.Add(h.data, uintptr(i)*size))
		}
		return dst
	}
	c.dec = func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		l, isNil, off, err := decodeSliceLen(src)
		if depth >= maxDepth {
			return 0, errDepth
		}
		if err != nil {
			return 0, err
		}
		if isNil {
			*(*sliceHeader)(p) = sliceHeader{}
			return off, nil
		}
		if !fitsLen(l, len(src)-off, ec.minSize) {
			return 0, errLength
		}
		allocSlice(t, p, preallocated(l, len(src)-off, ec.minSize))
		data := (*sliceHeader)(p).data
		for i := 0; i < l; i++ {
			if h := (*sliceHeader)(p); i == h.len { // elements that may encode to nothing
				s := reflect.NewAt(t, p).Elem()
				s.Grow(min(l-i, i))
				s.SetLen(min(l, s.Cap()))
				data = h.data
			}
			n, err := ec.dec(src[off:], unsafe.Add(data, uintptr(i)*size), depth+1)
			if err != nil {
				*(*sliceHeader)(p) = sliceHeader{}
				return 0, wrapAt(err, indexPath(i), off)
			}
			off += n
		}
		return off, nil
	}
}

// valueMap: uvarint(len+1) (0 for nil), then key, value pairs in Go's map
// iteration order. Maps other than those in typedMaps are the one place
// where values are moved with reflect on every record: Go has no other way to
// iterate or fill a map whose type is known only at run time.
// holdsTime reports whether values of comparable type t hold a time.Time,
// which Go compares by location and monotonic reading as well as instant.
func holdsTime(t reflect.Type) bool {
	switch {
	case t == timeType:
		return true
	case t.Kind() == reflect.Array:
		return holdsTime(t.Elem())
	case t.Kind() == reflect.Struct:
		for i := range t.NumField() {
			if holdsTime(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

func valueMap(c *coder, t reflect.Type, kc, vc *coder) {
	kt, vt := t.Key(), t.Elem()
	duplicate := errDuplicate
	if holdsTime(kt) {
		duplicate = errTimeKeys
	}
	c.minSize = 1
	c.enc = func(dst []byte, p unsafe.Pointer) []byte {
		m := reflect.NewAt(t, p).Elem()
		if m.IsNil() {
			return append(dst, 0)
		}
		dst = binary.AppendUvarint(dst, uint64(m.Len())+1)
		if m.Len() == 0 {
			return dst
		}
		k := reflect.New(kt).Elem()
		v := reflect.New(vt).Elem()
		it := m.MapRange()
		for it.Next() {
			k.SetIterKey(it)
			v.SetIterValue(it)
			dst = kc.enc(dst, k.Addr().UnsafePointer())
			dst = vc.enc(dst, v.Addr().UnsafePointer())
		}
		return dst
	}
	c.dec = func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		l, isNil, off, err := decodeSliceLen(src)
		if depth >= maxDepth {
			return 0, errDepth
		}
		if err != nil {
			return 0, err
		}
		dstMap := reflect.NewAt(t, p).Elem()
		if isNil {
			dstMap.SetZero()
			return off, nil
		}
		if !fitsLen(l, len(src)-off, kc.minSize+vc.minSize) {
			return 0, errLength
		}
		m := reflect.MakeMapWithSize(t, preallocated(l, len(src)-off, kc.minSize+vc.minSize))
		k := reflect.New(kt).Elem()
		v := reflect.New(vt).Elem()
		for i := 0; i < l; i++ {
			k.SetZero()
			v.SetZero()
			keyOff := off
			n, err := kc.dec(src[off:], k.Addr().UnsafePointer(), depth+1)
			if err != nil {
				return 0, wrapAt(err, indexPath(i)+"[key]", off)
			}
			off += n
			n, err = vc.dec(src[off:], v.Addr().UnsafePointer(), depth+1)
			if err != nil {
				return 0, wrapAt(err, indexPath(i)+"[value]", off)
			}
			off += n
			m.SetMapIndex(k, v)
			if m.Len() != i+1 {
				return 0, wrapAt(duplicate, indexPath(i)+"[key]", keyOff)
			}
		}
		dstMap.Set(m)
		return off, nil
	}
}
