package parquetio

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/crunchgo/crunchgo/internal/decimal"
	"github.com/google/uuid"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// Literal is the set of Go types a Filter can compare a column with. A
// DECIMAL column (stored as INT32 or INT64) takes an integer or a decimal
// string ("62.50"), scaled to the number it stores; a UUID column takes
// the UUID's text or its 16 bytes; an unsigned column takes a
// non-negative integer. Filters on a DECIMAL stored as bytes are refused.
type Literal interface {
	string | []byte | bool | int | int32 | int64 | float32 | float64 | time.Time | Date
}

// A Filter prunes row groups: a row group is skipped when the minimum and
// maximum statistics of a filtered column prove that no row in it can match.
// It never removes rows from the row groups that are read, so a pipeline still
// filters rows itself; the filter only saves reading and decoding.
//
// A comparison on a partition column (one Read fills from a file's path)
// is judged on the path's value, and prunes whole files at planning.
//
// Row groups without statistics for a column are read. A row group whose
// column holds only nulls is skipped by any comparison on that column, since
// a comparison with null is never true.
type Filter struct {
	op     filterOp
	column string // dotted path
	lit    any    // one of the Literal types
	subs   []Filter
}

type filterOp int

const (
	opNone filterOp = iota
	opEq
	opLt
	opLe
	opGt
	opGe
	opAnd
	opOr
	opKnown // a comparison with a partition column: the same for every row of the file
)

var opNames = [...]string{"", "==", "<", "<=", ">", ">=", "and", "or", "known"}

func comparison[V Literal](op filterOp, column string, v V) Filter {
	return Filter{op: op, column: column, lit: any(v)}
}

// Eq keeps row groups that may hold rows with column == v. Nested columns are
// named with dots ("address.country").
func Eq[V Literal](column string, v V) Filter { return comparison(opEq, column, v) }

// Lt keeps row groups that may hold rows with column < v.
func Lt[V Literal](column string, v V) Filter { return comparison(opLt, column, v) }

// Le keeps row groups that may hold rows with column <= v.
func Le[V Literal](column string, v V) Filter { return comparison(opLe, column, v) }

// Gt keeps row groups that may hold rows with column > v.
func Gt[V Literal](column string, v V) Filter { return comparison(opGt, column, v) }

// Ge keeps row groups that may hold rows with column >= v.
func Ge[V Literal](column string, v V) Filter { return comparison(opGe, column, v) }

// And keeps row groups that every filter keeps.
func And(fs ...Filter) Filter { return Filter{op: opAnd, subs: fs} }

// Or keeps row groups that any filter keeps.
func Or(fs ...Filter) Filter { return Filter{op: opOr, subs: fs} }

func (f Filter) String() string {
	switch f.op {
	case opNone:
		return "true"
	case opAnd, opOr:
		parts := make([]string, len(f.subs))
		for i, s := range f.subs {
			parts[i] = s.String()
		}
		return "(" + strings.Join(parts, " "+opNames[f.op]+" ") + ")"
	}
	return fmt.Sprintf("%s %s %v", f.column, opNames[f.op], f.lit)
}

// boundFilter is a Filter resolved against one file's schema and the
// partition values of its path.
type boundFilter struct {
	op     filterOp
	column int
	typ    parquet.Type
	value  parquet.Value
	known  bool // opKnown's outcome
	subs   []boundFilter
}

// bind resolves f against the columns of a file's schema and the values
// its path gives to the columns it lacks, part (see partitionValues; a
// nil value is null). A column in the file wins over one in part. With a
// nil schema the file's columns are not known (split planning, before the
// file is opened): comparisons on columns not in part keep everything.
func (f Filter) bind(schema *parquet.Schema, part map[string]any) (boundFilter, error) {
	switch f.op {
	case opNone:
		return boundFilter{op: opNone}, nil
	case opAnd, opOr:
		b := boundFilter{op: f.op, subs: make([]boundFilter, len(f.subs))}
		for i, s := range f.subs {
			sb, err := s.bind(schema, part)
			if err != nil {
				return boundFilter{}, err
			}
			b.subs[i] = sb
		}
		return b, nil
	}
	var leaf parquet.LeafColumn
	ok := false
	if schema != nil {
		leaf, ok = schema.Lookup(strings.Split(f.column, ".")...)
	}
	if !ok {
		if val, isPart := part[f.column]; isPart {
			known, err := f.onPartition(val)
			return boundFilter{op: opKnown, known: known}, err
		}
		if schema == nil {
			return boundFilter{op: opNone}, nil
		}
		return boundFilter{}, fmt.Errorf("filter %s: no column %q in file or partition %q in its path", f, f.column, f.column)
	}
	if leaf.MaxRepetitionLevel > 0 {
		return boundFilter{}, fmt.Errorf("filter %s: column %q is repeated", f, f.column)
	}
	typ := leaf.Node.Type()
	v, err := literalValue(typ, f.lit)
	if err != nil {
		return boundFilter{}, fmt.Errorf("filter %s: %w", f, err)
	}
	op := f.op
	// A literal the column's type cannot hold exactly (a time finer than its
	// unit or beyond its range, a float64 on a FLOAT column) was rounded.
	// Rounded down, values equal to it are still below the literal, so Lt
	// must keep them; rounded up, values equal to it are above it, so Gt
	// must. (Le, Ge and Eq then keep row groups they could have pruned.)
	switch r := literalRounding(typ, f.lit); {
	case r < 0 && op == opLt:
		op = opLe
	case r > 0 && op == opGt:
		op = opGe
	}
	return boundFilter{op: op, column: leaf.ColumnIndex, typ: typ, value: v}, nil
}

// literalRounding says how the value literalValue makes of lit compares
// with lit: -1 below it, +1 above it, 0 equal (or not a rounding type).
func literalRounding(typ parquet.Type, lit any) int {
	switch v := lit.(type) {
	case time.Time:
		switch typ.Kind() {
		case parquet.Int32: // a DATE: the day of v, at midnight
			if h, m, s := v.Clock(); h != 0 || m != 0 || s != 0 || v.Nanosecond() != 0 {
				return -1
			}
		case parquet.Int64:
			if u, ok := timestampUnit(typ); ok {
				_, r := timeUnits(v, u)
				return r
			}
		}
	case float64:
		if typ.Kind() != parquet.Float {
			break
		}
		switch f := float64(float32(v)); {
		case f < v:
			return -1
		case f > v:
			return 1
		}
	}
	return 0
}

// timeUnits is t in whole units since the Unix epoch, rounded down and held
// within int64; rounded says how that compares with t (-1 below, +1 above,
// 0 equal). Go's UnixNano would wrap outside 1678–2262.
func timeUnits(t time.Time, unit time.Duration) (n int64, rounded int) {
	perSec := big.NewInt(int64(time.Second / unit))
	x := new(big.Int).Mul(big.NewInt(t.Unix()), perSec)
	x.Add(x, big.NewInt(int64(t.Nanosecond())/int64(unit)))
	if int64(t.Nanosecond())%int64(unit) != 0 {
		rounded = -1
	}
	switch {
	case x.Cmp(big.NewInt(math.MaxInt64)) > 0:
		return math.MaxInt64, -1
	case x.Cmp(big.NewInt(math.MinInt64)) < 0:
		return math.MinInt64, 1
	}
	return x.Int64(), rounded
}

// literalValue converts a Go literal into a parquet.Value comparable with the
// values of a column of type typ.
func literalValue(typ parquet.Type, lit any) (parquet.Value, error) {
	mismatch := func() (parquet.Value, error) {
		return parquet.Value{}, fmt.Errorf("cannot compare %T with a column of type %s", lit, typ)
	}
	// Logical types whose values are not their physical type's as they
	// look: comparing the literal as it looks would prune row groups that
	// hold matching rows.
	switch lt := logicalValue(typ).(type) {
	case *format.DecimalType:
		return decimalLiteral(typ, lt, lit)
	case *format.UUIDType:
		if s, ok := lit.(string); ok {
			u, err := uuid.Parse(s)
			if err != nil {
				return parquet.Value{}, fmt.Errorf("literal %q for a UUID column: %w", s, err)
			}
			lit = u[:]
		}
	case *format.IntType:
		if !lt.IsSigned {
			return unsignedLiteral(typ, lit)
		}
	}
	switch typ.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		var b []byte
		switch v := lit.(type) {
		case string:
			b = []byte(v)
		case []byte:
			b = v
		default:
			return mismatch()
		}
		if typ.Kind() == parquet.FixedLenByteArray && len(b) != typ.Length() {
			return parquet.Value{}, fmt.Errorf("literal of %d bytes for a column of %d-byte values", len(b), typ.Length())
		}
		return parquet.ByteArrayValue(b), nil
	case parquet.Boolean:
		if v, ok := lit.(bool); ok {
			return parquet.BooleanValue(v), nil
		}
	case parquet.Float:
		switch v := lit.(type) {
		case float32:
			return parquet.FloatValue(v), nil
		case float64:
			return parquet.FloatValue(float32(v)), nil
		}
	case parquet.Double:
		switch v := lit.(type) {
		case float32:
			return parquet.DoubleValue(float64(v)), nil
		case float64:
			return parquet.DoubleValue(v), nil
		}
	case parquet.Int32:
		n, ok := intLiteral(lit)
		switch v := lit.(type) {
		case time.Time:
			if !isDate(typ) {
				return mismatch()
			}
			n = int64(DateOf(v))
		case Date:
			if !isDate(typ) {
				return mismatch()
			}
			n = int64(v)
		default:
			if !ok {
				return mismatch()
			}
		}
		if n < math.MinInt32 || n > math.MaxInt32 {
			return parquet.Value{}, fmt.Errorf("literal %d out of range of column type %s", n, typ)
		}
		return parquet.Int32Value(int32(n)), nil
	case parquet.Int64:
		switch v := lit.(type) {
		case int:
			return parquet.Int64Value(int64(v)), nil
		case int32:
			return parquet.Int64Value(int64(v)), nil
		case int64:
			return parquet.Int64Value(v), nil
		case time.Time:
			if u, ok := timestampUnit(typ); ok {
				n, _ := timeUnits(v, u)
				return parquet.Int64Value(n), nil
			}
		}
	}
	return mismatch()
}

// decimalLiteral converts an integer or a decimal string ("62.50") into the
// unscaled number a DECIMAL column stores (6250 at scale 2). Decimals
// stored as byte arrays compare as signed big-endian numbers, which
// parquet-go's byte order does not: filters on them are refused.
func decimalLiteral(typ parquet.Type, d *format.DecimalType, lit any) (parquet.Value, error) {
	if typ.Kind() != parquet.Int32 && typ.Kind() != parquet.Int64 {
		return parquet.Value{}, fmt.Errorf("filters on a DECIMAL stored as %s are not supported: filter the rows after reading", typ.Kind())
	}
	r := new(big.Rat)
	n, isInt := intLiteral(lit)
	switch v := lit.(type) {
	case string:
		if _, ok := r.SetString(v); !ok {
			return parquet.Value{}, fmt.Errorf("literal %q for a DECIMAL column is not a decimal number", v)
		}
	default:
		if isInt {
			r.SetInt64(n)
			break
		}
		return parquet.Value{}, fmt.Errorf("cannot compare %T with a column of type %s: give an integer or a decimal string", lit, typ)
	}
	r.Mul(r, new(big.Rat).SetInt(decimal.Pow10(int(d.Scale))))
	if !r.IsInt() || !r.Num().IsInt64() {
		return parquet.Value{}, fmt.Errorf("literal %v does not fit a column of type %s", lit, typ)
	}
	n = r.Num().Int64()
	if typ.Kind() == parquet.Int32 {
		if n < math.MinInt32 || n > math.MaxInt32 {
			return parquet.Value{}, fmt.Errorf("literal %v does not fit a column of type %s", lit, typ)
		}
		return parquet.Int32Value(int32(n)), nil
	}
	return parquet.Int64Value(n), nil
}

// unsignedLiteral converts a non-negative integer into the bits an unsigned
// INT32 or INT64 column stores.
func unsignedLiteral(typ parquet.Type, lit any) (parquet.Value, error) {
	n, ok := intLiteral(lit)
	switch {
	case !ok:
		return parquet.Value{}, fmt.Errorf("cannot compare %T with a column of type %s", lit, typ)
	case n < 0:
		return parquet.Value{}, fmt.Errorf("literal %d out of range of column type %s", n, typ)
	case typ.Kind() == parquet.Int32:
		if n > math.MaxUint32 {
			return parquet.Value{}, fmt.Errorf("literal %d out of range of column type %s", n, typ)
		}
		return parquet.Int32Value(int32(uint32(n))), nil
	}
	return parquet.Int64Value(n), nil
}

// intLiteral returns an integer literal's value.
func intLiteral(lit any) (int64, bool) {
	switch v := lit.(type) {
	case int:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	}
	return 0, false
}

// boundsOf is implemented by the column chunks of a parquet.File.
type boundsOf interface {
	Bounds() (min, max parquet.Value, ok bool)
	NullCount() int64
	NumValues() int64
}

// keep reports whether row group rg may hold matching rows.
func (b *boundFilter) keep(rg parquet.RowGroup) bool {
	switch b.op {
	case opNone:
		return true
	case opAnd:
		for i := range b.subs {
			if !b.subs[i].keep(rg) {
				return false
			}
		}
		return true
	case opOr:
		for i := range b.subs {
			if b.subs[i].keep(rg) {
				return true
			}
		}
		return len(b.subs) == 0
	case opKnown:
		return b.known
	}
	chunk, ok := rg.ColumnChunks()[b.column].(boundsOf)
	if !ok {
		return true
	}
	if n := chunk.NumValues(); n > 0 && chunk.NullCount() == n {
		return false // only nulls: no comparison is true
	}
	lo, hi, ok := chunk.Bounds()
	if !ok {
		return true
	}
	c := b.typ.Compare
	switch b.op {
	case opEq:
		return c(lo, b.value) <= 0 && c(b.value, hi) <= 0
	case opLt:
		return c(lo, b.value) < 0
	case opLe:
		return c(lo, b.value) <= 0
	case opGt:
		return c(hi, b.value) > 0
	case opGe:
		return c(hi, b.value) >= 0
	}
	return true
}

// onPartition evaluates leaf comparison f on a partition value val, as
// hivepart.FieldValue parsed it into the type of the field it fills:
// numbers compare as numbers, times as instants, strings byte-wise. A null
// (nil) or a NaN compares false, as in Go.
func (f Filter) onPartition(val any) (bool, error) {
	if val == nil {
		return false, nil
	}
	c, nan, ok := comparePartition(val, f.lit)
	if !ok {
		return false, fmt.Errorf("filter %s: cannot compare %T with partition column %q (%T)", f, f.lit, f.column, val)
	}
	if nan {
		return false, nil
	}
	switch f.op {
	case opEq:
		return c == 0, nil
	case opLt:
		return c < 0, nil
	case opLe:
		return c <= 0, nil
	case opGt:
		return c > 0, nil
	case opGe:
		return c >= 0, nil
	}
	return true, nil
}

// comparePartition compares a parsed partition value with a filter's
// literal: c is -1, 0 or +1; nan says one of them is NaN; ok is false when
// the literal's type does not go with the value's.
func comparePartition(val, lit any) (c int, nan, ok bool) {
	n, isInt := intLiteral(lit)
	switch v := val.(type) {
	case string:
		switch l := lit.(type) {
		case string:
			return strings.Compare(v, l), false, true
		case []byte:
			return strings.Compare(v, string(l)), false, true
		}
	case bool:
		if l, isBool := lit.(bool); isBool {
			return cmpBool(v, l), false, true
		}
	case int64:
		if isInt {
			return cmp.Compare(v, n), false, true
		}
	case uint64:
		if isInt {
			if n < 0 {
				return 1, false, true
			}
			return cmp.Compare(v, uint64(n)), false, true
		}
	case float64:
		var l float64
		switch x := lit.(type) {
		case float32:
			l = float64(x)
		case float64:
			l = x
		default:
			return 0, false, false
		}
		if math.IsNaN(v) || math.IsNaN(l) {
			return 0, true, true
		}
		return cmp.Compare(v, l), false, true
	case time.Time:
		switch l := lit.(type) {
		case time.Time:
			return v.Compare(l), false, true
		case Date:
			return v.Compare(time.Unix(int64(l)*86400, 0)), false, true
		}
	}
	return 0, false, false
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}
