package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/parquet-go/parquet-go"

	"github.com/crunchgo/crunchgo/storage"
)

// parquetFile inspects a Parquet file with parquet-go: the footer for
// schema, counts and layout, and generic rows for cat.
//
// TODO(parquetio): parquetio has no untyped per-file reader yet (its Reader
// is typed by a Go struct). This file should move onto one (schema text,
// footer metadata, rows as generic values) as soon as parquetio offers it,
// so that the file tools share its corruption checks (page header bounds
// in particular). Until then panics inside parquet-go are recovered and
// reported as errors naming the file.
type parquetFile struct {
	path string
	f    storage.File
	pf   *parquet.File
}

func openParquet(path string, f storage.File) (df dataFile, err error) {
	size := f.Size()
	if err := parquetEnvelope(path, f, size); err != nil {
		return nil, err
	}
	defer recoverParquet(path, &err)
	pf, err := parquet.OpenFile(f, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("parquet: %s: footer: %w", path, err)
	}
	return &parquetFile{path: path, f: f, pf: pf}, nil
}

// parquetEnvelope checks the magic at both ends and the footer length, so
// that a damaged file is refused before parquet-go allocates its footer.
func parquetEnvelope(path string, f io.ReaderAt, size int64) error {
	if size < 12 {
		return fmt.Errorf("parquet: %s: %d bytes is too small for a parquet file", path, size)
	}
	var head, tail [8]byte
	if _, err := f.ReadAt(head[:4], 0); err != nil {
		return fmt.Errorf("parquet: %s: %w", path, err)
	}
	if _, err := f.ReadAt(tail[:], size-8); err != nil {
		return fmt.Errorf("parquet: %s: %w", path, err)
	}
	if !bytes.Equal(head[:4], []byte("PAR1")) || !bytes.Equal(tail[4:], []byte("PAR1")) {
		return fmt.Errorf("parquet: %s: no PAR1 magic at the start and end: not a parquet file, or truncated", path)
	}
	if n := int64(binary.LittleEndian.Uint32(tail[:4])); n > size-12 {
		return fmt.Errorf("parquet: %s: footer length %d at offset %d exceeds the file size %d", path, n, size-8, size)
	}
	return nil
}

func recoverParquet(path string, err *error) {
	if v := recover(); v != nil {
		*err = fmt.Errorf("parquet: %s: corrupt file: %v", path, v)
	}
}

func (p *parquetFile) Format() string { return formatParquet }

func (p *parquetFile) Schema() (s string, err error) {
	defer recoverParquet(p.path, &err)
	return p.pf.Schema().String(), nil
}

func (p *parquetFile) Count(context.Context) (int64, error) { return p.pf.NumRows(), nil }

func (p *parquetFile) Records(ctx context.Context, emit func([]byte) error) (err error) {
	defer recoverParquet(p.path, &err)
	schema := p.pf.Schema()
	rows := make([]parquet.Row, 64)
	var buf bytes.Buffer
	for rgi, rg := range p.pf.RowGroups() {
		rr := rg.Rows()
		err := func() error {
			defer rr.Close()
			for {
				if err := ctx.Err(); err != nil {
					return err
				}
				n, rerr := rr.ReadRows(rows)
				for _, row := range rows[:n] {
					var v any
					if err := schema.Reconstruct(&v, row); err != nil {
						return fmt.Errorf("parquet: %s: row group %d: %w", p.path, rgi, err)
					}
					buf.Reset()
					if err := parquetJSON(&buf, schema, v); err != nil {
						return fmt.Errorf("parquet: %s: row group %d: record as json: %w", p.path, rgi, err)
					}
					if err := emit(buf.Bytes()); err != nil {
						return err
					}
				}
				if errors.Is(rerr, io.EOF) {
					return nil
				}
				if rerr != nil {
					return fmt.Errorf("parquet: %s: row group %d: %w", p.path, rgi, rerr)
				}
			}
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// parquetJSON writes v as JSON with the fields of groups in schema order.
func parquetJSON(buf *bytes.Buffer, n parquet.Node, v any) error {
	// A plain group (not a LIST or MAP, which reconstruct as slices and maps
	// of their own) is a record.
	if m, ok := v.(map[string]any); ok && !n.Leaf() && len(n.Fields()) > 0 && n.Type().LogicalType() == nil {
		buf.WriteByte('{')
		for i, f := range n.Fields() {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := jsonLine(f.Name())
			buf.Write(k)
			buf.WriteByte(':')
			if err := parquetJSON(buf, f, m[f.Name()]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	}
	j, err := jsonLine(v)
	if err != nil {
		return err
	}
	buf.Write(j)
	return nil
}

func (p *parquetFile) Meta(ctx context.Context, w io.Writer, all bool) (err error) {
	defer recoverParquet(p.path, &err)
	md := p.pf.Metadata()
	fmt.Fprintf(w, "rows: %d\nrow groups: %d\n", md.NumRows, len(md.RowGroups))
	if md.CreatedBy != "" {
		fmt.Fprintf(w, "created by: %s\n", md.CreatedBy)
	}
	for _, kv := range md.KeyValueMetadata {
		v := kv.Value
		if len(v) > 200 {
			v = v[:200] + "…"
		}
		fmt.Fprintf(w, "metadata %s: %q\n", kv.Key, v)
	}
	schema := p.pf.Schema()
	for i, rg := range md.RowGroups {
		if !all && i >= maxListed {
			fmt.Fprintf(w, "... %d more row groups (--all lists them)\n", len(md.RowGroups)-maxListed)
			break
		}
		fmt.Fprintf(w, "\nrow group %d: %d rows, %d bytes, offset %d\n", i, rg.NumRows, rg.TotalByteSize, rg.FileOffset)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  column\ttype\tencodings\tcompression\tvalues\tnulls\tcompressed\tuncompressed\tmin\tmax")
		for _, c := range rg.Columns {
			cm := c.MetaData
			var encs []string
			for _, e := range cm.Encoding {
				encs = append(encs, e.String())
			}
			typ := cm.Type.String()
			var kind parquet.Kind = parquet.Kind(cm.Type)
			if leaf, ok := schema.Lookup(cm.PathInSchema...); ok {
				kind = leaf.Node.Type().Kind()
				if lt := leaf.Node.Type().LogicalType(); lt != nil {
					typ += "/" + lt.String()
				}
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", strings.Join(cm.PathInSchema, "."), typ, strings.Join(encs, ","),
				cm.Codec.String(), cm.NumValues, cm.Statistics.NullCount, cm.TotalCompressedSize, cm.TotalUncompressedSize,
				statValue(kind, cm.Statistics.MinValue), statValue(kind, cm.Statistics.MaxValue))
		}
		tw.Flush()
	}
	return nil
}

// statValue shows a min/max statistic, plain-encoded in the column's
// physical type; "-" when absent.
func statValue(k parquet.Kind, b []byte) (s string) {
	if b == nil {
		return "-"
	}
	defer func() {
		if recover() != nil {
			s = fmt.Sprintf("%x (undecodable)", b)
		}
	}()
	v := k.Value(b)
	if k == parquet.ByteArray || k == parquet.FixedLenByteArray {
		s = fmt.Sprintf("%q", v.ByteArray())
	} else {
		s = v.String()
	}
	if len(s) > 40 {
		s = s[:39] + "…"
	}
	return s
}

func (p *parquetFile) Close() error { return p.f.Close() }
