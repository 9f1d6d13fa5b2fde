package jsonio

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/crunchgo/crunchgo/internal/hivepart"
	"github.com/crunchgo/crunchgo/internal/partprune"
	"github.com/crunchgo/crunchgo/plan"
)

// Partitioned tables. Reading, a struct field takes the value of the
// key=value directory of the file's path named like its key before the
// line is decoded into the record, so that a key the line holds wins over
// the path, as a Parquet or Avro file's own column does. Writing, the
// partition fields are left out of each line by encoding a view of the
// record: a struct type of the same layout whose partition fields are
// tagged `json:"-"`.

// WherePartition makes Read read only the files of a partitioned table
// (events/dt=2026-11-26/country=SE/part-0.jsonl) for whose partition
// values keep returns true, reading, as avroio.WherePartition does: the
// others are left out when splits are planned, unopened, and counted
// ("files pruned", by the first split's task: when every file is left
// out, no task runs and nothing counts them). keep judges the path alone,
// never the lines. A key that the path lacks, a value Int or Time cannot
// parse, or a table with no key=value directories fails the job at
// planning, naming the file or pattern.
func WherePartition(keep func(p Partition) bool) Option {
	return func(c *config) { c.wherePartition = keep }
}

// Partition is the partition values of one file's path, as a
// WherePartition predicate sees them: Value (unescaped), Null
// (__HIVE_DEFAULT_PARTITION__), Int and Time. Where a key appears twice in
// a path, the innermost value counts. It is avroio.Partition.
type Partition = partprune.Partition

// keyFields are the top-level fields of struct type t by their JSON keys,
// as encoding/json names them (a `json` tag's name, else the field's);
// none if t is not a struct. Embedded structs' fields are not among them.
func keyFields(t reflect.Type) []hivepart.Field {
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []hivepart.Field
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || sf.Anonymous || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		out = append(out, hivepart.Field{Column: name, Name: sf.Name, Type: sf.Type, Offset: sf.Offset})
	}
	return out
}

// pathSetter returns what fills the fields of T that the partition
// directories of path name; nil if there are none. A value that does not
// parse into its field's type is an error naming path.
func pathSetter[T any](path string, fields []hivepart.Field) (*hivepart.Setter, error) {
	if len(fields) == 0 {
		return nil, nil
	}
	s, err := hivepart.NewSetter(path, reflect.TypeFor[T](), fields, func(string) bool { return false })
	if err != nil {
		return nil, plan.Permanent(fmt.Errorf("jsonio: %w", err))
	}
	return s, nil
}

// partitionView returns what names the partition directory of a record
// of struct type t written partitioned by columns (PartitionBy), and the
// type of the view of a record that encodes it without them.
func partitionView(t reflect.Type, columns []string) (*hivepart.Dirs, reflect.Type, error) {
	if t.Kind() != reflect.Struct {
		return nil, nil, fmt.Errorf("jsonio: cannot partition %s by %v: only structs have fields to partition by", t, columns)
	}
	if pt := reflect.PointerTo(t); pt.Implements(jsonMarshaler) || pt.Implements(textMarshaler) {
		return nil, nil, fmt.Errorf("jsonio: cannot partition %s by %v: it encodes itself (MarshalJSON or MarshalText)", t, columns)
	}
	fields := keyFields(t)
	dirs, err := hivepart.NewDirs(t, columns, fields)
	if err != nil {
		return nil, nil, fmt.Errorf("jsonio: %w", err)
	}
	var view []reflect.StructField
	for n := range t.NumField() {
		sf := t.Field(n)
		if sf.Anonymous {
			return nil, nil, fmt.Errorf("jsonio: cannot partition %s: its embedded field %s is not supported", t, sf.Name)
		}
		f := reflect.StructField{Name: sf.Name, Type: sf.Type, Tag: sf.Tag}
		i := slices.IndexFunc(fields, func(f hivepart.Field) bool { return f.Name == sf.Name })
		switch {
		case !sf.IsExported(): // StructOf takes exported names only
			f.Name, f.Tag = fmt.Sprintf("Unexported%d", n), `json:"-"`
		case i >= 0 && slices.Contains(columns, fields[i].Column):
			f.Tag = `json:"-"`
		}
		view = append(view, f)
	}
	vt := reflect.StructOf(view)
	for i := range t.NumField() {
		if vt.Field(i).Offset != t.Field(i).Offset {
			return nil, nil, fmt.Errorf("jsonio: cannot partition %s: no struct type of its layout leaves out %v", t, columns)
		}
	}
	if vt.Size() != t.Size() || vt.Align() != t.Align() {
		return nil, nil, fmt.Errorf("jsonio: cannot partition %s: no struct type of its layout leaves out %v", t, columns)
	}
	return dirs, vt, nil
}
