package avroio

import "reflect"

// hamba/avro copies short strings and bytes into a shared slab and hands a
// decoded []byte out as a slice of it whose capacity runs to the slab's end,
// over the bytes of the strings decoded after it (in the record and in later
// ones): a user's append to such a []byte would rewrite those strings, which
// Go takes as immutable. A Decoder therefore cuts every decoded []byte's
// capacity to its length before handing the record out.

// clipperFor returns the function that cuts the capacity of every []byte in
// a value of t, or nil when t can hold none.
func clipperFor(t reflect.Type) func(reflect.Value) {
	if !holdsBytes(t, map[reflect.Type]bool{}) {
		return nil
	}
	return clipBytes
}

// holdsBytes reports whether a value of t can hold a []byte.
func holdsBytes(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Slice:
		return t.Elem().Kind() == reflect.Uint8 || holdsBytes(t.Elem(), seen)
	case reflect.Array, reflect.Pointer:
		return holdsBytes(t.Elem(), seen)
	case reflect.Map:
		return holdsBytes(t.Elem(), seen)
	case reflect.Interface:
		return true // generic records: map[string]any, []any, []byte
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsBytes(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// clipBytes cuts the capacity of every []byte in v, which is addressable
// or held by a container clipBytes rewrites.
func clipBytes(v reflect.Value) {
	switch v.Kind() {
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if v.Cap() > v.Len() && v.CanSet() {
				v.SetCap(v.Len())
			}
			return
		}
		for i := range v.Len() {
			clipBytes(v.Index(i))
		}
	case reflect.Array:
		for i := range v.Len() {
			clipBytes(v.Index(i))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			clipBytes(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				clipBytes(f)
			}
		}
	case reflect.Map:
		// Map values cannot be set in place: each is copied, clipped and
		// stored back.
		it := v.MapRange()
		for it.Next() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			clipBytes(e)
			v.SetMapIndex(it.Key(), e)
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		e := reflect.New(v.Elem().Type()).Elem()
		e.Set(v.Elem())
		clipBytes(e)
		if v.CanSet() {
			v.Set(e)
		}
	}
}
