package parquetio

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/crunchgo/crunchgo/internal/decimal"
	"github.com/parquet-go/parquet-go"
)

// Exact decimals. A *big.Rat (or big.Rat) in the row struct holds a
// DECIMAL column exactly, whatever its precision and physical type: as a
// field of the row struct or of a struct nested in it (by value or
// pointer, in a list or a map), or as the element of a list or the value
// of a map field. parquet-go knows no big.Rat, so such a T is read and
// written through a shadow type derived from it with reflect.StructOf,
// SliceOf and MapOf: T with each big.Rat replaced by the physical type of
// its column (int32, int64, [n]byte or []byte; a pointer to it for a
// *big.Rat), and each struct, list and map holding one by its own shadow.
// parquet-go reads and writes rows of the shadow, and each row is
// converted to or from T, recursively.
//
// When reading, the shadow follows the file: its big.Rat leaves get the
// file's physical type without the DECIMAL annotation (which no struct tag
// can give a FIXED_LEN_BYTE_ARRAY wider than parquet-go's minimum for the
// precision), so parquet-go reads the stored numbers unchanged, and the
// scale comes from the file's column. When writing, the shadow follows T's
// decimal(scale:precision) tags: INT32 up to precision 9, INT64 up to 18,
// and beyond that a FIXED_LEN_BYTE_ARRAY of the fewest bytes holding the
// precision, as Spark writes them. A field's tag declares a big.Rat field;
// a list's elements and a map's values take no parquet tag of their own,
// so as in parquet-go the field's parquet-element or parquet-value tag
// declares them.

var ratType = reflect.TypeFor[big.Rat]()

// isRat reports whether t is a big.Rat or *big.Rat.
func isRat(t reflect.Type) bool {
	return t == ratType || t == reflect.PointerTo(ratType)
}

// ratKind is what a ratNode is.
type ratKind uint8

const (
	kindRat     ratKind = iota // a big.Rat or *big.Rat
	kindStruct                 // a struct holding a big.Rat
	kindPointer                // a pointer to such a struct
	kindList                   // a slice tagged list whose elements hold one
	kindMap                    // a map whose values hold one
)

// ratNode is a Go type of T that holds a big.Rat, and what its shadow
// type is made of.
type ratNode struct {
	t      reflect.Type
	kind   ratKind
	leaf   int         // kindRat: index in ratStruct.leaves
	fields []ratMember // kindStruct: the struct's column fields, in order
	elem   *ratNode    // kindPointer, kindList, kindMap: what it points to or holds
}

// ratMember is a column field of a kindStruct node, and the shadow's
// field at the same position.
type ratMember struct {
	index int      // in the struct
	name  string   // Go name, for errors
	node  *ratNode // nil for a field holding no big.Rat, copied as is
}

// ratLeaf is one big.Rat of T: its column and declared decimal.
type ratLeaf struct {
	name   string       // Go path, for errors: Price, Items[].Price, Prices[]
	t      reflect.Type // big.Rat or *big.Rat
	column []string     // its column's path
	tagKey string       // the struct tag declaring it: parquet, parquet-element or parquet-value
	ptr    bool         // *big.Rat: an optional column
	inMap  bool         // in a map's value, through structs by value only
	opts   string       // the tag's other options: optional, compression, encoding
	// From the decimal(scale:precision) tag, if any.
	tagged           bool
	scale, precision int
}

// describe names the leaf as schema errors do.
func (lf *ratLeaf) describe(t reflect.Type) string {
	return fmt.Sprintf("field %s (%s) of %s", lf.name, lf.t, t)
}

// ratStruct is a row type holding big.Rats: the tree of its types that
// hold one, and its big.Rats.
type ratStruct struct {
	t      reflect.Type
	root   *ratNode
	leaves []ratLeaf
}

// isLeaf reports whether col is the column of one of rs's big.Rats.
func (rs *ratStruct) isLeaf(col []string) bool {
	for i := range rs.leaves {
		if slices.Equal(rs.leaves[i].column, col) {
			return true
		}
	}
	return false
}

var ratStructs sync.Map // reflect.Type → ratStructResult

type ratStructResult struct {
	rs  *ratStruct
	err error
}

// ratStructOf returns how t's big.Rats are read and written, or nil when t
// holds no big.Rat. It fails for a t that is not a struct, for big.Rats
// where no tag can declare them, and for fields and tags it cannot
// convert.
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
		return nil, fmt.Errorf("%s holds a big.Rat: a *big.Rat or big.Rat is supported only within the row struct itself, not a pointer to it or another type", t)
	}
	d := &ratDeriver{rs: &ratStruct{t: t}, open: map[reflect.Type]bool{}}
	root, err := d.group(t, nil, "")
	if err != nil {
		return nil, err
	}
	d.rs.root = root
	return d.rs, nil
}

// ratDeriver builds the ratNode tree of a row type.
type ratDeriver struct {
	rs    *ratStruct
	open  map[reflect.Type]bool // structs being derived, to refuse recursive types
	inMap bool                  // deriving a map's value, through structs by value only
}

// group derives struct type t, whose columns are under path col and whose
// fields' Go names start with prefix.
func (d *ratDeriver) group(t reflect.Type, col []string, prefix string) (*ratNode, error) {
	if d.open[t] {
		return nil, fmt.Errorf("%s holds a big.Rat and contains itself, which has no Parquet schema", t)
	}
	d.open[t] = true
	defer delete(d.open, t)
	n := &ratNode{t: t, kind: kindStruct}
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
		m := ratMember{index: i, name: f.Name}
		if decimal.Holds(f.Type, isColumn) {
			var err error
			if m.node, err = d.field(f, opts, append(slices.Clip(col), name), prefix+f.Name); err != nil {
				return nil, err
			}
		}
		n.fields = append(n.fields, m)
	}
	return n, nil
}

// field derives struct field f holding a big.Rat, with the options opts of
// its parquet tag, column path col and Go path name.
func (d *ratDeriver) field(f reflect.StructField, opts string, col []string, name string) (*ratNode, error) {
	unsupported := func(why string) error {
		return fmt.Errorf("field %s (%s) of %s holds a big.Rat %s", name, f.Type, d.rs.t, why)
	}
	ft := f.Type
	switch {
	case f.Anonymous:
		return nil, unsupported("in an embedded struct, whose columns parquet-go inlines: make it a named field")
	case isRat(ft):
		return d.leaf(ft, col, name, "parquet", opts)
	case ft.Kind() == reflect.Slice:
		if !hasOption(opts, "list") {
			return nil, unsupported(`in a slice without the list tag: tag it list, as Spark and DuckDB write lists`)
		}
		return d.container(f, kindList, opts, append(col, "list", "element"), name+"[]")
	case ft.Kind() == reflect.Map:
		if decimal.Holds(ft.Key(), isColumn) {
			return nil, unsupported("in its keys: only a map's values may hold one")
		}
		if hasOption(opts, "json") {
			return nil, unsupported("in a map tagged json")
		}
		return d.container(f, kindMap, opts, append(col, "key_value", "value"), name+"[]")
	}
	if n, ok, err := d.nested(ft, col, name); ok {
		return n, err
	}
	return nil, unsupported("where parquetio cannot convert it: a big.Rat may be a field, the element of a list or the value of a map, of the row struct or of a struct nested in it (by value or pointer)")
}

// nested derives a struct or a pointer to one; ok is false for any other
// type.
func (d *ratDeriver) nested(t reflect.Type, col []string, name string) (n *ratNode, ok bool, err error) {
	switch {
	case t.Kind() == reflect.Struct:
		n, err = d.group(t, col, name+".")
		return n, true, err
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
		defer d.within(false)()
		g, err := d.group(t.Elem(), col, name+".")
		return &ratNode{t: t, kind: kindPointer, elem: g}, true, err
	}
	return nil, false, nil
}

// container derives list or map field f, whose elements (or values) have
// column path col and Go path name. A big.Rat element is declared by the
// field's parquet-element (or parquet-value) tag, as parquet-go configures
// elements; other elements must be structs, which carry their own tags.
func (d *ratDeriver) container(f reflect.StructField, kind ratKind, opts string, col []string, name string) (*ratNode, error) {
	defer d.within(kind == kindMap)()
	et := f.Type.Elem()
	n := &ratNode{t: f.Type, kind: kind}
	field := strings.TrimSuffix(name, "[]") // the Go path of f
	if isRat(et) {
		key := "parquet-element"
		if kind == kindMap {
			key = "parquet-value"
		}
		if hasOption(opts, "decimal") {
			return nil, fmt.Errorf("field %s (%s) of %s: the decimal of its elements goes in their own tag, e.g. %s:\",decimal(2:18)\"", field, f.Type, d.rs.t, key)
		}
		_, elemOpts, _ := strings.Cut(f.Tag.Get(key), ",") // an element's name is not its own
		var err error
		n.elem, err = d.leaf(et, col, name, key, elemOpts)
		return n, err
	}
	var err error
	var ok bool
	if n.elem, ok, err = d.nested(et, col, name); !ok {
		err = fmt.Errorf("field %s (%s) of %s holds a big.Rat in a list or map of lists or maps, which parquetio does not support: put the inner list or map in a struct", field, f.Type, d.rs.t)
	}
	return n, err
}

// within sets whether what is derived next is in a map's value, until the
// returned function restores it.
func (d *ratDeriver) within(inMap bool) (restore func()) {
	was := d.inMap
	d.inMap = inMap
	return func() { d.inMap = was }
}

// leaf records big.Rat leaf t, at column path col and Go path name,
// declared by the options opts of its struct tag key.
func (d *ratDeriver) leaf(t reflect.Type, col []string, name, key, opts string) (*ratNode, error) {
	lf := ratLeaf{name: name, t: t, column: col, tagKey: key, ptr: t.Kind() == reflect.Pointer, inMap: d.inMap}
	for o := range strings.SplitSeq(opts, ",") {
		switch {
		case o == "":
		case o == "optional" || columnOptions[o]:
			// Kept for the shadow's column, as on any field.
			lf.opts = joinOpts(lf.opts, o)
		case strings.HasPrefix(o, "decimal(") && strings.HasSuffix(o, ")"):
			s, p, err := decimalArgs(o[len("decimal(") : len(o)-1])
			if err != nil {
				return nil, fmt.Errorf("field %s (%s) of %s: tag %q: %w", name, t, d.rs.t, o, err)
			}
			lf.tagged, lf.scale, lf.precision = true, s, p
		default:
			return nil, fmt.Errorf("field %s (%s) of %s: tag option %q does not apply to a big.Rat (give decimal(scale:precision))", name, t, d.rs.t, o)
		}
	}
	d.rs.leaves = append(d.rs.leaves, lf)
	return &ratNode{t: t, kind: kindRat, leaf: len(d.rs.leaves) - 1}, nil
}

// hasOption reports whether the options of a parquet tag hold option o,
// with or without arguments.
func hasOption(opts, o string) bool {
	for x := range strings.SplitSeq(opts, ",") {
		if x == o || strings.HasPrefix(x, o+"(") {
			return true
		}
	}
	return false
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

// shadowLeaf is what a big.Rat leaf is in a shadow: a Go type and the
// options of its parquet tag.
type shadowLeaf struct {
	t    reflect.Type
	opts string
}

// shadow builds the shadow type of rs, with big.Rat leaf k replaced by
// leaves[k].
func (rs *ratStruct) shadow(leaves []shadowLeaf) (st reflect.Type, err error) {
	defer func() {
		if v := recover(); v != nil {
			st, err = nil, fmt.Errorf("%s holds big.Rats, which are read and written through a derived struct type that Go cannot build here: %v (embed structs with methods first, or make them named fields)", rs.t, v)
		}
	}()
	return rs.shadowOf(rs.root, leaves), nil
}

func (rs *ratStruct) shadowOf(n *ratNode, leaves []shadowLeaf) reflect.Type {
	switch n.kind {
	case kindRat:
		return leaves[n.leaf].t
	case kindPointer:
		return reflect.PointerTo(rs.shadowOf(n.elem, leaves))
	case kindList:
		return reflect.SliceOf(rs.shadowOf(n.elem, leaves))
	case kindMap:
		return reflect.MapOf(n.t.Key(), rs.shadowOf(n.elem, leaves))
	}
	fields := make([]reflect.StructField, len(n.fields))
	for j, m := range n.fields {
		f := n.t.Field(m.index)
		fields[j] = reflect.StructField{Name: f.Name, Type: f.Type, Tag: f.Tag, Anonymous: f.Anonymous}
		if m.node != nil {
			fields[j].Type = rs.shadowOf(m.node, leaves)
			fields[j].Tag = rs.shadowTag(f, m.node, leaves)
		}
	}
	return reflect.StructOf(fields)
}

// shadowTag is the tag of the shadow's field for field f of node n: the
// leaf's own tag for a big.Rat field, f's tags with the element's (or
// value's) replaced for a list or map of big.Rats, else f's tag.
func (rs *ratStruct) shadowTag(f reflect.StructField, n *ratNode, leaves []shadowLeaf) reflect.StructTag {
	if n.kind == kindRat {
		name, _, _ := column(f)
		return structTag("parquet", joinOpts(name, leaves[n.leaf].opts))
	}
	if n.kind != kindList && n.kind != kindMap || n.elem.kind != kindRat {
		return f.Tag
	}
	tag := structTag("parquet", f.Tag.Get("parquet"))
	if key, ok := f.Tag.Lookup("parquet-key"); ok {
		tag += " " + structTag("parquet-key", key)
	}
	return tag + " " + structTag(rs.leaves[n.elem.leaf].tagKey, ","+leaves[n.elem.leaf].opts)
}

func structTag(key, value string) reflect.StructTag {
	return reflect.StructTag(key + ":" + strconv.Quote(value))
}

// joinOpts joins the options of a parquet tag (or a name and options).
func joinOpts(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "," + b
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

// placeholder is the shadow of leaf lf before its column is known: an
// int64, which any decimal tag or option accepts.
func (lf *ratLeaf) placeholder() shadowLeaf {
	return shadowLeaf{physical(parquet.Int64, 0, lf.ptr), lf.opts}
}

// readableType checks that T has a Parquet schema, before any file is
// read. For a T holding big.Rats, whose schema depends on the file, the
// big.Rats must be supported where they are, and the schema of the rest
// of T is checked with the big.Rats as int64s.
func readableType[T any]() error {
	rs, err := ratStructOf(reflect.TypeFor[T]())
	if err != nil {
		return fmt.Errorf("parquetio: %w", err)
	}
	if rs == nil {
		_, err := schemaOf[T]()
		return err
	}
	leaves := make([]shadowLeaf, len(rs.leaves))
	for k := range rs.leaves {
		leaves[k] = rs.leaves[k].placeholder()
	}
	st, err := rs.shadow(leaves)
	if err != nil {
		return fmt.Errorf("parquetio: %w", err)
	}
	_, err = shadowSchema(rs, st)
	return err
}
