package parquetio

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/crunchgo/crunchgo/internal/decimal"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// Exact decimals. A *big.Rat (or big.Rat) field of the row struct holds a
// DECIMAL column exactly, whatever its precision and physical type.
// parquet-go knows no big.Rat, so such a T is read and written through a
// shadow struct type, derived with reflect.StructOf, whose fields are T's
// column fields with each big.Rat field replaced by the physical type of
// its column (int32, int64, [n]byte or []byte; a pointer to it for a
// *big.Rat): parquet-go reads and writes rows of the shadow, and each row
// is converted to or from T.
//
// When reading, the shadow follows the file: its big.Rat fields get the
// file's physical type without the DECIMAL annotation (which no struct tag
// can give a FIXED_LEN_BYTE_ARRAY wider than parquet-go's minimum for the
// precision), so parquet-go reads the stored numbers unchanged, and the
// scale comes from the file's column. When writing, the shadow follows T's
// decimal(scale:precision) tags: INT32 up to precision 9, INT64 up to 18,
// and beyond that a FIXED_LEN_BYTE_ARRAY of the fewest bytes holding the
// precision, as Spark writes them.

var ratType = reflect.TypeFor[big.Rat]()

// ratField is a field of T of type *big.Rat or big.Rat.
type ratField struct {
	index  int // in T
	shadow int // in the shadow
	name   string
	column string
	ptr    bool   // *big.Rat: an optional column
	opts   string // the tag's other options: optional, compression, encoding
	// From the decimal(scale:precision) tag, if any.
	tagged           bool
	scale, precision int
}

// ratStruct is a row type with big.Rat fields: its column fields, and the
// big.Rat ones among them.
type ratStruct struct {
	t      reflect.Type
	fields []int // T's column fields in order, by index in T: the shadow's fields
	plain  []int // the shadow's fields that are not big.Rat fields
	rats   []ratField
}

var ratStructs sync.Map // reflect.Type → ratStructResult

type ratStructResult struct {
	rs  *ratStruct
	err error
}

// ratStructOf returns how t's big.Rat fields are read and written, or nil
// when t holds no big.Rat. It fails for big.Rat anywhere but in a field of
// the row struct itself, and for fields and tags it cannot convert.
func ratStructOf(t reflect.Type) (*ratStruct, error) {
	if v, ok := ratStructs.Load(t); ok {
		r := v.(ratStructResult)
		return r.rs, r.err
	}
	rs, err := makeRatStruct(t)
	ratStructs.Store(t, ratStructResult{rs, err})
	return rs, err
}

func makeRatStruct(t reflect.Type) (*ratStruct, error) {
	if !decimal.Holds(t, isColumn) {
		return nil, nil
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%s holds a big.Rat: a *big.Rat or big.Rat is supported only as a field of the row struct itself", t)
	}
	rs := &ratStruct{t: t}
	seen := map[string]string{} // column → field
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, ok := column(f)
		if !ok {
			continue
		}
		if other, dup := seen[name]; dup {
			return nil, fmt.Errorf("fields %s and %s of %s have the same column name %q", other, f.Name, t, name)
		}
		seen[name] = f.Name
		switch {
		case f.Type == ratType || f.Type == reflect.PointerTo(ratType):
			rf := ratField{index: i, shadow: len(rs.fields), name: f.Name, column: name, ptr: f.Type.Kind() == reflect.Pointer}
			for _, o := range strings.Split(opts, ",") {
				switch {
				case o == "":
				case o == "optional" || columnOptions[o]:
					// Kept for the shadow's column, as on any field.
					rf.opts = strings.TrimPrefix(rf.opts+","+o, ",")
				case strings.HasPrefix(o, "decimal(") && strings.HasSuffix(o, ")"):
					s, p, err := decimalArgs(o[len("decimal(") : len(o)-1])
					if err != nil {
						return nil, fmt.Errorf("field %s (%s) of %s: tag %q: %w", f.Name, f.Type, t, o, err)
					}
					rf.tagged, rf.scale, rf.precision = true, s, p
				default:
					return nil, fmt.Errorf("field %s (%s) of %s: tag option %q does not apply to a big.Rat (give decimal(scale:precision))", f.Name, f.Type, t, o)
				}
			}
			rs.rats = append(rs.rats, rf)
		case decimal.Holds(f.Type, isColumn):
			return nil, fmt.Errorf("field %s (%s) of %s holds a big.Rat: a *big.Rat or big.Rat is supported only as a field of the row struct itself, not in nested structs, lists or maps", f.Name, f.Type, t)
		default:
			rs.plain = append(rs.plain, len(rs.fields))
		}
		rs.fields = append(rs.fields, i)
	}
	return rs, nil
}

// columnOptions are the parquet tag options of a column's compression and
// encoding, which apply to a big.Rat's column as to any other.
var columnOptions = map[string]bool{
	"uncompressed": true, "snappy": true, "gzip": true, "brotli": true, "lz4": true, "zstd": true,
	"plain": true, "dict": true, "delta": true, "split": true,
}

// isColumn reports whether struct field f has a column (see column).
func isColumn(f reflect.StructField) bool {
	_, _, ok := column(f)
	return ok
}

// decimalArgs parses the "scale:precision" of a decimal tag.
func decimalArgs(args string) (scale, precision int, err error) {
	s, p, ok := strings.Cut(args, ":")
	if ok {
		scale, err = strconv.Atoi(s)
		if err == nil {
			precision, err = strconv.Atoi(p)
		}
	}
	if !ok || err != nil {
		return 0, 0, errors.New("want decimal(scale:precision), e.g. decimal(2:10)")
	}
	if precision < 1 || scale < 0 || scale > precision {
		return 0, 0, fmt.Errorf("precision %d and scale %d: want 0 <= scale <= precision and precision >= 1", precision, scale)
	}
	return scale, precision, nil
}

// decimalBytes is the fewest bytes whose two's complement holds every
// integer of precision digits.
func decimalBytes(precision int) int {
	limit := decimal.Pow10(precision) // > every value
	n := 1
	for new(big.Int).Lsh(big.NewInt(1), uint(8*n-1)).Cmp(limit) < 0 {
		n++
	}
	return n
}

// shadow builds the shadow struct type of rs: T's column fields with each
// big.Rat field, rs.rats[k], replaced by a field of the type and parquet
// tag that typeOf(k) returns.
func (rs *ratStruct) shadow(typeOf func(k int) (reflect.Type, string)) (st reflect.Type, err error) {
	fields := make([]reflect.StructField, len(rs.fields))
	for j, i := range rs.fields {
		f := rs.t.Field(i)
		fields[j] = reflect.StructField{Name: f.Name, Type: f.Type, Tag: f.Tag, Anonymous: f.Anonymous}
	}
	for k := range rs.rats {
		rf := &rs.rats[k]
		ft, tag := typeOf(k)
		fields[rf.shadow].Type = ft
		fields[rf.shadow].Tag = reflect.StructTag(`parquet:"` + tag + `"`)
	}
	defer func() {
		if v := recover(); v != nil {
			st, err = nil, fmt.Errorf("%s has big.Rat fields, which are read and written through a derived struct type that Go cannot build here: %v (embed structs with methods first, or make them named fields)", rs.t, v)
		}
	}()
	return reflect.StructOf(fields), nil
}

// shadowSchema is the Parquet schema of the shadow type st.
func shadowSchema(rs *ratStruct, st reflect.Type) (s *parquet.Schema, err error) {
	defer func() {
		if v := recover(); v != nil {
			s, err = nil, fmt.Errorf("parquetio: no parquet schema for %s: %v", rs.t, v)
		}
	}()
	return parquet.SchemaOf(reflect.New(st).Elem().Interface()), nil
}

// physical is the Go type parquet-go stores a column of kind k (of length
// n, if fixed) in, optional if ptr.
func physical(k parquet.Kind, n int, ptr bool) reflect.Type {
	var t reflect.Type
	switch k {
	case parquet.Int32:
		t = reflect.TypeFor[int32]()
	case parquet.Int64:
		t = reflect.TypeFor[int64]()
	case parquet.FixedLenByteArray:
		t = reflect.ArrayOf(n, reflect.TypeFor[byte]())
	default:
		t = reflect.TypeFor[[]byte]()
	}
	if ptr {
		t = reflect.PointerTo(t)
	}
	return t
}

// writeType is the physical type big.Rat field rf is written as.
func (rf *ratField) writeType() (parquet.Kind, int) {
	switch {
	case rf.precision <= 9:
		return parquet.Int32, 0
	case rf.precision <= 18:
		return parquet.Int64, 0
	}
	return parquet.FixedLenByteArray, decimalBytes(rf.precision)
}

func withOpts(tag, opts string) string {
	if opts != "" {
		return tag + "," + opts
	}
	return tag
}

// readableType checks that T has a Parquet schema, before any file is
// read. For a T with big.Rat fields, whose schema depends on the file,
// the big.Rat fields must be supported, and the schema of the rest of T is
// checked with the big.Rat fields as int64s.
func readableType[T any]() error {
	rs, err := ratStructOf(reflect.TypeFor[T]())
	if err != nil {
		return fmt.Errorf("parquetio: %w", err)
	}
	if rs == nil {
		_, err := schemaOf[T]()
		return err
	}
	st, err := rs.shadow(func(k int) (reflect.Type, string) {
		rf := &rs.rats[k]
		return physical(parquet.Int64, 0, rf.ptr), withOpts(rf.column, rf.opts)
	})
	if err != nil {
		return fmt.Errorf("parquetio: %w", err)
	}
	_, err = shadowSchema(rs, st)
	return err
}

// shadowRows are the rows of a shadow type st that a ratReader or
// ratWriter converts, as Go values (buf) and as Parquet rows.
type shadowRows struct {
	rs     *ratStruct
	schema *parquet.Schema // of the shadow
	buf    reflect.Value   // []shadow
	rows   []parquet.Row
}

func newShadowRows(rs *ratStruct, st reflect.Type) (shadowRows, error) {
	schema, err := shadowSchema(rs, st)
	return shadowRows{rs: rs, schema: schema, buf: reflect.New(reflect.SliceOf(st)).Elem()}, err
}

// reserve makes room for n rows.
func (sr *shadowRows) reserve(n int) {
	if sr.buf.Len() < n {
		sr.buf = reflect.MakeSlice(sr.buf.Type(), n, n)
	}
	if cap(sr.rows) < n {
		sr.rows = make([]parquet.Row, n)
	}
}

// ratReader reads rows of a T with big.Rat fields from one file through
// the shadow type that follows the file's columns.
type ratReader struct {
	shadowRows
	rats []ratRead
}

type ratRead struct {
	*ratField
	denom *big.Int // 10^scale of the file's column
}

// newRatReader matches T's big.Rat fields to the columns of have, the
// schema of the file at path, and returns the reader of T's shadow for the
// file. A big.Rat field's column must be a DECIMAL leaf, not repeated, of
// any physical type; if the field is tagged decimal(scale:precision), one
// whose values that type holds.
func newRatReader(path string, rs *ratStruct, have *parquet.Schema) (*ratReader, error) {
	rr := &ratReader{rats: make([]ratRead, len(rs.rats))}
	var failure error
	st, err := rs.shadow(func(k int) (reflect.Type, string) {
		rf, rd := &rs.rats[k], &rr.rats[k]
		rd.ratField = rf
		rd.denom = big.NewInt(1)
		h := child(have, rf.column)
		if h == nil {
			// Absent from the file: nil, or an error from checkSchema
			// unless ZeroFillMissing, which fills an int64 with 0 (it
			// cannot fill the [n]byte a wide tag would write).
			return physical(parquet.Int64, 0, rf.ptr), withOpts(rf.column, rf.opts)
		}
		fail := func(format string, args ...any) {
			if failure == nil {
				failure = &SchemaError{Path: path, Column: rf.column, RowGroup: -1, Row: -1, RowInGroup: -1,
					Err: fmt.Errorf(format, args...)}
			}
		}
		what := describe(rs.t, []string{rf.column})
		if !h.Leaf() || h.Repeated() {
			kind := leafOrGroup(h)
			if h.Repeated() {
				kind = "repeated " + kind
			}
			fail("a %s in the file: %s reads only non-repeated DECIMAL columns", kind, what)
			return physical(parquet.Int64, 0, rf.ptr), rf.column
		}
		dec, ok := logicalValue(h.Type()).(*format.DecimalType)
		if !ok {
			fail("file type %s is not a DECIMAL: %s reads only DECIMAL columns", typeName(h.Type()), what)
			return physical(parquet.Int64, 0, rf.ptr), rf.column
		}
		if rf.tagged && (int(dec.Scale) > rf.scale || int(dec.Precision-dec.Scale) > rf.precision-rf.scale) {
			fail("file type %s does not convert without loss to DECIMAL(%d,%d) of %s: tag it decimal(%d:%d), or leave out the tag to read any DECIMAL",
				typeName(h.Type()), rf.precision, rf.scale, what, dec.Scale, dec.Precision)
		}
		if dec.Scale > 0 {
			rd.denom = decimal.Pow10(int(dec.Scale))
		}
		kind := h.Type().Kind()
		switch kind {
		case parquet.Int32, parquet.Int64, parquet.FixedLenByteArray, parquet.ByteArray:
			if dec.Scale >= 0 {
				break
			}
			fallthrough
		default:
			fail("file type %s is not a valid DECIMAL", typeName(h.Type()))
		}
		return physical(kind, h.Type().Length(), rf.ptr), withOpts(rf.column, rf.opts)
	})
	if err != nil {
		return nil, fmt.Errorf("parquetio: %w", err)
	}
	if failure != nil {
		return nil, failure
	}
	if rr.shadowRows, err = newShadowRows(rs, st); err != nil {
		return nil, err
	}
	return rr, nil
}

// read reads up to len(rows) rows from src into rows, a []T.
func (rr *ratReader) read(src parquet.RowReader, rows reflect.Value) (int, error) {
	n := rows.Len()
	rr.reserve(n)
	m, err := src.ReadRows(rr.rows[:n])
	for i := range m {
		sv := rr.buf.Index(i)
		sv.SetZero()
		if err := rr.schema.Reconstruct(sv.Addr().Interface(), rr.rows[i]); err != nil {
			return i, err
		}
		tv := rows.Index(i)
		for _, j := range rr.rs.plain {
			tv.Field(rr.rs.fields[j]).Set(sv.Field(j))
		}
		for k := range rr.rats {
			rd := &rr.rats[k]
			if err := rd.set(tv.Field(rd.index), sv.Field(rd.shadow)); err != nil {
				return i, err
			}
		}
	}
	return m, err
}

// set stores the number in shadow field sv into big.Rat field tv.
func (rd *ratRead) set(tv, sv reflect.Value) error {
	if rd.ptr {
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
		return fmt.Errorf("parquetio: big.Rat field %s read as %s", rd.name, sv.Type())
	}
	r := new(big.Rat).SetFrac(num, rd.denom)
	if rd.ptr {
		tv.Set(reflect.ValueOf(r))
	} else {
		tv.Addr().Interface().(*big.Rat).Set(r)
	}
	return nil
}

// errDecimalValue is a big.Rat a DECIMAL column cannot hold, given to
// Write: the same values fail the same way again.
var errDecimalValue = errors.New("does not fit")

// ratWriter writes rows of a T with big.Rat fields through the shadow type
// that follows T's decimal tags.
type ratWriter struct {
	shadowRows
	rats []ratWrite
}

type ratWrite struct {
	*ratField
	kind parquet.Kind
	size int // of a FIXED_LEN_BYTE_ARRAY
	dec  decimal.Decimal
}

// newRatWriter returns the writer of rs's shadow, or an error for a
// big.Rat field without a decimal tag.
func newRatWriter(rs *ratStruct) (*ratWriter, error) {
	rw := &ratWriter{rats: make([]ratWrite, len(rs.rats))}
	for k := range rs.rats {
		rf := &rs.rats[k]
		if !rf.tagged {
			return nil, fmt.Errorf("field %s (%s) of %s: a big.Rat field needs the DECIMAL type it is written as: tag it decimal(scale:precision), e.g. `parquet:\"%s,decimal(2:18)\"`",
				rf.name, rs.t.Field(rf.index).Type, rs.t, rf.column)
		}
		kind, size := rf.writeType()
		rw.rats[k] = ratWrite{ratField: rf, kind: kind, size: size, dec: decimal.Of(rf.precision, rf.scale)}
	}
	st, err := rs.shadow(func(k int) (reflect.Type, string) {
		rf := &rs.rats[k]
		kind, size := rf.writeType()
		return physical(kind, size, rf.ptr), withOpts(fmt.Sprintf("%s,decimal(%d:%d)", rf.column, rf.scale, rf.precision), rf.opts)
	})
	if err != nil {
		return nil, err
	}
	if rw.shadowRows, err = newShadowRows(rs, st); err != nil {
		return nil, err
	}
	for _, rd := range rw.rats {
		if rd.kind != parquet.FixedLenByteArray {
			continue
		}
		if c, ok := rw.schema.Lookup(rd.column); !ok || c.Node.Type().Length() != rd.size {
			return nil, fmt.Errorf("field %s of %s: decimal(%d:%d) would not be written as FIXED_LEN_BYTE_ARRAY(%d)",
				rd.name, rs.t, rd.scale, rd.precision, rd.size)
		}
	}
	return rw, nil
}

// convert converts rows, a []T, into parquet rows of the shadow, which
// hold pointers into rw's buffer until release; first is the index in the
// file of rows[0], for errors.
func (rw *ratWriter) convert(rows reflect.Value, first int64) ([]parquet.Row, error) {
	n := rows.Len()
	rw.reserve(n)
	out := rw.rows[:n]
	for i := range n {
		tv, sv := rows.Index(i), rw.buf.Index(i)
		sv.SetZero()
		for _, j := range rw.rs.plain {
			sv.Field(j).Set(tv.Field(rw.rs.fields[j]))
		}
		for k := range rw.rats {
			if err := rw.rats[k].put(sv.Field(rw.rats[k].shadow), tv.Field(rw.rats[k].index)); err != nil {
				return nil, fmt.Errorf("row %d, %w", first+int64(i), err)
			}
		}
		out[i] = rw.schema.Deconstruct(out[i][:0], sv.Addr().Interface())
	}
	return out, nil
}

// release drops the buffer's references to the caller's values, once the
// rows convert returned (which point into the buffer) are written.
func (rw *ratWriter) release() {
	for i := range rw.buf.Len() {
		rw.buf.Index(i).SetZero()
	}
	for i := range rw.rows {
		clear(rw.rows[i])
		rw.rows[i] = rw.rows[i][:0]
	}
}

// put stores big.Rat field tv into shadow field sv as the unscaled number
// of wd's DECIMAL, or fails if that would change its value.
func (wd *ratWrite) put(sv, tv reflect.Value) error {
	var r *big.Rat
	if wd.ptr {
		if tv.IsNil() {
			return nil // null
		}
		r = tv.Interface().(*big.Rat)
	} else {
		r = tv.Addr().Interface().(*big.Rat)
	}
	num := new(big.Int)
	switch wd.dec.Unscale(num, new(big.Int), r) {
	case decimal.Inexact:
		return fmt.Errorf("field %s: %s %w decimal(%d:%d): it is not exact at scale %d (round it first)",
			wd.name, r.RatString(), errDecimalValue, wd.scale, wd.precision, wd.scale)
	case decimal.TooManyDigits:
		return fmt.Errorf("field %s: %s %w decimal(%d:%d): its %d digits exceed the precision",
			wd.name, r.FloatString(wd.scale), errDecimalValue, wd.scale, wd.precision, len(new(big.Int).Abs(num).String()))
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
