package codec

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"sync"
	"unsafe"
)

// encFn appends the encoding of the value at p; decFn decodes into the
// (zeroed or previously decoded) value at p and returns the bytes consumed.
// Both are built once per type by the compiler below and then run without
// reflection (maps excepted, see doc.go).
type (
	encFn func(dst []byte, p unsafe.Pointer) []byte
	decFn func(src []byte, p unsafe.Pointer, depth int) (int, error)
)

// coder is the compiled, type-erased codec for one Go type. Compound coders
// call their children through the *coder so that recursive types (a struct
// holding a slice of itself) can be compiled: the child may still be under
// construction when the parent closure is built.
type coder struct {
	typ     reflect.Type
	enc     encFn
	dec     decFn
	minSize int // lower bound of the encoded size; 0 when unknown
}

// table holds the derived and registered coders of one encoding.
type table struct {
	key        bool
	codecs     sync.Map // reflect.Type -> codecEntry, the public Codec[T]s
	coders     sync.Map // reflect.Type -> *coder, complete compiled coders
	registered map[reflect.Type]registration
}

type codecEntry struct {
	codec any // Codec[T]
	err   error
}

type registration struct {
	codec any // Codec[T]
	c     *coder
}

var (
	mu         sync.Mutex // serialises derivation and registration
	valueTable = &table{registered: map[reflect.Type]registration{}}
	keyTable   = &table{key: true, registered: map[reflect.Type]registration{}}
)

// For returns the value codec of T, deriving it on first use. It fails for
// types that contain interfaces, funcs, channels or unsafe pointers, and for
// structs that have unexported fields but no exported ones.
func For[T any]() (Codec[T], error) { return derive[T](valueTable) }

// KeyFor returns the order-preserving key codec of T, deriving it on first
// use: for all a, b of type T, bytes.Compare(enc(a), enc(b)) has the sign of
// the natural order of a and b (see the package documentation). It fails for
// types that are not orderable: maps, interfaces, funcs, channels, complex
// numbers, unsafe pointers, and anything containing them.
func KeyFor[T any]() (Codec[T], error) { return derive[T](keyTable) }

// MustFor is like For but panics on error, with the caller's file:line; for
// package-level variables and types known to be supported.
func MustFor[T any]() Codec[T] {
	c, err := For[T]()
	if err != nil {
		panic(atCaller(err))
	}
	return c
}

// MustKeyFor is like KeyFor but panics on error, with the caller's file:line.
func MustKeyFor[T any]() Codec[T] {
	c, err := KeyFor[T]()
	if err != nil {
		panic(atCaller(err))
	}
	return c
}

func atCaller(err error) error {
	if _, file, line, ok := runtime.Caller(2); ok {
		return fmt.Errorf("%s:%d: %w", filepath.Base(file), line, err)
	}
	return err
}

// CheckKey reports whether KeyFor would succeed for t: nil, or an error
// naming the type (and the field) that is not orderable. Planners call it
// where only a reflect.Type is at hand.
func CheckKey(t reflect.Type) error {
	if t == nil {
		return &TypeError{Key: true, Reason: "nil type"}
	}
	if e, ok := keyTable.codecs.Load(t); ok {
		return e.(codecEntry).err
	}
	mu.Lock()
	defer mu.Unlock()
	if _, ok := keyTable.registered[t]; ok {
		return nil
	}
	_, err := keyTable.compileTop(t)
	return err
}

// Dropped names the first unexported field of t, at any depth (through
// pointers, slices, arrays and maps, outside types with a registered
// codec), that t's value encoding leaves out, as "T.field", or returns "".
// Where losing such a field changes a result (an aggregation's
// accumulator, which crosses the shuffle), callers refuse the type. A
// field of a struct that has a CodecScratch method is taken as scratch
// space, not state.
func Dropped(t reflect.Type) string {
	mu.Lock()
	defer mu.Unlock()
	return dropped(t, map[reflect.Type]bool{})
}

// CodecScratch is implemented by types whose unexported fields are scratch
// space, not part of the value: Dropped passes over them.
type CodecScratch interface{ CodecScratch() }

var scratchType = reflect.TypeFor[CodecScratch]()

func dropped(t reflect.Type, seen map[reflect.Type]bool) string {
	if seen[t] {
		return ""
	}
	seen[t] = true
	if _, ok := valueTable.registered[t]; ok {
		return ""
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return dropped(t.Elem(), seen)
	case reflect.Map:
		if d := dropped(t.Key(), seen); d != "" {
			return d
		}
		return dropped(t.Elem(), seen)
	case reflect.Struct:
		if t == timeType || t == ratType {
			return ""
		}
		scratch := t.Implements(scratchType) || reflect.PointerTo(t).Implements(scratchType)
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() && !f.Anonymous && !scratch {
				return t.String() + "." + f.Name
			}
			if d := dropped(f.Type, seen); d != "" {
				return d
			}
		}
	}
	return ""
}

// Register makes c the value codec of T: For[T] returns it, and structs,
// slices, arrays, maps and pointers containing T use it. Call Register from
// an init function, before any codec involving T is derived; codecs derived
// earlier keep what they had.
func Register[T any](c Codec[T]) { register(valueTable, c) }

// RegisterKey makes c the key codec of T, like Register. The caller promises
// that c is order-preserving and self-delimiting (no encoding is a proper
// prefix of another) so that it composes inside structs and slices.
func RegisterKey[T any](c Codec[T]) { register(keyTable, c) }

func register[T any](tb *table, c Codec[T]) {
	if c == nil {
		panic("codec: Register of nil codec")
	}
	t := reflect.TypeFor[T]()
	rc := &coder{
		typ: t,
		enc: func(dst []byte, p unsafe.Pointer) []byte { return c.Append(dst, *(*T)(p)) },
		dec: func(src []byte, p unsafe.Pointer, depth int) (int, error) {
			v, n, err := c.Decode(src)
			if err != nil {
				return 0, err
			}
			if n < 0 || n > len(src) {
				return 0, errCustomShort
			}
			*(*T)(p) = v
			return n, nil
		},
	}
	mu.Lock()
	defer mu.Unlock()
	tb.registered[t] = registration{codec: c, c: rc}
	tb.codecs.Clear()
	tb.coders.Clear()
}

func derive[T any](tb *table) (Codec[T], error) {
	t := reflect.TypeFor[T]()
	if e, ok := tb.codecs.Load(t); ok {
		return entryCodec[T](e.(codecEntry))
	}
	mu.Lock()
	defer mu.Unlock()
	if e, ok := tb.codecs.Load(t); ok {
		return entryCodec[T](e.(codecEntry))
	}
	var e codecEntry
	if r, ok := tb.registered[t]; ok {
		e.codec = r.codec
	} else if fast := basicCodec[T](tb.key); fast != nil {
		e.codec = fast
	} else if c, err := tb.compileTop(t); err != nil {
		e.err = err
	} else {
		e.codec = &compiled[T]{c: c, name: t.String()}
	}
	tb.codecs.Store(t, e)
	return entryCodec[T](e)
}

func entryCodec[T any](e codecEntry) (Codec[T], error) {
	if e.err != nil {
		return nil, e.err
	}
	return e.codec.(Codec[T]), nil
}

// compiled adapts a type-erased coder to Codec[T].
type compiled[T any] struct {
	c    *coder
	name string
}

func (x *compiled[T]) Append(dst []byte, v T) []byte {
	return x.c.enc(dst, noescape(unsafe.Pointer(&v)))
}

func (x *compiled[T]) Decode(src []byte) (v T, n int, err error) {
	n, err = x.c.dec(src, noescape(unsafe.Pointer(&v)), 0)
	if err != nil {
		var zero T
		return zero, 0, topError(err, x.name)
	}
	return v, n, nil
}

// noescape hides p from escape analysis so that the argument of Append and
// the result of Decode stay on the stack. This is sound because no coder
// retains the pointer it is given beyond the call, and because nothing runs
// while the pointer is held as a uintptr, which a stack move would not
// update. go:nocheckptr keeps that true under -race (which implies
// -d=checkptr): the instrumented conversion below would be a call, one
// that can grow and so move the stack, and the pointer returned would then
// name the old one. (Encodings of a value's old stack bytes, or decodes
// into them that left the value zero, came of it.)
//
//go:nocheckptr
func noescape(p unsafe.Pointer) unsafe.Pointer {
	x := uintptr(p)
	return *(*unsafe.Pointer)(unsafe.Pointer(&x))
}

// TypeError reports a type that has no value encoding or, for keys, no
// order. It matches ErrUnsupported under errors.Is.
type TypeError struct {
	Type   reflect.Type // the type given to For, KeyFor or CheckKey
	Field  string       // path to the offending part of Type, e.g. "Meta" or "Tags[]"; empty for Type itself
	Bad    reflect.Type // the offending type
	Key    bool         // whether a key codec was asked for
	Reason string
}

func (e *TypeError) Error() string {
	var s string
	if e.Key {
		s = fmt.Sprintf("codec: key type %v is not orderable", e.Type)
	} else {
		s = fmt.Sprintf("codec: type %v is not supported", e.Type)
	}
	if e.Field != "" {
		s += fmt.Sprintf(": field %s has type %v", e.Field, e.Bad)
	}
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// Is reports that every TypeError is an ErrUnsupported.
func (e *TypeError) Is(target error) bool { return target == ErrUnsupported }

// compiler derives the coders of one top-level type. pending holds coders
// under construction; on success they join the table's cache, on failure
// they are dropped.
type compiler struct {
	tb      *table
	top     reflect.Type
	pending map[reflect.Type]*coder
}

func (tb *table) compileTop(t reflect.Type) (*coder, error) {
	cp := &compiler{tb: tb, top: t, pending: map[reflect.Type]*coder{}}
	c, err := cp.compile(t, "")
	if err != nil {
		return nil, err
	}
	for pt, pc := range cp.pending {
		tb.coders.Store(pt, pc)
	}
	return c, nil
}

func (cp *compiler) compile(t reflect.Type, path string) (*coder, error) {
	if r, ok := cp.tb.registered[t]; ok {
		return r.c, nil
	}
	if c, ok := cp.tb.coders.Load(t); ok {
		return c.(*coder), nil
	}
	if c, ok := cp.pending[t]; ok {
		return c, nil
	}
	c := &coder{typ: t}
	cp.pending[t] = c
	var err error
	if cp.tb.key {
		err = cp.buildKey(c, t, path)
	} else {
		err = cp.buildValue(c, t, path)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// rawBytes reports whether slices and arrays of elem encode as raw bytes:
// elem is a byte type without a codec of its own (Register, RegisterKey).
func (cp *compiler) rawBytes(elem reflect.Type) bool {
	_, custom := cp.tb.registered[elem]
	return elem.Kind() == reflect.Uint8 && !custom
}

func (cp *compiler) unsupported(t reflect.Type, path, reason string) error {
	return &TypeError{Type: cp.top, Field: path, Bad: t, Key: cp.tb.key, Reason: reason}
}

// field is one exported struct field. op selects an inlined fast path for
// the most common field types; opCall goes through the field's coder.
type field struct {
	name string
	off  uintptr
	c    *coder
	op   fieldOp
}

type fieldOp uint8

const (
	opCall fieldOp = iota
	opString
	opInt64
	opBool
	opFloat64
)

// structFields compiles the exported fields of t, in declaration order.
func (cp *compiler) structFields(t reflect.Type, path string) ([]field, error) {
	var fs []field
	unexported := false
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			unexported = true
			continue
		}
		fc, err := cp.compile(sf.Type, joinPath(path, sf.Name))
		if err != nil {
			return nil, err
		}
		f := field{name: sf.Name, off: sf.Offset, c: fc}
		if _, custom := cp.tb.registered[sf.Type]; !custom {
			switch sf.Type.Kind() {
			case reflect.String:
				f.op = opString
			case reflect.Int64:
				f.op = opInt64
			case reflect.Bool:
				f.op = opBool
			case reflect.Float64:
				f.op = opFloat64
			}
		}
		fs = append(fs, f)
	}
	if len(fs) == 0 && unexported {
		return nil, cp.unsupported(t, path, "struct has only unexported fields")
	}
	return fs, nil
}

// buildArray compiles a fixed-size array; arrays encode the same way in
// both encodings (element after element, or raw bytes for [N]byte), each
// element with its own encoding's coder.
func (cp *compiler) buildArray(c *coder, t reflect.Type, path string) error {
	if cp.rawBytes(t.Elem()) {
		rawArray(c, t.Len())
		return nil
	}
	ec, err := cp.compile(t.Elem(), path+"[]")
	if err != nil {
		return err
	}
	c.minSize = t.Len() * ec.minSize
	c.enc = arrayEnc(ec, t.Len(), t.Elem().Size())
	c.dec = arrayDec(ec, t.Len(), t.Elem().Size())
	return nil
}

// buildPointer compiles a pointer: a presence byte (nil first, so nil
// sorts first as a key), then the pointee in the same encoding.
func (cp *compiler) buildPointer(c *coder, t reflect.Type, path string) error {
	ec, err := cp.compile(t.Elem(), path)
	if err != nil {
		return err
	}
	c.minSize = 1
	c.enc = ptrEnc(ec)
	c.dec = ptrDec(ec, t.Elem())
	return nil
}

// The struct coders switch on the field op rather than calling through a
// func value for every field: for records of strings and integers this
// roughly halves the encoding time.

func structEnc(fs []field) encFn {
	return func(dst []byte, p unsafe.Pointer) []byte {
		for i := range fs {
			f := &fs[i]
			q := unsafe.Add(p, f.off)
			switch f.op {
			case opString:
				dst = appendString(dst, *(*string)(q))
			case opInt64:
				dst = binary.AppendVarint(dst, *(*int64)(q))
			case opBool:
				dst = appendBool(dst, *(*bool)(q))
			case opFloat64:
				dst = appendFloat64(dst, *(*float64)(q))
			default:
				dst = f.c.enc(dst, q)
			}
		}
		return dst
	}
}

func structDec(fs []field) decFn {
	return func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		off := 0
		for i := range fs {
			f := &fs[i]
			q := unsafe.Add(p, f.off)
			var n int
			var err error
			switch f.op {
			case opString:
				*(*string)(q), n, err = decodeString(src[off:])
			case opInt64:
				*(*int64)(q), n, err = decodeVarint(src[off:])
			case opBool:
				*(*bool)(q), n, err = decodeBool(src[off:])
			case opFloat64:
				*(*float64)(q), n, err = decodeFloat64(src[off:])
			default:
				n, err = f.c.dec(src[off:], q, depth)
			}
			if err != nil {
				return 0, wrapAt(err, f.name, off)
			}
			off += n
		}
		return off, nil
	}
}

func keyStructEnc(fs []field) encFn {
	return func(dst []byte, p unsafe.Pointer) []byte {
		for i := range fs {
			f := &fs[i]
			q := unsafe.Add(p, f.off)
			switch f.op {
			case opString:
				dst = appendKeyString(dst, *(*string)(q))
			case opInt64:
				dst = appendKeyInt64(dst, *(*int64)(q))
			case opBool:
				dst = appendBool(dst, *(*bool)(q))
			case opFloat64:
				dst = appendKeyFloat64(dst, *(*float64)(q))
			default:
				dst = f.c.enc(dst, q)
			}
		}
		return dst
	}
}

func keyStructDec(fs []field) decFn {
	return func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		off := 0
		for i := range fs {
			f := &fs[i]
			q := unsafe.Add(p, f.off)
			var n int
			var err error
			switch f.op {
			case opString:
				*(*string)(q), n, err = decodeKeyString(src[off:])
			case opInt64:
				*(*int64)(q), n, err = decodeKeyInt64(src[off:])
			case opBool:
				*(*bool)(q), n, err = decodeBool(src[off:])
			case opFloat64:
				*(*float64)(q), n, err = decodeKeyFloat64(src[off:])
			default:
				n, err = f.c.dec(src[off:], q, depth)
			}
			if err != nil {
				return 0, wrapAt(err, f.name, off)
			}
			off += n
		}
		return off, nil
	}
}

func structMinSize(fs []field) int {
	m := 0
	for _, f := range fs {
		m += f.c.minSize
	}
	return m
}

func arrayEnc(ec *coder, n int, size uintptr) encFn {
	return func(dst []byte, p unsafe.Pointer) []byte {
		for i := 0; i < n; i++ {
			dst = ec.enc(dst, unsafe.Add(p, uintptr(i)*size))
		}
		return dst
	}
}

func arrayDec(ec *coder, n int, size uintptr) decFn {
	return func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		off := 0
		for i := 0; i < n; i++ {
			m, err := ec.dec(src[off:], unsafe.Add(p, uintptr(i)*size), depth)
			if err != nil {
				return 0, wrapAt(err, indexPath(i), off)
			}
			off += m
		}
		return off, nil
	}
}

func indexPath(i int) string { return fmt.Sprintf("[%d]", i) }

// sliceHeader is the memory layout of every Go slice.
type sliceHeader struct {
	data unsafe.Pointer
	len  int
	cap  int
}

// emptyBase is the data pointer of decoded empty, non-nil slices.
var emptyBase [0]uint64

// allocSlice points the slice at p (of type t) to fresh zeroed storage for n
// elements. It is the only reflection on the slice decoding path: Go offers
// no other way to allocate typed memory for a type known only at run time.
func allocSlice(t reflect.Type, p unsafe.Pointer, n int) {
	h := (*sliceHeader)(p)
	*h = sliceHeader{}
	if n == 0 {
		h.data = unsafe.Pointer(&emptyBase)
		return
	}
	reflect.NewAt(t, p).Elem().Grow(n)
	h.len = n
}

func ptrEnc(ec *coder) encFn {
	return func(dst []byte, p unsafe.Pointer) []byte {
		q := *(*unsafe.Pointer)(p)
		if q == nil {
			return append(dst, 0)
		}
		return ec.enc(append(dst, 1), q)
	}
}

func ptrDec(ec *coder, elem reflect.Type) decFn {
	return func(src []byte, p unsafe.Pointer, depth int) (int, error) {
		if depth >= maxDepth {
			return 0, errDepth
		}
		if len(src) < 1 {
			return 0, errTruncated
		}
		switch src[0] {
		case 0:
			*(*unsafe.Pointer)(p) = nil
			return 1, nil
		case 1:
			if len(src)-1 < ec.minSize { // do not allocate what cannot be filled
				return 0, errTruncated
			}
			q := reflect.New(elem).UnsafePointer()
			n, err := ec.dec(src[1:], q, depth+1)
			if err != nil {
				return 0, wrapAt(err, "", 1)
			}
			*(*unsafe.Pointer)(p) = q
			return 1 + n, nil
		}
		return 0, errFlag
	}
}
