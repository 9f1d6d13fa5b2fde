// Package partwrite routes the records a task writes to a partitioned
// sink to one part file per partition directory (dt=2026-11-26/country=SE),
// shared by avroio, parquetio, csvio and jsonio.
//
// A task may meet many partitions, and a file being written holds buffers
// (a Parquet row group), so at most a fixed number of files are open at
// once: a new partition beyond it finishes the least recently used one,
// and if that partition comes again it gets a new file, numbered on
// (plan.OpenPart's seq), as Spark's and Hive's writers do.
package partwrite
