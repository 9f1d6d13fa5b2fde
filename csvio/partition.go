package csvio

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/crunchgo/crunchgo/internal/hivepart"
	"github.com/crunchgo/crunchgo/internal/partprune"
)

// Partitioned tables: a field whose column the file lacks takes its value
// from the key=value directories of the file's path (hivepart), as avroio
// and parquetio fill them. With a header, a column in the header wins over
// the path, as a Parquet or Avro file's own column does; without one
// (NoHeader) the columns are the fields the path does not name, in order,
// as Write leaves partition columns out of the files.

// WherePartition makes Read read only the files of a partitioned table
// (events/dt=2026-11-26/country=SE/part-0.csv) for whose partition values
// keep returns true, reading, as avroio.WherePartition does: the others
// are left out when splits are planned, unopened (their headers
// unchecked), and counted ("files pruned", by the first split's task:
// when every file is left out, no task runs and nothing counts them). keep
// judges the path alone, never the records. A key that the path lacks, a
// value Int or Time cannot parse, or a table with no key=value directories
// fails the job at planning, naming the file or pattern.
func WherePartition(keep func(p Partition) bool) Option {
	return func(c *config) { c.wherePartition = keep }
}

// Partition is the partition values of one file's path, as a
// WherePartition predicate sees them: Value (unescaped), Null
// (__HIVE_DEFAULT_PARTITION__), Int and Time. Where a key appears twice in
// a path, the innermost value counts. It is avroio.Partition.
type Partition = partprune.Partition

// pathValueError is a partition value in a path that does not parse into
// its field's type: the path's fault, not a record's.
type pathValueError struct{ err error }

func (e *pathValueError) Error() string { return e.err.Error() }
func (e *pathValueError) Unwrap() error { return e.err }

// hiveFields are the fields of l, of struct type t, as hivepart sees them.
func hiveFields(t reflect.Type, l layout) []hivepart.Field {
	out := make([]hivepart.Field, len(l.fields))
	for i, f := range l.fields {
		out[i] = hivepart.Field{Column: f.name, Name: t.Field(f.index).Name, Type: t.Field(f.index).Type, Offset: f.offset}
	}
	return out
}

// pathSetter returns what fills the fields of l named by indexes from the
// partition directories of path; nil if there are none. A value that does
// not parse into its field's type is a *pathValueError naming path.
func pathSetter(t reflect.Type, l layout, indexes []int, path string) (*hivepart.Setter, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	all := hiveFields(t, l)
	var fields []hivepart.Field
	for _, i := range indexes {
		fields = append(fields, all[i])
	}
	s, err := hivepart.NewSetter(path, t, fields, func(string) bool { return false })
	if err != nil {
		return nil, &pathValueError{err}
	}
	return s, nil
}

// partitionLayout returns what names the partition directory of a record
// of t written partitioned by columns (PartitionBy), and l without the
// columns, as the files hold it.
func partitionLayout(t reflect.Type, l layout, columns []string) (*hivepart.Dirs, layout, error) {
	if l.raw {
		return nil, l, fmt.Errorf("csvio: cannot partition %s by %v: only structs have fields to partition by", t, columns)
	}
	d, err := hivepart.NewDirs(t, columns, hiveFields(t, l))
	if err != nil {
		return nil, l, fmt.Errorf("csvio: %w", err)
	}
	kept := layout{}
	for _, f := range l.fields {
		if !slices.Contains(columns, f.name) {
			kept.fields = append(kept.fields, f)
		}
	}
	if len(kept.fields) == 0 {
		return nil, l, fmt.Errorf("csvio: partitioning %s by %v leaves no column to write", t, columns)
	}
	return d, kept, nil
}
