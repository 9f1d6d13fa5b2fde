package avroio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/crunchgo/crunchgo/internal/hivepart"
	"github.com/hamba/avro/v2"
	"github.com/modern-go/reflect2"
)

// apis holds one frozen hamba config per byte-slice limit; each caches the
// decoders it compiles, so a (schema, type) pair is compiled once per process.
var apis sync.Map // int64 → avro.API

func apiFor(maxBlockSize int64) avro.API {
	if a, ok := apis.Load(maxBlockSize); ok {
		return a.(avro.API)
	}
	a := avro.Config{
		TagKey:            "avro",
		MaxByteSliceSize:  int(maxBlockSize),
		MaxSliceAllocSize: int(maxBlockSize),
	}.Freeze()
	a2, _ := apis.LoadOrStore(maxBlockSize, a)
	return a2.(avro.API)
}

// isGeneric reports whether T is read without a derived schema: any or map[string]any.
func isGeneric(t reflect.Type) bool {
	return t.Kind() == reflect.Interface ||
		t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.Interface
}

// Decoder decodes the records of one container file into values of T. The
// reader schema is WithReaderSchema's, or derived from T (SchemaOf; record
// names are taken from the writer's schema), or for T = map[string]any or
// any the writer's schema itself; it is resolved against the writer's schema
// once, and records are decoded by hamba/avro's decoder compiled for T.
type Decoder[T any] struct {
	f      *FileReader
	dec    avro.ValDecoder
	r      *avro.Reader
	reader avro.Schema
	v      *T // decoded into, then copied out: a local would escape per record
	// ad, if not nil, reads records through a shadow struct (adapter);
	// shadow points to the value decoded into.
	ad     *adapter
	shadow unsafe.Pointer
	clip   func(reflect.Value) // cuts decoded []byte capacities (clip.go); nil if T holds none
	part   *hivepart.Setter    // fills the fields whose values are in the file's path; nil if none
}

// NewDecoder prepares decoding f's records into T.
func NewDecoder[T any](f *FileReader) (*Decoder[T], error) {
	t := reflect.TypeFor[T]()
	fromPath := pathFields(f.path, t, f.schema, &f.cfg)
	reader, resolved, ad, err := resolveSchema[T](f, fromPath)
	if err != nil {
		return nil, err
	}
	api := apiFor(f.cfg.maxBlockSize)
	d := &Decoder[T]{f: f, r: avro.NewReader(nil, 0, avro.WithReaderConfig(api)), reader: reader, v: new(T), ad: ad,
		clip: clipperFor(t)}
	if d.part, err = partitionSetter(f.path, t, fromPath); err != nil {
		return nil, err
	}
	if ad == nil {
		d.dec = api.DecoderOf(resolved, reflect2.TypeOf((*T)(nil)))
	} else {
		d.dec = api.DecoderOf(resolved, reflect2.Type2(reflect.PointerTo(ad.shadow)))
		d.shadow = reflect.New(ad.shadow).UnsafePointer()
	}
	return d, nil
}

// resolveSchema returns the schema f's records are read as into T, that
// schema resolved against the file's (the writer's), and the adapter
// records go through when T's fields and the file's disagree on null
// (then the schemas are the adapter's shadow struct's). fromPath are the
// fields the file's path fills (pathFields), which the reader schema
// leaves out.
func resolveSchema[T any](f *FileReader, fromPath []hivepart.Field) (reader, resolved avro.Schema, ad *adapter, err error) {
	t := reflect.TypeFor[T]()
	writer := f.schema
	if why := decimalProblem(t); why != "" {
		return nil, nil, nil, fmt.Errorf("avroio: %s: reading %s: %s", f.path, t, why)
	}
	switch {
	case f.cfg.readerSchema != "":
		reader, err = avro.ParseWithCache(f.cfg.readerSchema, "", &avro.SchemaCache{})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("avroio: reader schema: %w", err)
		}
		if !isGeneric(t) {
			if why := nullableIntoValue(t, reader, t.String()); why != "" {
				return nil, nil, nil, fmt.Errorf("avroio: %s: reading %s: %s", f.path, t, why)
			}
		}
	case isGeneric(t):
		reader = writer
		if f.cfg.localAsLongs {
			reader = withoutLocalTimestamps(writer)
		}
	default:
		if w := uncheckedNarrow(t); w != "" {
			return nil, nil, nil, fmt.Errorf("avroio: %s: reading %s: field %s is a narrower integer than Avro's int or long, inside a record, array or map, where avroio cannot check that the file's numbers fit it (hamba/avro would wrap them): declare it int32 or int64",
				f.path, t, w)
		}
		derived := t
		if ad = adapterFor(t, writer, false); ad != nil {
			derived = ad.shadow
		}
		reader, err = deriveSchema(derived, writer, true)
		if err != nil && ad != nil {
			// Name T, not the shadow struct, if T's own schema fails too.
			if _, terr := deriveSchema(t, writer, true); terr != nil {
				err = terr
			}
		}
		if err != nil {
			return nil, nil, nil, err
		}
		if reader, err = withoutFields(reader, fromPath); err != nil {
			return nil, nil, nil, err
		}
	}
	if err := checkRequired(f, reader, writer); err != nil {
		return nil, nil, nil, err
	}
	if reader.Fingerprint() == writer.Fingerprint() {
		return reader, writer, withDecimalAdapter(f, t, writer, ad), nil
	}
	if why := unreadable(reader, writer, f.cfg.readerSchema == ""); why != "" {
		return nil, nil, nil, fmt.Errorf("avroio: %s: %s (reading %s)\nthe file's schema: %s", f.path, why, t, writer.String())
	}
	resolved, err = avro.NewSchemaCompatibility().Resolve(reader, withoutNullFields(writer, reader))
	if err != nil {
		if why := incompatibleField(reader, writer); why != "" {
			if e := embeddedPointer(t); e != "" && f.cfg.readerSchema == "" && !isGeneric(t) {
				why += fmt.Sprintf(" (%s embeds %s by pointer, and fields that disagree with the file on null are read only from a struct embedding by value)", t, e)
			}
			return nil, nil, nil, fmt.Errorf("avroio: %s: %s (reading %s: %w)\nthe file's schema: %s", f.path, why, t, err, writer.String())
		}
		return nil, nil, nil, fmt.Errorf("avroio: %s: reading %s: %w\nthe file's schema: %s", f.path, t, err, writer.String())
	}
	return reader, resolved, withDecimalAdapter(f, t, resolved, ad), nil
}

// withDecimalAdapter returns ad, or with a reader schema the adapter
// reading T's *big.Rat fields from the nullable decimals of resolved, the
// schema hamba/avro decodes (see decimalShadow): which are nullable is
// the file's to say, not the reader schema's.
func withDecimalAdapter(f *FileReader, t reflect.Type, resolved avro.Schema, ad *adapter) *adapter {
	if f.cfg.readerSchema == "" || isGeneric(t) {
		return ad
	}
	return adapterFor(t, resolved, true)
}

// checkRequired refuses f if its schema, writer, lacks a field that
// RequireFields names; reader is the schema f is read as.
func checkRequired(f *FileReader, reader, writer avro.Schema) error {
	if len(f.cfg.required) == 0 {
		return nil
	}
	rr, ok := reader.(*avro.RecordSchema)
	if !ok {
		return fmt.Errorf("avroio: %s: RequireFields: records are read as %s, not a record", f.path, reader.Type())
	}
	read, written := fieldsByName(rr), map[string]*avro.Field{}
	if wr, ok := writer.(*avro.RecordSchema); ok {
		written = fieldsByName(wr)
	}
	for _, name := range f.cfg.required {
		rf := read[name]
		if rf == nil {
			return fmt.Errorf("avroio: RequireFields(%q): the schema records are read as has no such field", name)
		}
		found := written[name] != nil
		for _, a := range rf.Aliases() {
			found = found || written[a] != nil
		}
		if !found {
			return fmt.Errorf("avroio: %s: field %s is not in the file, which the read requires\nthe file's schema: %s", f.path, name, writer.String())
		}
	}
	return nil
}

// incompatibleField names the first field of reader that cannot be read
// from writer's, with advice for the common case of a field the file
// declares nullable (a union with null, as Spark and Hive write every
// nullable column): Go types without pointers cannot hold a null. It
// returns "" when no single field explains it.
func incompatibleField(reader, writer avro.Schema) string {
	rr, ok1 := reader.(*avro.RecordSchema)
	wr, ok2 := writer.(*avro.RecordSchema)
	if !ok1 || !ok2 {
		return ""
	}
	written := fieldsByName(wr)
	check := avro.NewSchemaCompatibility()
	for _, f := range rr.Fields() {
		w := written[f.Name()]
		for _, a := range f.Aliases() {
			if w == nil {
				w = written[a]
			}
		}
		if w == nil && !f.HasDefault() {
			return fmt.Sprintf("field %s is not in the file%s and has no default: the data needs it, or the Go field an avrodefault tag or a pointer type (null when missing)", f.Name(), similarFieldHint(wr, f.Name()))
		}
		if w == nil || check.Compatible(f.Type(), w.Type()) == nil {
			continue
		}
		if inner := incompatibleField(f.Type(), w.Type()); inner != "" {
			return "field " + f.Name() + "." + strings.TrimPrefix(inner, "field ")
		}
		if u, ok := w.Type().(*avro.UnionSchema); ok && u.Nullable() {
			if _, readerUnion := f.Type().(*avro.UnionSchema); !readerUnion {
				return fmt.Sprintf("field %s is nullable in the file (%s) but not in the Go type: make the Go field a pointer to read it", f.Name(), w.Type())
			}
		}
		if at := nullableElements(f.Type(), w.Type()); at != "" {
			return fmt.Sprintf("field %s: the file's %s%s are nullable (%s) but the Go type's are not: make them pointers ([]*T, map[string]*T) to read them", f.Name(), f.Name(), at, w.Type())
		}
		why := fmt.Sprintf("field %s: the file's %s cannot be read as %s", f.Name(), w.Type(), f.Type())
		if ws, _ := nonNull(w.Type()); ws.Type() == avro.Enum {
			why += ": no Go type derives an enum; give the file's enum in a reader schema (WithReaderSchema), which reads it into a string, or read with ReadGeneric"
		}
		return why
	}
	return ""
}

// nullableElements names where writer's array items or map values, at any
// depth of arrays and maps ("[]", "[key][]"), are nullable and reader's are
// not, as Spark writes array<struct> and hamba/avro refuses to read into a
// []T; or returns "".
func nullableElements(reader, writer avro.Schema) string {
	var r, w avro.Schema
	var step string
	switch ws := deref(nonNullType(writer)).(type) {
	case *avro.ArraySchema:
		rs, ok := deref(nonNullType(reader)).(*avro.ArraySchema)
		if !ok {
			return ""
		}
		r, w, step = rs.Items(), ws.Items(), "[]"
	case *avro.MapSchema:
		rs, ok := deref(nonNullType(reader)).(*avro.MapSchema)
		if !ok {
			return ""
		}
		r, w, step = rs.Values(), ws.Values(), "[key]"
	default:
		return ""
	}
	if u, ok := deref(w).(*avro.UnionSchema); ok && u.Nullable() {
		if _, union := deref(r).(*avro.UnionSchema); !union {
			return step
		}
	}
	if inner := nullableElements(r, w); inner != "" {
		return step + inner
	}
	return ""
}

// unreadable names the first field of reader, at any depth (in records,
// array items, map values, nullable or not), that schema resolution
// accepts but that would not be read as intended, or returns "":
//   - a Go pointer to a string, number or boolean (the reader's nullable
//     union) for a value the file does not declare nullable: hamba/avro
//     cannot decode such a value into a pointer, and would fail every
//     record as corrupt (a pointer to a record or a decimal decodes);
//   - if derived (the reader's schema is derived from a Go type), a
//     decimal (a *big.Rat field) for a value the file does not declare a
//     decimal: plain bytes would resolve, and be read at a made-up scale;
//   - a decimal of another precision or scale than the file's, which
//     hamba/avro would read at the reader's scale (the Avro specification
//     resolves decimals only when both are equal);
//   - an int64 declared to hold timestamps in one unit (its avro tag's
//     timestamp-millis or timestamp-micros option) for a file holding
//     timestamps of another: resolution would pass the numbers through
//     unconverted, a thousand times off (a plain long is taken to be in the
//     declared unit).
func unreadable(reader, writer avro.Schema, derived bool) string {
	return unreadableAt(reader, writer, "", derived, map[string]bool{})
}

func unreadableAt(reader, writer avro.Schema, where string, derived bool, seen map[string]bool) string {
	r, rNullable := nonNull(reader)
	w, wNullable := nonNull(writer)
	if u, ok := w.(*avro.UnionSchema); ok && slices.ContainsFunc(u.Types(), func(s avro.Schema) bool { return s.Type() == avro.Null }) {
		wNullable = true // a null among several other types: resolution says what does not fit
	}
	if _, null := w.(*avro.NullSchema); null {
		if !rNullable {
			return fmt.Sprintf("field %s is null in every record of the file (its type is null): make the Go field a pointer to read nil", where)
		}
		return ""
	}
	if derived && logicalType(r) == avro.Decimal && logicalType(w) != avro.Decimal {
		return fmt.Sprintf("field %s holds %s in the file, not a decimal, which a *big.Rat field reads: read it into a Go field of its type", where, writer)
	}
	if rd, ok := logicalOf(r).(*avro.DecimalLogicalSchema); ok {
		// hamba/avro resolves decimals of different scales, and reads
		// the file's unscaled numbers at the reader's scale.
		if wd, ok := logicalOf(w).(*avro.DecimalLogicalSchema); ok && (rd.Scale() != wd.Scale() || rd.Precision() != wd.Precision()) {
			return fmt.Sprintf("field %s is decimal(%d,%d) in the file but decimal(%d,%d) in the reader schema: decimals resolve only at equal precision and scale", where, wd.Precision(), wd.Scale(), rd.Precision(), rd.Scale())
		}
	}
	if rNullable && !wNullable {
		if _, record := r.(*avro.RecordSchema); !record && logicalType(r) != avro.Decimal {
			return fmt.Sprintf("field %s is not nullable in the file (%s) but the Go field is a pointer, which hamba/avro cannot decode it into: make the Go field a plain value", where, writer)
		}
	}
	switch rs := r.(type) {
	case *avro.RecordSchema:
		ws, ok := w.(*avro.RecordSchema)
		if !ok || seen[rs.FullName()] {
			return ""
		}
		seen[rs.FullName()] = true
		written := fieldsByName(ws)
		for _, f := range rs.Fields() {
			if wf := written[f.Name()]; wf != nil {
				if why := unreadableAt(f.Type(), wf.Type(), strings.TrimPrefix(where+"."+f.Name(), "."), derived, seen); why != "" {
					return why
				}
			}
		}
	case *avro.ArraySchema:
		if ws, ok := w.(*avro.ArraySchema); ok {
			return unreadableAt(rs.Items(), ws.Items(), where+"[]", derived, seen)
		}
	case *avro.MapSchema:
		if ws, ok := w.(*avro.MapSchema); ok {
			return unreadableAt(rs.Values(), ws.Values(), where+"[value]", derived, seen)
		}
	case *avro.PrimitiveSchema:
		ws, ok := w.(*avro.PrimitiveSchema)
		if !ok || rs.Logical() == nil || ws.Logical() == nil {
			return ""
		}
		if want, have := rs.Logical().Type(), ws.Logical().Type(); want != have && isTimestamp(want) {
			if have == avro.Date {
				return fmt.Sprintf("field %s holds a date in the file, but a time.Time field reads %s unless tagged date (avro:\"name,date\")", where, want)
			}
			if have == avro.LocalTimestampMillis || have == avro.LocalTimestampMicros {
				return fmt.Sprintf("field %s holds %s in the file, a wall-clock time with no zone (as Spark's TIMESTAMP_NTZ), but the Go field declares %s, an instant: read it into an untagged int64 (the wall clock's %s since 1970-01-01T00:00, as if in UTC)",
					where, have, want, strings.TrimPrefix(string(have), "local-timestamp-"))
			}
			return fmt.Sprintf("field %s holds %s in the file, but the Go field declares %s: the units differ", where, have, want)
		}
	}
	return ""
}

// nullableIntoValue names the first place in Go type t, reached through
// records, arrays and maps of reader (a reader schema given with
// WithReaderSchema), where hamba/avro cannot decode reader's union into
// the Go value, or returns "":
//   - a struct value: hamba/avro decodes a union's record into a pointer,
//     which it would write over the struct's fields, reading garbage (in an
//     array or a map too, as Spark writes array<struct>);
//   - a map other than map[string]any: hamba/avro decodes a union into none,
//     and would fail every record.
func nullableIntoValue(t reflect.Type, reader avro.Schema, where string) string {
	seen := map[reflect.Type]bool{}
	// walk follows Go path where and Avro path name.
	var walk func(t reflect.Type, s avro.Schema, where, name string) string
	walk = func(t reflect.Type, s avro.Schema, where, name string) string {
		s = deref(s)
		if u, ok := s.(*avro.UnionSchema); ok {
			switch {
			case t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice:
				s = nonNullType(s) // hamba/avro decodes a nullable union into these
			case isRecord(t):
				return fmt.Sprintf("field %s is a struct value but the reader schema's %s is a union (%s), which hamba/avro decodes into a pointer: make the Go type a pointer", where, name, u)
			case t.Kind() == reflect.Map && t.Elem().Kind() != reflect.Interface:
				return fmt.Sprintf("field %s is a map but the reader schema's %s is a union (%s), which hamba/avro decodes only into a pointer to a map: make the Go type a pointer", where, name, u)
			}
		}
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch st := s.(type) {
		case *avro.RecordSchema:
			if !isRecord(t) || seen[t] {
				return ""
			}
			seen[t] = true
			fields := fieldsByName(st)
			for _, f := range avroFields(t) {
				if rf := fields[f.name]; rf != nil {
					if why := walk(f.sf.Type, rf.Type(), where+"."+f.sf.Name, dotted(name, f.name)); why != "" {
						return why
					}
				}
			}
		case *avro.ArraySchema:
			if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
				return walk(t.Elem(), st.Items(), where+"[]", name+"[]")
			}
		case *avro.MapSchema:
			if t.Kind() == reflect.Map {
				return walk(t.Elem(), st.Values(), where+"[value]", name+"[value]")
			}
		}
		return ""
	}
	return walk(t, reader, where, "")
}

// dotted is field name inside path, a field's Avro path ("" at the top).
func dotted(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// fieldsByName maps a record's field names to its fields.
// similarFieldHint names a field of the file's record w that name likely
// meant, or returns "": one differing only in case, else in case and
// underscores, as a Go field without a tag ("UserID") differs from the
// field it stands for ("user_id").
func similarFieldHint(w *avro.RecordSchema, name string) string {
	loose := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	for _, onlyCase := range []bool{true, false} {
		for _, f := range w.Fields() {
			if onlyCase && strings.EqualFold(f.Name(), name) {
				return fmt.Sprintf(" (it has %q: names are case-sensitive; name it in the field's tag, avro:%q)", f.Name(), f.Name())
			}
			if !onlyCase && loose(f.Name()) == loose(name) {
				return fmt.Sprintf(" (it has %q: name it in the field's tag, avro:%q)", f.Name(), f.Name())
			}
		}
	}
	return ""
}

func fieldsByName(r *avro.RecordSchema) map[string]*avro.Field {
	m := make(map[string]*avro.Field, len(r.Fields()))
	for _, f := range r.Fields() {
		m[f.Name()] = f
	}
	return m
}

// nonNull returns s without a union with null around it, and whether there
// was one.
func nonNull(s avro.Schema) (avro.Schema, bool) {
	s = deref(s)
	if u, ok := s.(*avro.UnionSchema); ok && u.Nullable() && len(u.Types()) == 2 {
		return deref(u.Types()[1-nullIndex(u)]), true
	}
	return s, false
}

func isTimestamp(t avro.LogicalType) bool {
	return t == avro.TimestampMillis || t == avro.TimestampMicros
}

// nullIndex is the position of null in a nullable union of two.
func nullIndex(u *avro.UnionSchema) int {
	if u.Types()[0].Type() == avro.Null {
		return 0
	}
	return 1
}

// ReaderSchema returns the schema records are read as.
func (d *Decoder[T]) ReaderSchema() avro.Schema { return d.reader }

// ReadRange decodes the records of the blocks owned by the byte range
// [off, off+length) (length < 0: to the end of the file; see
// FileReader.Blocks) and passes each to emit, in file order. It checks ctx
// between blocks.
func (d *Decoder[T]) ReadRange(ctx context.Context, off, length int64, emit func(T)) error {
	return d.readRange(ctx, off, length, func(v T) bool { emit(v); return true })
}

// Records iterates over the records owned by [off, off+length), like
// ReadRange; iteration stops after the first error.
func (d *Decoder[T]) Records(ctx context.Context, off, length int64) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		err := d.readRange(ctx, off, length, func(v T) bool { return yield(v, nil) })
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}

// errStopped ends a read early at the consumer's request.
var errStopped = errors.New("stopped")

func (d *Decoder[T]) readRange(ctx context.Context, off, length int64, emit func(T) bool) error {
	f := d.f
	var b Block
	var err error
	next := func() bool {
		if err = ctx.Err(); err != nil {
			return false
		}
		if derr := d.decodeBlock(&b, emit); derr != nil {
			if derr == errStopped {
				return false
			}
			if !f.cfg.lenient || !errors.Is(derr, ErrCorrupt) {
				err = derr
				return false
			}
			f.skipped++
			f.skippedBytes += b.Size
		}
		return true
	}
	if ferr := f.blocks(off, length, &b, next); ferr != nil {
		return ferr
	}
	return err
}

// decodeBlock decodes b's records into emit.
func (d *Decoder[T]) decodeBlock(b *Block, emit func(T) bool) error {
	r := d.r
	r.Reset(b.Data)
	r.Error = nil
	p := unsafe.Pointer(d.v)
	var zero T
	if d.ad != nil {
		p = d.shadow
	}
	for i := range b.Count {
		*d.v = zero
		if d.ad != nil {
			d.ad.reset(p)
		}
		d.dec.Decode(p, r)
		if r.Error != nil {
			return d.f.corrupt(b.Index, b.Offset, corruptf("record %d of %d: %v", i, b.Count, r.Error))
		}
		if d.ad != nil {
			if err := d.ad.fill(unsafe.Pointer(d.v), p); err != nil {
				return d.f.at(b.Index, b.Offset, fmt.Errorf("record %d of %d: %w", i, b.Count, err))
			}
		}
		if d.clip != nil {
			d.clip(reflect.ValueOf(d.v).Elem())
		}
		if d.part != nil {
			d.part.Set(unsafe.Pointer(d.v))
		}
		if !emit(*d.v) {
			return errStopped
		}
	}
	r.Peek()
	if !errors.Is(r.Error, io.EOF) {
		return d.f.corrupt(b.Index, b.Offset, corruptf("bytes left after the block's %d records", b.Count))
	}
	return nil
}
