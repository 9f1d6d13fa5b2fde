package avroio

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hamba/avro/v2"
)

// SchemaOf derives the Avro schema of T, a struct whose fields carry avro tags
// (`avro:"user_id"`; an untagged exported field uses its Go name, `avro:"-"`
// omits it). Records are named after their Go types, a generic type without
// its type arguments (ptable.Pair[K, V] is record Pair, then Pair2).
//
// Go types map to Avro as follows: string → string, bool → boolean,
// int8/int16/int32/uint8/uint16 → int, int/int64/uint32 → long, float32 →
// float, float64 → double, []byte → bytes, [N]byte → fixed, time.Time → long
// with logicalType timestamp-millis (what Java's Avro writes for an instant;
// a finer part of a second is dropped when written, unless the field is
// tagged timestamp-micros), time.Duration → long (nanoseconds; it
// reads a file's time-millis and time-micros in their units), *X → ["null", X] with default null,
// []X → array, map[string]X → map, struct → record (embedded structs are
// flattened, as hamba/avro does when decoding), *big.Rat → ["null", bytes
// with logicalType decimal] (a field of a record only; a big.Rat is refused).
//
// The avro tag's options: timestamp-millis or timestamp-micros on an int64
// (or *int64) field make it that logical type, on a time.Time (or
// *time.Time) field the unit it is written in (a file is read in its own
// unit, whatever the tag); date on a time.Time (or
// *time.Time) field makes it an int of logical type date; decimal(P,S) on
// a *big.Rat field gives its decimal's precision and scale, which writing
// needs (reading takes the file's).
//
// Two more tags shape schema resolution: `avrodefault:"<JSON value>"` gives
// the field a default (used when the writer's schema lacks the field) and
// `avroaliases:"old_name,other"` lists former names of the field.
func SchemaOf[T any]() (avro.Schema, error) {
	return deriveSchema(reflect.TypeFor[T](), nil, false)
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
)

// deriveSchema derives the schema of t, to read with if reading. When
// writer is not nil, named types take the names of the writer's types at
// the same position, so that a Go type need not be named like the record
// it reads, and decimals are the writer's.
func deriveSchema(t reflect.Type, writer avro.Schema, reading bool) (avro.Schema, error) {
	if why := decimalProblem(t); why != "" {
		return nil, fmt.Errorf("avroio: %s", why)
	}
	if decimalLeaf(t) {
		return nil, fmt.Errorf("avroio: schema of %s: a decimal is read and written only as a *big.Rat field of a record, or a slice or map field of them", t)
	}
	d := &deriver{inProgress: map[reflect.Type]string{}, done: map[reflect.Type]string{}, used: map[string]bool{}, reading: reading}
	j, err := d.schema(t, writer, t.String(), "")
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(j)
	if err != nil {
		return nil, fmt.Errorf("avroio: schema of %s: %w", t, err)
	}
	s, err := avro.ParseBytesWithCache(b, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("avroio: schema of %s: %w", t, err)
	}
	return s, nil
}

type deriver struct {
	inProgress map[reflect.Type]string // struct types being derived → full name
	done       map[reflect.Type]string // struct types already defined → full name
	used       map[string]bool
	fixed      int
	reading    bool // a decimal's precision and scale may be left to the file
}

func deref(s avro.Schema) avro.Schema {
	if r, ok := s.(*avro.RefSchema); ok {
		return r.Schema()
	}
	return s
}

// writerAs returns the member of writer (looking inside unions) with type typ.
func writerAs(writer avro.Schema, typ avro.Type) avro.Schema {
	if writer == nil {
		return nil
	}
	writer = deref(writer)
	if writer.Type() == typ {
		return writer
	}
	if u, ok := writer.(*avro.UnionSchema); ok {
		for _, m := range u.Types() {
			if m = deref(m); m.Type() == typ {
				return m
			}
		}
	}
	return nil
}

// schema derives the schema of a value of Go type t, read from writer if
// not nil, at where. opts are the avro tag options of the record field
// holding it, whose decimal option gives the decimal of the *big.Rats in a
// slice or map field (see decimalLeaf).
func (d *deriver) schema(t reflect.Type, writer avro.Schema, where, opts string) (any, error) {
	if t == timeType {
		lt := "timestamp-millis"
		if logicalType(writerAs(writer, avro.Long)) == avro.TimestampMicros {
			lt = "timestamp-micros"
		}
		return map[string]any{"type": "long", "logicalType": lt}, nil
	}
	if t == durationType {
		// A time of day: read in the file's unit (as a plain long, hamba/avro
		// would take milliseconds or microseconds for nanoseconds).
		if logicalType(writerAs(writer, avro.Int)) == avro.TimeMillis {
			return map[string]any{"type": "int", "logicalType": "time-millis"}, nil
		}
		if logicalType(writerAs(writer, avro.Long)) == avro.TimeMicros {
			return map[string]any{"type": "long", "logicalType": "time-micros"}, nil
		}
	}
	if isDecimalField(t) {
		return d.decimal(t, writer, opts, where)
	}
	switch t.Kind() {
	case reflect.String:
		return "string", nil
	case reflect.Bool:
		return "boolean", nil
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16:
		return "int", nil
	case reflect.Int, reflect.Int64, reflect.Uint32:
		return "long", nil
	case reflect.Float32:
		return "float", nil
	case reflect.Float64:
		return "double", nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "bytes", nil
		}
		var items avro.Schema
		if w, ok := writerAs(writer, avro.Array).(*avro.ArraySchema); ok {
			items = w.Items()
		}
		it, err := d.schema(t.Elem(), items, where+"[]", opts)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "array", "items": it}, nil
	case reflect.Array:
		if t.Elem().Kind() != reflect.Uint8 {
			break
		}
		name := ""
		if w, ok := writerAs(writer, avro.Fixed).(*avro.FixedSchema); ok && w.Size() == t.Len() {
			name = w.FullName()
		}
		if name == "" {
			d.fixed++
			name = "fixed" + strconv.Itoa(t.Len()) + "_" + strconv.Itoa(d.fixed)
		}
		return map[string]any{"type": "fixed", "name": name, "size": t.Len()}, nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			break
		}
		var values avro.Schema
		if w, ok := writerAs(writer, avro.Map).(*avro.MapSchema); ok {
			values = w.Values()
		}
		v, err := d.schema(t.Elem(), values, where+"[key]", opts)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "map", "values": v}, nil
	case reflect.Pointer:
		v, err := d.schema(t.Elem(), writer, where, opts)
		if err != nil {
			return nil, err
		}
		return []any{"null", v}, nil
	case reflect.Struct:
		return d.record(t, writer, where)
	}
	return nil, fmt.Errorf("avroio: schema of %s: unsupported Go type %s", where, t)
}

type jsonField struct {
	Name    string          `json:"name"`
	Type    any             `json:"type"`
	Default json.RawMessage `json:"default,omitempty"`
	Aliases []string        `json:"aliases,omitempty"`
}

func (d *deriver) record(t reflect.Type, writer avro.Schema, where string) (any, error) {
	if name, ok := d.inProgress[t]; ok {
		return name, nil // a recursive reference
	}
	if name, ok := d.done[t]; ok {
		return name, nil // defined before: refer to it by name
	}
	w, _ := writerAs(writer, avro.Record).(*avro.RecordSchema)
	name := ""
	if w != nil && !d.used[w.FullName()] {
		name = w.FullName()
	}
	if name == "" {
		// A generic type is named without its type arguments, which
		// spell out package paths: Pair, then Pair2 for another Pair.
		base, _, _ := strings.Cut(t.Name(), "[")
		name = avroName(base)
		for i := 2; d.used[name]; i++ {
			name = avroName(base) + strconv.Itoa(i)
		}
	}
	d.used[name] = true
	d.inProgress[t] = name
	defer func() { delete(d.inProgress, t); d.done[t] = name }()

	var fields []jsonField
	if err := d.fields(t, w, where, &fields); err != nil {
		return nil, err
	}
	if fields == nil {
		if hasUnexported(t) {
			// Its value would be written as an empty record and lost.
			return nil, fmt.Errorf("avroio: schema of %s: %s keeps its value in unexported fields, which Avro cannot write or read: convert it to a struct of exported fields", where, t)
		}
		fields = []jsonField{}
	}
	return map[string]any{"type": "record", "name": name, "fields": fields}, nil
}

func (d *deriver) fields(t reflect.Type, w *avro.RecordSchema, where string, out *[]jsonField) error {
	for _, af := range avroFields(t) {
		sf, name, opts, aliases := af.sf, af.name, af.opts, af.aliases
		f := jsonField{Name: name, Aliases: aliases}
		var wt avro.Schema
		if w != nil {
			for _, wf := range w.Fields() {
				if wf.Name() == name || contains(f.Aliases, wf.Name()) {
					wt = wf.Type()
					break
				}
			}
		}
		var typ any
		var err error
		if _, _, declared, bad := decimalOption(opts); (declared || bad != nil) && !decimalLeaf(sf.Type) {
			err = fmt.Errorf("avroio: schema of %s.%s: the decimal option needs a *big.Rat field (or a slice or map of them), not %s", where, sf.Name, sf.Type)
		} else {
			typ, err = d.schema(sf.Type, wt, where+"."+sf.Name, opts)
		}
		if err != nil {
			return err
		}
		if unit := timestampOption(opts); unit != "" {
			lt := map[string]any{"type": "long", "logicalType": unit}
			switch {
			case sf.Type == timeType || sf.Type == reflect.PointerTo(timeType):
				// The unit times are written in; a file is read in its own.
				if wt == nil {
					typ = lt
					if sf.Type.Kind() == reflect.Pointer {
						typ = []any{"null", lt}
					}
				}
			case sf.Type.Kind() == reflect.Int64:
				typ = map[string]any{"type": "long", "logicalType": unit}
			case sf.Type.Kind() == reflect.Pointer && sf.Type.Elem().Kind() == reflect.Int64:
				typ = []any{"null", map[string]any{"type": "long", "logicalType": unit}}
			default:
				return fmt.Errorf("avroio: schema of %s.%s: the %s option needs an int64, time.Time or a pointer to one, not %s", where, sf.Name, unit, sf.Type)
			}
		}
		if slices.Contains(strings.Split(opts, ","), "date") {
			date := map[string]any{"type": "int", "logicalType": "date"}
			switch {
			case sf.Type == timeType:
				typ = date
			case sf.Type == reflect.PointerTo(timeType):
				typ = []any{"null", date}
			default:
				return fmt.Errorf("avroio: schema of %s.%s: the date option needs a time.Time or *time.Time field, not %s", where, sf.Name, sf.Type)
			}
		}
		f.Type = typ
		if def, ok := sf.Tag.Lookup("avrodefault"); ok {
			if !json.Valid([]byte(def)) {
				return fmt.Errorf("avroio: schema of %s.%s: avrodefault %q is not JSON", where, sf.Name, def)
			}
			f.Default = json.RawMessage(def)
		} else if u, ok := typ.([]any); ok && sf.Type.Kind() == reflect.Pointer && u[0] == "null" {
			f.Default = json.RawMessage("null") // not for a *big.Rat reading a plain decimal
		}
		*out = append(*out, f)
	}
	return nil
}

// hasUnexported reports whether struct t has an unexported field: one with
// no field Avro sees (big.Rat, netip.Addr) keeps its value there.
func hasUnexported(t reflect.Type) bool {
	for i := range t.NumField() {
		if !t.Field(i).IsExported() && !t.Field(i).Anonymous {
			return true
		}
	}
	return false
}

// logicalType is the logical type of s (a primitive or fixed schema), or ""
// for none, for s nil too.
func logicalType(s avro.Schema) avro.LogicalType {
	if l, ok := s.(avro.LogicalTypeSchema); ok && l.Logical() != nil {
		return l.Logical().Type()
	}
	return ""
}

// avroField is a field of a Go struct as Avro sees it.
type avroField struct {
	sf      reflect.StructField
	name    string // from its avro tag, else its Go name
	opts    string // its avro tag's options, after the name
	aliases []string
	off     uintptr // its offset in the outermost struct
	// viaPointer names the struct embedded by pointer through which the
	// field is reached, if any: then off means nothing.
	viaPointer string
}

// avroFields lists the fields of struct t that Avro reads and writes, in
// order: the exported ones not tagged "-", with the fields of embedded
// structs (by value or by pointer) in their place, as hamba/avro flattens
// them.
func avroFields(t reflect.Type) []avroField {
	var out []avroField
	var walk func(t reflect.Type, base uintptr, via string)
	walk = func(t reflect.Type, base uintptr, via string) {
		for i := range t.NumField() {
			sf := t.Field(i)
			if sf.Anonymous {
				et, v := sf.Type, via
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
					if v == "" {
						v = sf.Type.String()
					}
				}
				if et.Kind() == reflect.Struct {
					walk(et, base+sf.Offset, v)
				}
				continue
			}
			if !sf.IsExported() {
				continue
			}
			f := avroField{sf: sf, name: sf.Name, off: base + sf.Offset, viaPointer: via}
			if tag, ok := sf.Tag.Lookup("avro"); ok {
				f.name, f.opts, _ = strings.Cut(tag, ",")
			}
			if f.name == "-" {
				continue
			}
			if a := sf.Tag.Get("avroaliases"); a != "" {
				f.aliases = strings.Split(a, ",")
			}
			out = append(out, f)
		}
	}
	walk(t, 0, "")
	return out
}

// timestampOption returns the timestamp unit an avro tag's options declare
// for an int64 field ("ts,timestamp-millis": the numbers are milliseconds
// since the epoch), or "". hamba/avro reads only the name before the comma.
func timestampOption(opts string) string {
	for _, o := range strings.Split(opts, ",") {
		if o == "timestamp-millis" || o == "timestamp-micros" {
			return o
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// avroName makes a Go type name (perhaps generic, perhaps empty) a valid Avro name.
func avroName(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z':
			b.WriteRune(r)
		case '0' <= r && r <= '9':
			if i == 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "Record"
	}
	return b.String()
}
