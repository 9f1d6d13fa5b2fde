// Package avroio reads and writes Avro object container files, per file and
// as pipeline sources and sinks.
//
// # Per-file layer
//
// A FileReader reads the header of one container file through an
// io.ReaderAt (magic, metadata with avro.schema and avro.codec, 16-byte sync
// marker) and then frames blocks itself: record count, byte size, data, sync
// marker. Blocks can be read for the whole file or for a byte range, which is
// how one large file is read by several tasks: a range owns the blocks whose
// preceding sync marker starts inside it (the header's marker precedes the
// first block), so ranges that tile a file read each block exactly once. A
// range that starts mid-file finds its first block by searching for the sync
// marker. Like Java's Avro, it trusts the first match: a file whose data
// holds its own 16-byte marker (an Avro file stored whole in a bytes field,
// written with the same fixed marker) fails to read as corrupt when cut
// there, though it reads whole. Random markers (the default) make that
// practically impossible.
//
// A Decoder[T] decodes a file's records into T. The reader schema is derived
// from T (SchemaOf: struct fields with avro tags, plus avrodefault and
// avroaliases tags), or given as .avsc text (WithReaderSchema), or, for
// T = map[string]any, the writer's own schema. It is resolved once against
// the writer's schema by hamba/avro (fields added with a default, removed
// fields, int→long→float→double promotion, renames through aliases), and
// records are decoded by hamba/avro's decoder compiled for T: no reflection
// per record (but see below for fields that disagree on null), and block
// buffers are reused. Where the record's fields and
// T's disagree on null, records are read as the Avro specification
// resolves them, record by record, which hamba/avro does not (it refuses
// the schemas): a field the file declares nullable (a union with null, as
// Spark and Hive write every column) reads into a plain Go field, and a
// record holding a null there fails the read naming the file, block,
// record and field (make the field a pointer to read nulls); a pointer
// field reads a field the file declares without null. Such records are
// decoded into a shadow struct and copied into T (see adapter; a null in
// a plain slice or map reads as nil); this works for the fields of the
// top-level record, not through a struct embedded by pointer, and not with
// WithReaderSchema, and a mismatch deeper down is refused when the schemas
// are matched. With WithReaderSchema, a union (such as a nullable record)
// read into a struct value, which hamba/avro would overwrite with a
// pointer, is refused when the decoder is made, in an array or a map too
// (read Spark's array<struct> into a slice of pointers), and so is a
// nullable map read into a map (hamba/avro decodes a union only into a
// pointer to one). A narrow integer field (int8, int16, uint8, uint16 from an
// int, uint32 from a long), which hamba/avro would fill by a cast that
// wraps, is read the same way and fails on a value it cannot hold, naming
// it; inside a nested record, an array or a map, where no check can be
// made, it is refused when the file is opened, and by NewFileWriter and
// Write (unless given WithWriterSchema), which would otherwise write a file
// that the same type cannot read back. An int64 field tagged
// `avro:"ts,timestamp-millis"` (or timestamp-micros) holds timestamps in
// that unit: it is written with that logical type, and a file whose field
// holds timestamps of another unit is refused rather than read a thousand
// times off (a plain long is taken to be in the declared unit). A
// time.Time or *time.Time field tagged `avro:"day,date"` holds a date (an
// int of days), as Spark and Hive write DATE columns; it is written as the
// calendar day the time shows in its own location, whatever its time of
// day (hamba/avro alone would round the UTC instant), and a date in an
// array, a map or a record reached through a pointer is refused for
// writing. A *big.Rat field holds an Avro decimal (bytes or fixed with
// logicalType decimal) exactly: it reads the file's decimal at any
// precision and scale, nullable (a null reads as nil) or not, and a column
// of another type is refused when the file is opened; it is written as a
// nullable bytes decimal with the precision and scale its tag declares,
// `avro:"price,decimal(10,2)"`, and a value that decimal cannot hold
// exactly (1/3 at scale 2, or more digits than the precision) fails the
// write naming the field (lines[2].price, rates["eur"]) and the value,
// where hamba/avro alone would truncate it. Decimals are read and written
// in fields of the record and of records nested in it (by value or by
// pointer), and in arrays and maps ([]*big.Rat, map[string]*big.Rat, whose
// tag declares their values' decimal, and records inside them); a big.Rat
// that is not a pointer (into which hamba/avro would decode over the
// value's memory) is refused. As a pipeline source, Read matches every
// file's schema to T's when the splits are planned (reading the files'
// headers several at once), so a mismatch fails the job before any task
// runs, naming the file and the first field that does not fit.
//
// A FileWriter[T] writes a container file to an io.Writer, gathering encoded
// records into blocks of about WithBlockSize uncompressed bytes, with the
// null, deflate (raw RFC 1951), snappy (with its CRC-32), zstandard or xz
// codec. Readers also take bzip2 (Go has no bzip2 encoder). An xz block is
// decoded with its own dictionary, allocated whole (8 MiB a block at Avro
// Java's default level): xz files read correctly but churn memory.
//
// # Corrupt data
//
// Errors about the data are *CorruptError values carrying the path, the block
// (counted from the start of the range read, which the message names when it
// is not the file's start; HeaderBlock for the header) and the block's byte
// offset, and match errors.Is(err, ErrCorrupt). Memory is
// bounded: a block claiming more bytes than WithMaxBlockSize, more bytes than
// the file holds, or more records than its bytes can encode is reported as
// corrupt before anything is allocated for it, and decompression stops at
// the same limit. The Lenient option skips corrupt blocks instead, resuming
// at the next sync marker, and counts what it skipped; by default the first
// corrupt block fails the read. A Parquet or gzip file, known by its magic
// bytes, fails with a header error saying so and what reads it.
//
// # Pipelines
//
// Read[T] (and ReadGeneric, for map[string]any) is a pipeline source over an
// input pattern of any storage URL: a file, a directory of data files
// (ignoring _SUCCESS, _temporary and other "_" or "." names) or a glob. It
// plans splits from the runner's hint, cutting large files into byte ranges
// at least DefaultMinSplitSize long (WithSplitSize overrides), and counts
// records read and corrupt blocks skipped in counter group "avroio".
// It reads Hive-style partitioned tables as parquetio.Read does (see
// Partitioned tables there), filling a typed record's top-level fields the
// file lacks from the key=value directories of its path; ReadGeneric and
// WithReaderSchema reads do not add them. Avro files hold no statistics to
// prune by, so partitions are selected by path: WherePartition's predicate
// sees one file's partition values (Value, as strings unescaped; Null, for
// __HIVE_DEFAULT_PARTITION__; Int and Time, parsed) and nothing of its
// records, and the files it rules out are left out at planning, unopened,
// and counted ("files pruned") as parquetio's filter does. Asking for a key
// the path lacks, or a value that does not parse, fails the job at
// planning naming the file, and so does a table with no partitions.
// Write[T] is a sink writing one part file per task; the runner names and
// commits them. With PartitionBy it writes a partitioned table as
// parquetio.Write does with its PartitionBy (see Partitioned tables
// there): a part file per partition per task, the partition fields left
// out of the files' schema, at most MaxOpenPartitions files open. Collections of map[string]any have no value codec, so map
// them to a concrete type before a shuffle or Materialize.
package avroio
