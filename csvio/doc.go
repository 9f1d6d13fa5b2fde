// Package csvio reads and writes CSV files (RFC 4180, as encoding/csv
// parses and writes them) as pipeline sources and sinks of a struct type
// T (Read, Write), writes them one file at a time (Writer), and reads one
// file's records as strings without a pipeline (EachRecord). It builds
// on textio: files are found, checked, split and decompressed as textio
// does (.gz, .bz2, .zst and Hadoop's .deflate, .snappy, .lz4 read whole,
// one split each; Avro or Parquet refused), and a UTF-8 byte order mark
// starting a file is dropped.
//
// # Columns and fields
//
// T's exported fields are the columns, named by a `csv:"name"` tag or else
// by the field's name (`csv:"-"` leaves a field out). By default a file's
// first non-blank line is its header, and each field takes the column of
// its name (or, if none, the one column whose name differs only in case,
// as encoding/json matches keys): columns T has no field for are ignored,
// a field without a column is an error matching ErrColumns (each file's
// header is checked so while splits are planned, before any task runs).
// With NoHeader the columns are the fields in order. Every record must
// have as many columns as the header (or the fields); otherwise it is an
// error matching ErrColumns, never a skip. Blank lines are skipped. T may
// also be []string: the records as they are (with a header, which is
// skipped, checked against its width).
//
// Fields may be strings, bools, integers, floats, time.Time (RFC 3339),
// any type with UnmarshalText and MarshalText, or pointers to these. An
// empty value is "" for a string and nil for a pointer, and an error for
// other types unless EmptyIsZero makes it their zero value. Writing, nil
// is empty, so a pointer to "" reads back as nil.
// Values and header names are taken as they are, spaces included, unless
// TrimSpace trims them.
//
// # Partitioned tables
//
// A field whose column the header lacks takes its value from the path's
// Hive-style key=value directories (events/dt=2026-11-26/part-0.csv), as
// avroio and parquetio fill them: %XX escapes undone,
// __HIVE_DEFAULT_PARTITION__ read as nil, parsed into the field's type
// (a value that does not parse fails at planning, naming the file). A
// column in the header wins over the path. With NoHeader the columns are
// the fields the path does not name, in order, unless a file's first
// record holds every field (a key=value directory above the table named
// a field the file has): then the file fills them all. PartitionBy writes such
// tables, leaving the partition columns out of the files.
//
// WherePartition selects partitions by path, as avroio.WherePartition
// does: its predicate sees one file's partition values (Value, unescaped;
// Null, for __HIVE_DEFAULT_PARTITION__; Int and Time, parsed) and nothing
// of its records, and the files it rules out are left out at planning,
// unopened (no header read, no value parsed), and counted ("files
// pruned"). Asking for a key the path lacks, or a value that does not
// parse, fails the job at planning naming the file, and so does a table
// with no partitions.
//
// # Splits and newlines in fields
//
// Files are cut into byte ranges at line ends, as textio cuts them, and
// every line is parsed as one record: a quoted field left open at the end
// of its line fails the read with an error matching ErrQuotedNewline,
// rather than let a split boundary inside it make garbage records.
// WholeFiles reads each file whole, in one split, with fields holding
// newlines (Spark's multiLine). Every split of a file reads the header
// from the file's start and skips the line at its offset, so only the
// file's own header is taken for one.
//
// # Errors
//
// A bad record fails the job with an *Error naming the file, the record's
// line (its number where the reader knows it: in a split starting its
// file, or reading whole files; its byte offset always), and the column
// and field at fault, e.g. "csvio: /x/a.csv: line 7 (offset 120): column
// 3 (plays): parse "abc" as int64: invalid syntax". Offsets in compressed
// files count in the decompressed text.
package csvio
