package parquetio

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// Matching a file's schema to T's. When a Reader opens a file (and when the
// pipeline source splits its files), every column T names is matched to
// the file's column of the same path:
//
//   - a column the file lacks must be one T can leave out: some node of the
//     missing part of its path (the leaf, or a group above it) is optional
//     or repeated in T, and reads as nil, an empty list or map, or the zero
//     value of a field tagged optional. Else the open fails, unless
//     ZeroFillMissing;
//   - repetition and group-or-leaf must agree node by node;
//   - the file's type must convert to T's without loss (see lossless);
//   - where the file's node is optional and T's is required, T cannot hold
//     the file's nulls: those columns get a valueCheck, which fails the read
//     at the first such null;
//   - a TIMESTAMP in milliseconds or microseconds read into a time.Time
//     gets one too: parquet-go converts it through int64 nanoseconds, which
//     wrap outside 1677-09-21..2262-04-11 (as 9999-12-31, a common "no end"
//     date, does), and would read such a value as another date.

// valueCheck finds the values of one file column that T cannot hold: nulls
// where T requires a value, and timestamps a time.Time field cannot be
// given.
type valueCheck struct {
	column string // dotted path
	field  string // T's field, for errors
	// bad[d], when not "", says how T could hold the null a value of
	// definition level d is; len(bad) is the column's max definition
	// level. nil: T holds every null.
	bad []string
	// nanos, if not 0, is the nanoseconds in a unit of the column's
	// TIMESTAMP, read into a time.Time: values beyond ±MaxInt64/nanos
	// units cannot be.
	nanos int64
}

// first returns the index among p's values (nulls included) of the first
// one T cannot hold, or -1, and why. A page without nulls costs one count
// of its definition levels (vectorised in parquet-go), and a timestamp
// page one computation of its bounds, not a look at each value.
func (c *valueCheck) first(p parquet.Page) (int, string) {
	if i, advice := c.firstNull(p); i >= 0 {
		return i, fmt.Sprintf("null value for %s, which cannot hold null: the data needs a value there, or %s", c.field, advice)
	}
	return c.firstOutOfRange(p)
}

// firstOutOfRange returns the index among p's values of the first
// timestamp a time.Time cannot be given, and why, or -1.
func (c *valueCheck) firstOutOfRange(p parquet.Page) (int, string) {
	if c.nanos == 0 {
		return -1, ""
	}
	lo, hi := math.MinInt64/c.nanos, math.MaxInt64/c.nanos
	if min, max, ok := p.Bounds(); !ok || min.Int64() >= lo && max.Int64() <= hi {
		return -1, ""
	}
	vals := make([]parquet.Value, p.NumValues())
	n, _ := p.Values().ReadValues(vals)
	for i, v := range vals[:n] {
		if !v.IsNull() && (v.Int64() < lo || v.Int64() > hi) {
			perSecond := int64(time.Second) / c.nanos
			at := time.Unix(v.Int64()/perSecond, v.Int64()%perSecond*c.nanos).UTC()
			unit := unitName(time.Duration(c.nanos))
			return i, fmt.Sprintf("timestamp %s is outside 1677-09-21..2262-04-11, which the Parquet library cannot give %s (it converts through int64 nanoseconds): read the column into an int64 tagged timestamp(%s)",
				at.Format(time.RFC3339Nano), c.field, unit)
		}
	}
	return -1, ""
}

// firstNull returns the index among p's values of the first null T cannot
// hold, and how T could hold it, or -1.
func (c *valueCheck) firstNull(p parquet.Page) (int, string) {
	if c.bad == nil || p.NumNulls() == 0 {
		return -1, ""
	}
	defs := p.DefinitionLevels()
	if defs == nil {
		return 0, c.bad[0] // a page of nulls only
	}
	for i, d := range defs {
		if int(d) < len(c.bad) && c.bad[d] != "" {
			return i, c.bad[d]
		}
	}
	return -1, ""
}

// valueChecks are the value checks of one file, by file column index (nil
// for columns that need none), and what locates an error.
type valueChecks struct {
	path string
	cols []*valueCheck
}

// checkedPages fails ReadPage on a page holding a value T cannot hold
// (valueCheck), before anything reads its values.
type checkedPages struct {
	parquet.Pages
	check    *valueCheck
	path     string
	rowGroup int
	firstRow int64 // of the row group, in the file
	row      int64 // of the next page, in the row group
}

func (p *checkedPages) ReadPage() (parquet.Page, error) {
	pg, err := p.Pages.ReadPage()
	if err != nil {
		return pg, err
	}
	if i, why := p.check.first(pg); i >= 0 {
		row := p.row + int64(i)
		if reps := pg.RepetitionLevels(); len(reps) > i {
			row = p.row - 1
			for _, r := range reps[:i+1] {
				if r == 0 {
					row++
				}
			}
		}
		parquet.Release(pg)
		return nil, &SchemaError{
			Path: p.path, Column: p.check.column, RowGroup: p.rowGroup, Row: p.firstRow + row, RowInGroup: row,
			Err: errors.New(why),
		}
	}
	p.row += pg.NumRows()
	return pg, nil
}

func (p *checkedPages) SeekToRow(row int64) error {
	p.row = row
	return p.Pages.SeekToRow(row)
}

// checkFile matches the schema of f, at path, to T's (see checkSchema). It
// returns the schema T is read with: T's own, or for a T with big.Rat
// fields that of T's shadow for f (see decimal.go), read by rats.
func checkFile[T any](path string, f *parquet.File, cfg *readConfig) (want *parquet.Schema, rats *ratReader, checks *valueChecks, err error) {
	t := reflect.TypeFor[T]()
	rs, err := ratStructOf(t)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("parquetio: %w", err)
	}
	if rs != nil {
		if rats, err = newRatReader(path, rs, f.Schema()); err != nil {
			return nil, nil, nil, err
		}
		want = rats.schema
	} else if want, err = schemaOf[T](); err != nil {
		return nil, nil, nil, err
	}
	for _, name := range cfg.required {
		if _, ok := want.Lookup(strings.Split(name, ".")...); !ok {
			return nil, nil, nil, fmt.Errorf("parquetio: Require(%q): %s has no such column", name, t)
		}
	}
	checks, err = checkSchema(path, t, want, f.Schema(), cfg.zeroFill, cfg.required, rs)
	if err != nil {
		return nil, nil, nil, err
	}
	if _, err := partitionSetter(path, t, f.Schema()); err != nil {
		return nil, nil, nil, err
	}
	return want, rats, checks, nil
}

// checkSchema matches have, the schema of the file at path, to want, the
// schema of t. It returns a *SchemaError for the first column of want that
// cannot be read from have without loss, and else the null checks the
// columns of have need. rats, if not nil, holds t's big.Rats, whose columns
// newRatReader has matched.
func checkSchema(path string, t reflect.Type, want, have *parquet.Schema, zeroFill bool, required []string, rats *ratStruct) (*valueChecks, error) {
	checks := &valueChecks{path: path}
	pathCols := fromPath(path, t, have)
	for _, col := range want.Columns() {
		fail := func(format string, args ...any) error {
			return &SchemaError{Path: path, Column: strings.Join(col, "."), RowGroup: -1, Row: -1, RowInGroup: -1,
				Err: fmt.Errorf(format, args...)}
		}
		var w, h parquet.Node = want, have
		missing := false    // the file lacks col from some node on
		absent := false     // and T can leave that part out
		hint := ""          // a name of the file's that differs only in case
		var bad []string    // by the file's definition level: how T could hold a null there
		inRepeated := false // the node above is repeated: a list's element
		var def byte        // the file's definition level above the node
		for _, name := range col {
			w = child(w, name)
			if !missing {
				parent := h
				if h = child(h, name); h == nil {
					missing = true
					if other, onlyCase := similarChild(parent, name); other != "" {
						hint = fmt.Sprintf(" (it has %q: name it in the field's tag, parquet:%q)", other, other)
						if onlyCase {
							hint = fmt.Sprintf(" (it has %q: names are case-sensitive; name it in the field's tag, parquet:%q)", other, other)
						}
					}
				}
			}
			if missing {
				absent = absent || !w.Required()
				continue
			}
			switch {
			case h.Repeated() && !w.Repeated():
				return nil, fail("repeated in the file but not in %s", describe(t, col))
			case w.Repeated() && !h.Repeated():
				return nil, fail("repeated in %s but not in the file", describe(t, col))
			case h.Leaf() != w.Leaf():
				return nil, fail("a %s in the file but a %s in %s", leafOrGroup(h), leafOrGroup(w), describe(t, col))
			}
			if h.Optional() && w.Required() {
				for len(bad) <= int(def) {
					bad = append(bad, "")
				}
				bad[def] = nullAdvice(name, w, inRepeated)
			}
			if !h.Required() {
				def++
			}
			inRepeated = w.Repeated()
		}
		if missing {
			if len(col) == 1 && pathCols[col[0]] {
				continue // filled from the file's path (partition.go)
			}
			if !absent && !zeroFill {
				return nil, fail("not in the file%s, and %s cannot be absent: the data needs the column, or the Go field must be a pointer to read nil, or the read use ZeroFillMissing",
					hint, describe(t, col))
			}
			if slices.Contains(required, strings.Join(col, ".")) {
				return nil, fail("not in the file%s, which the read requires", hint)
			}
			continue
		}
		if why := durationMismatch(t, col, h.Type(), w.Type()); why != "" {
			return nil, fail("%s, which %s would read as nanoseconds: %s", why, describe(t, col), durationAdvice(h.Type()))
		}
		// A big.Rat's column was matched by newRatReader, which gave the
		// shadow the file's physical type.
		if (rats == nil || !rats.isLeaf(col)) && !lossless(h.Type(), w.Type(), int64Field(t, col)) {
			return nil, fail("file type %s does not convert without loss to %s of %s%s",
				typeName(h.Type()), typeName(w.Type()), describe(t, col), unitAdvice(t, col, h.Type(), w.Type())+unsignedAdvice(h.Type(), w.Type()))
		}
		nanos := timeFieldUnit(t, col, h.Type())
		if bad != nil || nanos != 0 {
			for bad != nil && len(bad) < int(def) {
				bad = append(bad, "")
			}
			leaf, _ := have.Lookup(col...)
			if checks.cols == nil {
				checks.cols = make([]*valueCheck, len(have.Columns()))
			}
			checks.cols[leaf.ColumnIndex] = &valueCheck{column: strings.Join(col, "."), field: describe(t, col), bad: bad, nanos: nanos}
		}
	}
	return checks, nil
}

// nullAdvice says how T could hold a null of its node w, called name, which
// T requires (the other way out being data without the null: the message
// is read by those who run a job as well as those who wrote it):
// inRepeated says that the node above is repeated, making w a list's
// element.
func nullAdvice(name string, w parquet.Node, inRepeated bool) string {
	switch {
	case inRepeated:
		return "the Go list's elements must be pointers to read null elements as nil"
	case w.Leaf():
		return "the Go field must be a pointer, or tagged optional to read nulls as zero values"
	}
	switch logicalValue(w.Type()).(type) {
	case *format.ListType:
		return fmt.Sprintf("its Go field must be tagged optional (%s,list,optional) to read a null list as empty", name)
	case *format.MapType:
		return fmt.Sprintf("its Go field must be tagged optional (%s,optional) to read a null map as empty", name)
	}
	return "its Go field must be a pointer to read a null group as nil"
}

// child returns the field of group n called name, or nil.
func child(n parquet.Node, name string) parquet.Node {
	for _, f := range n.Fields() {
		if f.Name() == name {
			return f
		}
	}
	return nil
}

// similarChild returns the name of a field of group n that name likely
// meant, or "": one differing only in case (onlyCase true), else one
// differing in case and underscores, as a Go field without a tag
// ("UserID") differs from the column it stands for ("user_id").
func similarChild(n parquet.Node, name string) (other string, onlyCase bool) {
	for _, f := range n.Fields() {
		if strings.EqualFold(f.Name(), name) {
			return f.Name(), true
		}
	}
	for _, f := range n.Fields() {
		if withoutUnderscores(f.Name()) == withoutUnderscores(name) {
			return f.Name(), false
		}
	}
	return "", false
}

func withoutUnderscores(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, "_", ""))
}

func leafOrGroup(n parquet.Node) string {
	if n.Leaf() {
		return "leaf"
	}
	return "group"
}

// describe names the Go field of t that holds column col, as far as the
// path goes through structs (a list or map field stands for the columns
// inside it): "field MsPlayed (int64) of listening.Event".
func describe(t reflect.Type, col []string) string {
	names, ft := goField(t, col)
	if len(names) == 0 {
		return fmt.Sprintf("the column of %s", t)
	}
	return fmt.Sprintf("field %s (%s) of %s", strings.Join(names, "."), ft, t)
}

// goField follows column col through the structs of t: the Go field names
// on the way and the type of the last.
func goField(t reflect.Type, col []string) (names []string, ft reflect.Type) {
	ft = t
	for _, name := range col {
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() != reflect.Struct || ft == timeType {
			break
		}
		f, ok := fieldOf(ft, name)
		if !ok {
			break
		}
		names = append(names, f.Name)
		ft = f.Type
	}
	return names, ft
}

// leafGoType returns the type (through pointers) of the Go field of t that
// holds leaf column col, or nil when col is inside a list or map field.
func leafGoType(t reflect.Type, col []string) reflect.Type {
	names, ft := goField(t, col)
	if len(names) != len(col) {
		return nil
	}
	for ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	return ft
}

// timeFieldUnit returns the nanoseconds in a unit of column col's file type
// have when it is a TIMESTAMP in milliseconds or microseconds that a
// time.Time field of t (through pointers) holds, and else 0.
func timeFieldUnit(t reflect.Type, col []string, have parquet.Type) int64 {
	if unit, ok := timestampUnit(have); ok && unit > time.Nanosecond && leafGoType(t, col) == timeType {
		return int64(unit)
	}
	return 0
}

// durationMismatch says what file type have stores when column col of t is
// held by a time.Duration (through pointers) whose type want declares no
// unit and have is a DATE, TIME or TIMESTAMP not in nanoseconds, and else
// returns "". Such a time.Duration is an INT64 to parquet-go, so lossless
// would let the number stored through; tagged time(unit), parquet-go
// converts.
func durationMismatch(t reflect.Type, col []string, have, want parquet.Type) string {
	if leafGoType(t, col) != reflect.TypeFor[time.Duration]() {
		return ""
	}
	if _, ok := timestampUnit(want); ok {
		return "" // a declared unit
	}
	if _, ok := timeOfDayUnit(want); ok {
		return ""
	}
	if isDate(have) {
		return "the file's DATE stores days"
	}
	unit, ok := timestampUnit(have)
	if !ok {
		unit, ok = timeOfDayUnit(have)
	}
	if !ok || unit == time.Nanosecond {
		return ""
	}
	return fmt.Sprintf("the file's %s stores %ss", typeName(have), unitName(unit))
}

// durationAdvice says how to read a file's DATE, TIME or TIMESTAMP that an
// untagged time.Duration cannot.
func durationAdvice(have parquet.Type) string {
	if unit, ok := timeOfDayUnit(have); ok {
		return fmt.Sprintf("tag it time(%s) to read a duration, or read an int64, the number stored", unitName(unit))
	}
	return "read an int64, the number stored"
}

// unitAdvice says how to read TIMESTAMP column col of file type have when T
// declares another unit (want), else "". A field's tag gives the unit; the
// elements of a list or map take no tag in parquet-go, and read only as
// int64s.
func unitAdvice(t reflect.Type, col []string, have, want parquet.Type) string {
	unit, ok := timestampUnit(have)
	if _, wantOK := timestampUnit(want); !ok || !wantOK {
		return ""
	}
	if g := leafGoType(t, col); g == nil || g.Kind() == reflect.Slice {
		return fmt.Sprintf(": read the list or map's elements as int64s (the %ss stored)", unitName(unit))
	}
	return fmt.Sprintf(": tag the field timestamp(%s)", unitName(unit))
}

// unsignedAdvice explains why an unsigned 32- or 64-bit column (have) does
// not read into a signed integer (want), even a wider one, else "".
func unsignedAdvice(have, want parquet.Type) string {
	hb, hs, ok := intOf(have, true)
	if !ok || hs || hb < 32 {
		return ""
	}
	if _, ws, ok := intOf(want, false); !ok || !ws {
		return ""
	}
	return fmt.Sprintf(" (parquet-go would read values from 2^%d up as negative): read it into a uint%d field", hb-1, hb)
}

// int64Field reports whether column col of t is held by an int64 field
// (through pointers): its TIMESTAMP type then comes from the field's
// timestamp(unit) tag, not from time.Time.
func int64Field(t reflect.Type, col []string) bool {
	ft := leafGoType(t, col)
	return ft != nil && ft.Kind() == reflect.Int64
}

// fieldOf returns the field of struct type t whose column is name.
func fieldOf(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if n, _, ok := column(f); ok && n == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// typeName is t as Field.Type shows it: "INT64/TIMESTAMP(...)".
func typeName(t parquet.Type) string {
	s := t.Kind().String()
	if t.Kind() == parquet.FixedLenByteArray {
		s = fmt.Sprintf("%s(%d)", s, t.Length())
	}
	if lt := t.LogicalType(); lt != nil && lt.Value != nil {
		s += "/" + lt.String()
	}
	return s
}

func logicalValue(t parquet.Type) format.LogicalTypeValue {
	if lt := t.LogicalType(); lt != nil {
		return lt.Value
	}
	return nil
}

// lossless reports whether parquetio reads values of file type from into
// a column of T's type to exactly, with no value lost or changed. Beyond
// equal types (a TIME's or TIMESTAMP's isAdjustedToUTC aside), these are
// allowed:
//
//   - signed integers into signed integers as wide or wider, and unsigned
//     8 and 16 bit integers into wider integers;
//   - DATE, TIME and TIMESTAMP into a plain integer as wide or wider, as the
//     number they store (days, or units since midnight or the epoch), but
//     not into an untagged time.Duration unless in nanoseconds (see
//     durationMismatch);
//   - a plain signed 64-bit integer into the INT64 TIMESTAMP of an int64
//     field tagged timestamp(unit) (intField): the numbers are taken to be
//     in the field's unit, as files without the logical type store them (a
//     time.Time field, whose unit is not declared, refuses them);
//   - signed integers of up to 32 bits, and FLOAT, into DOUBLE;
//   - byte strings (BYTE_ARRAY plain, STRING, ENUM or JSON) into STRING or
//     plain BYTE_ARRAY, and FIXED_LEN_BYTE_ARRAY (plain or UUID) into plain
//     BYTE_ARRAY.
//
// Everything else is refused, notably: narrowing integers, floats into
// integers, DOUBLE into FLOAT, INT64 into DOUBLE, numbers from or to
// strings, timestamps of another unit, DATE into TIMESTAMP, DECIMAL of
// another precision, scale or physical type, or into anything but itself.
// parquet-go v0.32.0 also sign-extends UINT32 values into 64 bits and
// misreads INT96 as TIMESTAMP, so a UINT32 reads only as uint32, and INT96
// only as INT96.
func lossless(from, to parquet.Type, intField bool) bool {
	fk, tk := from.Kind(), to.Kind()
	fl, tl := logicalValue(from), logicalValue(to)
	if _, ok := tl.(*format.TimestampType); ok && tk == parquet.Int64 && intField {
		if fb, fs, ok := intOf(from, false); ok && fs && fb == 64 {
			return true
		}
	}
	if fb, fs, ok := intOf(from, true); ok {
		if tb, ts, ok := intOf(to, false); ok {
			switch {
			case fs:
				return ts && tb >= fb
			case fb <= 16: // unsigned, stored as non-negative INT32s
				return tb > fb || !ts && tb == fb
			}
			return !ts && tb == fb
		}
		if tk == parquet.Double && tl == nil {
			return fs && fb <= 32
		}
	}
	if fk == parquet.Float && tk == parquet.Double && fl == nil && tl == nil {
		return true
	}
	if tk == parquet.ByteArray {
		switch tl.(type) {
		case nil:
			switch fl.(type) {
			case nil, *format.StringType, *format.EnumType, *format.JsonType, *format.UUIDType:
				if fk == parquet.ByteArray || fk == parquet.FixedLenByteArray {
					return true
				}
			}
		case *format.StringType:
			switch fl.(type) {
			case nil, *format.StringType, *format.EnumType, *format.JsonType:
				if fk == parquet.ByteArray {
					return true
				}
			}
		}
	}
	return sameType(from, to)
}

// intOf returns the width and signedness of the integers of type t: INT32
// and INT64 plain or with an INT annotation, and with stored, the numbers
// that DATE, TIME and TIMESTAMP store.
func intOf(t parquet.Type, stored bool) (bits int, signed, ok bool) {
	k := t.Kind()
	if k != parquet.Int32 && k != parquet.Int64 {
		return 0, false, false
	}
	bits = 32
	if k == parquet.Int64 {
		bits = 64
	}
	switch lt := logicalValue(t).(type) {
	case nil:
		return bits, true, true
	case *format.IntType:
		if int(lt.BitWidth) > bits || lt.BitWidth <= 0 {
			return 0, false, false
		}
		return int(lt.BitWidth), lt.IsSigned, true
	case *format.DateType, *format.TimeType, *format.TimestampType:
		return bits, true, stored
	}
	return 0, false, false
}

// sameType reports whether a and b are the same type: physical type,
// length and logical type, with TIMESTAMPs (and TIMEs) of the same unit
// equal whether or not they are adjusted to UTC.
func sameType(a, b parquet.Type) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	if a.Kind() == parquet.FixedLenByteArray && a.Length() != b.Length() {
		return false
	}
	ua, oka := timestampUnit(a)
	ub, okb := timestampUnit(b)
	if oka || okb {
		return oka && okb && ua == ub
	}
	la, lb := logicalValue(a), logicalValue(b)
	if la == nil || lb == nil {
		return la == nil && lb == nil
	}
	if ua, ok := timeOfDayUnit(a); ok {
		ub, ok := timeOfDayUnit(b)
		return ok && ua == ub // isAdjustedToUTC aside, as for TIMESTAMP
	}
	return la.String() == lb.String()
}
