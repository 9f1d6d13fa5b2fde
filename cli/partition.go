package cli

import (
	"context"
	"slices"
	"strings"

	"github.com/crunchgo/crunchgo/internal/hivepart"
)

// columnar is a dataFile whose records are objects of named top-level
// columns (Avro records, Parquet rows, CSV records by their header): those
// the partition directories of its path add columns to, as avroio's,
// parquetio's and csvio's typed reads fill fields from them. JSON lines
// are not: each line may hold other keys, and a key a line holds wins
// over the path in jsonio, which one column list cannot tell.
type columnar interface {
	// Columns names the file's top-level columns; ok is false if its
	// records are no objects of columns (an Avro file of longs).
	Columns() (cols []string, ok bool)
}

// pathColumn is a partition column a file's path gives it.
type pathColumn struct {
	name string
	json []byte // the value as a JSON string, or null
}

// pathColumns returns the partition columns of the file at url (see
// hivepart.Values) that it does not hold itself, as the typed readers
// take them: in path order, the innermost value of a key repeated, a
// column of the file winning over the path.
func pathColumns(url string, fileCols []string) []pathColumn {
	var out []pathColumn
	for _, v := range hivepart.Values(url) {
		if slices.Contains(fileCols, v.Key) {
			continue
		}
		j := []byte("null")
		if !v.Null {
			j, _ = jsonLine(v.Value) // a string always marshals
		}
		i := slices.IndexFunc(out, func(c pathColumn) bool { return c.name == v.Key })
		if i >= 0 {
			out[i].json = j
			continue
		}
		out = append(out, pathColumn{v.Key, j})
	}
	return out
}

// withPathColumns returns df, of the file at url, showing the partition
// columns of its path after its own: df itself if it has none.
func withPathColumns(url string, df dataFile) dataFile {
	c, ok := df.(columnar)
	if !ok {
		return df
	}
	fileCols, ok := c.Columns()
	if !ok {
		return df
	}
	cols := pathColumns(url, fileCols)
	if len(cols) == 0 {
		return df
	}
	var fields []byte // ,"dt":"2026-11-26","country":"SE"
	for _, col := range cols {
		name, _ := jsonLine(col.name)
		fields = append(fields, ',')
		fields = append(fields, name...)
		fields = append(fields, ':')
		fields = append(fields, col.json...)
	}
	return &partitioned{dataFile: df, cols: cols, fields: fields}
}

// partitioned is a file of a partitioned table: its records and schema
// with the partition columns of its path, as strings (the CLI has no Go
// type to parse them into, and inferring one per file could give files of
// one table different types).
type partitioned struct {
	dataFile
	cols   []pathColumn
	fields []byte // the columns as JSON object members, each after a comma
	buf    []byte
}

func (p *partitioned) Schema() (string, error) {
	s, err := p.dataFile.Schema()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(s)
	if !strings.HasSuffix(s, "\n") {
		b.WriteByte('\n')
	}
	for _, c := range p.cols {
		b.WriteString(c.name + ": string (partition)\n")
	}
	return b.String(), nil
}

// Records adds the partition columns at the end of each record's object.
func (p *partitioned) Records(ctx context.Context, emit func([]byte) error) error {
	return p.dataFile.Records(ctx, func(rec []byte) error {
		if len(rec) < 2 || rec[len(rec)-1] != '}' {
			return emit(rec) // not an object: nothing columnar emits
		}
		b := append(p.buf[:0], rec[:len(rec)-1]...)
		members := p.fields
		if len(rec) == 2 { // {}: no member for the comma to follow
			members = members[1:]
		}
		b = append(b, members...)
		b = append(b, '}')
		p.buf = b
		return emit(b)
	})
}

// partitionOf splits the directory of the file at url into the root of
// its table and the path of its partition: the key=value directories the
// directory ends with (dt=2026-11-26/country=SE), escaped as written, so
// that the path can be given back to the file tools. part is "" for a
// file in no partition.
func partitionOf(url string) (root, part string) {
	elems := strings.Split(url, "/")
	dir := elems[:len(elems)-1]
	first := len(dir)
	for first > 0 {
		if _, _, ok := hivepart.Split(dir[first-1]); !ok {
			break
		}
		first--
	}
	return strings.Join(dir[:first], "/"), strings.Join(dir[first:], "/")
}
