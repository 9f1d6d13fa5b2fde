// Package parquetio reads and writes Parquet files of Go structs, per file
// (Reader, Writer) and as pipeline sources and sinks (Read, Write), and reads
// any Parquet file without a Go type (File: schema, footer, generic rows).
//
// # Model
//
// A Go struct type T describes the columns it wants with `parquet` struct
// tags, as in github.com/parquet-go/parquet-go, which does the encoding:
// strings, []byte, signed integers, floats, bools, time.Time with
// timestamp(millisecond|microsecond|nanosecond) or date, pointers for
// optional values, slices with the list tag, and maps; and *big.Rat (or
// big.Rat) for exact decimals, also nested (see Decimals). A Reader of T
// reads only the columns T names (projection): the other columns' pages are
// never fetched. When T's columns have exactly the file's physical types and
// nullability, pages decode straight into T; otherwise parquet-go converts
// each row, which costs CPU but still fetches only T's columns.
//
// NewWriter refuses what parquet-go would write wrongly: a slice of
// pointers (or a map whose values are one) without the list tag, which
// parquet-go writes as a bare repeated column that cannot hold a nil element
// (it dropped one, or wrote rows that vanish on reading), a pointer to a
// pointer, and a time.Time tagged date (use Date).
//
// # Schema matching
//
// A file must fit T, or reading fails with a *SchemaError naming the file,
// the column and T's field (it matches ErrSchemaMismatch, not ErrCorrupt:
// Lenient does not skip it). Column paths match exactly, case included.
// Read checks every file when it plans splits, so a job fails before it
// starts; a Reader checks when it opens:
//
//   - A column that T requires must be in the file. T requires a column
//     unless its field, or a struct, list or map above it, is a pointer, a
//     slice (not []byte), a map or tagged optional; such columns read as
//     nil, empty or (optional tag) the zero value when missing.
//     ZeroFillMissing reads missing required columns as zero values.
//   - Repetition and grouping must agree, and the file's type must convert
//     to T's without loss. Besides equal types (TIMESTAMPs of one unit
//     whether or not adjusted to UTC), allowed are: signed integers into
//     wider ones; UINT8 and UINT16 into wider integers; INT32 (and
//     narrower) and FLOAT into DOUBLE; DATE, TIME and TIMESTAMP into a
//     plain integer, as the number stored; plain, STRING, ENUM and JSON
//     byte arrays into string or []byte; fixed-length ones into []byte.
//     Everything else fails: narrowing, floats into integers, DOUBLE into
//     FLOAT, INT64 into DOUBLE, strings to or from numbers, another
//     timestamp unit or decimal, DATE into TIMESTAMP, and UINT32, UINT64
//     and INT96 into anything but themselves (parquet-go v0.32.0 converts
//     those wrongly). A *big.Rat reads any DECIMAL and nothing else (see
//     Decimals).
//
// A nullable column may be read into a field that cannot hold null (neither
// a pointer nor tagged optional): files written by DuckDB or Spark, whose
// columns are all nullable, read into plain fields. Read then fails at the
// first null, naming its row group and row. The check costs one vectorised
// count of a page's definition levels, not a test per value. A non-pointer
// field tagged optional reads nulls as its zero value, which is how
// parquet-go writes its zero value; a list or map field tagged optional
// reads a null list or map as empty (parquet-go does not tell them apart).
// The error says which node is null and how T could hold it: a pointer
// field, the optional tag, or pointer elements for a list's null elements.
//
// # Decimals
//
// An int32 or int64 field tagged decimal(scale:precision), as in
// parquet-go, holds the unscaled number of a DECIMAL stored as INT32 or
// INT64 of that scale and precision. For exact values of any DECIMAL, a
// *big.Rat (or a big.Rat for a required column) may be a field of the row
// struct or of a struct nested in it (by value or pointer, also in a list
// or a map), the element of a list (a slice tagged list) or the value of a
// map, as Spark and DuckDB write struct<price decimal(10,2)>,
// array<decimal(38,18)>, array<struct<sku string, price decimal(10,2)>>
// and map<string, decimal(38,18)>:
//
//   - Reading, it takes a DECIMAL of any precision and scale stored in any
//     physical type: INT32, INT64, FIXED_LEN_BYTE_ARRAY of any width (as
//     Spark and DuckDB store precisions above 18) or BYTE_ARRAY (two's
//     complement, big-endian), exactly; a null reads as nil. Untagged, it
//     reads any DECIMAL; tagged decimal(scale:precision), only one whose
//     values that type holds (scale and integer digits no larger). Any
//     other column type fails with a *SchemaError.
//   - Writing, it needs a decimal(scale:precision) tag (compression and
//     encoding options may follow it), which gives the column's type: INT32
//     up to precision 9, INT64 up to 18, beyond that a FIXED_LEN_BYTE_ARRAY
//     of the fewest bytes for the precision (as Spark writes), optional for
//     a *big.Rat (nil writes null). A value that is not exact at the scale,
//     or has more digits than the precision, fails Write with an error
//     naming the row, the field and the value (e.g. field Items[2].Price):
//     nothing is rounded.
//
// A field's parquet tag declares a big.Rat field. A list's elements and a
// map's values have no tag of their own, so as in parquet-go the field's
// parquet-element or parquet-value tag declares them:
//
//	Prices []*big.Rat          `parquet:"prices,list" parquet-element:",decimal(18:38)"`
//	Totals map[string]*big.Rat `parquet:"totals" parquet-value:",decimal(2:10)"`
//
// A *big.Rat element is optional, as Spark and DuckDB write them. Not
// supported, and refused when a Reader or Writer is made: a big.Rat in a
// list or map directly inside another list or map (put the inner one in a
// struct), in a slice without the list tag, in a map's keys or in an
// embedded struct. parquet-go v0.32.0 cannot read or write a
// FIXED_LEN_BYTE_ARRAY (a precision above 18) as a required value of a
// map, so there such a big.Rat must be a *big.Rat or be under a pointer.
//
// Such a T is read and written through a type derived from it when a file
// is opened, row by row (parquet-go knows no big.Rat): it never takes the
// columnar fast path, and costs one conversion per row and big.Rat.
//
// Decimal columns stored as bytes (FIXED_LEN_BYTE_ARRAY, BYTE_ARRAY) are
// written without min/max statistics: parquet-go would order them as
// unsigned bytes, not as the signed numbers the specification orders them
// by, and engines that skip row groups by statistics would skip the wrong
// ones. INT32 and INT64 decimals keep theirs.
//
// # Columnar fast path
//
// The common row type, a flat struct whose fields are all string, int64,
// int, int32, bool, float32 or float64 (no pointers, slices, nested structs
// or logical types other than STRING and signed INT), read from a file whose
// same-named columns are flat (required or optional) and of the same
// physical type, skips parquet-go's row reconstruction: per row group and
// per field, the reader reads a batch of values from the column chunk's pages
// and stores them straight into the fields of the caller's []T, at field
// offsets computed once when the Reader opens. Nulls of fields tagged
// optional read as zero values, as on the row path; every string is a fresh
// allocation (it never refers to a page buffer, which is returned to
// parquet-go's pool once copied), or, with SharedStrings, the strings of a
// column in a batch share one allocation, which is faster but keeps the
// batch's bytes alive while any of its strings is. Pages of required
// numeric and bool columns are read through parquet-go's typed readers,
// without building a parquet.Value per value. Pages pass the same header
// and null checks, and errors are reported the same way. Any other type, or
// a file lacking one of T's columns (other than those filled from a
// partitioned table's path, of any type), takes the row path.
//
// # Partitioned tables
//
// Read reads a Hive-style partitioned table: a directory whose
// subdirectories are named key=value, nested at one depth
// (events/dt=2026-11-26/country=SE/part-0.parquet), or a glob over them
// (events/dt=2026-11-2*); see storage.DataFiles. A top-level field of T
// whose column is a key of the file's path and is not in the file takes
// its value from the path, as Spark does: %XX escapes undone, and
// __HIVE_DEFAULT_PARTITION__ read as nil (a field that is not a pointer
// fails). The value is parsed into the field's type: a string, integer,
// float or bool (strconv), a time.Time (2026-11-26 as midnight UTC, or
// 2026-11-26 10:30:00 or RFC 3339) or a Date. A value that does not parse
// fails the job when its splits are planned, naming the file and the
// key=value. A column the file holds wins over its path. NewReader takes
// the values from the path it is given. The fields are set once per
// batch read and keep the columnar fast path.
//
// A Filter may name partition columns (those a field of T takes from the
// path): Read leaves out, unopened, the files whose paths' values rule
// the filter out, as Spark's partition pruning does, and counts them
// ("files pruned", by the first split's task: when every file is left
// out, no task runs and nothing counts them). The value is compared in its field's type (numbers as
// numbers, times as instants; a null matches no comparison). Comparisons
// on the files' own columns count as "may match" there, so a file is left
// out only if no row of it can match; inside the files kept they prune row
// groups as usual. Like row-group pruning, this never filters the rows of
// the files read. A literal of a type the field cannot be compared with
// fails the job at planning, naming the file. A file that holds a column
// its path also names is judged by its column (which wins): once a file
// opened at planning (or, if the paths rule out every file, the first
// one) shows that, all files are opened and judged so.
//
// Write with PartitionBy("dt", "country") writes such a table, as Spark's
// partitionBy does: each task writes a part file per partition it meets
// (dt=2026-11-26/country=SE/part-m-00003.parquet), without the partition
// columns, which Read fills back from the path. Values are escaped as
// Spark escapes them; a nil pointer or an empty string is written as
// __HIVE_DEFAULT_PARTITION__. A task keeps at most MaxOpenPartitions files
// open (32): one more finishes the least recently written, and that
// partition's next rows go to a new file (part-m-00003-1.parquet).
// Overwrite replaces the whole table (Spark's static overwrite);
// overwrite-partitions (runner.WriteOverwritePartitions) replaces only the
// partitions the run writes (Spark's dynamic overwrite); append adds files
// to the partitions there and directories for new ones. The last two
// refuse a table partitioned by other keys. An output of no rows holds only
// _SUCCESS, as Spark's does, and reading it fails as for any directory of
// no data files.
//
// # Untyped files
//
// OpenFile reads a file whose Go type is unknown, for tools: the schema as a
// message type, the footer's row groups and column chunks (types, encodings,
// sizes, statistics rendered as text), and rows as map[string]any assembled
// from all columns, with groups as maps, lists as []any and logical types as
// documented on File.Rows (timestamps as time.Time, dates as Date, decimals
// as exact text). It reads through the same page checks, panic recovery and
// errors as Reader, and honours the same options.
//
// # Splits and pruning
//
// A row group belongs to the byte range in which its first page starts, so
// byte ranges that tile a file (ByteRange) read every row group exactly once,
// like Hadoop's input splits. A Filter (Eq, Lt, Le, Gt, Ge, And, Or) prunes row
// groups whose column-chunk min/max statistics prove that no row matches;
// it never filters rows inside the row groups that are read, so the pipeline
// keeps its own row filter. Pruned row groups are counted. A filter on a
// partition column also prunes whole files (see "Partitioned tables"). A literal the
// column cannot hold exactly (a time finer than the column's unit or beyond
// its range, a time of day on a DATE column, a float64 on a FLOAT column) is
// rounded, and the comparison widened where the rounding would otherwise
// prune a matching row group (Lt becomes Le when the literal rounds down).
//
// # Errors
//
// Data that is not valid Parquet yields a *CorruptError naming the path, the
// row group (-1 for the header and footer) and a byte offset, and matching
// ErrCorrupt; for an Avro or gzip file, known by its magic bytes, it says so
// and what reads it. Panics inside parquet-go on malformed input are recovered and
// reported the same way. Before parquet-go reads a column chunk, its page
// headers are walked and checked against the chunk's bounds and MaxPageSize,
// so that a damaged header cannot make it allocate without bound. Errors of the underlying io.ReaderAt are passed
// through and do not match ErrCorrupt. By default the first corrupt row group
// fails the read; Lenient skips it and counts it. A page compressed with
// LZ4_RAW less than 3 to 1 fails the read with an error matching
// ErrUnsupported, which Lenient does not skip: parquet-go v0.32.0 may decode
// such a page into stale bytes (it fills a buffer of its own and keeps the
// one it was given), which could read as wrong values.
//
// # Constraints
//
// The footer is read whole (it is bounded by the file size and checked
// before decoding). Statistics are taken only from the column chunks'
// min_value/max_value (not the deprecated min/max fields, whose order is
// unreliable for strings). Lists and maps cannot be filtered on.
package parquetio
