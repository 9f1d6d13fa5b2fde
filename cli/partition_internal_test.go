package cli

import (
	"context"
	"strings"
	"testing"
)

// recordsFile is a columnar dataFile of fixed records.
type recordsFile struct {
	dataFile
	cols []string
	recs []string
}

func (r *recordsFile) Columns() ([]string, bool) { return r.cols, true }

func (r *recordsFile) Records(_ context.Context, emit func([]byte) error) error {
	for _, rec := range r.recs {
		if err := emit([]byte(rec)); err != nil {
			return err
		}
	}
	return nil
}

// TestPathColumns checks the record JSON of a partitioned table's files
// where their paths are unusual: a key repeated (the innermost value wins,
// as in the typed readers), a record of no fields, a column the file holds.
func TestPathColumns(t *testing.T) {
	for _, tc := range []struct {
		url  string
		cols []string
		recs []string
		want string
	}{
		{"t/a=1/b=2/a=3/part-0.avro", []string{"x"}, []string{`{"x":1}`}, `{"x":1,"a":"3","b":"2"}`},
		{"t/a=1/part-0.avro", nil, []string{`{}`, `{}`}, `{"a":"1"} {"a":"1"}`},
		{"t/x=9/a=%3D/part-0.avro", []string{"x"}, []string{`{"x":1}`}, `{"x":1,"a":"="}`},
		{"a=1/t/part-0.avro", []string{"x"}, []string{`{"x":1}`}, `{"x":1,"a":"1"}`},
		{"t/part-0.avro", []string{"x"}, []string{`{"x":1}`}, `{"x":1}`},
	} {
		df := withPathColumns(tc.url, &recordsFile{cols: tc.cols, recs: tc.recs})
		var got []string
		if err := df.Records(context.Background(), func(b []byte) error { got = append(got, string(b)); return nil }); err != nil {
			t.Fatal(err)
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%s: got %s, want %s", tc.url, g, tc.want)
		}
	}
}

// TestPartitionOf checks where a file's partition path starts: at the
// key=value directories its directory ends with, not at one above the
// table's own directory.
func TestPartitionOf(t *testing.T) {
	for _, tc := range []struct{ url, root, part string }{
		{"t/dt=1/part-0.avro", "t", "dt=1"},
		{"hdfs://nn/w/t/dt=1/c=N%2FA/part-0.avro", "hdfs://nn/w/t", "dt=1/c=N%2FA"},
		{"year=2026/t/dt=1/part-0.avro", "year=2026/t", "dt=1"},
		{"year=2026/t/part-0.avro", "year=2026/t", ""},
		{"t/part-0.avro", "t", ""},
		{"dt=1/part-0.avro", "", "dt=1"},
	} {
		root, part := partitionOf(tc.url)
		if root != tc.root || part != tc.part {
			t.Errorf("partitionOf(%q) = %q, %q; want %q, %q", tc.url, root, part, tc.root, tc.part)
		}
	}
}
