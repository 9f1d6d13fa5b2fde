package multiset

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/crunchgo/crunchgo/codec"
)

// Diff compares got and want as multisets and describes the difference as
// "- missing" and "+ extra" lines, or returns "" when they are equal.
// Elements are compared by their value encoding, so T needs a codec; note
// that the encoding tells apart values that == would not (NaN equals NaN,
// -0 differs from +0).
func Diff[T any](got, want []T) string {
	c, err := codec.For[T]()
	if err != nil {
		return fmt.Sprintf("cannot compare %s: %v", reflect.TypeFor[T](), err)
	}
	count := map[string]int{}
	sample := map[string]T{}
	for _, v := range want {
		k := string(c.Append(nil, v))
		count[k]--
		sample[k] = v
	}
	for _, v := range got {
		k := string(c.Append(nil, v))
		count[k]++
		sample[k] = v
	}
	var lines []string
	for k, n := range count {
		switch {
		case n < 0:
			lines = append(lines, fmt.Sprintf("- %s (x%d)", show(sample[k]), -n))
		case n > 0:
			lines = append(lines, fmt.Sprintf("+ %s (x%d)", show(sample[k]), n))
		}
	}
	slices.Sort(lines)
	if len(lines) > 40 {
		lines = append(lines[:40], fmt.Sprintf("... and %d more", len(lines)-40))
	}
	return strings.Join(lines, "\n")
}

// show prints a value with pointers followed, so two results differ visibly.
func show(v any) string {
	return deref(reflect.ValueOf(v))
}

func deref(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return "nil"
		}
		return "&" + deref(v.Elem())
	case reflect.Struct:
		var parts []string
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			parts = append(parts, v.Type().Field(i).Name+":"+deref(v.Field(i)))
		}
		return "{" + strings.Join(parts, " ") + "}"
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return fmt.Sprintf("%q", v.Bytes())
		}
		var parts []string
		for i := range v.Len() {
			parts = append(parts, deref(v.Index(i)))
		}
		return "[" + strings.Join(parts, " ") + "]"
	case reflect.String:
		return fmt.Sprintf("%q", v.String())
	case reflect.Invalid:
		return "<nil>"
	}
	if v.CanInterface() {
		return fmt.Sprint(v.Interface())
	}
	return v.String()
}
