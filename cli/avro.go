package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/storage"
)

// avroFile reads an Avro container file with avroio's per-file reader.
type avroFile struct {
	f  storage.File
	fr *avroio.FileReader
}

func openAvro(path string, f storage.File) (dataFile, error) {
	fr, err := avroio.NewFileReader(path, f, f.Size(), avroio.LocalTimestampsAsLongs())
	if err != nil {
		return nil, err
	}
	return &avroFile{f: f, fr: fr}, nil
}

func (a *avroFile) Format() string { return formatAvro }

// Schema is the writer schema as the file's header holds it, with the
// defaults, aliases and docs a schema's canonical form drops.
func (a *avroFile) Schema() (string, error) {
	text := a.fr.Metadata()["avro.schema"]
	var buf bytes.Buffer
	if err := json.Indent(&buf, text, "", "  "); err != nil {
		return string(text), nil
	}
	return buf.String(), nil
}

// Columns are the fields of the writer's schema, a record's.
func (a *avroFile) Columns() ([]string, bool) {
	r, ok := a.fr.Schema().(*avro.RecordSchema)
	if !ok {
		return nil, false
	}
	var cols []string
	for _, f := range r.Fields() {
		cols = append(cols, f.Name())
	}
	return cols, true
}

// Records decodes with the writer's schema into generic values, local
// timestamps as their numbers (avroio.LocalTimestampsAsLongs).
func (a *avroFile) Records(ctx context.Context, emit func([]byte) error) error {
	dec, err := avroio.NewDecoder[any](a.fr)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	var n int64 // records so far
	var jerr error
	for rec, err := range dec.Records(ctx, 0, -1) {
		if err != nil {
			return err
		}
		buf.Reset()
		if jerr = orderedJSON(&buf, a.fr.Schema(), rec); jerr != nil {
			break // out of the decoder's iteration before recordError reads the file
		}
		if err := emit(buf.Bytes()); err != nil {
			return err
		}
		n++
	}
	if jerr != nil {
		return a.recordError(n, jerr)
	}
	return nil
}

// recordError is err, naming the file's record i (from 0) that did not
// print as JSON and its block, found by reading the block headers again:
// nothing to pay for until a record fails.
func (a *avroFile) recordError(i int64, err error) error {
	where := fmt.Sprintf("record %d", i)
	var first int64 // the block's first record
	for b, berr := range a.fr.Blocks(0, -1) {
		if berr != nil {
			break
		}
		if i < first+b.Count {
			where += fmt.Sprintf(" (block %d at offset %d, record %d of the block)", b.Index, b.Offset, i-first)
			break
		}
		first += b.Count
	}
	return fmt.Errorf("%s: %s: not printable as JSON: %w", a.fr.Path(), where, err)
}

func (a *avroFile) Count(ctx context.Context) (int64, error) {
	var n int64
	for b, err := range a.fr.Blocks(0, -1) {
		if err != nil {
			return n, err
		}
		if err := ctx.Err(); err != nil {
			return n, err
		}
		n += b.Count
	}
	return n, nil
}

func (a *avroFile) Meta(ctx context.Context, w io.Writer, all bool) error {
	fmt.Fprintf(w, "codec: %s\nheader: %d bytes\n", a.fr.Codec(), a.fr.HeaderSize())
	md := a.fr.Metadata()
	for _, k := range slices.Sorted(maps.Keys(md)) {
		if k == "avro.schema" || k == "avro.codec" {
			continue
		}
		fmt.Fprintf(w, "metadata %s: %q\n", k, md[k])
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "block\toffset\trecords\tbytes\tuncompressed\t")
	var blocks, records, size, raw int64
	for b, err := range a.fr.Blocks(0, -1) {
		if err != nil {
			tw.Flush()
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if all || blocks < maxListed {
			fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t\n", b.Index, b.Offset, b.Count, b.Size, len(b.Data))
		}
		blocks++
		records += b.Count
		size += b.Size
		raw += int64(len(b.Data))
	}
	tw.Flush()
	if !all && blocks > maxListed {
		fmt.Fprintf(w, "... %d more blocks (--all lists them)\n", blocks-maxListed)
	}
	fmt.Fprintf(w, "blocks: %d, records: %d, block bytes: %d, uncompressed: %d\n", blocks, records, size, raw)
	return nil
}

func (a *avroFile) Close() error {
	err := a.fr.Close()
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// orderedJSON writes v, a generic value decoded with schema s, as JSON
// with record fields in schema order (a Go map would sort them).
func orderedJSON(buf *bytes.Buffer, s avro.Schema, v any) error {
	if r, ok := s.(*avro.RefSchema); ok {
		s = r.Schema()
	}
	switch s := s.(type) {
	case *avro.RecordSchema:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		buf.WriteByte('{')
		for i, f := range s.Fields() {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := jsonLine(f.Name())
			buf.Write(k)
			buf.WriteByte(':')
			if err := orderedJSON(buf, f.Type(), m[f.Name()]); err != nil {
				return inField(f.Name(), err)
			}
		}
		buf.WriteByte('}')
		return nil
	case *avro.ArraySchema:
		a, ok := v.([]any)
		if !ok {
			break
		}
		buf.WriteByte('[')
		for i, e := range a {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := orderedJSON(buf, s.Items(), e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case *avro.MapSchema:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		buf.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(m)) {
			if i > 0 {
				buf.WriteByte(',')
			}
			kj, _ := jsonLine(k)
			buf.Write(kj)
			buf.WriteByte(':')
			if err := orderedJSON(buf, s.Values(), m[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case *avro.UnionSchema:
		if v == nil {
			buf.WriteString("null")
			return nil
		}
		if s.Nullable() {
			// ["null", X] decodes to X's value itself when X is a
			// primitive, and to {"X's name": value} when it is a record,
			// enum, fixed, array or map (or {"int.date": value}, a logical
			// type).
			_, typ := s.Indices()
			t := s.Types()[typ]
			if r, ok := t.(*avro.RefSchema); ok {
				t = r.Schema()
			}
			if m, ok := v.(map[string]any); ok && len(m) == 1 {
				if inner, ok := m[unionName(t)]; ok {
					v = inner
				} else if inner, ok := m[string(t.Type())+"."+string(logicalType(t))]; ok {
					v = inner
				}
			}
			return orderedJSON(buf, t, v)
		}
		// Other unions decode to {"type name": value}, or, for some
		// branches, to the value alone: printed as {"type name": value}
		// either way, when one branch holds such values.
		if m, ok := v.(map[string]any); ok && len(m) == 1 {
			for name, inner := range m {
				for _, t := range s.Types() {
					if unionName(t) == name || decodedName(t) == name {
						return branchJSON(buf, t, inner)
					}
				}
			}
		}
		var holds []avro.Schema
		for _, t := range s.Types() {
			if holdsGeneric(t, v) {
				holds = append(holds, t)
			}
		}
		if len(holds) == 1 {
			return branchJSON(buf, holds[0], v)
		}
	}
	switch x := v.(type) {
	case avro.LogicalDuration:
		// As a Parquet INTERVAL prints: the same months, days and
		// milliseconds, under the same lower-case names.
		v = parquetio.Interval{Months: x.Months, Days: x.Days, Milliseconds: x.Milliseconds}
	case time.Duration: // time-millis, time-micros
		v = timeOfDay(x)
	case time.Time:
		switch logicalType(s) {
		case avro.Date:
			v = x.Format(time.DateOnly) // days, not an instant
		}
	case int64:
		// A local timestamp, read as its number: the wall clock as if in UTC.
		switch logicalType(s) {
		case avro.LocalTimestampMillis:
			v = time.UnixMilli(x).UTC().Format(localDateTime)
		case avro.LocalTimestampMicros:
			v = time.UnixMicro(x).UTC().Format(localDateTime)
		}
	}
	if _, ok := s.(*avro.FixedSchema); ok {
		// A [size]byte: as base64, as bytes print, not an array of numbers.
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Array && rv.Type().Elem().Kind() == reflect.Uint8 {
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			v = b
		}
	}
	if r, ok := v.(*big.Rat); ok {
		if scale, ok := decimalScale(s); ok {
			// A string, as the exact digits, not a float that would
			// round them, nor the fraction big.Rat prints (2469/20).
			j, _ := jsonLine(r.FloatString(scale))
			buf.Write(j)
			return nil
		}
	}
	j, err := jsonValue(v)
	if err != nil {
		return err
	}
	buf.Write(j)
	return nil
}

// branchJSON writes v, of union branch t, as {"t's name": v}.
func branchJSON(buf *bytes.Buffer, t avro.Schema, v any) error {
	kj, _ := jsonLine(unionName(t))
	buf.WriteByte('{')
	buf.Write(kj)
	buf.WriteByte(':')
	if err := orderedJSON(buf, t, v); err != nil {
		return err
	}
	buf.WriteByte('}')
	return nil
}

// holdsGeneric reports whether hamba/avro decodes values of s, generically,
// into values of v's Go type.
func holdsGeneric(s avro.Schema, v any) bool {
	if r, ok := s.(*avro.RefSchema); ok {
		s = r.Schema()
	}
	logical := logicalType(s)
	switch v.(type) {
	case string:
		return s.Type() == avro.String || s.Type() == avro.Enum
	case bool:
		return s.Type() == avro.Boolean
	case int:
		return s.Type() == avro.Int && logical == ""
	case int64:
		// Local timestamps too: they are read as their numbers
		// (avroio.LocalTimestampsAsLongs).
		return s.Type() == avro.Long && (logical == "" || logical == avro.LocalTimestampMillis || logical == avro.LocalTimestampMicros)
	case float32:
		return s.Type() == avro.Float
	case float64:
		return s.Type() == avro.Double
	case []byte:
		return s.Type() == avro.Bytes && logical == ""
	case time.Time:
		return logical == avro.Date || strings.Contains(string(logical), "timestamp")
	case time.Duration:
		return logical == avro.TimeMillis || logical == avro.TimeMicros
	case *big.Rat:
		return logical == avro.Decimal
	case []any:
		return s.Type() == avro.Array
	}
	return false
}

// logicalType is s's logical type, or "".
func logicalType(s avro.Schema) avro.LogicalType {
	if l, ok := s.(avro.LogicalTypeSchema); ok && l.Logical() != nil {
		return l.Logical().Type()
	}
	return ""
}

// decimalScale is the scale of s if s is a decimal (bytes or fixed).
func decimalScale(s avro.Schema) (int, bool) {
	if l, ok := s.(avro.LogicalTypeSchema); ok {
		if d, ok := l.Logical().(*avro.DecimalLogicalSchema); ok {
			return d.Scale(), true
		}
	}
	return 0, false
}

// decodedName is the key under which hamba/avro decodes a value of union
// branch s that is not named but has a logical type: the type and the
// logical type ("int.date"); else unionName.
func decodedName(s avro.Schema) string {
	if _, ok := s.(avro.NamedSchema); !ok && logicalType(s) != "" {
		return string(s.Type()) + "." + string(logicalType(s))
	}
	return unionName(s)
}

// unionName is the name a union branch is known by: the full name of a
// named type, else the type.
func unionName(s avro.Schema) string {
	if n, ok := s.(avro.NamedSchema); ok {
		return n.FullName()
	}
	return string(s.Type())
}
