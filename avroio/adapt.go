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
// a mismatch deeper down is refused when the schemas are matched.
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
	copy       func(dst, src unsafe.Pointer) // one value of goType, or of its element for toPointer
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
// t directly, or when t is not a struct an adapter can shadow.
func adapterFor(t reflect.Type, writer avro.Schema) *adapter {
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
		wf := written[f.name]
		for _, alias := range f.aliases {
			if wf == nil {
				wf = written[alias]
			}
		}
		ft := f.sf.Type
		af := adaptedField{name: f.name, goType: ft, tOff: f.off, kind: sameType}
		if wf != nil && wf.Name() != f.name {
			af.name += " (" + wf.Name() + " in the file)"
		}
		st := ft
		if wf != nil {
			switch _, nullable := nonNull(wf.Type()); {
			case ft.Kind() != reflect.Pointer && nullable:
				af.kind, st = fromNullable, reflect.PointerTo(ft)
			case ft.Kind() == reflect.Pointer && !mayBeNull(wf.Type()) && !isRecord(ft.Elem()):
				af.kind, st = toPointer, ft.Elem()
			}
		}
		adapted = adapted || af.kind != sameType
		if af.kind == toPointer {
			af.copy = copierOf(ft.Elem())
		} else {
			af.copy = copierOf(ft)
		}
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
			a.blank.Field(i).Set(reflect.New(f.goType))
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
func isRecord(t reflect.Type) bool { return t.Kind() == reflect.Struct && t != timeType }

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
func copierOf(t reflect.Type) func(dst, src unsafe.Pointer) {
	switch t.Kind() {
	case reflect.String:
		return func(dst, src unsafe.Pointer) { *(*string)(dst) = *(*string)(src) }
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		n := t.Size()
		return func(dst, src unsafe.Pointer) {
			copy(unsafe.Slice((*byte)(dst), n), unsafe.Slice((*byte)(src), n))
		}
	}
	return func(dst, src unsafe.Pointer) { reflect.NewAt(t, dst).Elem().Set(reflect.NewAt(t, src).Elem()) }
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
	return fmt.Sprintf("field %s is null, which the Go field (%s) cannot hold: make it a pointer to read nulls", e.field, e.goType)
}

// fill copies the record decoded into the shadow value at s into the zero
// T at t, or returns why it cannot: a null the Go field cannot hold.
func (a *adapter) fill(t, s unsafe.Pointer) error {
	for i := range a.fields {
		f := &a.fields[i]
		src, dst := unsafe.Add(s, f.sOff), unsafe.Add(t, f.tOff)
		switch f.kind {
		case sameType:
			f.copy(dst, src)
		case fromNullable:
			p := *(*unsafe.Pointer)(src)
			if p == nil {
				if k := f.goType.Kind(); k == reflect.Slice || k == reflect.Map {
					continue // nil holds a null, as hamba/avro reads one into a slice
				}
				return &nullFieldError{field: f.name, goType: f.goType}
			}
			f.copy(dst, p)
		case toPointer:
			v := reflect.New(f.goType.Elem())
			f.copy(v.UnsafePointer(), src)
			*(*unsafe.Pointer)(dst) = v.UnsafePointer()
		}
	}
	return nil
}
