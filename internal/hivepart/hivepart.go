package hivepart

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// DefaultPartition is the directory value Hive and Spark write for a null
// partition value.
const DefaultPartition = "__HIVE_DEFAULT_PARTITION__"

// Value is one partition value of a file's path.
type Value struct {
	Key   string
	Value string // unescaped; "" when Null
	Null  bool
}

// Split splits a directory name key=value, as partitioned tables name
// their subdirectories, into its key and its value still escaped. ok is
// false for any other name.
func Split(name string) (key, value string, ok bool) {
	key, value, ok = strings.Cut(name, "=")
	if !ok || key == "" || value == "" {
		return "", "", false
	}
	return key, value, true
}

// Values returns the partition values in the directories of a file's path
// or URL (every key=value element but the last, the file's own name), in
// path order, keys and values unescaped.
func Values(path string) []Value {
	elems := strings.Split(path, "/")
	var out []Value
	for _, e := range elems[:len(elems)-1] {
		k, v, ok := Split(e)
		if !ok {
			continue
		}
		k = unescape(k)
		if v == DefaultPartition {
			out = append(out, Value{Key: k, Null: true})
			continue
		}
		out = append(out, Value{Key: k, Value: unescape(v)})
	}
	return out
}

// Keys returns the partition keys of path, the keys of Values.
func Keys(path string) []string {
	var keys []string
	for _, v := range Values(path) {
		keys = append(keys, v.Key)
	}
	return keys
}

// unescape undoes Spark's escaping of partition values (%XX, hex, for
// characters such as '/', '=', '%', ' ' and ':'). Like Spark, it keeps a
// '%' not followed by two hex digits as it is.
func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Field is a struct field a partition value may fill.
type Field struct {
	Column string       // the column name the reader matches (from the field's tag)
	Name   string       // the Go field's name, for errors
	Type   reflect.Type // the field's type
	Offset uintptr      // in the struct
}

// A Setter fills the fields of records that take their value from the
// file's path.
type Setter struct {
	sets []func(record unsafe.Pointer)
}

// Filled returns the columns of fields whose values come from path: those
// a key=value directory of path names and that are not inFile (a column in
// the file wins over the path). They are the fields NewSetter fills, known
// before their values are parsed.
func Filled(path string, fields []Field, inFile func(column string) bool) map[string]bool {
	keys := Keys(path)
	out := map[string]bool{}
	for _, f := range fields {
		if slices.Contains(keys, f.Column) && !inFile(f.Column) {
			out[f.Column] = true
		}
	}
	return out
}

// NewSetter returns the Setter filling fields of struct type t from the
// partition values in path, for the fields Filled names; nil if there are
// none. dayTypes are integer types that hold a date as days since
// 1970-01-01 (parquetio.Date). A value that does not parse into its
// field's type, or a null a field cannot hold, is an error naming path and
// key=value.
func NewSetter(path string, t reflect.Type, fields []Field, inFile func(column string) bool, dayTypes ...reflect.Type) (*Setter, error) {
	filled := Filled(path, fields, inFile)
	s := &Setter{}
	for _, f := range fields {
		if !filled[f.Column] {
			continue
		}
		v, _, err := FieldValue(path, t, f, dayTypes...)
		if err != nil {
			return nil, err
		}
		s.sets = append(s.sets, setter(f, v, dayTypes))
	}
	if len(s.sets) == 0 {
		return nil, nil
	}
	return s, nil
}

// FieldValue returns the value that path gives field f of struct type t,
// parsed into f's type: a string, bool, int64, uint64, float64 or
// time.Time (a date, also of dayTypes, as midnight UTC), nil for null.
// found is false if no key=value directory of path names f's column; the
// innermost one wins. A value that does not parse, or a null a field
// cannot hold, is an error naming path and key=value.
func FieldValue(path string, t reflect.Type, f Field, dayTypes ...reflect.Type) (val any, found bool, err error) {
	vals := Values(path)
	for i := len(vals) - 1; i >= 0; i-- {
		v := vals[i]
		if v.Key != f.Column {
			continue
		}
		val, err := parse(f, v, dayTypes)
		if err != nil {
			shown := v.Value
			if v.Null {
				shown = DefaultPartition
			}
			return nil, true, fmt.Errorf("%s: partition %s=%s for field %s (%s) of %s: %w", path, v.Key, shown, f.Name, f.Type, t, err)
		}
		return val, true, nil
	}
	return nil, false, nil
}

// Set fills the partition fields of the record at p.
func (s *Setter) Set(p unsafe.Pointer) {
	for _, set := range s.sets {
		set(p)
	}
}

// SetAll fills the partition fields of n records of size bytes each from
// first on, as in a slice.
func (s *Setter) SetAll(first unsafe.Pointer, n int, size uintptr) {
	for _, set := range s.sets {
		for i := range n {
			set(unsafe.Add(first, uintptr(i)*size))
		}
	}
}

var timeType = reflect.TypeFor[time.Time]()

// parse parses v into the type of field f (see FieldValue).
func parse(f Field, v Value, dayTypes []reflect.Type) (any, error) {
	ft := f.Type
	if ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	} else if v.Null {
		return nil, fmt.Errorf("the value is null, which the field cannot hold: make it a pointer")
	}
	if v.Null {
		return nil, nil
	}
	switch {
	case ft == timeType:
		return ParseTime(v.Value)
	case isDayType(ft, dayTypes):
		t, err := time.Parse(time.DateOnly, v.Value)
		if err != nil {
			return nil, fmt.Errorf("not a date (2006-01-02): %w", err)
		}
		return t, nil
	}
	switch ft.Kind() {
	case reflect.String:
		return v.Value, nil
	case reflect.Bool:
		return strconv.ParseBool(v.Value)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.ParseInt(v.Value, 10, ft.Bits())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.ParseUint(v.Value, 10, ft.Bits())
	case reflect.Float32, reflect.Float64:
		return strconv.ParseFloat(v.Value, ft.Bits())
	}
	return nil, fmt.Errorf("partition values are read only into strings, integers, floats, bools, time.Time or pointers to them")
}

// setter returns the function storing val, as parse returned it, in field
// f of a record.
func setter(f Field, val any, dayTypes []reflect.Type) func(unsafe.Pointer) {
	ft, ptr := f.Type, false
	if ft.Kind() == reflect.Pointer {
		ft, ptr = ft.Elem(), true
	}
	switch v := val.(type) {
	case nil:
		return store(f.Offset, unsafe.Pointer(nil))
	case time.Time:
		if isDayType(ft, dayTypes) {
			return storeAs(f.Offset, ptr, int32(v.Unix()/86400))
		}
		return storeAs(f.Offset, ptr, v)
	case string:
		return storeAs(f.Offset, ptr, v)
	case bool:
		return storeAs(f.Offset, ptr, v)
	case int64:
		switch ft.Kind() {
		case reflect.Int:
			return storeAs(f.Offset, ptr, int(v))
		case reflect.Int8:
			return storeAs(f.Offset, ptr, int8(v))
		case reflect.Int16:
			return storeAs(f.Offset, ptr, int16(v))
		case reflect.Int32:
			return storeAs(f.Offset, ptr, int32(v))
		}
		return storeAs(f.Offset, ptr, v)
	case uint64:
		switch ft.Kind() {
		case reflect.Uint:
			return storeAs(f.Offset, ptr, uint(v))
		case reflect.Uint8:
			return storeAs(f.Offset, ptr, uint8(v))
		case reflect.Uint16:
			return storeAs(f.Offset, ptr, uint16(v))
		case reflect.Uint32:
			return storeAs(f.Offset, ptr, uint32(v))
		}
		return storeAs(f.Offset, ptr, v)
	case float64:
		if ft.Kind() == reflect.Float32 {
			return storeAs(f.Offset, ptr, float32(v))
		}
		return storeAs(f.Offset, ptr, v)
	}
	panic(fmt.Sprintf("hivepart: unexpected parsed value %T", val))
}

func isDayType(t reflect.Type, dayTypes []reflect.Type) bool {
	for _, d := range dayTypes {
		if t == d {
			return true
		}
	}
	return false
}

// ParseTime parses a date (2026-11-26, as midnight UTC) or a timestamp as
// Spark writes one into a path (2026-11-26 10:30:00[.fraction], UTC) or in
// RFC 3339.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.DateOnly, "2006-01-02 15:04:05.999999999", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date (2006-01-02) or a timestamp (2006-01-02 15:04:05, or RFC 3339)")
}

// storeAs stores v, or with ptr a pointer to a fresh copy of v per record
// (so that records share nothing), at offset off. The field's type has v's
// type as its underlying type (a named string type takes a string).
func storeAs[V any](off uintptr, ptr bool, v V) func(unsafe.Pointer) {
	if ptr {
		return func(p unsafe.Pointer) {
			c := v
			*(**V)(unsafe.Add(p, off)) = &c
		}
	}
	return store(off, v)
}

func store[V any](off uintptr, v V) func(unsafe.Pointer) {
	return func(p unsafe.Pointer) { *(*V)(unsafe.Add(p, off)) = v }
}
