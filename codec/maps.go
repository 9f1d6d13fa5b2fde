package codec

import (
	"encoding/binary"
	"reflect"
	"unsafe"
)

// Maps whose key and element are both unnamed basic types get a coder
// instantiated at compile time, which iterates and fills the map without
// reflect. Other maps fall back to valueMap's reflect-based coder. The map
// type itself may be named (type Attrs map[string]string): a named map type
// and its underlying type share their representation.

type typedMapFn func(c *coder, kc, vc *coder)

var typedMaps = map[[2]reflect.Type]typedMapFn{}

func addTypedMaps[K comparable]() {
	kt := reflect.TypeFor[K]()
	typedMaps[[2]reflect.Type{kt, reflect.TypeFor[string]()}] = typedMap[K, string]
	typedMaps[[2]reflect.Type{kt, reflect.TypeFor[int]()}] = typedMap[K, int]
	typedMaps[[2]reflect.Type{kt, reflect.TypeFor[int64]()}] = typedMap[K, int64]
	typedMaps[[2]reflect.Type{kt, reflect.TypeFor[int32]()}] = typedMap[K, int32]
	typedMaps[[2]reflect.Type{kt, reflect.TypeFor[float64]()}] = typedMap[K, float64]
	typedMaps[[2]reflect.Type{kt, reflect.TypeFor[bool]()}] = typedMap[K, bool]
	typedMaps[[2]reflect.Type{kt, reflect.TypeFor[[]byte]()}] = typedMap[K, []byte]
	typedMaps[[2]reflect.Type{kt, reflect.TypeFor[[]string]()}] = typedMap[K, []string]
}

func init() {
	addTypedMaps[string]()
	addTypedMaps[int]()
	addTypedMaps[int64]()
	addTypedMaps[int32]()
	addTypedMaps[uint64]()
}

func typedMap[K comparable, V any](c *coder, kc, vc *coder) {
	c.minSize = 1
	c.enc = func(dst []byte, p unsafe.Pointer) []byte {
		m := *(*map[K]V)(p)
		if m == nil {
			return append(dst, 0)
		}
		dst = binary.AppendUvarint(dst, uint64(len(m))+1)
		for k, v := range m {
			dst = kc.enc(dst, noescape(unsafe.Pointer(&k)))
			dst = vc.enc(dst, noescape(unsafe.Pointer(&v)))
		}
		return dst
	}
	c.dec = func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		if depth >= maxDepth {
			return 0, errDepth
		}
		l, isNil, off, err := decodeSliceLen(src)
		if err != nil {
			return 0, err
		}
		if isNil {
			*(*map[K]V)(p) = nil
			return off, nil
		}
		if !fitsLen(l, len(src)-off, kc.minSize+vc.minSize) {
			return 0, errLength
		}
		m := make(map[K]V, preallocated(l, len(src)-off, kc.minSize+vc.minSize))
		for i := 0; i < l; i++ {
			var k K
			var v V
			keyOff := off
			n, err := kc.dec(src[off:], noescape(unsafe.Pointer(&k)), depth+1)
			if err != nil {
				return 0, wrapAt(err, indexPath(i)+"[key]", off)
			}
			off += n
			n, err = vc.dec(src[off:], noescape(unsafe.Pointer(&v)), depth+1)
			if err != nil {
				return 0, wrapAt(err, indexPath(i)+"[value]", off)
			}
			off += n
			m[k] = v
			if len(m) != i+1 {
				return 0, wrapAt(errDuplicate, indexPath(i)+"[key]", keyOff)
			}
		}
		*(*map[K]V)(p) = m
		return off, nil
	}
}
