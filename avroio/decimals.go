package avroio

import (
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"unsafe"

	"github.com/crunchgo/crunchgo/internal/decimal"
	"github.com/hamba/avro/v2"
)

// A *big.Rat field holds an Avro decimal (bytes or fixed with logicalType
// decimal) exactly. hamba/avro decodes and encodes them, with three flaws
// avroio works around:
//   - Into a big.Rat (not a pointer) its bytes-decimal decoder stores a
//     *big.Rat over the struct's memory. Its decoder of a nullable union
//     into a *big.Rat allocates a big.Rat and hands it to that decoder, so
//     every nullable bytes decimal read as a corrupt zero (and a nullable
//     fixed one is refused). Plain big.Rat values are refused, and a
//     *big.Rat reading a nullable decimal is decoded through a shadow
//     field of type *decimalSlot (a **big.Rat), which hamba/avro decodes
//     correctly, then copied (decimalShadow).
//   - Its encoders truncate to the scale with no error (1/3 at scale 2
//     writes 0.33, -1/3 writes -0.34), check the precision only after, and
//     write a negative value too wide for a fixed as a positive one (-90000
//     in 3 bytes as 77772.16). The writer checks every value first
//     (decimalChecker).
//   - Its encoder for a non-nullable decimal dereferences a nil *big.Rat;
//     the check refuses nil there too.
//
// All three hold for decimals in arrays and maps too. Shadows and checks
// are compiled per type from field offsets; a *big.Rat is supported as a
// field of the record and of records nested in it (by value or by
// pointer), in slices and maps as well, and refused elsewhere
// (decimalProblem).

var (
	ratType     = reflect.TypeFor[big.Rat]()
	ratPtrType  = reflect.TypeFor[*big.Rat]()
	slotPtrType = reflect.TypeFor[*decimalSlot]()
)

// decimalSlot is where hamba/avro stores a decoded *big.Rat: the field of
// a shadow struct that reads a nullable decimal is a *decimalSlot. It is a
// named type so that it derives a nullable decimal and no Go type of a
// user's (a **big.Rat would) does.
type decimalSlot *big.Rat

// isDecimalField reports whether Go type t holds a decimal: a *big.Rat, or
// a shadow's *decimalSlot.
func isDecimalField(t reflect.Type) bool { return t == ratPtrType || t == slotPtrType }

// decimalOption returns the precision and scale an avro tag's options
// declare for writing a *big.Rat field ("price,decimal(10,2)", in SQL's
// order), and whether they declare any.
func decimalOption(opts string) (prec, scale int, ok bool, err error) {
	const prefix = "decimal("
	i := strings.Index(opts, prefix)
	if i < 0 || i > 0 && opts[i-1] != ',' {
		return 0, 0, false, nil
	}
	args, _, closed := strings.Cut(opts[i+len(prefix):], ")")
	p, s, comma := strings.Cut(args, ",")
	prec, err1 := strconv.Atoi(strings.TrimSpace(p))
	scale, err2 := strconv.Atoi(strings.TrimSpace(s))
	if !closed || !comma || err1 != nil || err2 != nil {
		return 0, 0, false, fmt.Errorf("avro tag option %q: want decimal(P,S), the precision and the scale", opts[i:])
	}
	if prec < 1 || scale < 0 || scale > prec {
		return 0, 0, false, fmt.Errorf("avro tag option decimal(%d,%d): want a precision of at least 1 and a scale from 0 to the precision", prec, scale)
	}
	return prec, scale, true, nil
}

// writtenDecimal returns writer's decimal (looking inside unions), or nil.
func writtenDecimal(writer avro.Schema) avro.Schema {
	for _, typ := range []avro.Type{avro.Bytes, avro.Fixed} {
		if s := writerAs(writer, typ); logicalType(s) == avro.Decimal {
			return s
		}
	}
	return nil
}

// decimal derives the schema of a *big.Rat (isDecimalField) held by a
// field whose tag has options opts (as the field, or in its slice or map),
// reading writer (nil if the file lacks the field, or when writing): the
// file's decimal if it has one, so that a fixed stays fixed, else the one
// the tag declares. It is nullable unless the file's is not.
func (d *deriver) decimal(t reflect.Type, writer avro.Schema, opts, where string) (any, error) {
	prec, scale, declared, err := decimalOption(opts)
	if err != nil {
		return nil, fmt.Errorf("avroio: schema of %s: %w", where, err)
	}
	var s any
	switch w := writtenDecimal(writer); {
	case w != nil:
		dec := logicalOf(w).(*avro.DecimalLogicalSchema)
		m := map[string]any{"type": "bytes", "logicalType": "decimal", "precision": dec.Precision(), "scale": dec.Scale()}
		s = m
		if f, ok := w.(*avro.FixedSchema); ok {
			m["type"], m["name"], m["size"] = "fixed", f.FullName(), f.Size()
			if d.used[f.FullName()] {
				s = f.FullName() // defined before: refer to it by name
			}
			d.used[f.FullName()] = true
		}
	case declared:
		s = map[string]any{"type": "bytes", "logicalType": "decimal", "precision": prec, "scale": scale}
	case d.reading:
		// The file has no such field, which reads as nil whatever the
		// decimal, or one of another type, which unreadable refuses.
		s = map[string]any{"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 0}
	default:
		return nil, fmt.Errorf("avroio: schema of %s: a *big.Rat field needs the precision and scale of the decimal it is written as: tag it `avro:\"name,decimal(P,S)\"`", where)
	}
	if t == slotPtrType || writer == nil || mayBeNull(writer) {
		return []any{"null", s}, nil
	}
	return s, nil
}

// decimalLeaf reports whether t is a *big.Rat (isDecimalField) or a slice
// or map of them (or a pointer to one: a nullable array read into a plain
// slice has one in its shadow), at any depth: a field whose decimal(P,S)
// tag declares the decimal of its *big.Rat values.
func decimalLeaf(t reflect.Type) bool {
	for !isDecimalField(t) && (t.Kind() == reflect.Map || t.Kind() == reflect.Pointer ||
		t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8) {
		t = t.Elem()
	}
	return isDecimalField(t)
}

// decimalProblem names the first place in Go type t where a decimal
// cannot be read or written, and why, or returns "". Plain big.Rat values
// are refused everywhere (see above). A *big.Rat is refused in a struct
// embedding another by pointer (whose fields have no fixed offset) and in
// a recursive type, where no shadow or check is compiled.
func decimalProblem(t reflect.Type) string {
	if !decimal.Holds(t, nil) {
		return ""
	}
	inProgress := map[reflect.Type]bool{}
	var walk func(t reflect.Type, where, embedding string) string
	walk = func(t reflect.Type, where, embedding string) string {
		switch {
		case t == ratType:
			return where + " is a big.Rat, which hamba/avro would decode a decimal over: make it a *big.Rat"
		case isDecimalField(t) && embedding != "":
			return fmt.Sprintf("%s is a *big.Rat in a struct that embeds %s by pointer: embed it by value", where, embedding)
		case isDecimalField(t):
			return ""
		case t.Kind() == reflect.Pointer:
			return walk(t.Elem(), where, embedding)
		case t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map:
			return walk(t.Elem(), where+"[]", embedding)
		case t.Kind() == reflect.Struct && t != timeType:
			if inProgress[t] {
				if decimal.Holds(t, nil) {
					return fmt.Sprintf("%s: %s holds a *big.Rat and is recursive, which avroio does not support", where, t)
				}
				return ""
			}
			inProgress[t] = true
			defer delete(inProgress, t)
			if e := embeddedPointer(t); e != "" {
				embedding = e
			}
			for i := range t.NumField() {
				if sf := t.Field(i); sf.Anonymous && (sf.Type == ratType || sf.Type == ratPtrType) {
					return fmt.Sprintf("%s embeds %s, whose value Avro cannot see: make it a named *big.Rat field", where, sf.Type)
				}
			}
			for _, f := range avroFields(t) {
				if w := walk(f.sf.Type, where+"."+f.sf.Name, embedding); w != "" {
					return w
				}
			}
		}
		return ""
	}
	return walk(t, t.String(), "")
}

// writtenField returns the field of a record (fieldsByName) that Go field f
// reads, by its name or one of its aliases, or nil.
func writtenField(written map[string]*avro.Field, f avroField) *avro.Field {
	if wf := written[f.name]; wf != nil {
		return wf
	}
	for _, a := range f.aliases {
		if wf := written[a]; wf != nil {
			return wf
		}
	}
	return nil
}

// decimalShadow returns the type hamba/avro should decode a value of Go
// type t into from w, the file's type (after resolution), when t is or
// holds a *big.Rat reading a nullable decimal, with the function copying
// such a value into a t; or nil, nil when t can be decoded as it is. t
// passed decimalProblem.
func decimalShadow(t reflect.Type, w avro.Schema) (reflect.Type, func(dst, src unsafe.Pointer) error) {
	switch {
	case w == nil || !decimal.Holds(t, nil):
		return nil, nil
	case t == ratPtrType:
		if !mayBeNull(w) {
			return nil, nil // hamba/avro decodes a plain decimal into a *big.Rat
		}
		return slotPtrType, func(dst, src unsafe.Pointer) error {
			var r *big.Rat
			if slot := *(**decimalSlot)(src); slot != nil {
				r = *slot
			}
			*(**big.Rat)(dst) = r
			return nil
		}
	case t.Kind() == reflect.Pointer: // to a record, a slice or a map
		shadow, copyElem := decimalShadow(t.Elem(), w)
		if shadow == nil {
			return nil, nil
		}
		elem := t.Elem()
		return reflect.PointerTo(shadow), func(dst, src unsafe.Pointer) error {
			p := *(*unsafe.Pointer)(src)
			if p == nil {
				*(*unsafe.Pointer)(dst) = nil
				return nil
			}
			v := reflect.New(elem).UnsafePointer()
			if err := copyElem(v, p); err != nil {
				return err
			}
			*(*unsafe.Pointer)(dst) = v
			return nil
		}
	case t.Kind() == reflect.Slice:
		as, ok := deref(nonNullType(w)).(*avro.ArraySchema)
		if !ok {
			return nil, nil
		}
		elem, copyElem := decimalShadow(t.Elem(), as.Items())
		if elem == nil {
			return nil, nil
		}
		shadow := reflect.SliceOf(elem)
		return shadow, func(dst, src unsafe.Pointer) error {
			from, to := reflect.NewAt(shadow, src).Elem(), reflect.NewAt(t, dst).Elem()
			if from.IsNil() {
				to.SetZero()
				return nil
			}
			to.Set(reflect.MakeSlice(t, from.Len(), from.Len()))
			for i := range from.Len() {
				if err := copyElem(to.Index(i).Addr().UnsafePointer(), from.Index(i).Addr().UnsafePointer()); err != nil {
					return err
				}
			}
			return nil
		}
	case t.Kind() == reflect.Map:
		ms, ok := deref(nonNullType(w)).(*avro.MapSchema)
		if !ok {
			return nil, nil
		}
		elem, copyElem := decimalShadow(t.Elem(), ms.Values())
		if elem == nil {
			return nil, nil
		}
		shadow := reflect.MapOf(t.Key(), elem)
		return shadow, func(dst, src unsafe.Pointer) error {
			from, to := reflect.NewAt(shadow, src).Elem(), reflect.NewAt(t, dst).Elem()
			if from.IsNil() {
				to.SetZero()
				return nil
			}
			to.Set(reflect.MakeMapWithSize(t, from.Len()))
			// Map values are not addressable: each goes through a copy.
			in, out := reflect.New(elem).Elem(), reflect.New(t.Elem()).Elem()
			for k, v := range from.Seq2() {
				in.Set(v)
				if err := copyElem(out.Addr().UnsafePointer(), in.Addr().UnsafePointer()); err != nil {
					return err
				}
				to.SetMapIndex(k, out)
			}
			return nil
		}
	case isRecord(t):
		rs, ok := deref(nonNullType(w)).(*avro.RecordSchema)
		if !ok {
			return nil, nil
		}
		written := fieldsByName(rs)
		fields := avroFields(t)
		shadowFields := make([]reflect.StructField, len(fields))
		copies := make([]func(dst, src unsafe.Pointer) error, len(fields))
		shadowed := false
		for i, f := range fields {
			var wt avro.Schema
			if wf := writtenField(written, f); wf != nil {
				wt = wf.Type()
			}
			st, cp := decimalShadow(f.sf.Type, wt)
			if st == nil {
				st, cp = f.sf.Type, copierOf(f.sf.Type)
			}
			shadowed = shadowed || st != f.sf.Type
			shadowFields[i] = reflect.StructField{Name: "F" + strconv.Itoa(i), Type: st, Tag: shadowTag(f.sf.Tag, f.name, true)}
			copies[i] = cp
		}
		if !shadowed {
			return nil, nil
		}
		shadow := reflect.StructOf(shadowFields)
		shadowOffs := make([]uintptr, len(fields))
		for i := range fields {
			shadowOffs[i] = shadow.Field(i).Offset
		}
		return shadow, func(dst, src unsafe.Pointer) error {
			for i, f := range fields {
				if err := copies[i](unsafe.Add(dst, f.off), unsafe.Add(src, shadowOffs[i])); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return nil, nil
}

// nonNullType is s without a union with null around it.
func nonNullType(s avro.Schema) avro.Schema {
	s, _ = nonNull(s)
	return s
}

// decimalField is a *big.Rat field of a record being written, at a fixed
// offset in the record (or a record nested in it) given to check.
type decimalField struct {
	name     string // the Avro field's, dotted from the top record
	dec      decimal.Decimal
	nullable bool
	size     int      // of a fixed decimal, else 0
	half     *big.Int // 2^(8*size-1): a fixed's values are in [-half, half)
	q, m     big.Int  // scratch: a FileWriter is used by one goroutine
}

// decimalValueError is a value its decimal cannot hold: writing the same
// records again fails the same way.
type decimalValueError struct {
	field string // its Avro path: lines[2].price, rates["eur"]
	why   string // what follows the field's name
}

func (e decimalValueError) Error() string { return "field " + e.field + e.why }

// at names the element of an array or map that err, the error of checking
// the element, is about: an element's check knows only its placeholder
// path, prices[] for an item and rates[key] for a value, which becomes
// elem, prices[2] or rates["eur"].
func at(err error, placeholder, elem string) error {
	if e, ok := err.(decimalValueError); ok {
		if rest, found := strings.CutPrefix(e.field, placeholder); found {
			e.field = elem + rest
			return e
		}
	}
	return err
}

// check fails for a value that the field's decimal cannot hold exactly,
// which hamba/avro would write truncated.
func (d *decimalField) check(r *big.Rat) error {
	if r == nil {
		if d.nullable {
			return nil
		}
		return decimalValueError{d.name, " is nil, but its decimal is not nullable"}
	}
	scale := d.dec.Scale
	switch d.dec.Unscale(&d.q, &d.m, r) {
	case decimal.Inexact:
		return decimalValueError{d.name, fmt.Sprintf(": %s (≈%s) is not exact at scale %d", r.RatString(), r.FloatString(scale+3), scale)}
	case decimal.TooManyDigits:
		return decimalValueError{d.name, fmt.Sprintf(": %s has %d digits at scale %d, more than its precision, %d", r.FloatString(scale), len(d.q.Abs(&d.q).Text(10)), scale, d.dec.Precision)}
	}
	if d.half != nil && (d.q.Cmp(d.half) >= 0 || d.q.CmpAbs(d.half) > 0) {
		return decimalValueError{d.name, fmt.Sprintf(": %s does not fit the %d bytes of its fixed decimal", r.FloatString(scale), d.size)}
	}
	return nil
}

// decimalChecker returns the function checking each *big.Rat of a record
// of t before it is encoded with schema (decimalField.check), or nil when
// t holds none. It fails for a decimal hamba/avro cannot encode a *big.Rat
// into at all: a fixed one in a union, such as Spark's nullable fixed
// decimals (hamba/avro encodes a *big.Rat in a union only as bytes). t
// passed decimalProblem.
func decimalChecker(t reflect.Type, schema avro.Schema) (func(rec unsafe.Pointer) error, error) {
	var unwritable error
	// checkerOf returns the check of a value of Go type t at a pointer,
	// written as s, or nil when it holds no *big.Rat.
	var checkerOf func(t reflect.Type, s avro.Schema, name string) func(unsafe.Pointer) error
	checkerOf = func(t reflect.Type, s avro.Schema, name string) func(unsafe.Pointer) error {
		if s == nil || !decimal.Holds(t, nil) {
			return nil
		}
		switch {
		case t == ratPtrType:
			// The decimal may be one member of a larger union, which
			// hamba/avro encodes into as well (truncating too).
			dec := writtenDecimal(s)
			if dec == nil {
				return nil // hamba/avro refuses to encode it
			}
			if _, fixed := deref(dec).(*avro.FixedSchema); fixed && deref(s).Type() == avro.Union && unwritable == nil {
				unwritable = fmt.Errorf("field %s: hamba/avro cannot write a *big.Rat into a fixed decimal in a union (%s): make it a bytes decimal, or not nullable", name, s)
			}
			ls := logicalOf(dec).(*avro.DecimalLogicalSchema)
			// Only in ["null", decimal] does hamba/avro encode a nil
			// *big.Rat; in a larger union it dereferences it.
			_, nullable := nonNull(s)
			d := &decimalField{name: name, dec: decimal.Of(ls.Precision(), ls.Scale()), nullable: nullable}
			if fixed, ok := deref(dec).(*avro.FixedSchema); ok {
				// A precision may claim more digits than the size holds in
				// two's complement; hamba/avro then wraps negative values
				// into positive ones.
				d.size, d.half = fixed.Size(), new(big.Int).Lsh(big.NewInt(1), uint(8*fixed.Size()-1))
			}
			return func(p unsafe.Pointer) error { return d.check(*(**big.Rat)(p)) }
		case t.Kind() == reflect.Pointer:
			inner := checkerOf(t.Elem(), s, name)
			if inner == nil {
				return nil
			}
			return func(p unsafe.Pointer) error {
				if q := *(*unsafe.Pointer)(p); q != nil {
					return inner(q)
				}
				return nil
			}
		case t.Kind() == reflect.Slice:
			as, ok := deref(nonNullType(s)).(*avro.ArraySchema)
			if !ok {
				return nil
			}
			elem := checkerOf(t.Elem(), as.Items(), name+"[]")
			if elem == nil {
				return nil
			}
			return func(p unsafe.Pointer) error {
				v := reflect.NewAt(t, p).Elem()
				for i := range v.Len() {
					if err := elem(v.Index(i).Addr().UnsafePointer()); err != nil {
						return at(err, name+"[]", name+"["+strconv.Itoa(i)+"]")
					}
				}
				return nil
			}
		case t.Kind() == reflect.Map:
			ms, ok := deref(nonNullType(s)).(*avro.MapSchema)
			if !ok {
				return nil
			}
			elem := checkerOf(t.Elem(), ms.Values(), name+"[key]")
			if elem == nil {
				return nil
			}
			return func(p unsafe.Pointer) error {
				v := reflect.NewAt(t, p).Elem()
				value := reflect.New(t.Elem()).Elem() // map values are not addressable
				for k, e := range v.Seq2() {
					value.Set(e)
					if err := elem(value.Addr().UnsafePointer()); err != nil {
						return at(err, name+"[key]", name+"["+strconv.Quote(k.String())+"]")
					}
				}
				return nil
			}
		case isRecord(t):
			rs, ok := deref(nonNullType(s)).(*avro.RecordSchema)
			if !ok {
				return nil
			}
			written := fieldsByName(rs)
			var checks []func(unsafe.Pointer) error
			prefix := name + "."
			if name == "" {
				prefix = ""
			}
			for _, f := range avroFields(t) {
				wf := written[f.name]
				if wf == nil {
					continue
				}
				if check := checkerOf(f.sf.Type, wf.Type(), prefix+f.name); check != nil {
					off := f.off
					checks = append(checks, func(rec unsafe.Pointer) error { return check(unsafe.Add(rec, off)) })
				}
			}
			if len(checks) == 0 {
				return nil
			}
			return func(rec unsafe.Pointer) error {
				for _, c := range checks {
					if err := c(rec); err != nil {
						return err
					}
				}
				return nil
			}
		}
		return nil
	}
	check := checkerOf(t, schema, "")
	if unwritable != nil {
		return nil, unwritable
	}
	return check, nil
}

// logicalOf is the logical schema of s (a primitive or fixed), or nil.
func logicalOf(s avro.Schema) avro.LogicalSchema {
	if l, ok := deref(s).(avro.LogicalTypeSchema); ok {
		return l.Logical()
	}
	return nil
}
