package parquetio

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// timestampUnit returns the unit of a TIMESTAMP column type.
func timestampUnit(t parquet.Type) (time.Duration, bool) {
	if ts, ok := logicalValue(t).(*format.TimestampType); ok {
		return unitDuration(ts.Unit)
	}
	return 0, false
}

// timeOfDayUnit returns the unit of a TIME column type.
func timeOfDayUnit(t parquet.Type) (time.Duration, bool) {
	if tt, ok := logicalValue(t).(*format.TimeType); ok {
		return unitDuration(tt.Unit)
	}
	return 0, false
}

func unitDuration(u format.TimeUnit) (time.Duration, bool) {
	if u.Value == nil {
		return 0, false
	}
	return u.Value.Duration(), true
}

// unitName names a TIME or TIMESTAMP unit as parquet tags do.
func unitName(unit time.Duration) string {
	switch unit {
	case time.Millisecond:
		return "millisecond"
	case time.Microsecond:
		return "microsecond"
	}
	return "nanosecond"
}

// isDate reports whether t is a DATE column type.
func isDate(t parquet.Type) bool {
	lt := t.LogicalType()
	if lt == nil {
		return false
	}
	_, ok := lt.Value.(*format.DateType)
	return ok
}

// Date is a calendar date stored as a Parquet DATE (days since 1970-01-01).
// Use it (or *Date) for date columns you write: parquet-go v0.32.0 writes a
// time.Time field tagged `parquet:",date"` as nanoseconds truncated to 32
// bits, so NewWriter rejects such fields. Reading DATE columns into
// time.Time works.
type Date int32

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

func (d Date) String() string { return d.Time().Format(time.DateOnly) }

// Interval is a value of a Parquet INTERVAL column (a 12-byte fixed
// annotated only by the deprecated converted type, which DuckDB and Impala
// still write), as File.Rows returns it: months, days and milliseconds,
// kept apart since a month's length in days, and a day's in milliseconds,
// vary.
type Interval struct {
	Months       uint32 `json:"months"`
	Days         uint32 `json:"days"`
	Milliseconds uint32 `json:"milliseconds"`
}

var timeType = reflect.TypeFor[time.Time]()

// checkWritable rejects struct fields that parquet-go v0.32.0 would write
// wrongly: time.Time tagged as a date, pointers to pointers (it panics
// closing the file), and slices of pointers not tagged as lists.
func checkWritable(t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Pointer {
			return fmt.Errorf("field %s: a pointer to a pointer (%s) cannot be written: make it a single pointer", strings.TrimSuffix(path, "."), t)
		}
		t = t.Elem()
	}
	if t.Kind() == reflect.Map {
		if err := checkWritable(t.Key(), path+".key"); err != nil {
			return err
		}
		return checkWritable(t.Elem(), path+".value")
	}
	if t.Kind() != reflect.Struct || t == timeType {
		return nil
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, ok := column(f)
		if !ok {
			continue
		}
		if derefAll(f.Type) == timeType && slices.Contains(strings.Split(opts, ","), "date") {
			return fmt.Errorf("field %s%s: parquet-go writes time.Time date columns wrongly; use parquetio.Date", path, name)
		}
		if err := checkListed(f, path, name); err != nil {
			return err
		}
		if err := checkWritable(f.Type, path+name+"."); err != nil {
			return err
		}
	}
	return nil
}

// checkListed refuses a field holding a slice of pointers, or a map whose
// values are one, that is not tagged as a list: parquet-go writes such a
// slice as a bare repeated column, which has no way to say an element is
// null, and drops a nil element or writes a file whose rows do not add up
// (read back, rows vanish; DuckDB calls it corrupt). Tagged as a list (a
// LIST column, as Spark and DuckDB write arrays), nil elements are nulls.
func checkListed(f reflect.StructField, path, name string) error {
	t := f.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pointerSlice := func(t reflect.Type) bool {
		return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Pointer
	}
	listed := func(tag string) bool {
		_, opts, _ := strings.Cut(f.Tag.Get(tag), ",")
		return slices.Contains(strings.Split(opts, ","), "list")
	}
	switch {
	case pointerSlice(t) && !listed("parquet"):
		return fmt.Errorf("field %s%s: a slice of pointers (%s) needs the list tag to hold nil elements: `parquet:\"%s,list\"`", path, name, f.Type, name)
	case t.Kind() == reflect.Map && pointerSlice(t.Elem()) && !listed("parquet-value"):
		return fmt.Errorf("field %s%s: the map's values, slices of pointers (%s), need the list tag to hold nil elements: `parquet-value:\",list\"`", path, name, t.Elem())
	}
	return nil
}

// nanoTimes returns a function finding, in a value of t, the first
// time.Time that parquet-go would write as a TIMESTAMP in nanoseconds (an
// untagged time.Time's unit) and that such a column cannot hold, with the
// path to its field; nil when t has no such field.
func nanoTimes(t reflect.Type, path string) func(v reflect.Value) (string, time.Time) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return nil
		}
		elem := nanoTimes(t.Elem(), path)
		if elem == nil {
			return nil
		}
		if t.Kind() == reflect.Pointer {
			return func(v reflect.Value) (string, time.Time) {
				if v.IsNil() {
					return "", time.Time{}
				}
				return elem(v.Elem())
			}
		}
		return func(v reflect.Value) (string, time.Time) {
			for i := range v.Len() {
				if f, t := elem(v.Index(i)); f != "" {
					return f, t
				}
			}
			return "", time.Time{}
		}
	case reflect.Map:
		elem := nanoTimes(t.Elem(), path)
		if elem == nil {
			return nil
		}
		return func(v reflect.Value) (string, time.Time) {
			for it := v.MapRange(); it.Next(); {
				if f, t := elem(it.Value()); f != "" {
					return f, t
				}
			}
			return "", time.Time{}
		}
	case reflect.Struct:
		if t == timeType {
			return func(v reflect.Value) (string, time.Time) {
				if at := v.Interface().(time.Time); at.Before(minNanoTime) || at.After(maxNanoTime) {
					return path, at
				}
				return "", time.Time{}
			}
		}
		type check struct {
			index int
			find  func(reflect.Value) (string, time.Time)
		}
		var checks []check
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, ok := column(f)
			if !ok {
				continue
			}
			if base := derefAll(f.Type); base == timeType && (strings.Contains(opts, "millisecond") || strings.Contains(opts, "microsecond")) {
				continue // a unit time.Time covers
			}
			if find := nanoTimes(f.Type, strings.TrimPrefix(path+"."+name, ".")); find != nil {
				checks = append(checks, check{i, find})
			}
		}
		if checks == nil {
			return nil
		}
		return func(v reflect.Value) (string, time.Time) {
			for _, c := range checks {
				if f, t := c.find(v.Field(c.index)); f != "" {
					return f, t
				}
			}
			return "", time.Time{}
		}
	}
	return nil
}

// The times a TIMESTAMP in nanoseconds holds.
var (
	minNanoTime = time.Unix(0, math.MinInt64)
	maxNanoTime = time.Unix(0, math.MaxInt64)
)

// derefAll is t through pointers and slices.
func derefAll(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return t
}

// column returns the Parquet column name and tag options of struct field f,
// as parquet-go reads them (the field's name unless the tag names one), and
// false for a field that has no column: unexported, or tagged "-".
func column(f reflect.StructField) (name, opts string, ok bool) {
	if !f.IsExported() {
		return "", "", false
	}
	tag := f.Tag.Get("parquet")
	if tag == "-" {
		return "", "", false
	}
	name, opts, _ = strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name, opts, true
}
