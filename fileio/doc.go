// Package fileio reads and writes Avro and Parquet files chosen by their
// extension, over any storage URL: as pipeline sources and sinks (Read,
// Write: Crunch's From.formattedFile, Spark's read.format), and one file
// at a time outside a pipeline (WriteFile, ScanFile, ScanFiles), for
// generators, reference computations and tests that read a job's output
// back.
//
// A pattern's format is its own extension when it has one (.avro,
// .parquet, any case), else that of the data files it matches, which must
// agree (FormatOf). Avro is written with the snappy codec. WriteFile
// derives an Avro file's sync marker from the file's name, so that the
// same rows make the same bytes. Read and ScanFile fill fields from a
// partitioned table's key=value directories, as avroio and parquetio do,
// and Write with PartitionBy writes such a table in either format.
package fileio
