package avroio

import (
	"fmt"
	"reflect"
	"strconv"
	"unsafe"

	"github.com/hamba/avro/v2"
)

// An adapter reads records into T when the file and T disagree on which
// of the record's fields may be null, as the Avro specification resolves
// them (record by record) and hamba/avro does not (it refuses the schemas
// as a whole): a field the file declares nullable, as Spark and Hive write
// every column, read into a plain Go field, which fails only on a record
// that holds a null (a nil slice or map holds one); and a Go pointer for a field the file declares
// without null, which then always points to a value.
//
// hamba/avro decodes each record into a shadow struct, built with
// reflect.StructOf, whose fields are T's (embedded structs flattened) with
// those fields' pointers added or taken away; the adapter then copies the
// record field by field into T. Only fields of the top-level record are
// adapted, and not through a struct embedded by pointer (embeddedPointer);
// a mismatch deeper down is refused when the schemas are matched. The
// same shadow reads *big.Rat fields from nullable decimals, in nested
// records too (decimalShadow).
type adapter struct {
	shadow reflect.Type
	fields []adaptedField
	// blank is the shadow value each record is decoded into afresh: zero,
	// but for its nullable scalar fields, which point to scratch values
	// that hamba/avro overwrites in place instead of allocating per record.
	blank reflect.Value
}

type adaptKind uint8

const (
	sameType     adaptKind = iota
	fromNullable           // shadow *X, T X
	toPointer              // shadow X, T *X
)

type adaptedField struct {
	name       string // in the Go type's schema and, if different, in the file's, for errors
	goType     reflect.Type
	tOff, sOff uintptr
	kind       adaptKind
	// copy copies one value of goType (of its element for toPointer) from
	// the shadow's, which is wider for a narrow integer, and fails when the
	// value does not fit.
	copy func(dst, src unsafe.Pointer) error
}

// embeddedPointer names the first struct t embeds by pointer through which
// Avro reaches a field, or returns "".
func embeddedPointer(t reflect.Type) string {
	if t.Kind() != reflect.Struct {
		return ""
	}
	for _, f := range avroFields(t) {
		if f.viaPointer != "" {
			return f.viaPointer
		}
	}
	return ""
}

// adapterFor returns the adapter reading records of writer (a record
// schema) into struct type t, or nil when hamba/avro can decode them into
// t directly, or when t is not a struct an adapter can shadow. With
// decimalsOnly it adapts *big.Rat fields only (for a reader schema, writer
// is the resolved schema hamba/avro decodes).
func adapterFor(t reflect.Type, writer avro.Schema, decimalsOnly bool) *adapter {
	w, ok := deref(writer).(*avro.RecordSchema)
	if t.Kind() != reflect.Struct || t == timeType || !ok {
		return nil
	}
	fields := avroFields(t)
	if embeddedPointer(t) != "" {
		return nil // fields with no fixed offset in t
	}
	written := fieldsByName(w)
	shadowFields := make([]reflect.StructField, len(fields))
	a := &adapter{fields: make([]adaptedField, len(fields))}
	adapted := false
	for i, f := range fields {
		wf := writtenField(written, f)
		ft := f.sf.Type
		af := adaptedField{name: f.name, goType: ft, tOff: f.off, kind: sameType}
		if wf != nil && wf.Name() != f.name {
			af.name += " (" + wf.Name() + " in the file)"
		}
		st := ft
		if wf != nil && !decimalsOnly {
			switch _, nullable := nonNull(wf.Type()); {
			case ft.Kind() != reflect.Pointer && nullable:
				af.kind, st = fromNullable, reflect.PointerTo(ft)
			case ft.Kind() == reflect.Pointer && !mayBeNull(wf.Type()) && !isRecord(ft.Elem()) && ft != ratPtrType:
				// A *big.Rat reads a plain decimal as it is: hamba/avro
				// would decode one over a shadow big.Rat (decimals.go).
				af.kind, st = toPointer, ft.Elem()
			}
		}
		one := ft // what copy copies
		if af.kind == toPointer {
			one = ft.Elem()
		}
		af.copy = copierOf(one)
		if wf != nil {
			if shadow, copyShadow := decimalShadow(one, wf.Type()); shadow != nil {
				af.copy, st, adapted = copyShadow, shadow, true
				if af.kind == fromNullable {
					st = reflect.PointerTo(shadow)
				}
			}
		}
		if wide := widened(one); wide != nil && wf != nil && !decimalsOnly {
			// hamba/avro would cast the file's int or long into the
			// narrow field, wrapping what does not fit.
			af.copy = narrowingCopier(one, wide, af.name)
			st = widenedThrough(st, wide)
			adapted = true
		}
		adapted = adapted || af.kind != sameType
		shadowFields[i] = reflect.StructField{Name: "F" + strconv.Itoa(i), Type: st, Tag: shadowTag(f.sf.Tag, f.name, af.kind == sameType)}
		a.fields[i] = af
	}
	if !adapted {
		return nil
	}
	a.shadow = reflect.StructOf(shadowFields)
	a.blank = reflect.New(a.shadow).Elem()
	for i := range a.fields {
		f := &a.fields[i]
		f.sOff = a.shadow.Field(i).Offset
		if f.kind == fromNullable && reusable(f.goType) {
			a.blank.Field(i).Set(reflect.New(a.shadow.Field(i).Type.Elem()))
		}
	}
	return a
}

// shadowTag is the tag of a shadow field for a Go field with tag tag and
// Avro name name: its avro tag (options and all) and aliases, and its
// avrodefault only if the field keeps its type (an adapted field is in the
// file, and its default would not fit the changed type).
func shadowTag(tag reflect.StructTag, name string, keepDefault bool) reflect.StructTag {
	avroTag, ok := tag.Lookup("avro")
	if !ok {
		avroTag = name
	}
	out := "avro:" + strconv.Quote(avroTag)
	if a, ok := tag.Lookup("avroaliases"); ok {
		out += " avroaliases:" + strconv.Quote(a)
	}
	if d, ok := tag.Lookup("avrodefault"); ok && keepDefault {
		out += " avrodefault:" + strconv.Quote(d)
	}
	return reflect.StructTag(out)
}

// mayBeNull reports whether a writer's type is or may hold a null.
func mayBeNull(s avro.Schema) bool {
	switch s := deref(s).(type) {
	case *avro.NullSchema:
		return true
	case *avro.UnionSchema:
		for _, m := range s.Types() {
			if m.Type() == avro.Null {
				return true
			}
		}
	}
	return false
}

// isRecord reports whether Go type t is read from an Avro record, which
// hamba/avro decodes into a pointer whether or not the file allows a null.
func isRecord(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t != timeType && t != ratType
}

// reusable reports whether a value of t can be decoded into the same
// scratch variable record after record: it holds nothing the next record's
// decoding would overwrite in place (as it would a slice's backing array).
func reusable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return t == timeType
}

// copierOf returns a function copying one value of t: a plain assignment
// for strings and pointer-free scalars, reflection for the rest.
func copierOf(t reflect.Type) func(dst, src unsafe.Pointer) error {
	switch t.Kind() {
	case reflect.String:
		return func(dst, src unsafe.Pointer) error { *(*string)(dst) = *(*string)(src); return nil }
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		n := t.Size()
		return func(dst, src unsafe.Pointer) error {
			copy(unsafe.Slice((*byte)(dst), n), unsafe.Slice((*byte)(src), n))
			return nil
		}
	}
	return func(dst, src unsafe.Pointer) error {
		reflect.NewAt(t, dst).Elem().Set(reflect.NewAt(t, src).Elem())
		return nil
	}
}

// widened is the type hamba/avro should decode a narrow integer type t (or
// a pointer to one) as, whole: int32 for the Go types Avro's int holds
// (int8, int16, uint8, uint16), int64 for uint32 (a long); nil for other
// types.
func widened(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		if w := widened(t.Elem()); w != nil {
			return reflect.PointerTo(w)
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Int8, reflect.Int16, reflect.Uint8, reflect.Uint16:
		return reflect.TypeFor[int32]()
	case reflect.Uint32:
		return reflect.TypeFor[int64]()
	}
	return nil
}

// widenedThrough is shadow type st with its narrow integer (st itself or
// what it points to) replaced by wide's.
func widenedThrough(st, wide reflect.Type) reflect.Type {
	for wide.Kind() == reflect.Pointer {
		wide = wide.Elem()
	}
	if st.Kind() == reflect.Pointer {
		return reflect.PointerTo(wide)
	}
	return wide
}

// narrowingCopier copies a value of wide (an int32 or int64, or a pointer
// to one) into one of narrow, the same with a narrow integer, failing for a
// value narrow cannot hold.
func narrowingCopier(narrow, wide reflect.Type, field string) func(dst, src unsafe.Pointer) error {
	if narrow.Kind() == reflect.Pointer {
		elem := narrowingCopier(narrow.Elem(), wide.Elem(), field)
		return func(dst, src unsafe.Pointer) error {
			p := *(*unsafe.Pointer)(src)
			if p == nil {
				*(*unsafe.Pointer)(dst) = nil
				return nil
			}
			v := reflect.New(narrow.Elem()).UnsafePointer()
			if err := elem(v, p); err != nil {
				return err
			}
			*(*unsafe.Pointer)(dst) = v
			return nil
		}
	}
	return func(dst, src unsafe.Pointer) error {
		var n int64
		if wide.Kind() == reflect.Int32 {
			n = int64(*(*int32)(src))
		} else {
			n = *(*int64)(src)
		}
		v := reflect.NewAt(narrow, dst).Elem()
		if v.CanInt() && v.OverflowInt(n) || v.CanUint() && (n < 0 || v.OverflowUint(uint64(n))) {
			return &rangeError{field: field, value: n, goType: narrow}
		}
		if v.CanInt() {
			v.SetInt(n)
		} else {
			v.SetUint(uint64(n))
		}
		return nil
	}
}

// uncheckedNarrow names the first narrow integer field of struct t (see
// widened) that an adapter cannot check: one inside a nested record, an
// array or a map, or reached through a struct embedded by pointer. It
// returns "" when there is none.
func uncheckedNarrow(t reflect.Type) string {
	if t.Kind() != reflect.Struct || t == timeType {
		return ""
	}
	seen := map[reflect.Type]bool{t: true}
	var inner func(t reflect.Type, where string) string
	inner = func(t reflect.Type, where string) string {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case widened(t) != nil:
			return fmt.Sprintf("%s (%s)", where, t)
		case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
			return inner(t.Elem(), where+"[]")
		case t.Kind() == reflect.Map:
			return inner(t.Elem(), where+"[value]")
		case t.Kind() == reflect.Struct && t != timeType && !seen[t]:
			seen[t] = true
			for _, f := range avroFields(t) {
				if w := inner(f.sf.Type, where+"."+f.sf.Name); w != "" {
					return w
				}
			}
		}
		return ""
	}
	for _, f := range avroFields(t) {
		switch {
		case widened(f.sf.Type) == nil: // what the adapter checks, if anything, is below
			if w := inner(f.sf.Type, f.sf.Name); w != "" {
				return w
			}
		case f.viaPointer != "":
			return fmt.Sprintf("%s (%s, through %s embedded by pointer)", f.sf.Name, f.sf.Type, f.viaPointer)
		}
	}
	return ""
}

// rangeError is a number in the file that the Go field is too narrow for.
// Like a nullFieldError it is not corrupt data.
type rangeError struct {
	field  string
	value  int64
	goType reflect.Type
}

func (e *rangeError) Error() string {
	return fmt.Sprintf("field %s holds %d, which the Go field (%s) cannot hold: the data must fit it, or the Go field be declared wider", e.field, e.value, e.goType)
}

// reset readies the shadow value at s for the next record.
func (a *adapter) reset(s unsafe.Pointer) { reflect.NewAt(a.shadow, s).Elem().Set(a.blank) }

// nullFieldError is a null in the file that the Go field cannot hold. It is
// not corrupt data, so Lenient does not skip the record, but reading it
// again fails the same way.
type nullFieldError struct {
	field  string // as the file names it
	goType reflect.Type
}

func (e *nullFieldError) Error() string {
	return fmt.Sprintf("field %s is null, which the Go field (%s) cannot hold: the data needs a value there, or the Go field must be a pointer to read nulls", e.field, e.goType)
}

// fill copies the record decoded into the shadow value at s into the zero
// T at t, or returns why it cannot: a null the Go field cannot hold.
func (a *adapter) fill(t, s unsafe.Pointer) error {
	for i := range a.fields {
		f := &a.fields[i]
		src, dst := unsafe.Add(s, f.sOff), unsafe.Add(t, f.tOff)
		switch f.kind {
		case sameType:
			if err := f.copy(dst, src); err != nil {
				return err
			}
		case fromNullable:
			p := *(*unsafe.Pointer)(src)
			if p == nil {
				if k := f.goType.Kind(); k == reflect.Slice || k == reflect.Map {
					continue // nil holds a null, as hamba/avro reads one into a slice
				}
				return &nullFieldError{field: f.name, goType: f.goType}
			}
			if err := f.copy(dst, p); err != nil {
				return err
			}
		case toPointer:
			v := reflect.New(f.goType.Elem())
			if err := f.copy(v.UnsafePointer(), src); err != nil {
				return err
			}
			*(*unsafe.Pointer)(dst) = v.UnsafePointer()
		}
	}
	return nil
}
