package csvio

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// field is a column's struct field, with its conversions compiled once per
// type: per record only the setters run.
type field struct {
	name     string // the column's name: the csv tag, else the field's name
	index    int    // in the struct
	typeName string // for messages: "int64", "*time.Time"
	nullable bool   // a pointer: an empty value is nil
	isString bool   // a string: an empty value is ""
	parse    func(v reflect.Value, s string) error
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
		f.name, f.index = name, i
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
			parse: func(v reflect.Value, s string) error {
				p := reflect.New(elem)
				if err := f.parse(p.Elem(), s); err != nil {
					return err
				}
				v.Set(p)
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
		f.parse = func(v reflect.Value, s string) error {
			return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
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
		f.parse = func(v reflect.Value, s string) error { v.SetString(s); return nil }
		f.format = func(v reflect.Value) (string, error) { return v.String(), nil }
	case reflect.Bool:
		f.parse = func(v reflect.Value, s string) error {
			b, err := strconv.ParseBool(s)
			v.SetBool(b)
			return err
		}
		f.format = func(v reflect.Value) (string, error) { return strconv.FormatBool(v.Bool()), nil }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f.parse = func(v reflect.Value, s string) error {
			n, err := strconv.ParseInt(s, 10, bits)
			v.SetInt(n)
			return err
		}
		f.format = func(v reflect.Value) (string, error) { return strconv.FormatInt(v.Int(), 10), nil }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f.parse = func(v reflect.Value, s string) error {
			n, err := strconv.ParseUint(s, 10, bits)
			v.SetUint(n)
			return err
		}
		f.format = func(v reflect.Value) (string, error) { return strconv.FormatUint(v.Uint(), 10), nil }
	case reflect.Float32, reflect.Float64:
		f.parse = func(v reflect.Value, s string) error {
			x, err := strconv.ParseFloat(s, bits)
			v.SetFloat(x)
			return err
		}
		f.format = func(v reflect.Value) (string, error) { return strconv.FormatFloat(v.Float(), 'g', -1, bits), nil }
	default:
		return field{}, fmt.Errorf("type %s is not supported (want a string, bool, integer, float, time.Time, a type with UnmarshalText and MarshalText, or a pointer to one)", t)
	}
	return f, nil
}

// names are the column names of l, as a header row.
func (l layout) names() []string {
	names := make([]string, len(l.fields))
	for i, f := range l.fields {
		names[i] = f.name
	}
	return names
}
