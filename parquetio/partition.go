package parquetio

import (
	"cmp"
	"fmt"
	"reflect"

	"github.com/crunchgo/crunchgo/internal/hivepart"
	"github.com/parquet-go/parquet-go"
)

// partitionSetter returns what fills the fields of t whose column is a
// partition key of path (events/dt=2026-11-26/part-0.parquet) and not in
// the file, schema have: nil if none. A value that does not parse into its
// field fails here, when the file is opened.
func partitionSetter(path string, t reflect.Type, have *parquet.Schema) (*hivepart.Setter, error) {
	if t.Kind() != reflect.Struct || len(hivepart.Values(path)) == 0 {
		return nil, nil
	}
	s, err := hivepart.NewSetter(path, t, partitionFields(t), inSchema(have), reflect.TypeFor[Date]())
	if err != nil {
		return nil, fmt.Errorf("parquetio: %w", err)
	}
	return s, nil
}

// fromPath returns the columns of t that partitionSetter fills for path,
// given the file's schema have, whether or not their values parse.
func fromPath(path string, t reflect.Type, have *parquet.Schema) map[string]bool {
	if t.Kind() != reflect.Struct {
		return nil
	}
	return hivepart.Filled(path, partitionFields(t), inSchema(have))
}

// partitionValues returns the values path gives the columns of t that
// are partition keys of path and not inFile, parsed into their fields'
// types (see hivepart.FieldValue; nil is null): what a filter compares
// for those columns. A value that does not parse is left out, and err is
// the first such failure.
func partitionValues(path string, t reflect.Type, inFile func(column string) bool) (vals map[string]any, err error) {
	if t.Kind() != reflect.Struct || len(hivepart.Values(path)) == 0 {
		return nil, nil
	}
	fields := partitionFields(t)
	filled := hivepart.Filled(path, fields, inFile)
	for _, f := range fields {
		if !filled[f.Column] {
			continue
		}
		v, _, ferr := hivepart.FieldValue(path, t, f, reflect.TypeFor[Date]())
		if ferr != nil {
			err = cmp.Or(err, fmt.Errorf("parquetio: %w", ferr))
			continue
		}
		if vals == nil {
			vals = map[string]any{}
		}
		vals[f.Column] = v
	}
	return vals, err
}

// partitionFields are the fields of struct type t that a partition value
// may fill: its top-level columns, not embedded structs.
func partitionFields(t reflect.Type) []hivepart.Field {
	var fields []hivepart.Field
	for i := range t.NumField() {
		f := t.Field(i)
		if name, _, ok := column(f); ok && !f.Anonymous {
			fields = append(fields, hivepart.Field{Column: name, Name: f.Name, Type: f.Type, Offset: f.Offset})
		}
	}
	return fields
}

// inSchema reports whether have holds a column.
func inSchema(have *parquet.Schema) func(column string) bool {
	return func(col string) bool { _, ok := have.Lookup(col); return ok }
}

// partitionDirs returns what names the partition directory of a row of t
// written partitioned by columns (PartitionBy).
func partitionDirs(t reflect.Type, columns []string) (*hivepart.Dirs, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("parquetio: cannot partition %s by %v: only structs have columns to partition by", t, columns)
	}
	d, err := hivepart.NewDirs(t, columns, partitionFields(t), reflect.TypeFor[Date]())
	if err != nil {
		return nil, fmt.Errorf("parquetio: %w", err)
	}
	return d, nil
}
