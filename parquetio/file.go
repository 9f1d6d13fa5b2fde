package parquetio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// File is one Parquet file read without a Go type: its schema, footer
// metadata and rows as generic values. It is for tools that handle any file
// (the CLI's cat, schema and meta); pipelines read typed rows with Reader or
// Read. File checks pages and reports corruption exactly as Reader does, and
// honours the same ReadOptions: ByteRange and WithFilter select the row
// groups Rows reads, Lenient skips corrupt ones, MaxPageSize caps pages and
// BatchSize sets how many rows are decoded at a time.
//
// A File is not safe for concurrent use.
type File struct {
	path   string
	src    *trackingReaderAt
	file   *parquet.File
	cfg    readConfig
	fields []*gnode
	leaves []*gnode
	groups []int
	stats  ReadStats
}

// OpenFile opens the Parquet file at path (used in errors), of size bytes,
// read through r. It reads and checks the footer; errors in it match
// ErrCorrupt. It does not take ownership of r.
func OpenFile(path string, r io.ReaderAt, size int64, opts ...ReadOption) (*File, error) {
	f := &File{path: path, src: &trackingReaderAt{r: r, size: size}, cfg: newReadConfig(opts)}
	pf, footer, err := openFile(path, f.src, size)
	if err != nil {
		return nil, err
	}
	f.file = pf
	if err := f.compile(footer); err != nil {
		return nil, err
	}
	if f.groups, err = selectRowGroups(path, pf, nil, &f.cfg, &f.stats); err != nil {
		return nil, err
	}
	return f, nil
}

// compile compiles the schema for assembling rows; a schema that cannot be
// read is a corrupt footer.
func (f *File) compile(footer int64) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = f.src.wrap(f.path, -1, footer, fmt.Errorf("schema: %w", recovered(v)))
		}
	}()
	f.fields, f.leaves, err = compileSchema(f.file.Schema())
	if err != nil {
		return f.src.wrap(f.path, -1, footer, fmt.Errorf("schema: %w", err))
	}
	if n := len(f.file.Schema().Columns()); n != len(f.leaves) {
		return f.src.wrap(f.path, -1, footer, fmt.Errorf("schema: %d leaves but %d columns", len(f.leaves), n))
	}
	return nil
}

// Path returns the path the file was opened with.
func (f *File) Path() string { return f.path }

// Schema returns the file's schema as a Parquet message type, e.g.
//
//	message play {
//		required binary user (STRING);
//		optional double score;
//	}
func (f *File) Schema() (s string) {
	defer func() {
		if v := recover(); v != nil {
			s = fmt.Sprintf("(schema not printable: %v)", v)
		}
	}()
	return f.file.Schema().String()
}

// Fields returns the top-level fields of the schema, in schema order.
func (f *File) Fields() []Field {
	out := make([]Field, len(f.fields))
	for i, g := range f.fields {
		out[i] = g.field()
	}
	return out
}

// NumRows returns the number of rows of the file, from its footer.
func (f *File) NumRows() int64 { return f.file.Metadata().NumRows }

// CreatedBy returns the application that wrote the file, as recorded in
// its footer ("" if none).
func (f *File) CreatedBy() string { return f.file.Metadata().CreatedBy }

// KeyValue is an entry of a file's key-value metadata.
type KeyValue struct{ Key, Value string }

// KeyValueMetadata returns the footer's key-value metadata, in file order.
func (f *File) KeyValueMetadata() []KeyValue {
	md := f.file.Metadata().KeyValueMetadata
	out := make([]KeyValue, len(md))
	for i, kv := range md {
		out[i] = KeyValue{kv.Key, kv.Value}
	}
	return out
}

// RowGroupInfo describes a row group, from the footer.
type RowGroupInfo struct {
	NumRows       int64
	TotalByteSize int64 // uncompressed size of its column data
	// Offset is where its first page starts; a split reads the row groups
	// whose Offset lies in its byte range.
	Offset  int64
	Columns []ColumnChunkInfo
}

// ColumnChunkInfo describes a column chunk of a row group.
type ColumnChunkInfo struct {
	Path             []string // in the schema, e.g. [genres list element]
	PhysicalType     string   // e.g. "BYTE_ARRAY"
	LogicalType      string   // of the schema's leaf, e.g. "STRING"; "" if none
	Encodings        []string // e.g. [PLAIN RLE]
	Compression      string   // e.g. "SNAPPY"
	NumValues        int64    // values, nulls included
	NullCount        int64    // -1 when the chunk has no statistics: 0 would claim no nulls
	CompressedSize   int64
	UncompressedSize int64
	// Min and Max are the chunk's min_value/max_value statistics rendered
	// as its values print (text and bytes quoted with Go escapes, times in
	// RFC 3339), "" when absent. A statistic that does not decode as the
	// column's type is shown in hex followed by " (undecodable)".
	Min, Max string
}

// RowGroups describes every row group of the file (ByteRange and WithFilter
// do not apply).
func (f *File) RowGroups() []RowGroupInfo {
	md := f.file.Metadata()
	out := make([]RowGroupInfo, len(md.RowGroups))
	for i := range md.RowGroups {
		rg := &md.RowGroups[i]
		info := RowGroupInfo{NumRows: rg.NumRows, TotalByteSize: rg.TotalByteSize, Offset: rowGroupOffset(rg)}
		for j := range rg.Columns {
			cm := &rg.Columns[j].MetaData
			leaf := f.leaves[j]
			c := ColumnChunkInfo{
				Path:             cm.PathInSchema,
				PhysicalType:     cm.Type.String(),
				Compression:      cm.Codec.String(),
				NumValues:        cm.NumValues,
				NullCount:        cm.Statistics.NullCount,
				CompressedSize:   cm.TotalCompressedSize,
				UncompressedSize: cm.TotalUncompressedSize,
			}
			if st := &cm.Statistics; st.NullCount == 0 && st.DistinctCount == 0 &&
				st.Min == nil && st.Max == nil && st.MinValue == nil && st.MaxValue == nil {
				c.NullCount = -1 // no statistics at all
			}
			if _, lt, ok := strings.Cut(leaf.typ, "/"); ok {
				c.LogicalType = lt
			}
			for _, e := range cm.Encoding {
				c.Encodings = append(c.Encodings, e.String())
			}
			kind := parquet.Kind(cm.Type)
			c.Min = renderStat(leaf, kind, cm.Statistics.MinValue)
			c.Max = renderStat(leaf, kind, cm.Statistics.MaxValue)
			info.Columns = append(info.Columns, c)
		}
		out[i] = info
	}
	return out
}

// Stats returns what the file's Rows have done so far (summed over calls).
func (f *File) Stats() ReadStats { return f.stats }

// BytesRead returns the number of bytes read from the underlying reader.
func (f *File) BytesRead() int64 { return f.src.nbytes }

// Rows returns the rows of the selected row groups in file order, each as a
// map from top-level field name to value. The sequence ends after the first
// error, which is a *CorruptError (row group and offset of its first page)
// for bad data, an I/O error of the underlying reader, or ctx's error. Rows
// may be called again to read the rows again.
//
// Values are, by field:
//
//   - null: nil
//   - group: map[string]any
//   - LIST: []any of the elements; other repeated fields: []any
//   - MAP: map[string]any; keys that are not text are rendered with fmt
//     (timestamps in RFC 3339, without a zone when not adjusted to UTC,
//     TIMEs as 15:04:05.999999999), and of duplicate keys the last wins
//   - BOOLEAN: bool; INT32: int32; INT64: int64; FLOAT: float32;
//     DOUBLE: float64; unsigned INT annotations: uint32 or uint64
//   - STRING, ENUM, JSON: string; UUID: its canonical text
//   - other BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY: []byte
//   - DECIMAL: its exact decimal text, e.g. "-12.340"
//   - DATE: Date
//   - TIMESTAMP (any unit) and INT96: time.Time in UTC, whether or not the
//     column is adjusted to UTC
//   - TIME: time.Duration since midnight
//   - INTERVAL: Interval
//
// Rows own their values: nothing is reused between rows.
func (f *File) Rows(ctx context.Context) iter.Seq2[map[string]any, error] {
	return func(yield func(map[string]any, error) bool) {
		asm := newAssembler(f.fields, f.leaves)
		buf := make([]parquet.Row, f.cfg.batch)
		var batch []map[string]any
		for _, i := range f.groups {
			rg, err := f.openGroup(i)
			var n int64
			for err == nil {
				if err = ctx.Err(); err != nil {
					f.closeGroup(rg)
					yield(nil, err)
					return
				}
				batch, err = f.readBatch(rg, i, asm, buf, batch[:0])
				n += int64(len(batch))
				for _, row := range batch {
					f.stats.Rows++
					if !yield(row, nil) {
						f.closeGroup(rg)
						return
					}
				}
			}
			f.closeGroup(rg)
			if want := f.file.Metadata().RowGroups[i].NumRows; err == io.EOF && n != want {
				err = f.src.wrap(f.path, i, rowGroupOffset(&f.file.Metadata().RowGroups[i]),
					fmt.Errorf("read %d rows, the footer says %d", n, want))
			}
			if err == io.EOF {
				continue
			}
			if f.cfg.lenient && errors.Is(err, ErrCorrupt) {
				f.stats.CorruptRowGroups++
				continue
			}
			yield(nil, err)
			return
		}
	}
}

// openGroup starts reading row group i through the page checks.
func (f *File) openGroup(i int) (rows parquet.Rows, err error) {
	defer func() {
		if v := recover(); v != nil {
			rows, err = nil, f.src.wrap(f.path, i, rowGroupOffset(&f.file.Metadata().RowGroups[i]), recovered(v))
		}
	}()
	return newCheckedRowGroup(f.file, f.src, i, f.cfg.maxPage, nil).Rows(), nil
}

// readBatch reads and assembles up to len(buf) rows of row group i,
// appending them to out; at the end of the row group it returns io.EOF.
// Rows read before an error are returned with it.
func (f *File) readBatch(rows parquet.Rows, i int, asm *assembler, buf []parquet.Row, out []map[string]any) (_ []map[string]any, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = recovered(v)
		}
		if err != nil && err != io.EOF {
			err = f.src.wrap(f.path, i, rowGroupOffset(&f.file.Metadata().RowGroups[i]), err)
		}
	}()
	n, rerr := rows.ReadRows(buf)
	for _, r := range buf[:n] {
		m, err := asm.row(r)
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
	if rerr != nil && !errors.Is(rerr, io.EOF) {
		return out, rerr
	}
	if rerr != nil || n == 0 {
		return out, io.EOF
	}
	return out, nil
}

func (f *File) closeGroup(rows parquet.Rows) {
	if rows == nil {
		return
	}
	defer func() { recover() }()
	rows.Close()
}
