package parquetio

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// FieldKind says how a Field's values are represented in a generic row.
type FieldKind int

// The field kinds.
const (
	// Leaf is a column: a Go value per its type (see File.Rows).
	Leaf FieldKind = iota
	// Group is a plain group: map[string]any with a key per field in Fields.
	Group
	// List is a LIST-annotated group: []any of the values of its single
	// field, Fields[0], the element.
	List
	// Map is a MAP-annotated group: map[string]any from the key, Fields[0],
	// to the value, Fields[1] (absent for a key-only map, whose values are
	// nil). A key the file gives twice has its last value, as the Parquet
	// specification requires of readers.
	Map
)

func (k FieldKind) String() string {
	switch k {
	case Leaf:
		return "leaf"
	case Group:
		return "group"
	case List:
		return "list"
	case Map:
		return "map"
	}
	return fmt.Sprintf("FieldKind(%d)", int(k))
}

// Field describes a field of a file's schema as it appears in generic rows,
// so that callers can walk rows in schema order (Go maps have none).
type Field struct {
	Name string
	Kind FieldKind
	// Optional fields may be nil.
	Optional bool
	// Repeated fields (outside the LIST convention) are []any of their
	// values, each represented as Kind says.
	Repeated bool
	// Type is a leaf's physical type and, after a slash, its logical type
	// (e.g. "INT64/TIMESTAMP(isAdjustedToUTC=true,unit=MILLIS)"), else "".
	Type string
	// Fields are a group's fields, a list's element or a map's key and
	// value.
	Fields []Field
}

// gnode is a schema node compiled for assembling generic rows from the
// column values of a parquet.Row (record assembly as in Dremel).
type gnode struct {
	name               string
	optional, repeated bool
	def, rep           int // definition and repetition level of the node itself
	lo, hi             int // its leaf columns, [lo, hi)
	kind               FieldKind
	children           []*gnode // Group
	// List: elem is the element node, list the repeated node holding it
	// (elem == list in the two-level form).
	list, elem *gnode
	// Map: kv is the repeated key_value group, key and val its fields (val
	// may be nil).
	kv, key, val *gnode
	typ          string
	phys         parquet.Kind            // Leaf: the physical type
	conv         func(parquet.Value) any // Leaf
	quoted       bool                    // Leaf: statistics print quoted
	// Leaf: a TIMESTAMP not adjusted to UTC, a wall clock whose statistics
	// print without a zone, as `crunchgo cat` prints its values.
	wallClock bool
}

// maxSchemaDepth bounds the nesting of a schema the generic reader accepts
// (the assembler recurses once per level).
const maxSchemaDepth = 64

// compileSchema compiles the fields of a file's schema. leaves lists the
// leaf nodes by column index.
func compileSchema(root parquet.Node) (fields []*gnode, leaves []*gnode, err error) {
	var walk func(n parquet.Node, name string, def, rep, depth int) (*gnode, error)
	walk = func(n parquet.Node, name string, def, rep, depth int) (*gnode, error) {
		if depth > maxSchemaDepth {
			return nil, fmt.Errorf("schema nested deeper than %d levels", maxSchemaDepth)
		}
		g := &gnode{name: name, optional: n.Optional(), repeated: n.Repeated()}
		if g.optional || g.repeated {
			def++
		}
		if g.repeated {
			rep++
		}
		g.def, g.rep = def, rep
		g.lo = len(leaves)
		if n.Leaf() {
			g.kind = Leaf
			t := n.Type()
			g.phys = t.Kind()
			g.typ = g.phys.String()
			if lt := t.LogicalType(); lt != nil && lt.Value != nil {
				g.typ += "/" + lt.String()
			} else if isInterval(t) {
				g.typ += "/INTERVAL"
			}
			g.conv, g.quoted = leafConverter(t)
			if ts, ok := logicalValue(t).(*format.TimestampType); ok {
				g.wallClock = !ts.IsAdjustedToUTC
			}
			leaves = append(leaves, g)
			g.hi = len(leaves)
			return g, nil
		}
		g.kind = Group
		for _, f := range n.Fields() {
			c, err := walk(f, f.Name(), def, rep, depth+1)
			if err != nil {
				return nil, err
			}
			g.children = append(g.children, c)
		}
		g.hi = len(leaves)
		if g.hi == g.lo {
			return nil, fmt.Errorf("group %q has no columns", name)
		}
		g.annotate(n)
		return g, nil
	}
	for _, f := range root.Fields() {
		g, err := walk(f, f.Name(), 0, 0, 1)
		if err != nil {
			return nil, nil, err
		}
		fields = append(fields, g)
	}
	return fields, leaves, nil
}

// annotate recognises the LIST and MAP conventions of a group; a group that
// does not follow them stays a plain group.
func (g *gnode) annotate(n parquet.Node) {
	lt := n.Type().LogicalType()
	if lt == nil || len(g.children) != 1 || !g.children[0].repeated {
		return
	}
	r := g.children[0]
	switch lt.Value.(type) {
	case *format.ListType:
		g.kind, g.list, g.elem = List, r, r
		// Three-level form: the repeated group wraps the element, unless it
		// is one of the legacy two-level names for a one-field struct.
		if r.kind == Group && len(r.children) == 1 && r.name != "array" && r.name != g.name+"_tuple" {
			g.elem = r.children[0]
		}
	case *format.MapType:
		if r.kind != Group || len(r.children) < 1 || len(r.children) > 2 {
			return
		}
		g.kind, g.kv, g.key = Map, r, r.children[0]
		if len(r.children) == 2 {
			g.val = r.children[1]
		}
	}
}

// field returns the exported description of g.
func (g *gnode) field() Field {
	f := Field{Name: g.name, Kind: g.kind, Optional: g.optional, Repeated: g.repeated, Type: g.typ}
	switch g.kind {
	case Group:
		for _, c := range g.children {
			f.Fields = append(f.Fields, c.field())
		}
	case List:
		e := g.elem.field()
		if g.elem == g.list {
			e.Repeated = false // the repetition is the list's
		}
		f.Fields = []Field{e}
	case Map:
		f.Fields = []Field{g.key.field()}
		if g.val != nil {
			f.Fields = append(f.Fields, g.val.field())
		}
	}
	return f
}

// assembler turns parquet.Rows into generic rows.
type assembler struct {
	fields []*gnode
	cols   [][]parquet.Value // per leaf column, the values of the current row
}

func newAssembler(fields, leaves []*gnode) *assembler {
	return &assembler{fields: fields, cols: make([][]parquet.Value, len(leaves))}
}

// row assembles one row. Inconsistent repetition or definition levels are
// errors (the file is corrupt).
func (a *assembler) row(row parquet.Row) (map[string]any, error) {
	clear(a.cols)
	for i := 0; i < len(row); {
		c := row[i].Column()
		j := i + 1
		for j < len(row) && row[j].Column() == c {
			j++
		}
		if c < 0 || c >= len(a.cols) || a.cols[c] != nil {
			return nil, fmt.Errorf("row holds values of column %d out of order", c)
		}
		a.cols[c] = row[i:j]
		i = j
	}
	m := make(map[string]any, len(a.fields))
	for _, f := range a.fields {
		v, err := a.value(f, a.cols[f.lo:f.hi])
		if err != nil {
			return nil, err
		}
		m[f.name] = v
	}
	return m, nil
}

// value returns the value of g within one instance of its parent, whose
// leaf columns' values are cols.
func (a *assembler) value(g *gnode, cols [][]parquet.Value) (any, error) {
	if g.repeated {
		occ, err := occurrences(g, cols)
		if err != nil {
			return nil, err
		}
		list := make([]any, len(occ))
		for i, o := range occ {
			if list[i], err = a.instance(g, o); err != nil {
				return nil, err
			}
		}
		return list, nil
	}
	if len(cols[0]) == 0 {
		return nil, fmt.Errorf("no value for column %q", g.name)
	}
	if cols[0][0].DefinitionLevel() < g.def {
		if g.optional {
			return nil, nil
		}
		return nil, fmt.Errorf("required field %q is null", g.name)
	}
	return a.instance(g, cols)
}

// instance returns the value of one defined occurrence of g.
func (a *assembler) instance(g *gnode, cols [][]parquet.Value) (any, error) {
	switch g.kind {
	case Leaf:
		if len(cols[0]) != 1 {
			return nil, fmt.Errorf("column %q: %d values where one was expected", g.name, len(cols[0]))
		}
		return g.conv(cols[0][0]), nil
	case List:
		occ, err := occurrences(g.list, cols)
		if err != nil {
			return nil, err
		}
		list := make([]any, len(occ))
		for i, o := range occ {
			if g.elem == g.list {
				list[i], err = a.instance(g.elem, o)
			} else {
				list[i], err = a.value(g.elem, o)
			}
			if err != nil {
				return nil, err
			}
		}
		return list, nil
	case Map:
		occ, err := occurrences(g.kv, cols)
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, len(occ))
		klo := g.key.lo - g.kv.lo
		for _, o := range occ {
			k, err := a.value(g.key, o[klo:klo+g.key.hi-g.key.lo])
			if err != nil {
				return nil, err
			}
			var v any
			if g.val != nil {
				vlo := g.val.lo - g.kv.lo
				if v, err = a.value(g.val, o[vlo:vlo+g.val.hi-g.val.lo]); err != nil {
					return nil, err
				}
			}
			m[mapKey(k, g.key.wallClock)] = v
		}
		return m, nil
	}
	m := make(map[string]any, len(g.children))
	for _, c := range g.children {
		v, err := a.value(c, cols[c.lo-g.lo:c.hi-g.lo])
		if err != nil {
			return nil, err
		}
		m[c.name] = v
	}
	return m, nil
}

// occurrences splits the values of the repeated node g (within one
// instance of its parent) into its occurrences: per occurrence, per leaf
// column of g, its values. A value at g's repetition level or below starts
// a new occurrence.
func occurrences(g *gnode, cols [][]parquet.Value) ([][][]parquet.Value, error) {
	if len(cols[0]) == 0 {
		return nil, fmt.Errorf("no value for column %q", g.name)
	}
	if cols[0][0].DefinitionLevel() < g.def {
		return nil, nil // empty
	}
	n := 0
	for i, v := range cols[0] {
		if i == 0 || v.RepetitionLevel() <= g.rep {
			n++
		}
	}
	occ := make([][][]parquet.Value, n)
	for k := range occ {
		occ[k] = make([][]parquet.Value, len(cols))
	}
	for j, col := range cols {
		k, start := -1, 0
		for i, v := range col {
			if i == 0 || v.RepetitionLevel() <= g.rep {
				if k >= 0 {
					occ[k][j] = col[start:i]
				}
				k, start = k+1, i
				if k >= n {
					return nil, fmt.Errorf("columns of %q repeat %d and more than %d times", g.name, n, n)
				}
			}
		}
		if k != n-1 {
			return nil, fmt.Errorf("columns of %q repeat %d and %d times", g.name, n, k+1)
		}
		occ[k][j] = col[start:]
	}
	return occ, nil
}

// mapKey renders a map key as a string, as a value of its type prints:
// a timestamp in RFC 3339, without a zone when it is a wall clock (not
// adjusted to UTC), a TIME as a time of day.
func mapKey(k any, wallClock bool) string {
	switch k := k.(type) {
	case string:
		return k
	case []byte:
		return string(k)
	case nil:
		return "null"
	case time.Time:
		if wallClock {
			return k.Format(wallClockLayout)
		}
		return k.Format(time.RFC3339Nano)
	case time.Duration:
		return clock(k)
	}
	return fmt.Sprint(k)
}

// wallClockLayout formats a TIMESTAMP not adjusted to UTC: RFC 3339
// without the zone, which would claim one.
const wallClockLayout = "2006-01-02T15:04:05.999999999"

// clock renders a TIME, d since midnight, as hh:mm:ss with the fraction it
// has; a duration outside a day, which no valid TIME is, as itself.
func clock(d time.Duration) string {
	if d < 0 || d >= 24*time.Hour {
		return d.String()
	}
	return time.Time{}.Add(d).Format("15:04:05.999999999")
}

// leafConverter returns the function converting a non-null value of a
// column of type t to its generic Go value, and whether values of the type
// print quoted (text and bytes).
func leafConverter(t parquet.Type) (func(parquet.Value) any, bool) {
	kind := t.Kind()
	var lv format.LogicalTypeValue
	if lt := t.LogicalType(); lt != nil {
		lv = lt.Value
	}
	bytesKind := kind == parquet.ByteArray || kind == parquet.FixedLenByteArray
	if isInterval(t) {
		return func(v parquet.Value) any {
			b := v.ByteArray()
			le := binary.LittleEndian
			return Interval{Months: le.Uint32(b), Days: le.Uint32(b[4:]), Milliseconds: le.Uint32(b[8:])}
		}, false
	}
	switch lt := lv.(type) {
	case *format.StringType, *format.EnumType, *format.JsonType:
		if bytesKind {
			return func(v parquet.Value) any { return string(v.ByteArray()) }, true
		}
	case *format.UUIDType:
		if kind == parquet.FixedLenByteArray && t.Length() == 16 {
			return func(v parquet.Value) any { return uuidString(v.ByteArray()) }, true
		}
	case *format.DateType:
		if kind == parquet.Int32 {
			return func(v parquet.Value) any { return Date(v.Int32()) }, false
		}
	case *format.TimestampType:
		if kind == parquet.Int64 && lt.Unit.Value != nil {
			switch lt.Unit.Value.Duration() {
			case time.Millisecond:
				return func(v parquet.Value) any { return time.UnixMilli(v.Int64()).UTC() }, false
			case time.Microsecond:
				return func(v parquet.Value) any { return time.UnixMicro(v.Int64()).UTC() }, false
			case time.Nanosecond:
				return func(v parquet.Value) any { return time.Unix(0, v.Int64()).UTC() }, false
			}
		}
	case *format.TimeType:
		if lt.Unit.Value != nil {
			unit := lt.Unit.Value.Duration()
			switch {
			case kind == parquet.Int32 && unit == time.Millisecond:
				return func(v parquet.Value) any { return time.Duration(v.Int32()) * unit }, false
			case kind == parquet.Int64 && unit != time.Millisecond:
				return func(v parquet.Value) any { return time.Duration(v.Int64()) * unit }, false
			}
		}
	case *format.IntType:
		switch {
		case !lt.IsSigned && kind == parquet.Int32:
			return func(v parquet.Value) any { return uint32(v.Int32()) }, false
		case !lt.IsSigned && kind == parquet.Int64:
			return func(v parquet.Value) any { return uint64(v.Int64()) }, false
		}
	case *format.DecimalType:
		// A scale beyond any real decimal's would only make the rendering
		// allocate; such a column reads as its physical type.
		if lt.Scale >= 0 && lt.Scale <= 1000 {
			scale := int(lt.Scale)
			switch kind {
			case parquet.Int32:
				return func(v parquet.Value) any { return decimalString(big.NewInt(int64(v.Int32())), scale) }, false
			case parquet.Int64:
				return func(v parquet.Value) any { return decimalString(big.NewInt(v.Int64()), scale) }, false
			case parquet.ByteArray, parquet.FixedLenByteArray:
				return func(v parquet.Value) any { return decimalString(twosComplement(v.ByteArray()), scale) }, false
			}
		}
	}
	switch kind {
	case parquet.Boolean:
		return func(v parquet.Value) any { return v.Boolean() }, false
	case parquet.Int32:
		return func(v parquet.Value) any { return v.Int32() }, false
	case parquet.Int64:
		return func(v parquet.Value) any { return v.Int64() }, false
	case parquet.Int96:
		return func(v parquet.Value) any { return int96Time(v) }, false
	case parquet.Float:
		return func(v parquet.Value) any { return v.Float() }, false
	case parquet.Double:
		return func(v parquet.Value) any { return v.Double() }, false
	}
	return func(v parquet.Value) any { return append([]byte{}, v.ByteArray()...) }, true
}

// isInterval reports whether t is an INTERVAL column: a 12-byte
// FIXED_LEN_BYTE_ARRAY whose only annotation is the converted type (INTERVAL
// has no logical type).
func isInterval(t parquet.Type) bool {
	ct := t.ConvertedType()
	return ct != nil && *ct == deprecated.Interval && t.Kind() == parquet.FixedLenByteArray && t.Length() == 12
}

// julianUnixEpoch is the Julian day number of 1970-01-01.
const julianUnixEpoch = 2440588

// int96Time decodes the legacy INT96 timestamp (Impala, Spark): nanoseconds
// of the day in the first 8 bytes, the Julian day in the last 4.
func int96Time(v parquet.Value) time.Time {
	i := v.Int96()
	nanos := int64(i[1])<<32 | int64(i[0])
	return time.Unix((int64(i[2])-julianUnixEpoch)*86400, nanos).UTC()
}

// twosComplement decodes a big-endian two's complement integer.
func twosComplement(b []byte) *big.Int {
	x := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
	}
	return x
}

// decimalString renders unscaled×10^-scale exactly, e.g. "-12.340".
func decimalString(unscaled *big.Int, scale int) string {
	neg := unscaled.Sign() < 0
	digits := new(big.Int).Abs(unscaled).String()
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

func uuidString(b []byte) string {
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	hex.Encode(s[9:13], b[4:6])
	hex.Encode(s[14:18], b[6:8])
	hex.Encode(s[19:23], b[8:10])
	hex.Encode(s[24:], b[10:16])
	s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
	return string(s[:])
}

// renderStat renders a min/max statistic of leaf g, plain-encoded in its
// physical type, as its generic value would print; "" when absent.
func renderStat(g *gnode, kind parquet.Kind, b []byte) (s string) {
	if b == nil {
		return ""
	}
	if kind != g.phys {
		// A damaged footer: the chunk's type is not the column's, and
		// reading one as the other would misread the bytes.
		return fmt.Sprintf("%x (a %s statistic of a %s column)", b, kind, g.phys)
	}
	defer func() {
		if recover() != nil {
			s = fmt.Sprintf("%x (undecodable)", b)
		}
	}()
	v := g.conv(kind.Value(b))
	if t, ok := v.(time.Time); ok && g.wallClock {
		return t.Format(wallClockLayout)
	}
	return renderValue(v, g.quoted)
}

func renderValue(v any, quoted bool) string {
	switch v := v.(type) {
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case time.Duration: // a TIME, as cat prints it
		return clock(v)
	case []byte:
		return fmt.Sprintf("%q", v)
	case string:
		if quoted {
			return fmt.Sprintf("%q", v)
		}
		return v
	}
	return fmt.Sprint(v)
}
