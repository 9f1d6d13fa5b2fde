// Package hivepart reads Hive-style partition values out of file paths,
// shared by avroio, parquetio, csvio and jsonio: a table directory whose
// subdirectories are named key=value (events/dt=2026-11-26/country=SE/part-0.parquet)
// holds files that lack the key columns; their values are in the path.
//
// Values follow Spark's rules: %XX escapes are undone (city=New%20York),
// and __HIVE_DEFAULT_PARTITION__ is null. A Setter, built once per file,
// parses each value into the Go type of the struct field it fills, so a
// value that does not parse fails before any record is read, and then
// copies the parsed values into every record read from the file.
// FieldValue gives the same parsed value on its own, for filters that
// compare partition values without reading the file.
//
// For writers, Dirs names the directory of a record from its fields, the
// inverse: values escaped as Spark escapes them (Escape), a nil pointer or
// empty string as __HIVE_DEFAULT_PARTITION__.
package hivepart
