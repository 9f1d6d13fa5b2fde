package avroio

import (
	"fmt"
	"reflect"
	"time"
	"unsafe"

	"github.com/hamba/avro/v2"
)

// hamba/avro writes a time.Time as an Avro date by dividing its Unix
// seconds by 86400, rounding toward zero: a time before 1970 that is not
// midnight UTC goes to the next day, and a time in another zone to the day
// its UTC instant falls on (midnight in Paris to the day before). The
// writer therefore hands it each date as midnight UTC of the calendar day
// the value shows in its own location.

// dateField is a time.Time, or *time.Time, of a record that is written as
// an Avro date, at a fixed offset in it.
type dateField struct {
	off uintptr
	ptr bool
}

// toDay sets the date field of the record at rec to midnight UTC of its
// day; a pointer field is pointed to a new time, not the caller's.
func (d dateField) toDay(rec unsafe.Pointer) {
	p := unsafe.Add(rec, d.off)
	if !d.ptr {
		*(*time.Time)(p) = dayOf(*(*time.Time)(p))
		return
	}
	if tp := *(**time.Time)(p); tp != nil {
		day := dayOf(*tp)
		*(**time.Time)(p) = &day
	}
}

func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// datesOf finds the fields of t, in records nested by value too, that
// schema writes as dates. A date elsewhere (in an array, a map, a record
// reached through a pointer) could not be set to its day without copying
// the caller's values, and is refused.
func datesOf(t reflect.Type, schema avro.Schema) ([]dateField, error) {
	var out []dateField
	var walk func(t reflect.Type, s avro.Schema, base uintptr, where string) error
	walk = func(t reflect.Type, s avro.Schema, base uintptr, where string) error {
		rs, ok := deref(s).(*avro.RecordSchema)
		if !ok || t.Kind() != reflect.Struct || t == timeType {
			if hasDate(s, map[string]bool{}) {
				return fmt.Errorf("avroio: writing %s: a date at %s is in an array, a map or a record reached through a pointer, which avroio can write only from a field of the record or of a record nested by value", t, where)
			}
			return nil
		}
		written := fieldsByName(rs)
		for _, f := range avroFields(t) {
			wf := written[f.name]
			if wf == nil {
				continue
			}
			at := where + "." + f.sf.Name
			inner, _ := nonNull(wf.Type())
			ft := f.sf.Type
			switch {
			case isDate(inner) && (ft == timeType || ft == reflect.PointerTo(timeType)) && f.viaPointer == "":
				out = append(out, dateField{off: base + f.off, ptr: ft.Kind() == reflect.Pointer})
			case f.viaPointer == "" && ft.Kind() == reflect.Struct:
				if err := walk(ft, inner, base+f.off, at); err != nil {
					return err
				}
			case (f.viaPointer != "" || holdsValues(ft)) && hasDate(wf.Type(), map[string]bool{}):
				return fmt.Errorf("avroio: writing %s: a date at %s is in an array, a map or a record reached through a pointer, which avroio can write only from a field of the record or of a record nested by value", t, at)
			}
		}
		return nil
	}
	if err := walk(t, schema, 0, t.String()); err != nil {
		return nil, err
	}
	return out, nil
}

// holdsValues reports whether Go type t holds values of its own: a slice
// (not []byte), a map, or a pointer to a struct other than time.Time.
func holdsValues(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice:
		return t.Elem().Kind() != reflect.Uint8
	case reflect.Map:
		return true
	case reflect.Pointer:
		return t.Elem().Kind() == reflect.Struct && t.Elem() != timeType
	}
	return false
}

func isDate(s avro.Schema) bool { return logicalType(deref(s)) == avro.Date }

// hasDate reports whether s holds a date anywhere.
func hasDate(s avro.Schema, seen map[string]bool) bool {
	switch s := deref(s).(type) {
	case *avro.PrimitiveSchema:
		return isDate(s)
	case *avro.RecordSchema:
		if seen[s.FullName()] {
			return false
		}
		seen[s.FullName()] = true
		for _, f := range s.Fields() {
			if hasDate(f.Type(), seen) {
				return true
			}
		}
	case *avro.ArraySchema:
		return hasDate(s.Items(), seen)
	case *avro.MapSchema:
		return hasDate(s.Values(), seen)
	case *avro.UnionSchema:
		for _, m := range s.Types() {
			if hasDate(m, seen) {
				return true
			}
		}
	}
	return false
}
