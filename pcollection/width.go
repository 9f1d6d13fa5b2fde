package pcollection

import (
	"reflect"
	"time"
)

// Width guesses how many bytes an element of T takes encoded, from its
// type alone (plan.WidthEstimator): the planner compares a collection's
// width with its sources' to tell a projection (a few fields of a wide
// record), cheap to write out, from a collection as wide as its input,
// cheaper to compute again. Strings and byte slices count 16 bytes,
// numbers 8, a slice or map three elements.
func (t *elemType[T]) Width() float64 { return typeWidth(reflect.TypeFor[T](), 0) }

func typeWidth(t reflect.Type, depth int) float64 {
	if depth > 8 { // a recursive type: its depth is unknown
		return 16
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int8, reflect.Uint8:
		return 1
	case reflect.Int16, reflect.Uint16:
		return 2
	case reflect.Int32, reflect.Uint32, reflect.Float32:
		return 4
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64, reflect.Uintptr, reflect.Float64:
		return 8
	case reflect.String:
		return 16
	case reflect.Pointer:
		return 1 + typeWidth(t.Elem(), depth+1)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return 16
		}
		return 3 * typeWidth(t.Elem(), depth+1)
	case reflect.Array:
		return float64(t.Len()) * typeWidth(t.Elem(), depth+1)
	case reflect.Map:
		return 3 * (typeWidth(t.Key(), depth+1) + typeWidth(t.Elem(), depth+1))
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return 12
		}
		w := 0.0
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				w += typeWidth(f.Type, depth+1)
			}
		}
		return max(w, 1)
	}
	return 16
}
