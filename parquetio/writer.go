package parquetio

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/parquet-go/parquet-go/compress/uncompressed"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
)

// Codec is a page compression codec.
type Codec int

// The supported codecs. Snappy is the default.
const (
	Snappy Codec = iota
	Zstd
	Uncompressed
)

func (c Codec) String() string {
	switch c {
	case Snappy:
		return "snappy"
	case Zstd:
		return "zstd"
	case Uncompressed:
		return "uncompressed"
	}
	return fmt.Sprintf("Codec(%d)", int(c))
}

func (c Codec) codec() (compress.Codec, error) {
	switch c {
	case Snappy:
		return &snappy.Codec{}, nil
	case Zstd:
		return &zstd.Codec{}, nil
	case Uncompressed:
		return &uncompressed.Codec{}, nil
	}
	return nil, fmt.Errorf("parquetio: unknown codec %v", c)
}

// WriteOption configures writing, for both the per-file Writer and Write.
type WriteOption func(*writeConfig)

type writeConfig struct {
	codec        Codec
	rowGroupRows int64
	pageSize     int
	pageV2       bool
	partitionBy  []string // PartitionBy: columns
	maxOpen      int      // MaxOpenPartitions
}

// PartitionBy writes a Hive-style partitioned table, as Spark's
// partitionBy does: Write puts each row in the directory its values of
// the top-level columns named here spell, in order
// (dir/dt=2026-11-26/country=SE/part-m-00000.parquet), and those columns
// are left out of the files, since Read fills them back from the path.
// A per-file Writer leaves them out too. Values are escaped as Spark
// escapes them; a nil pointer, or an empty string, is written as
// __HIVE_DEFAULT_PARTITION__ (read back as null); a time.Time as a date
// when it is midnight UTC, else as a UTC timestamp; a Date as a date.
// Other than those, strings, integers, floats and bools, fields cannot
// partition.
func PartitionBy(columns ...string) WriteOption {
	return func(w *writeConfig) { w.partitionBy = columns }
}

// MaxOpenPartitions bounds how many partitions' files a task of a
// partitioned Write keeps open, each buffering a row group (default 32):
// meeting one more finishes the least recently written, and if that
// partition comes again the task starts another file in it
// (part-m-00000-1.parquet).
func MaxOpenPartitions(n int) WriteOption { return func(w *writeConfig) { w.maxOpen = n } }

// Compression sets the page compression codec (default Snappy).
func Compression(c Codec) WriteOption { return func(w *writeConfig) { w.codec = c } }

// RowGroupRows caps the number of rows per row group (default 128Ki rows).
// Smaller row groups mean finer splits and finer pruning, larger ones better
// compression and fewer seeks.
func RowGroupRows(n int64) WriteOption { return func(w *writeConfig) { w.rowGroupRows = n } }

// PageSize sets the target size in bytes of a column's data pages before
// compression (parquet-go's default, 256KiB, if unset).
func PageSize(n int) WriteOption { return func(w *writeConfig) { w.pageSize = n } }

// DataPageV2 writes data pages in the version 2 format (default version 1,
// which every reader understands).
func DataPageV2() WriteOption { return func(w *writeConfig) { w.pageV2 = true } }

const defaultRowGroupRows = 128 << 10

const modulePath = "github.com/crunchgo/crunchgo"

// createdBy is the footer's created_by: "crunchgo version v1.2.3" with the
// version of this module in the running binary when the build records one,
// else "crunchgo (devel)". (parquet-go's CreatedBy option always formats a
// version and build, which this module does not have.)
var createdBy = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "crunchgo (devel)"
	}
	return createdByOf(bi)
})

func createdByOf(bi *debug.BuildInfo) string {
	v := ""
	if bi.Main.Path == modulePath {
		v = bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == modulePath {
			v = d.Version
			if d.Replace != nil && d.Replace.Version != "" {
				v = d.Replace.Version
			}
		}
	}
	if v == "" || v == "(devel)" {
		return "crunchgo (devel)"
	}
	return "crunchgo version " + v
}

// errNanoRange is a time a nanosecond TIMESTAMP cannot hold, given to Write:
// the same values fail the same way again.
var errNanoRange = errors.New("is outside 1677-09-21..2262-04-11")

// Writer writes rows of type T as one Parquet file to an io.Writer. Close
// writes the footer; it does not close the io.Writer.
type Writer[T any] struct {
	w *parquet.GenericWriter[T]
	// For a T with big.Rat fields, rows are converted by rats and written
	// by rw instead.
	rats *ratWriter
	rw   *parquet.GenericWriter[any]
	err  error
	// nanos finds a time a nanosecond TIMESTAMP column cannot hold in a
	// row, or is nil when T has no such column.
	nanos   func(row reflect.Value) (field string, t time.Time)
	written int64 // rows written
}

// NewWriter starts a Parquet file on w with the schema of T.
func NewWriter[T any](w io.Writer, opts ...WriteOption) (wr *Writer[T], err error) {
	cfg := writeConfig{codec: Snappy, rowGroupRows: defaultRowGroupRows}
	for _, o := range opts {
		o(&cfg)
	}
	if err := checkWritable(reflect.TypeFor[T](), ""); err != nil {
		return nil, fmt.Errorf("parquetio: cannot write %T: %w", *new(T), err)
	}
	rs, err := ratStructOf(reflect.TypeFor[T]())
	if err != nil {
		return nil, fmt.Errorf("parquetio: cannot write %T: %w", *new(T), err)
	}
	var rats *ratWriter
	if rs != nil {
		if rats, err = newRatWriter(rs); err != nil {
			return nil, fmt.Errorf("parquetio: cannot write %T: %w", *new(T), err)
		}
	}
	codec, err := cfg.codec.codec()
	if err != nil {
		return nil, err
	}
	if cfg.maxOpen < 0 {
		return nil, fmt.Errorf("parquetio: %d open partitions: must be positive", cfg.maxOpen)
	}
	if cfg.rowGroupRows <= 0 {
		return nil, fmt.Errorf("parquetio: row group size %d rows: must be positive", cfg.rowGroupRows)
	}
	popts := []parquet.WriterOption{
		parquet.Compression(codec),
		parquet.MaxRowsPerRowGroup(cfg.rowGroupRows),
		&parquet.WriterConfig{CreatedBy: createdBy()},
	}
	if cfg.pageSize > 0 {
		popts = append(popts, parquet.PageBufferSize(cfg.pageSize))
	}
	if cfg.pageV2 {
		popts = append(popts, parquet.DataPageVersion(2))
	} else {
		popts = append(popts, parquet.DataPageVersion(1))
	}
	defer func() {
		if v := recover(); v != nil {
			wr, err = nil, fmt.Errorf("parquetio: cannot write %T: %v", *new(T), v)
		}
	}()
	if len(cfg.partitionBy) > 0 {
		if rats != nil {
			return nil, fmt.Errorf("parquetio: cannot write %T partitioned: its big.Rat fields are not supported there", *new(T))
		}
		if _, err := partitionDirs(reflect.TypeFor[T](), cfg.partitionBy); err != nil {
			return nil, err
		}
		for _, f := range partitionFields(reflect.TypeFor[T]()) {
			if slices.Contains(cfg.partitionBy, f.Column) {
				popts = append(popts, parquet.StructTag(`parquet:"-"`, f.Name).(parquet.WriterOption))
			}
		}
	}
	if rats != nil {
		popts = append(popts, rats.schema)
		popts = append(popts, byteDecimalsUnbounded(rats.schema)...)
		return &Writer[T]{rats: rats, rw: parquet.NewGenericWriter[any](w, popts...), nanos: nanoTimes(reflect.TypeFor[T](), "")}, nil
	}
	popts = append(popts, byteDecimalsUnbounded(parquet.SchemaOf(new(T)))...)
	return &Writer[T]{w: parquet.NewGenericWriter[T](w, popts...), nanos: nanoTimes(reflect.TypeFor[T](), "")}, nil
}

// byteDecimalsUnbounded leaves out the min and max statistics of the
// schema's DECIMAL columns stored as bytes (FIXED_LEN_BYTE_ARRAY or
// BYTE_ARRAY), in the footer, the column index and page headers.
// parquet-go orders such values as unsigned bytes, where the Parquet
// specification orders decimals as signed numbers: a chunk holding 7 and
// -10^20 would claim min 7, max -10^20, and an engine pruning row groups
// by them (Spark, Trino, DuckDB) would skip rows it needs. No bounds is
// honest; wrong ones lose data.
func byteDecimalsUnbounded(schema *parquet.Schema) []parquet.WriterOption {
	var opts []parquet.WriterOption
	for _, path := range schema.Columns() {
		leaf, ok := schema.Lookup(path...)
		if !ok {
			continue
		}
		t := leaf.Node.Type()
		if _, ok := logicalValue(t).(*format.DecimalType); !ok {
			continue
		}
		if k := t.Kind(); k == parquet.FixedLenByteArray || k == parquet.ByteArray {
			opts = append(opts, parquet.SkipPageBounds(path...), parquet.SkipPageStatistics(path...))
		}
	}
	return opts
}

// Write writes rows. After an error the writer is unusable.
func (w *Writer[T]) Write(rows []T) (n int, err error) {
	if w.err != nil {
		return 0, w.err
	}
	defer w.recoverInto("write", &err)
	if w.nanos != nil {
		for i := range rows {
			if field, t := w.nanos(reflect.ValueOf(&rows[i]).Elem()); field != "" {
				// parquet-go would store t.UnixNano(), which wraps.
				w.err = fmt.Errorf("parquetio: write: row %d, field %s: time %s %w, which a TIMESTAMP in nanoseconds (an untagged time.Time's unit) cannot hold: make the field a pointer to write an absent time as null, or write such times as an int64 tagged timestamp(microsecond)",
					w.written+int64(i), field, t.Format(time.RFC3339Nano), errNanoRange)
				return 0, w.err
			}
		}
	}
	if w.rats != nil {
		var shadows []any
		if shadows, err = w.rats.convert(reflect.ValueOf(rows), w.written); err != nil {
			w.rats.release()
			w.err = fmt.Errorf("parquetio: write: %w", err)
			return 0, w.err
		}
		n, err = w.rw.Write(shadows)
		w.rats.release()
	} else {
		n, err = w.w.Write(rows)
	}
	w.written += int64(n)
	if err != nil {
		w.err = fmt.Errorf("parquetio: write: %w", err)
		return n, w.err
	}
	return n, nil
}

// Close flushes the last row group and writes the footer. The file is
// complete only if Close returns nil.
func (w *Writer[T]) Close() (err error) {
	if w.err != nil {
		return w.err
	}
	defer w.recoverInto("close", &err)
	if w.rats != nil {
		err = w.rw.Close()
	} else {
		err = w.w.Close()
	}
	if err != nil {
		w.err = fmt.Errorf("parquetio: close: %w", err)
		return w.err
	}
	w.err = fmt.Errorf("parquetio: writer closed")
	return nil
}

// recoverInto turns a panic in parquet-go, on a Go value it cannot write,
// into the writer's error, returned as *err: the file is not complete.
func (w *Writer[T]) recoverInto(op string, err *error) {
	if v := recover(); v != nil {
		w.err = fmt.Errorf("parquetio: %s: the Parquet library failed on a %T: %v", op, *new(T), v)
		*err = w.err
	}
}
