package csvio

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unsafe"
)

// field is a column's struct field, with its conversions compiled once per
// type: per record only the setters run. parse stores through a pointer
// to the field (the struct's address plus offset), as codec does: no
// reflect.Value per record.
type field struct {
	name     string  // the column's name: the csv tag, else the field's name
	index    int     // in the struct
	offset   uintptr // in the struct
	typeName string  // for messages: "int64", "*time.Time"
	nullable bool    // a pointer: an empty value is nil
	isString bool    // a string: an empty value is ""
	parse    func(p unsafe.Pointer, s string) error
	format   func(v reflect.Value) (string, error)
}

// layout is how T maps to columns: its fields, or raw records for []string.
type layout struct {
	raw    bool
	fields []field
}

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
)

// layoutOf derives the columns of t: a struct's exported fields in order,
// named by `csv:"name"` tags (`csv:"-"` leaves a field out), or []string.
func layoutOf(t reflect.Type) (layout, error) {
	if t == reflect.TypeFor[[]string]() {
		return layout{raw: true}, nil
	}
	if t.Kind() != reflect.Struct {
		return layout{}, fmt.Errorf("csvio: %s is neither a struct nor []string", t)
	}
	var l layout
	seen := map[string]string{}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("csv")
		if !sf.IsExported() || tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		if other, dup := seen[name]; dup {
			return layout{}, fmt.Errorf("csvio: %s: fields %s and %s both name column %q", t, other, sf.Name, name)
		}
		seen[name] = sf.Name
		f, err := newField(sf.Type)
		if err != nil {
			return layout{}, fmt.Errorf("csvio: %s field %s: %w", t, sf.Name, err)
		}
		f.name, f.index, f.offset = name, i, sf.Offset
		l.fields = append(l.fields, f)
	}
	if len(l.fields) == 0 {
		return layout{}, fmt.Errorf("csvio: %s has no exported fields", t)
	}
	return l, nil
}

// newField compiles the conversions of a field of type t.
func newField(t reflect.Type) (field, error) {
	if t.Kind() == reflect.Pointer {
		f, err := newField(t.Elem())
		if err != nil || f.nullable {
			return field{}, fmt.Errorf("type %s is not supported", t)
		}
		elem := t.Elem()
		return field{typeName: t.String(), nullable: true,
			parse: func(p unsafe.Pointer, s string) error {
				q := reflect.New(elem).UnsafePointer()
				if err := f.parse(q, s); err != nil {
					return err
				}
				*(*unsafe.Pointer)(p) = q
				return nil
			},
			format: func(v reflect.Value) (string, error) {
				if v.IsNil() {
					return "", nil
				}
				return f.format(v.Elem())
			},
		}, nil
	}
	f := field{typeName: t.String()}
	// time.Time and other types that convert to text themselves (RFC 3339
	// for time.Time) go first: a struct or named type's own rule wins.
	if reflect.PointerTo(t).Implements(textUnmarshaler) && t.Implements(textMarshaler) {
		f.parse = func(p unsafe.Pointer, s string) error {
			return reflect.NewAt(t, p).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
		}
		f.format = func(v reflect.Value) (string, error) {
			b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
			return string(b), err
		}
		return f, nil
	}
	bits := 0
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		bits = t.Bits()
	}
	switch t.Kind() {
	case reflect.String:
		f.isString = true
		f.parse = func(p unsafe.Pointer, s string) error { *(*string)(p) = s; return nil }
		f.format = func(v reflect.Value) (string, error) { return v.String(), nil }
	case reflect.Bool:
		f.parse = func(p unsafe.Pointer, s string) error {
			b, err := strconv.ParseBool(s)
			*(*bool)(p) = b
			return err
		}
		f.format = func(v reflect.Value) (string, error) { return strconv.FormatBool(v.Bool()), nil }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f.parse = parseNumber[t.Kind()]
		f.format = func(v reflect.Value) (string, error) { return strconv.FormatInt(v.Int(), 10), nil }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f.parse = parseNumber[t.Kind()]
		f.format = func(v reflect.Value) (string, error) { return strconv.FormatUint(v.Uint(), 10), nil }
	case reflect.Float32, reflect.Float64:
		f.parse = parseNumber[t.Kind()]
		f.format = func(v reflect.Value) (string, error) { return strconv.FormatFloat(v.Float(), 'g', -1, bits), nil }
	default:
		return field{}, fmt.Errorf("type %s is not supported (want a string, bool, integer, float, time.Time, a type with UnmarshalText and MarshalText, or a pointer to one)", t)
	}
	return f, nil
}

// parseNumber parses into a number of each kind, named or not: a named
// type shares the memory layout of its kind.
var parseNumber = map[reflect.Kind]func(p unsafe.Pointer, s string) error{
	reflect.Int: parseInt[int], reflect.Int8: parseInt[int8], reflect.Int16: parseInt[int16],
	reflect.Int32: parseInt[int32], reflect.Int64: parseInt[int64],
	reflect.Uint: parseUint[uint], reflect.Uint8: parseUint[uint8], reflect.Uint16: parseUint[uint16],
	reflect.Uint32: parseUint[uint32], reflect.Uint64: parseUint[uint64],
	reflect.Float32: parseFloat[float32], reflect.Float64: parseFloat[float64],
}

func parseInt[N int | int8 | int16 | int32 | int64](p unsafe.Pointer, s string) error {
	n, err := strconv.ParseInt(s, 10, int(unsafe.Sizeof(N(0)))*8)
	*(*N)(p) = N(n)
	return err
}

func parseUint[N uint | uint8 | uint16 | uint32 | uint64](p unsafe.Pointer, s string) error {
	n, err := strconv.ParseUint(s, 10, int(unsafe.Sizeof(N(0)))*8)
	*(*N)(p) = N(n)
	return err
}

func parseFloat[N float32 | float64](p unsafe.Pointer, s string) error {
	x, err := strconv.ParseFloat(s, int(unsafe.Sizeof(N(0)))*8)
	*(*N)(p) = N(x)
	return err
}

// names are the column names of l, as a header row.
func (l layout) names() []string {
	names := make([]string, len(l.fields))
	for i, f := range l.fields {
		names[i] = f.name
	}
	return names
}
