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
	vals := Values(path)
	filled := Filled(path, fields, inFile)
	s := &Setter{}
	for _, f := range fields {
		if !filled[f.Column] {
			continue
		}
		for i := len(vals) - 1; i >= 0; i-- { // the innermost directory wins
			v := vals[i]
			if v.Key != f.Column {
				continue
			}
			set, err := setter(f, v, dayTypes)
			if err != nil {
				shown := v.Value
				if v.Null {
					shown = DefaultPartition
				}
				return nil, fmt.Errorf("%s: partition %s=%s for field %s (%s) of %s: %w", path, v.Key, shown, f.Name, f.Type, t, err)
			}
			s.sets = append(s.sets, set)
			break
		}
	}
	if len(s.sets) == 0 {
		return nil, nil
	}
	return s, nil
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

// setter returns the function storing v in field f of a record.
func setter(f Field, v Value, dayTypes []reflect.Type) (func(unsafe.Pointer), error) {
	ft, ptr := f.Type, false
	if ft.Kind() == reflect.Pointer {
		ft, ptr = ft.Elem(), true
	}
	if v.Null {
		if !ptr {
			return nil, fmt.Errorf("the value is null, which the field cannot hold: make it a pointer")
		}
		return store(f.Offset, unsafe.Pointer(nil)), nil
	}
	switch {
	case ft == timeType:
		t, err := parseTime(v.Value)
		if err != nil {
			return nil, err
		}
		return storeAs(f.Offset, ptr, t), nil
	case isDayType(ft, dayTypes):
		t, err := time.Parse(time.DateOnly, v.Value)
		if err != nil {
			return nil, fmt.Errorf("not a date (2006-01-02): %w", err)
		}
		return storeAs(f.Offset, ptr, int32(t.Unix()/86400)), nil
	}
	switch ft.Kind() {
	case reflect.String:
		return storeAs(f.Offset, ptr, v.Value), nil
	case reflect.Bool:
		b, err := strconv.ParseBool(v.Value)
		if err != nil {
			return nil, err
		}
		return storeAs(f.Offset, ptr, b), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(v.Value, 10, ft.Bits())
		if err != nil {
			return nil, err
		}
		switch ft.Kind() {
		case reflect.Int:
			return storeAs(f.Offset, ptr, int(n)), nil
		case reflect.Int8:
			return storeAs(f.Offset, ptr, int8(n)), nil
		case reflect.Int16:
			return storeAs(f.Offset, ptr, int16(n)), nil
		case reflect.Int32:
			return storeAs(f.Offset, ptr, int32(n)), nil
		}
		return storeAs(f.Offset, ptr, n), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(v.Value, 10, ft.Bits())
		if err != nil {
			return nil, err
		}
		switch ft.Kind() {
		case reflect.Uint:
			return storeAs(f.Offset, ptr, uint(n)), nil
		case reflect.Uint8:
			return storeAs(f.Offset, ptr, uint8(n)), nil
		case reflect.Uint16:
			return storeAs(f.Offset, ptr, uint16(n)), nil
		case reflect.Uint32:
			return storeAs(f.Offset, ptr, uint32(n)), nil
		}
		return storeAs(f.Offset, ptr, n), nil
	case reflect.Float32:
		x, err := strconv.ParseFloat(v.Value, 32)
		if err != nil {
			return nil, err
		}
		return storeAs(f.Offset, ptr, float32(x)), nil
	case reflect.Float64:
		x, err := strconv.ParseFloat(v.Value, 64)
		if err != nil {
			return nil, err
		}
		return storeAs(f.Offset, ptr, x), nil
	}
	return nil, fmt.Errorf("partition values are read only into strings, integers, floats, bools, time.Time or pointers to them")
}

func isDayType(t reflect.Type, dayTypes []reflect.Type) bool {
	for _, d := range dayTypes {
		if t == d {
			return true
		}
	}
	return false
}

// parseTime parses a date (2026-11-26, as midnight UTC) or a timestamp as
// Spark writes one into a path (2026-11-26 10:30:00[.fraction], UTC) or in
// RFC 3339.
func parseTime(s string) (time.Time, error) {
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
