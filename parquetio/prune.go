package parquetio

import (
	"fmt"
	"reflect"

	"github.com/crunchgo/crunchgo/internal/hivepart"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/parquet-go/parquet-go"
)

// Partition pruning: a filter comparing a partition column (one a file's
// path fills, events/dt=2026-11-26/...) rules out whole files by their
// paths when splits are planned, without opening them, as Spark does.
// Comparisons on other columns count as "may match" there, so a file is
// left out only when the filter is false for every row it could hold.

// keepByPath reports, for each file, whether the filter may match rows of
// it, judged by the partition values of its path alone.
func (s *source[T]) keepByPath(files []storage.FileInfo) ([]bool, error) {
	keep := make([]bool, len(files))
	for i, fi := range files {
		ok, err := s.mayMatch(fi.URL, func(string) bool { return false })
		if err != nil {
			return nil, err
		}
		keep[i] = ok
	}
	return keep, nil
}

// mayMatch reports whether the filter may match rows of the file at path,
// given the partition values its path gives the columns not inFile. A
// file with a value that does not parse is kept, so that opening it
// reports the value (if the file lacks its column), as without a filter.
func (s *source[T]) mayMatch(path string, inFile func(column string) bool) (bool, error) {
	if !s.cfg.hasFilter {
		return true, nil
	}
	part, err := partitionValues(path, reflect.TypeFor[T](), inFile)
	if err != nil || len(part) == 0 {
		return true, nil
	}
	b, err := s.cfg.filter.bind(nil, part)
	if err != nil {
		return false, fmt.Errorf("parquetio: %s: %w", path, err)
	}
	return b.keep(nil), nil
}

// shadowsPath reports whether the file at path, of schema have, holds a
// column that the filter names and that its path names too: one
// keepByPath judged by the path, which the file's column overrides.
func (s *source[T]) shadowsPath(path string, have *parquet.Schema) bool {
	if !s.cfg.hasFilter {
		return false
	}
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Struct {
		return false
	}
	byPath := hivepart.Filled(path, partitionFields(t), func(string) bool { return false })
	for _, c := range s.cfg.filter.columns() {
		if _, ok := have.Lookup(c); ok && byPath[c] {
			return true
		}
	}
	return false
}

// columns returns the columns f compares.
func (f Filter) columns() []string {
	if f.op == opAnd || f.op == opOr {
		var out []string
		for _, s := range f.subs {
			out = append(out, s.columns()...)
		}
		return out
	}
	if f.column == "" {
		return nil
	}
	return []string{f.column}
}
