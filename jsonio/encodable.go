package jsonio

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
)

var (
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// undecodable says why encoding/json cannot decode a line other than null
// into a t, or "": t, or what it points to, is a channel, function, complex
// number, unsafe pointer or an interface with methods. It looks no deeper,
// since a field or element of such a type fails only on lines holding it.
func undecodable(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler) {
		return ""
	}
	switch {
	case noJSONForm(t.Kind()):
		return t.String()
	case t.Kind() == reflect.Interface && t.NumMethod() > 0:
		return t.String() + " (an interface with methods)"
	}
	return ""
}

// unencodable says why encoding/json cannot encode values of t, or "": a
// channel, function, complex number or unsafe pointer in t or in what it
// holds (fields encoding/json encodes, elements, map values), or a map
// whose keys are not strings, integers or TextMarshalers. A type with its
// own MarshalJSON or MarshalText is taken at its word.
func unencodable(t reflect.Type) string {
	return unencodableIn(t, map[reflect.Type]bool{})
}

func unencodableIn(t reflect.Type, seen map[reflect.Type]bool) string {
	if seen[t] {
		return "" // a recursive type, checked further up
	}
	seen[t] = true
	pt := reflect.PointerTo(t)
	if t.Implements(jsonMarshaler) || t.Implements(textMarshaler) || pt.Implements(jsonMarshaler) || pt.Implements(textMarshaler) {
		return ""
	}
	if noJSONForm(t.Kind()) {
		return t.String()
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return unencodableIn(t.Elem(), seen)
	case reflect.Map:
		switch k := t.Key(); {
		case k.Kind() == reflect.String, k.Kind() >= reflect.Int && k.Kind() <= reflect.Uintptr, k.Implements(textMarshaler):
		default:
			return fmt.Sprintf("%s (JSON object keys must come from strings, integers or encoding.TextMarshalers)", t)
		}
		return unencodableIn(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			// encoding/json encodes exported fields, and those of
			// embedded structs, unless tagged "-".
			if !f.IsExported() && !f.Anonymous || f.Tag.Get("json") == "-" {
				continue
			}
			if why := unencodableIn(f.Type, seen); why != "" {
				return "field " + f.Name + ": " + why
			}
		}
	}
	return ""
}

// noJSONForm reports whether values of kind k have no JSON form that
// encoding/json writes or reads: channels, functions, complex numbers and
// unsafe pointers.
func noJSONForm(k reflect.Kind) bool {
	switch k {
	case reflect.Chan, reflect.Func, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
		return true
	}
	return false
}
