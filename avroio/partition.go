package avroio

import (
	"fmt"
	"reflect"

	"github.com/crunchgo/crunchgo/internal/hivepart"
	"github.com/hamba/avro/v2"
)

// pathFields returns the fields of t whose values come from the
// partition directories (key=value) of path rather than from the file,
// whose schema is writer: those named like a key that the file lacks.
// Only typed reads of records without WithReaderSchema take them.
func pathFields(path string, t reflect.Type, writer avro.Schema, cfg *readConfig) []hivepart.Field {
	w, ok := writer.(*avro.RecordSchema)
	if !ok || cfg.readerSchema != "" || isGeneric(t) || t.Kind() != reflect.Struct {
		return nil
	}
	keys := hivepart.Keys(path)
	if len(keys) == 0 {
		return nil
	}
	written := map[string]bool{}
	for _, wf := range w.Fields() {
		written[wf.Name()] = true
	}
	var out []hivepart.Field
	for _, af := range avroFields(t) {
		if af.viaPointer != "" || written[af.name] || !contains(keys, af.name) {
			continue
		}
		inFile := false
		for _, a := range af.aliases {
			inFile = inFile || written[a]
		}
		if !inFile {
			out = append(out, hivepart.Field{Column: af.name, Name: af.sf.Name, Type: af.sf.Type, Offset: af.off})
		}
	}
	return out
}

// partitionSetter returns what fills fields, from path, in the records
// of t read; nil if fields is empty. A value that does not parse into its
// field fails here, when the file is opened.
func partitionSetter(path string, t reflect.Type, fields []hivepart.Field) (*hivepart.Setter, error) {
	if len(fields) == 0 {
		return nil, nil
	}
	s, err := hivepart.NewSetter(path, t, fields, func(string) bool { return false })
	if err != nil {
		return nil, fmt.Errorf("avroio: %w", err)
	}
	return s, nil
}

// withoutFields returns record schema reader without the fields that the
// path fills, so that resolving it against the file's asks nothing of the
// file for them.
func withoutFields(reader avro.Schema, fields []hivepart.Field) (avro.Schema, error) {
	r, ok := reader.(*avro.RecordSchema)
	if !ok || len(fields) == 0 {
		return reader, nil
	}
	var kept []*avro.Field
	for _, f := range r.Fields() {
		drop := false
		for _, pf := range fields {
			drop = drop || pf.Column == f.Name()
		}
		if !drop {
			kept = append(kept, f)
		}
	}
	out, err := avro.NewRecordSchema(r.Name(), r.Namespace(), kept, avro.WithAliases(r.Aliases()))
	if err != nil {
		return nil, fmt.Errorf("avroio: schema of %s without its partition fields: %w", r.FullName(), err)
	}
	return out, nil
}

// partitionDirs returns what names the partition directory of a record of
// t written partitioned by columns (PartitionBy), and the fields it takes
// the values from.
func partitionDirs(t reflect.Type, columns []string) (*hivepart.Dirs, []hivepart.Field, error) {
	if t.Kind() != reflect.Struct || isGeneric(t) {
		return nil, nil, fmt.Errorf("avroio: cannot partition %s by %v: only structs have fields to partition by", t, columns)
	}
	var fields []hivepart.Field
	for _, af := range avroFields(t) {
		if af.viaPointer == "" {
			fields = append(fields, hivepart.Field{Column: af.name, Name: af.sf.Name, Type: af.sf.Type, Offset: af.off})
		}
	}
	d, err := hivepart.NewDirs(t, columns, fields)
	if err != nil {
		return nil, nil, fmt.Errorf("avroio: %w", err)
	}
	var used []hivepart.Field
	for _, f := range fields {
		if contains(columns, f.Column) {
			used = append(used, f)
		}
	}
	return d, used, nil
}
