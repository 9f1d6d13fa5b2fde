package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/crunchgo/crunchgo/internal/textcut"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/storage"
)

// parquetFile reads a Parquet file with parquetio's untyped per-file reader,
// which checks page headers before decoding and reports damage as a
// *parquetio.CorruptError naming the row group and offset.
type parquetFile struct {
	f  storage.File
	pf *parquetio.File
}

func openParquet(path string, f storage.File) (dataFile, error) {
	pf, err := parquetio.OpenFile(path, f, f.Size())
	if err != nil {
		return nil, err
	}
	return &parquetFile{f: f, pf: pf}, nil
}

func (p *parquetFile) Format() string { return formatParquet }

func (p *parquetFile) Schema() (string, error) { return p.pf.Schema(), nil }

// Columns are the top-level fields of the file's schema.
func (p *parquetFile) Columns() ([]string, bool) {
	var cols []string
	for _, f := range p.pf.Fields() {
		cols = append(cols, f.Name)
	}
	return cols, true
}

func (p *parquetFile) Count(context.Context) (int64, error) { return p.pf.NumRows(), nil }

func (p *parquetFile) Records(ctx context.Context, emit func([]byte) error) error {
	fields := p.pf.Fields()
	var buf bytes.Buffer
	var n int64 // records so far
	for row, err := range p.pf.Rows(ctx) {
		if err != nil {
			return err
		}
		buf.Reset()
		if err := parquetRecord(&buf, fields, row); err != nil {
			return p.recordError(n, err)
		}
		if err := emit(buf.Bytes()); err != nil {
			return err
		}
		n++
	}
	return nil
}

// recordError is err, naming the file's record i (from 0) that did not
// print as JSON and its row group (Rows reads them all, in order).
func (p *parquetFile) recordError(i int64, err error) error {
	where := fmt.Sprintf("record %d", i)
	var first int64 // the row group's first row
	for g, rg := range p.pf.RowGroups() {
		if i < first+rg.NumRows {
			where += fmt.Sprintf(" (row group %d at offset %d, row %d of the group)", g, rg.Offset, i-first)
			break
		}
		first += rg.NumRows
	}
	return fmt.Errorf("%s: %s: not printable as JSON: %w", p.pf.Path(), where, err)
}

// parquetRecord writes a generic row (or group) as a JSON object with its
// fields in schema order.
func parquetRecord(buf *bytes.Buffer, fields []parquetio.Field, m map[string]any) error {
	buf.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := jsonLine(f.Name)
		buf.Write(k)
		buf.WriteByte(':')
		if err := parquetJSON(buf, f, m[f.Name]); err != nil {
			return inField(f.Name, err)
		}
	}
	buf.WriteByte('}')
	return nil
}

// parquetJSON writes the value v of field f as JSON: groups with their
// fields in schema order, maps with sorted keys, dates, times of day and
// timestamps as text (those not adjusted to UTC without a zone).
func parquetJSON(buf *bytes.Buffer, f parquetio.Field, v any) error {
	if v == nil {
		buf.WriteString("null")
		return nil
	}
	if f.Repeated {
		list, ok := v.([]any)
		if !ok {
			return fmt.Errorf("field %s: %T is not a list", f.Name, v)
		}
		f.Repeated = false
		return jsonArray(buf, f, list)
	}
	switch f.Kind {
	case parquetio.Group:
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("field %s: %T is not a group", f.Name, v)
		}
		return parquetRecord(buf, f.Fields, m)
	case parquetio.List:
		list, ok := v.([]any)
		if !ok {
			return fmt.Errorf("field %s: %T is not a list", f.Name, v)
		}
		return jsonArray(buf, f.Fields[0], list)
	case parquetio.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("field %s: %T is not a map", f.Name, v)
		}
		var val parquetio.Field // a key-only map's values are nil
		if len(f.Fields) > 1 {
			val = f.Fields[1]
		}
		buf.WriteByte('{')
		for i, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range m {
				if !yield(k) {
					return
				}
			}
		}) {
			if i > 0 {
				buf.WriteByte(',')
			}
			kj, _ := jsonLine(k)
			buf.Write(kj)
			buf.WriteByte(':')
			if err := parquetJSON(buf, val, m[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	}
	switch x := v.(type) {
	case parquetio.Date:
		v = x.String()
	case time.Duration: // a TIME
		v = timeOfDay(x)
	case time.Time:
		if strings.Contains(f.Type, "isAdjustedToUTC=false") {
			v = x.Format(localDateTime)
		}
	}
	j, err := jsonValue(v)
	if err != nil {
		return err
	}
	buf.Write(j)
	return nil
}

func jsonArray(buf *bytes.Buffer, elem parquetio.Field, list []any) error {
	buf.WriteByte('[')
	for i, e := range list {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := parquetJSON(buf, elem, e); err != nil {
			return err
		}
	}
	buf.WriteByte(']')
	return nil
}

func (p *parquetFile) Meta(ctx context.Context, w io.Writer, all bool) error {
	rgs := p.pf.RowGroups()
	fmt.Fprintf(w, "rows: %d\nrow groups: %d\n", p.pf.NumRows(), len(rgs))
	if cb := p.pf.CreatedBy(); cb != "" {
		fmt.Fprintf(w, "created by: %s\n", cb)
	}
	for _, kv := range p.pf.KeyValueMetadata() {
		v := kv.Value
		if len(v) > 200 {
			v = v[:200] + "…"
		}
		fmt.Fprintf(w, "metadata %s: %q\n", kv.Key, v)
	}
	for i, rg := range rgs {
		if !all && i >= maxListed {
			fmt.Fprintf(w, "... %d more row groups (--all lists them)\n", len(rgs)-maxListed)
			break
		}
		fmt.Fprintf(w, "\nrow group %d: %d rows, %d bytes, offset %d\n", i, rg.NumRows, rg.TotalByteSize, rg.Offset)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  column\ttype\tencodings\tcompression\tvalues\tnulls\tcompressed\tuncompressed\tmin\tmax")
		for _, c := range rg.Columns {
			typ := c.PhysicalType
			if c.LogicalType != "" {
				typ += "/" + c.LogicalType
			}
			nulls := "-" // no statistics
			if c.NullCount >= 0 {
				nulls = fmt.Sprint(c.NullCount)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%s\t%s\n", strings.Join(c.Path, "."), typ, strings.Join(c.Encodings, ","),
				c.Compression, c.NumValues, nulls, c.CompressedSize, c.UncompressedSize, statCell(c.Min), statCell(c.Max))
		}
		tw.Flush()
	}
	return nil
}

// statCell shows a rendered min/max statistic in a table cell: "-" when
// absent, cut to 40 bytes.
func statCell(s string) string {
	if s == "" {
		return "-"
	}
	if len(s) > 40 {
		s = textcut.Prefix(s, 39) + "…"
	}
	return s
}

func (p *parquetFile) Close() error { return p.f.Close() }
