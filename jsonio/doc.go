// Package jsonio reads and writes JSON lines (one JSON value per line, as
// jsonlines.org, Spark's read.json and BigQuery's NDJSON have them) as
// pipeline sources and sinks of any type T encoding/json handles (Read,
// Write), and writes them one file at a time (Writer). Struct fields
// follow encoding/json's rules and `json` tags. Where the collection is
// encoded (a shuffle, a materialized intermediate) T also needs a codec,
// which interface{} values such as map[string]any lack: decode what may
// vary into a json.RawMessage field, or into concrete types.
//
// It builds on textio: files are found, checked, cut into byte ranges at
// line ends and decompressed (.gz, .bz2, .zst and Hadoop's .deflate,
// .snappy, .lz4 read whole, one split each) as textio does, and every
// line is decoded on its own as encoding/json decodes it: by
// segmentio/encoding/json, which keeps encoding/json's rules at several
// times its speed, and by encoding/json itself for any line that one
// refuses, so errors read as encoding/json's. A line holding only
// spaces or tabs is skipped, as Spark skips blank lines. Keys T has no
// field for are ignored, as encoding/json ignores them, unless
// DisallowUnknownFields.
//
// A line that does not decode into T (bad JSON, a value of the wrong type,
// an unknown key under DisallowUnknownFields, two values on one line, or
// null unless T is a pointer, map, slice or interface, which it makes nil)
// fails the job with an *Error naming the file, the line's byte offset (in
// the decompressed text of a compressed file), its number when the reader
// knows it (in a split starting its file), and encoding/json's account of
// what was wrong, which names the field. Nothing is skipped silently.
//
// Write writes each element as one line of compact JSON, which never holds
// a newline (encoding/json escapes them in strings): the bytes
// encoding/json's Encoder writes without escaping HTML. A T made only of
// booleans, numbers, strings, pointers, arrays, slices, maps keyed by
// strings or integers and structs without embedded fields, none encoding
// itself (MarshalJSON, MarshalText) nor a time.Duration or json.Number,
// is written by segmentio/encoding/json, several times faster and to the
// same bytes; any other T by encoding/json.
//
// Reading a struct, a top-level field whose key a line lacks takes its
// value from the path's Hive-style key=value directories
// (events/dt=2026-11-26/part-0.jsonl), as avroio and parquetio fill them
// (%XX escapes undone, __HIVE_DEFAULT_PARTITION__ read as nil, a value
// that does not parse failing at planning, naming the file); a key the
// line holds, null included, wins over the path. PartitionBy writes such
// tables, leaving the partition keys out of the lines. WherePartition
// selects partitions by path, as avroio.WherePartition does: its
// predicate sees one file's partition values (Value, unescaped; Null, for
// __HIVE_DEFAULT_PARTITION__; Int and Time, parsed) and nothing of its
// lines, and the files it rules out are left out at planning, unopened,
// and counted ("files pruned"). Asking for a key the path lacks, or a
// value that does not parse, fails the job at planning naming the file,
// and so does a table with no partitions.
package jsonio
