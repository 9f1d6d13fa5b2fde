package jsonio

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"
	"unicode"
)

// Writing fast. segmentio/encoding/json encodes several times faster than
// encoding/json and means to write the same bytes, but does not always:
// it writes time.Duration as "1s" and time.Time without encoding/json's
// range checks, does not compact what MarshalJSON returns or a
// json.RawMessage, validates json.Number otherwise, ignores omitzero,
// quotes a nil pointer under `json:",string"`, keeps both of two fields
// tagged with one name, resolves embedded fields by rules of its own,
// prefers MarshalText to a string map key, and overflows the stack on a
// cycle through a map or slice, which encoding/json reports. So a Writer
// uses it only for types built of what both write alike, which
// fastEncodes decides once per type; any other T is written by
// encoding/json.

var (
	numberType   = reflect.TypeFor[json.Number]()
	durationType = reflect.TypeFor[time.Duration]()
)

// fastEncodes reports whether segmentio/encoding/json writes every value
// of t as encoding/json does (without HTML escaping, keys of maps
// sorted): t is made of booleans, numbers, strings, pointers, arrays,
// slices, maps keyed by strings or integers, and structs without
// embedded fields, none of which encodes itself or is recursive.
func fastEncodes(t reflect.Type) bool {
	return fastEncodesIn(t, map[reflect.Type]bool{})
}

// fastEncodesIn is fastEncodes for t met inside the types in path.
func fastEncodesIn(t reflect.Type, path map[reflect.Type]bool) bool {
	if path[t] || t == numberType || t == durationType {
		return false
	}
	pt := reflect.PointerTo(t)
	if t.Implements(jsonMarshaler) || t.Implements(textMarshaler) || pt.Implements(jsonMarshaler) || pt.Implements(textMarshaler) {
		return false
	}
	path[t] = true
	defer delete(path, t)
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	case reflect.Pointer, reflect.Array, reflect.Slice:
		return fastEncodesIn(t.Elem(), path)
	case reflect.Map:
		switch t.Key().Kind() {
		case reflect.String,
			reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			return fastEncodesIn(t.Key(), path) && fastEncodesIn(t.Elem(), path)
		}
		return false
	case reflect.Struct:
		return fastEncodesStruct(t, path)
	}
	return false // interfaces hold types known only per value; what encoding/json refuses
}

// fastEncodesStruct is fastEncodesIn for a struct type t.
func fastEncodesStruct(t reflect.Type, path map[reflect.Type]bool) bool {
	names := map[string]bool{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return false
		}
		tag := sf.Tag.Get("json")
		if !sf.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		} else if !validKey(name) {
			return false // encoding/json would name it by the field
		}
		if names[name] {
			return false // encoding/json writes neither or the tagged one
		}
		names[name] = true
		for opt := range strings.SplitSeq(opts, ",") {
			if opt == "omitzero" || opt == "string" && sf.Type.Kind() == reflect.Pointer {
				return false
			}
		}
		if !fastEncodesIn(sf.Type, path) {
			return false
		}
	}
	return true
}

// validKey reports whether encoding/json takes name from a `json` tag:
// letters, digits and punctuation but for quotes and backslashes.
func validKey(name string) bool {
	for _, c := range name {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && !strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c) {
			return false
		}
	}
	return true
}
