package avroio

import "github.com/crunchgo/crunchgo/internal/partprune"

// Partition pruning: Avro files carry no statistics, so the only thing to
// judge a file by before opening it is its path. The predicate sees the
// path's partition values and nothing else, which keeps it from reading
// record fields that would be zero at planning (a predicate over T could).

// WherePartition makes Read read only the files of a partitioned table
// (events/dt=2026-11-26/country=SE/part-0.avro) for whose partition values
// keep returns true. The others are left out when splits are planned,
// unopened, and counted ("files pruned", by the first split's task: when
// every file is left out, no task runs and nothing counts them). keep
// judges the path alone, never the records, so a file that holds a column
// of a key's name is still judged by its path's value. A key that the path
// lacks, a value Int or Time cannot parse, or a table with no key=value
// directories fails the job at planning, naming the file or pattern.
// NewFileReader and NewDecoder ignore this option.
func WherePartition(keep func(p Partition) bool) ReadOption {
	return func(c *readConfig) { c.wherePartition = keep }
}

// Partition is the partition values of one file's path, as a
// WherePartition predicate sees them: Value (unescaped), Null
// (__HIVE_DEFAULT_PARTITION__), Int and Time. Where a key appears twice in
// a path, the innermost value counts. csvio and jsonio share it.
type Partition = partprune.Partition
