package parquetio

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"

	"github.com/crunchgo/crunchgo/internal/decimal"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// Reading and writing rows of a T holding big.Rats through its shadow (see
// decimal.go).

// shadowRows are the rows of a shadow type that a ratReader or ratWriter
// converts.
type shadowRows struct {
	rs     *ratStruct
	schema *parquet.Schema // of the shadow
	buf    reflect.Value   // []shadow
}

func newShadowRows(rs *ratStruct, leaves []shadowLeaf) (shadowRows, error) {
	st, err := rs.shadow(leaves)
	if err != nil {
		return shadowRows{}, fmt.Errorf("parquetio: %w", err)
	}
	schema, err := shadowSchema(rs, st)
	return shadowRows{rs: rs, schema: schema, buf: reflect.New(reflect.SliceOf(st)).Elem()}, err
}

// reserve makes room for n rows.
func (sr *shadowRows) reserve(n int) {
	if sr.buf.Len() < n {
		sr.buf = reflect.MakeSlice(sr.buf.Type(), n, n)
	}
}

// ratReader reads rows of a T holding big.Rats from one file through the
// shadow type that follows the file's columns.
type ratReader struct {
	shadowRows
	denoms []*big.Int    // by leaf: 10^scale of its file column
	rows   []parquet.Row // as read, before Reconstruct
}

// newRatReader matches T's big.Rats to the columns of have, the schema of
// the file at path, and returns the reader of T's shadow for the file.
func newRatReader(path string, rs *ratStruct, have *parquet.Schema) (*ratReader, error) {
	rr := &ratReader{denoms: make([]*big.Int, len(rs.leaves))}
	leaves := make([]shadowLeaf, len(rs.leaves))
	for k := range rs.leaves {
		var err error
		if leaves[k], rr.denoms[k], err = readLeaf(path, rs, &rs.leaves[k], have); err != nil {
			return nil, err
		}
	}
	var err error
	if rr.shadowRows, err = newShadowRows(rs, leaves); err != nil {
		return nil, err
	}
	return rr, nil
}

// readLeaf returns the shadow of big.Rat leaf lf for the file at path, of
// schema have, and the denominator of its values. Its column must be a
// DECIMAL leaf, not repeated, of any physical type; if lf is tagged
// decimal(scale:precision), one whose values that type holds.
func readLeaf(path string, rs *ratStruct, lf *ratLeaf, have *parquet.Schema) (shadowLeaf, *big.Int, error) {
	h := lookup(have, lf.column)
	if h == nil {
		// Absent from the file: nil, or an error from checkSchema unless
		// ZeroFillMissing, which fills an int64 with 0 (it cannot fill
		// the [n]byte a wide tag would write).
		return lf.placeholder(), big.NewInt(1), nil
	}
	fail := func(format string, args ...any) (shadowLeaf, *big.Int, error) {
		return shadowLeaf{}, nil, &SchemaError{Path: path, Column: strings.Join(lf.column, "."), RowGroup: -1, Row: -1, RowInGroup: -1,
			Err: fmt.Errorf(format, args...)}
	}
	what := lf.describe(rs.t)
	if !h.Leaf() || h.Repeated() {
		kind := leafOrGroup(h)
		if h.Repeated() {
			kind = "repeated " + kind
		}
		return fail("a %s in the file: %s reads only non-repeated DECIMAL columns", kind, what)
	}
	dec, ok := logicalValue(h.Type()).(*format.DecimalType)
	if !ok {
		return fail("file type %s is not a DECIMAL: %s reads only DECIMAL columns", typeName(h.Type()), what)
	}
	if lf.tagged && (int(dec.Scale) > lf.scale || int(dec.Precision-dec.Scale) > lf.precision-lf.scale) {
		return fail("file type %s does not convert without loss to DECIMAL(%d,%d) of %s: tag it decimal(%d:%d), or leave out the tag to read any DECIMAL",
			typeName(h.Type()), lf.precision, lf.scale, what, dec.Scale, dec.Precision)
	}
	kind := h.Type().Kind()
	switch kind {
	case parquet.Int32, parquet.Int64, parquet.FixedLenByteArray, parquet.ByteArray:
		if dec.Scale >= 0 {
			break
		}
		fallthrough
	default:
		return fail("file type %s is not a valid DECIMAL", typeName(h.Type()))
	}
	if lf.inMap && !lf.ptr && kind == parquet.FixedLenByteArray {
		return fail("file type %s in a map's values: %s must be a *big.Rat (or be under a pointer), as the Parquet library cannot read a FIXED_LEN_BYTE_ARRAY into a map's value",
			typeName(h.Type()), what)
	}
	return shadowLeaf{physical(kind, h.Type().Length(), lf.ptr), lf.opts}, decimal.Pow10(int(dec.Scale)), nil
}

// lookup returns the node of n at path col, or nil.
func lookup(n parquet.Node, col []string) parquet.Node {
	for _, name := range col {
		if n = child(n, name); n == nil {
			return nil
		}
	}
	return n
}

// read reads up to len(rows) rows from src into rows, a []T.
func (rr *ratReader) read(src parquet.RowReader, rows reflect.Value) (int, error) {
	n := rows.Len()
	rr.reserve(n)
	if cap(rr.rows) < n {
		rr.rows = make([]parquet.Row, n)
	}
	m, err := src.ReadRows(rr.rows[:n])
	for i := range m {
		sv := rr.buf.Index(i)
		sv.SetZero()
		if err := rr.schema.Reconstruct(sv.Addr().Interface(), rr.rows[i]); err != nil {
			return i, err
		}
		if err := rr.get(rr.rs.root, rows.Index(i), sv); err != nil {
			return i, err
		}
	}
	return m, err
}

// get stores shadow value sv of node n into tv, of T's type. Nil pointers,
// lists and maps stay nil.
func (rr *ratReader) get(n *ratNode, tv, sv reflect.Value) error {
	switch n.kind {
	case kindRat:
		return rr.setRat(n.leaf, tv, sv)
	case kindStruct:
		for j, m := range n.fields {
			if m.node == nil {
				tv.Field(m.index).Set(sv.Field(j))
			} else if err := rr.get(m.node, tv.Field(m.index), sv.Field(j)); err != nil {
				return err
			}
		}
		return nil
	}
	if sv.IsNil() {
		tv.SetZero()
		return nil
	}
	switch n.kind {
	case kindPointer:
		tv.Set(reflect.New(n.t.Elem()))
		return rr.get(n.elem, tv.Elem(), sv.Elem())
	case kindList:
		tv.Set(reflect.MakeSlice(n.t, sv.Len(), sv.Len()))
		for i := range sv.Len() {
			if err := rr.get(n.elem, tv.Index(i), sv.Index(i)); err != nil {
				return err
			}
		}
		return nil
	}
	m := reflect.MakeMapWithSize(n.t, sv.Len())
	for it := sv.MapRange(); it.Next(); {
		v := reflect.New(n.t.Elem()).Elem()
		if err := rr.get(n.elem, v, it.Value()); err != nil {
			return err
		}
		m.SetMapIndex(it.Key(), v)
	}
	tv.Set(m)
	return nil
}

// setRat stores the number in shadow value sv into big.Rat leaf k, tv.
func (rr *ratReader) setRat(k int, tv, sv reflect.Value) error {
	lf := &rr.rs.leaves[k]
	if lf.ptr {
		if sv.IsNil() {
			tv.SetZero()
			return nil
		}
		sv = sv.Elem()
	}
	var num *big.Int
	switch sv.Kind() {
	case reflect.Int32, reflect.Int64:
		num = big.NewInt(sv.Int())
	case reflect.Array, reflect.Slice:
		num = twosComplement(sv.Bytes())
	default:
		return fmt.Errorf("parquetio: big.Rat field %s read as %s", lf.name, sv.Type())
	}
	r := new(big.Rat).SetFrac(num, rr.denoms[k])
	if lf.ptr {
		tv.Set(reflect.ValueOf(r))
	} else {
		tv.Addr().Interface().(*big.Rat).Set(r)
	}
	return nil
}

// errDecimalValue is a big.Rat a DECIMAL column cannot hold, given to
// Write: the same values fail the same way again.
var errDecimalValue = errors.New("does not fit")

// valueError is a big.Rat that its DECIMAL cannot hold, at path in the
// row, which the conversion fills in on its way back up.
type valueError struct {
	path string // Items[2].Price
	err  error
}

func (e *valueError) Error() string { return "field " + e.path + ": " + e.err.Error() }
func (e *valueError) Unwrap() error { return e.err }

// within prefixes the path with the field name or index at that holds it.
func (e *valueError) within(at string) *valueError {
	if e.path != "" && e.path[0] != '[' {
		at += "."
	}
	e.path = at + e.path
	return e
}

// ratWriter writes rows of a T holding big.Rats through the shadow type
// that follows T's decimal tags.
type ratWriter struct {
	shadowRows
	leaves []ratWrite
	vals   []any // the shadow values of the rows being written
}

// ratWrite is a big.Rat leaf of T and its column's DECIMAL.
type ratWrite struct {
	*ratLeaf
	kind parquet.Kind
	size int // of a FIXED_LEN_BYTE_ARRAY
	dec  decimal.Decimal
}

// newRatWriter returns the writer of rs's shadow, or an error for a
// big.Rat without a decimal tag.
func newRatWriter(rs *ratStruct) (*ratWriter, error) {
	rw := &ratWriter{leaves: make([]ratWrite, len(rs.leaves))}
	leaves := make([]shadowLeaf, len(rs.leaves))
	for k := range rs.leaves {
		lf := &rs.leaves[k]
		if !lf.tagged {
			return nil, fmt.Errorf("%s: a big.Rat needs the DECIMAL type it is written as: %s", lf.describe(rs.t), lf.tagAdvice())
		}
		wd := ratWrite{ratLeaf: lf, dec: decimal.Of(lf.precision, lf.scale)}
		wd.kind, wd.size = lf.writeType()
		if lf.inMap && !lf.ptr && wd.kind == parquet.FixedLenByteArray {
			// parquet-go v0.32.0 panics writing an empty map of them.
			return nil, fmt.Errorf("%s: decimal(%d:%d) is a FIXED_LEN_BYTE_ARRAY, which in a map's values must be a *big.Rat (or be under a pointer): the Parquet library cannot write an empty map of required ones",
				lf.describe(rs.t), lf.scale, lf.precision)
		}
		rw.leaves[k] = wd
		leaves[k] = shadowLeaf{physical(wd.kind, wd.size, lf.ptr), joinOpts(fmt.Sprintf("decimal(%d:%d)", lf.scale, lf.precision), lf.opts)}
	}
	var err error
	if rw.shadowRows, err = newShadowRows(rs, leaves); err != nil {
		return nil, err
	}
	for _, wd := range rw.leaves {
		if wd.kind != parquet.FixedLenByteArray {
			continue
		}
		if c, ok := rw.schema.Lookup(wd.column...); !ok || c.Node.Type().Length() != wd.size {
			return nil, fmt.Errorf("%s: decimal(%d:%d) would not be written as FIXED_LEN_BYTE_ARRAY(%d)",
				wd.describe(rs.t), wd.scale, wd.precision, wd.size)
		}
	}
	return rw, nil
}

// tagAdvice says how to declare leaf lf's decimal.
func (lf *ratLeaf) tagAdvice() string {
	if lf.tagKey == "parquet" {
		return fmt.Sprintf("tag it decimal(scale:precision), e.g. `parquet:\"%s,decimal(2:18)\"`", lf.column[len(lf.column)-1])
	}
	return fmt.Sprintf("declare its decimal(scale:precision) in the field's %s tag, e.g. `%s:\",decimal(2:18)\"`", lf.tagKey, lf.tagKey)
}

// writeType is the physical type big.Rat leaf lf is written as.
func (lf *ratLeaf) writeType() (parquet.Kind, int) {
	switch {
	case lf.precision <= 9:
		return parquet.Int32, 0
	case lf.precision <= 18:
		return parquet.Int64, 0
	}
	return parquet.FixedLenByteArray, decimalBytes(lf.precision)
}

// convert converts rows, a []T, into shadow values (pointers into rw's
// buffer, valid until release) for parquet-go to write; first is the index
// in the file of rows[0], for errors. They are written as Go values, not
// as rows from Schema.Deconstruct, which in parquet-go v0.32.0 panics on a
// list's optional elements.
func (rw *ratWriter) convert(rows reflect.Value, first int64) ([]any, error) {
	n := rows.Len()
	rw.reserve(n)
	if cap(rw.vals) < n {
		rw.vals = make([]any, n)
	}
	out := rw.vals[:n]
	for i := range n {
		sv := rw.buf.Index(i)
		sv.SetZero()
		if err := rw.put(rw.rs.root, sv, rows.Index(i)); err != nil {
			return nil, fmt.Errorf("row %d, %w", first+int64(i), err)
		}
		out[i] = sv.Addr().Interface()
	}
	return out, nil
}

// release drops the buffer's references to the caller's values, once the
// values convert returned are written.
func (rw *ratWriter) release() {
	for i := range rw.buf.Len() {
		rw.buf.Index(i).SetZero()
	}
	clear(rw.vals)
}

// put stores tv, of node n, into the zero shadow value sv, or fails for a
// big.Rat its DECIMAL cannot hold. Nil pointers, lists and maps stay nil.
func (rw *ratWriter) put(n *ratNode, sv, tv reflect.Value) *valueError {
	switch n.kind {
	case kindRat:
		return rw.leaves[n.leaf].put(sv, tv)
	case kindStruct:
		for j, m := range n.fields {
			if m.node == nil {
				sv.Field(j).Set(tv.Field(m.index))
			} else if err := rw.put(m.node, sv.Field(j), tv.Field(m.index)); err != nil {
				return err.within(m.name)
			}
		}
		return nil
	}
	if tv.IsNil() {
		return nil
	}
	switch n.kind {
	case kindPointer:
		sv.Set(reflect.New(sv.Type().Elem()))
		return rw.put(n.elem, sv.Elem(), tv.Elem())
	case kindList:
		sv.Set(reflect.MakeSlice(sv.Type(), tv.Len(), tv.Len()))
		for i := range tv.Len() {
			if err := rw.put(n.elem, sv.Index(i), tv.Index(i)); err != nil {
				return err.within(fmt.Sprintf("[%d]", i))
			}
		}
		return nil
	}
	m := reflect.MakeMapWithSize(sv.Type(), tv.Len())
	for it := tv.MapRange(); it.Next(); {
		v := reflect.New(sv.Type().Elem()).Elem()
		if err := rw.put(n.elem, v, it.Value()); err != nil {
			return err.within(keyIndex(it.Key()))
		}
		m.SetMapIndex(it.Key(), v)
	}
	sv.Set(m)
	return nil
}

// keyIndex renders map key k as an index in a path: ["eur"], [3].
func keyIndex(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return fmt.Sprintf("[%q]", k.String())
	}
	return fmt.Sprintf("[%v]", k.Interface())
}

// put stores big.Rat tv into shadow value sv as the unscaled number of
// wd's DECIMAL, or fails if that would change its value.
func (wd *ratWrite) put(sv, tv reflect.Value) *valueError {
	var r *big.Rat
	switch {
	case wd.ptr && tv.IsNil():
		return nil // null
	case wd.ptr:
		r = tv.Interface().(*big.Rat)
	case tv.CanAddr():
		r = tv.Addr().Interface().(*big.Rat)
	default: // a map's value
		v := tv.Interface().(big.Rat)
		r = &v
	}
	num := new(big.Int)
	switch wd.dec.Unscale(num, new(big.Int), r) {
	case decimal.Inexact:
		return &valueError{err: fmt.Errorf("%s %w decimal(%d:%d): it is not exact at scale %d (round it first)",
			r.RatString(), errDecimalValue, wd.scale, wd.precision, wd.scale)}
	case decimal.TooManyDigits:
		return &valueError{err: fmt.Errorf("%s %w decimal(%d:%d): its %d digits exceed the precision",
			r.FloatString(wd.scale), errDecimalValue, wd.scale, wd.precision, len(new(big.Int).Abs(num).String()))}
	}
	v := sv
	if wd.ptr {
		v = reflect.New(sv.Type().Elem())
		sv.Set(v)
		v = v.Elem()
	}
	switch wd.kind {
	case parquet.Int32, parquet.Int64:
		v.SetInt(num.Int64())
	default:
		if num.Sign() < 0 { // two's complement in size bytes
			num.Add(num, new(big.Int).Lsh(big.NewInt(1), uint(8*wd.size)))
		}
		num.FillBytes(v.Bytes())
	}
	return nil
}
