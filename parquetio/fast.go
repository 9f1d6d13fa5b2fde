package parquetio

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/format"
)

// The columnar fast path. For the common row type, a flat struct of string,
// integer, float and bool fields, the Reader does not reconstruct rows with
// parquet-go's GenericReader: it reads each projected column chunk's values
// a batch at a time and stores them straight into the fields of the caller's
// []T, at field offsets computed once when the Reader is opened. Anything
// else (nested or repeated fields, pointers, slices, logical types other
// than STRING and signed INT, columns the file lacks or stores differently)
// takes the row path.
//
// Nulls reach store only in columns of fields tagged optional, which read
// them as the field's zero value, as on the row path: nulls that T cannot
// hold fail the page's null check (checkedPages) before its values are
// read.

// fastKind is how a fast column's values are stored in its field.
type fastKind uint8

const (
	fastString fastKind = iota
	fastInt64
	fastInt32
	fastBool
	fastFloat32
	fastFloat64
)

// fastColumn is one field of T read from one leaf column of the file.
type fastColumn struct {
	name   string
	column int     // leaf column index in the file
	offset uintptr // of the field in T
	kind   fastKind
}

// fastPlan says how to read T from a file on the fast path.
type fastPlan struct {
	size uintptr // of T
	cols []fastColumn
}

// planFast returns the fast-path plan reading values of Go type t (whose
// parquet schema is want) from a file of schema have, or nil when the row
// path must be taken.
func planFast(t reflect.Type, want, have *parquet.Schema, fromPath map[string]bool) *fastPlan {
	if t.Kind() != reflect.Struct {
		return nil
	}
	p := &fastPlan{size: t.Size()}
	seen := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, ok := column(f)
		if !ok {
			continue
		}
		if f.Anonymous {
			return nil
		}
		if fromPath[name] {
			seen[name] = true // set after the read (partition.go)
			continue
		}
		var kind fastKind
		switch f.Type.Kind() {
		case reflect.String:
			kind = fastString
		case reflect.Int64:
			kind = fastInt64
		case reflect.Int:
			if strconv.IntSize != 64 {
				return nil
			}
			kind = fastInt64
		case reflect.Int32:
			kind = fastInt32
		case reflect.Bool:
			kind = fastBool
		case reflect.Float32:
			kind = fastFloat32
		case reflect.Float64:
			kind = fastFloat64
		default:
			return nil
		}
		w, ok := want.Lookup(name)
		if !ok || !w.Node.Leaf() || w.MaxRepetitionLevel != 0 || !fastType(kind, w.Node.Type()) {
			return nil
		}
		h, ok := have.Lookup(name)
		if !ok || !h.Node.Leaf() || h.MaxRepetitionLevel != 0 || h.MaxDefinitionLevel > 1 ||
			!fastType(kind, h.Node.Type()) {
			return nil
		}
		seen[name] = true
		p.cols = append(p.cols, fastColumn{name: name, column: h.ColumnIndex, offset: f.Offset, kind: kind})
	}
	// Every column of T's schema must be one of the fields planned.
	cols := want.Columns()
	if len(cols) != len(p.cols)+len(fromPath) || len(p.cols) == 0 {
		return nil
	}
	for _, c := range cols {
		if len(c) != 1 || !seen[c[0]] {
			return nil
		}
	}
	return p
}

// fastType reports whether values of column type t are stored in a field of
// kind k without conversion.
func fastType(k fastKind, t parquet.Type) bool {
	var lv format.LogicalTypeValue
	if lt := t.LogicalType(); lt != nil {
		lv = lt.Value
	}
	switch k {
	case fastString:
		if t.Kind() != parquet.ByteArray {
			return false
		}
		switch lv.(type) {
		case nil, *format.StringType:
			return true
		}
		return false
	case fastInt64, fastInt32:
		want, bits := parquet.Int64, int8(64)
		if k == fastInt32 {
			want, bits = parquet.Int32, 32
		}
		if t.Kind() != want {
			return false
		}
		switch lt := lv.(type) {
		case nil:
			return true
		case *format.IntType:
			return lt.IsSigned && lt.BitWidth == bits
		}
		return false
	case fastBool:
		return t.Kind() == parquet.Boolean && lv == nil
	case fastFloat32:
		return t.Kind() == parquet.Float && lv == nil
	case fastFloat64:
		return t.Kind() == parquet.Double && lv == nil
	}
	return false
}

// fastChunk is the read position in one column chunk of a row group.
type fastChunk struct {
	pages parquet.Pages
	vals  parquet.ValueReader // of the current page; nil between pages
	page  parquet.Page
	// bytes and offsets are a string column's page of plain values, read
	// directly (offsets[i:i+2] bound value i in bytes); next is the next
	// value to read. bytes is nil for pages read through vals.
	bytes   []byte
	offsets []uint32
	next    int
	// typed and generic count the values read without a parquet.Value each
	// (typed readers, or a string page's bytes) and through ReadValues, for
	// tests.
	typed, generic int64
}

// fastGroup reads one row group on the fast path.
type fastGroup struct {
	plan   *fastPlan
	chunks []fastChunk
	left   int64 // rows not yet read
	buf    []parquet.Value
	// typed holds one batch of a column's values read through parquet-go's
	// typed readers (ReadBooleans, ReadInt64s, ...), reinterpreted as the
	// column's Go type; uint64 elements keep it aligned for every kind.
	typed []uint64
	// shared: strings of one page read share one allocation (SharedStrings).
	shared bool
}

func newFastGroup(plan *fastPlan, rg parquet.RowGroup, buf []parquet.Value, sharedStrings bool) *fastGroup {
	g := &fastGroup{plan: plan, chunks: make([]fastChunk, len(plan.cols)), left: rg.NumRows(), buf: buf, shared: sharedStrings}
	all := rg.ColumnChunks()
	for i, c := range plan.cols {
		g.chunks[i].pages = all[c.column].Pages()
	}
	return g
}

// read fills rows (a pointer to the first of n values of T) from the next n
// rows of the group; it returns io.EOF when none are left.
func (g *fastGroup) read(rows unsafe.Pointer, n int) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	n = int(min(int64(n), g.left))
	for i := range g.plan.cols {
		c := &g.plan.cols[i]
		if err := g.readColumn(rows, n, c, &g.chunks[i]); err != nil {
			if errors.Is(err, ErrUnsupported) {
				return 0, err // it names the column
			}
			return 0, fmt.Errorf("column %q: %w", c.name, err)
		}
	}
	g.left -= int64(n)
	return n, nil
}

// readColumn stores the next n values of chunk ch into field c of the n
// values of T at rows, page by page. Pages of plain required numeric
// columns are read through parquet-go's typed readers, and string pages
// without nulls or dictionary from their bytes, without building a
// parquet.Value per value; the others (dictionary-encoded pages, optional
// numeric columns, whose readers implement only ReadValues, and strings
// with nulls) through ReadValues.
func (g *fastGroup) readColumn(rows unsafe.Pointer, n int, c *fastColumn, ch *fastChunk) error {
	size := g.plan.size
	for got := 0; got < n; {
		if ch.vals == nil {
			p, err := ch.pages.ReadPage()
			if err == io.EOF {
				return fmt.Errorf("column chunk ends %d values short of its row group", n-got)
			}
			if err != nil {
				return err
			}
			if p.NumRows() != p.NumValues() {
				parquet.Release(p)
				return fmt.Errorf("page of %d rows holds %d values in a flat column", p.NumRows(), p.NumValues())
			}
			ch.page, ch.vals = p, p.Values()
			if c.kind == fastString {
				ch.bytes, ch.offsets = plainStrings(p)
				ch.next = 0
			}
		}
		dst := unsafe.Add(rows, uintptr(got)*size)
		var k int
		var ok bool
		var err error
		if ch.offsets != nil {
			k, err = g.readStrings(unsafe.Add(dst, c.offset), n-got, ch)
			ok = true
		} else {
			k, ok, err = g.readTyped(dst, n-got, c, ch.vals)
		}
		if ok {
			ch.typed += int64(k)
		} else {
			if cap(g.buf) < n-got {
				g.buf = make([]parquet.Value, n)
			}
			vals := g.buf[:n-got]
			k, err = ch.vals.ReadValues(vals)
			if c.kind == fastString && g.shared {
				storeSharedStrings(unsafe.Add(dst, c.offset), size, vals[:k])
			} else {
				store(dst, size, c, vals[:k])
			}
			ch.generic += int64(k)
		}
		got += k
		switch {
		case err == io.EOF:
			// Strings were copied out by store: nothing refers to the page.
			parquet.Release(ch.page)
			ch.vals, ch.page = nil, nil
			ch.bytes, ch.offsets = nil, nil
		case err != nil:
			return err
		case k == 0:
			return fmt.Errorf("page value reader returned no values")
		}
	}
	return nil
}

// readTyped reads up to n values of field c from r through r's typed reader
// for c's kind and stores them into the values of T at dst; ok is false when
// r has none.
func (g *fastGroup) readTyped(dst unsafe.Pointer, n int, c *fastColumn, r parquet.ValueReader) (k int, ok bool, err error) {
	words := n
	if c.kind == fastBool {
		words = (n + 7) / 8
	}
	ensure := func() unsafe.Pointer {
		if len(g.typed) < words {
			g.typed = make([]uint64, max(words, len(g.typed)*2))
		}
		return unsafe.Pointer(unsafe.SliceData(g.typed))
	}
	size := g.plan.size
	dst = unsafe.Add(dst, c.offset)
	switch c.kind {
	case fastBool:
		tr, ok := r.(parquet.BooleanReader)
		if !ok {
			return 0, false, nil
		}
		k, err = readTyped(ensure(), n, dst, size, tr.ReadBooleans)
	case fastInt64:
		tr, ok := r.(parquet.Int64Reader)
		if !ok {
			return 0, false, nil
		}
		k, err = readTyped(ensure(), n, dst, size, tr.ReadInt64s)
	case fastInt32:
		tr, ok := r.(parquet.Int32Reader)
		if !ok {
			return 0, false, nil
		}
		k, err = readTyped(ensure(), n, dst, size, tr.ReadInt32s)
	case fastFloat32:
		tr, ok := r.(parquet.FloatReader)
		if !ok {
			return 0, false, nil
		}
		k, err = readTyped(ensure(), n, dst, size, tr.ReadFloats)
	case fastFloat64:
		tr, ok := r.(parquet.DoubleReader)
		if !ok {
			return 0, false, nil
		}
		k, err = readTyped(ensure(), n, dst, size, tr.ReadDoubles)
	default:
		return 0, false, nil
	}
	return k, true, err
}

// readTyped reads up to n values through read into buf, which holds at
// least n values of T, and stores them into the field at dst of
// consecutive rows of the given size.
func readTyped[T any](buf unsafe.Pointer, n int, dst unsafe.Pointer, size uintptr, read func([]T) (int, error)) (int, error) {
	vs := unsafe.Slice((*T)(buf), n)
	k, err := read(vs)
	for i, v := range vs[:k] {
		*(*T)(unsafe.Add(dst, uintptr(i)*size)) = v
	}
	return k, err
}

// release releases the page of the chunk held by the reader.
func (c *fastChunk) release() {
	if c.page != nil {
		parquet.Release(c.page)
	}
	c.vals, c.page = nil, nil
}

// close releases the group's pages.
func (g *fastGroup) close() {
	for i := range g.chunks {
		c := &g.chunks[i]
		c.release()
		if c.pages != nil {
			c.pages.Close()
		}
	}
}

// plainStrings returns the values of p, a page of a string column, as the
// bytes of its values back to back and their offsets, when p holds them so
// (a plain or delta-encoded page without nulls); offsets is nil otherwise
// (a dictionary-encoded page, or one with nulls).
func plainStrings(p parquet.Page) (bytes []byte, offsets []uint32) {
	if p.Dictionary() != nil || p.NumNulls() != 0 {
		return nil, nil
	}
	d := p.Data()
	if d.Kind() != encoding.ByteArray {
		return nil, nil
	}
	bytes, offsets = d.ByteArray()
	if int64(len(offsets)) != p.NumValues()+1 || len(offsets) == 0 || int(offsets[len(offsets)-1]) > len(bytes) {
		return nil, nil
	}
	// readStrings makes strings over these bytes with unsafe.String: every
	// value must lie within them. parquet-go sums a corrupt page's delta
	// lengths in uint32, so its offsets can wrap and go back while the last
	// one is in range; such a page takes the checked path, which reports it.
	for i := 1; i < len(offsets); i++ {
		if offsets[i] < offsets[i-1] {
			return nil, nil
		}
	}
	return bytes, offsets
}

// readStrings stores up to n values of ch's page of plain strings into the
// string fields at p of consecutive values of T, and returns how many, with
// io.EOF when the page is done. Without a parquet.Value per string, it
// copies a batch's bytes in one piece: into one allocation when strings are
// shared (SharedStrings), else each into its own.
func (g *fastGroup) readStrings(p unsafe.Pointer, n int, ch *fastChunk) (int, error) {
	size := g.plan.size
	from := ch.next
	k := min(n, len(ch.offsets)-1-from)
	offs := ch.offsets[from : from+k+1]
	if g.shared {
		base := offs[0]
		buf := make([]byte, offs[k]-base)
		copy(buf, ch.bytes[base:offs[k]])
		for i := range k {
			f := (*string)(unsafe.Add(p, uintptr(i)*size))
			if a, b := offs[i]-base, offs[i+1]-base; b > a {
				*f = unsafe.String(&buf[a], b-a)
			} else {
				*f = ""
			}
		}
	} else {
		for i := range k {
			*(*string)(unsafe.Add(p, uintptr(i)*size)) = string(ch.bytes[offs[i]:offs[i+1]])
		}
	}
	ch.next += k
	if ch.next == len(ch.offsets)-1 {
		return k, io.EOF
	}
	return k, nil
}

// storeSharedStrings writes string vals into the string fields at p of
// consecutive values of T (of size size), copying their bytes into one
// allocation (see SharedStrings).
func storeSharedStrings(p unsafe.Pointer, size uintptr, vals []parquet.Value) {
	total := 0
	for i := range vals {
		total += len(vals[i].ByteArray())
	}
	buf := make([]byte, 0, total)
	for i := range vals {
		f := (*string)(unsafe.Add(p, uintptr(i)*size))
		b := vals[i].ByteArray()
		if len(b) == 0 {
			*f = ""
			continue
		}
		off := len(buf)
		buf = append(buf, b...)
		*f = unsafe.String(&buf[off], len(b))
	}
}

// store writes vals into field c of the len(vals) values of T (of size
// size) starting at rows. Null values store the zero value.
func store(rows unsafe.Pointer, size uintptr, c *fastColumn, vals []parquet.Value) {
	p := unsafe.Add(rows, c.offset)
	switch c.kind {
	case fastString:
		for i := range vals {
			f := (*string)(unsafe.Add(p, uintptr(i)*size))
			if b := vals[i].ByteArray(); len(b) > 0 {
				*f = string(b)
			} else {
				*f = ""
			}
		}
	case fastInt64:
		for i := range vals {
			*(*int64)(unsafe.Add(p, uintptr(i)*size)) = vals[i].Int64()
		}
	case fastInt32:
		for i := range vals {
			*(*int32)(unsafe.Add(p, uintptr(i)*size)) = vals[i].Int32()
		}
	case fastBool:
		for i := range vals {
			*(*bool)(unsafe.Add(p, uintptr(i)*size)) = vals[i].Boolean()
		}
	case fastFloat32:
		for i := range vals {
			*(*float32)(unsafe.Add(p, uintptr(i)*size)) = vals[i].Float()
		}
	case fastFloat64:
		for i := range vals {
			*(*float64)(unsafe.Add(p, uintptr(i)*size)) = vals[i].Double()
		}
	}
}
