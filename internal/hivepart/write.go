package hivepart

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// Escape escapes a partition key or value as Spark does
// (ExternalCatalogUtils.escapePathName), the inverse of unescape: %XX for
// control characters and "#%'*/:=?\{[]^ and DEL.
func Escape(s string) string {
	if !strings.ContainsFunc(s, needsEscape) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; needsEscape(rune(c)) {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func needsEscape(c rune) bool {
	return c < 0x20 || c == 0x7f || strings.ContainsRune("\"#%'*/:=?\\{[]^", c)
}

// A Dirs names the partition directory of a record: the key=value
// elements of the fields it partitions by, in order, as Values reads them
// back.
type Dirs struct {
	keys    []string // escaped, with '='
	formats []func(record unsafe.Pointer, buf []byte) []byte
}

// NewDirs returns the Dirs of struct type t partitioned by columns (each
// the Column of one of fields). dayTypes are as for NewSetter. A column
// no field has, named twice, or whose field holds a type a directory name
// cannot (a slice, struct, map) is an error naming it.
func NewDirs(t reflect.Type, columns []string, fields []Field, dayTypes ...reflect.Type) (*Dirs, error) {
	d := &Dirs{}
	seen := map[string]bool{}
	for _, col := range columns {
		if seen[col] {
			return nil, fmt.Errorf("partition column %q is named twice", col)
		}
		seen[col] = true
		i := slicesIndex(fields, col)
		if i < 0 {
			return nil, fmt.Errorf("%s has no top-level field of column %q to partition by", t, col)
		}
		f := fields[i]
		format, err := formatter(f, dayTypes)
		if err != nil {
			return nil, fmt.Errorf("partitioning by field %s (%s) of %s: %w", f.Name, f.Type, t, err)
		}
		d.keys = append(d.keys, Escape(col)+"=")
		d.formats = append(d.formats, format)
	}
	return d, nil
}

func slicesIndex(fields []Field, col string) int {
	for i, f := range fields {
		if f.Column == col {
			return i
		}
	}
	return -1
}

// Append appends the partition directory of the record at p
// (dt=2026-11-26/country=SE) to buf.
func (d *Dirs) Append(buf []byte, p unsafe.Pointer) []byte {
	for i, k := range d.keys {
		if i > 0 {
			buf = append(buf, '/')
		}
		buf = append(buf, k...)
		buf = d.formats[i](p, buf)
	}
	return buf
}

// formatter returns the function appending field f's value, escaped, to a
// directory name: as the reader's setter parses it back.
func formatter(f Field, dayTypes []reflect.Type) (func(unsafe.Pointer, []byte) []byte, error) {
	ft := f.Type
	if ft.Kind() == reflect.Pointer {
		elem, err := valueFormatter(ft.Elem(), dayTypes)
		if err != nil {
			return nil, err
		}
		off := f.Offset
		return func(p unsafe.Pointer, buf []byte) []byte {
			v := *(*unsafe.Pointer)(unsafe.Add(p, off))
			if v == nil {
				return append(buf, DefaultPartition...)
			}
			return elem(v, buf)
		}, nil
	}
	v, err := valueFormatter(ft, dayTypes)
	if err != nil {
		return nil, err
	}
	off := f.Offset
	return func(p unsafe.Pointer, buf []byte) []byte { return v(unsafe.Add(p, off), buf) }, nil
}

// valueFormatter returns the function appending the value of type t at a
// pointer to a directory name.
func valueFormatter(t reflect.Type, dayTypes []reflect.Type) (func(unsafe.Pointer, []byte) []byte, error) {
	switch {
	case t == timeType:
		return func(p unsafe.Pointer, buf []byte) []byte { return appendTime(buf, *(*time.Time)(p)) }, nil
	case isDayType(t, dayTypes):
		return func(p unsafe.Pointer, buf []byte) []byte {
			return time.Unix(int64(*(*int32)(p))*86400, 0).UTC().AppendFormat(buf, time.DateOnly)
		}, nil
	}
	switch t.Kind() {
	case reflect.String:
		return func(p unsafe.Pointer, buf []byte) []byte {
			s := *(*string)(p)
			if s == "" {
				// As Spark: a directory name cannot be empty.
				return append(buf, DefaultPartition...)
			}
			return append(buf, Escape(s)...)
		}, nil
	case reflect.Bool:
		return func(p unsafe.Pointer, buf []byte) []byte { return strconv.AppendBool(buf, *(*bool)(p)) }, nil
	case reflect.Int:
		return intFormatter[int](), nil
	case reflect.Int8:
		return intFormatter[int8](), nil
	case reflect.Int16:
		return intFormatter[int16](), nil
	case reflect.Int32:
		return intFormatter[int32](), nil
	case reflect.Int64:
		return intFormatter[int64](), nil
	case reflect.Uint:
		return uintFormatter[uint](), nil
	case reflect.Uint8:
		return uintFormatter[uint8](), nil
	case reflect.Uint16:
		return uintFormatter[uint16](), nil
	case reflect.Uint32:
		return uintFormatter[uint32](), nil
	case reflect.Uint64:
		return uintFormatter[uint64](), nil
	case reflect.Float32:
		return func(p unsafe.Pointer, buf []byte) []byte {
			return strconv.AppendFloat(buf, float64(*(*float32)(p)), 'g', -1, 32)
		}, nil
	case reflect.Float64:
		return func(p unsafe.Pointer, buf []byte) []byte {
			return strconv.AppendFloat(buf, *(*float64)(p), 'g', -1, 64)
		}, nil
	}
	return nil, fmt.Errorf("partition values are strings, integers, floats, bools, time.Time or pointers to them")
}

func intFormatter[I int | int8 | int16 | int32 | int64]() func(unsafe.Pointer, []byte) []byte {
	return func(p unsafe.Pointer, buf []byte) []byte { return strconv.AppendInt(buf, int64(*(*I)(p)), 10) }
}

func uintFormatter[U uint | uint8 | uint16 | uint32 | uint64]() func(unsafe.Pointer, []byte) []byte {
	return func(p unsafe.Pointer, buf []byte) []byte { return strconv.AppendUint(buf, uint64(*(*U)(p)), 10) }
}

// appendTime appends t as ParseTime reads it back: a date when t is
// midnight UTC, else a timestamp in UTC as Spark writes one, its ':'
// escaped.
func appendTime(buf []byte, t time.Time) []byte {
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.AppendFormat(buf, time.DateOnly)
	}
	return append(buf, Escape(t.Format("2006-01-02 15:04:05.999999999"))...)
}
