package fileformat_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/crunchgo/crunchgo/internal/fileformat"
)

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want fileformat.Format
	}{
		{"avro", "Obj\x01\x04\x14avro.schema", fileformat.Avro},
		{"parquet", "PAR1\x15\x00\x15\x90\x01PAR1", fileformat.Parquet},
		{"parquet known by its end", "PAR1 a page\x00PAR1", fileformat.Parquet},
		{"gzip", "\x1f\x8b\x08\x00", fileformat.Gzip},
		{"csv row starting PAR1", "PAR1,PAR2\n1,2\n", fileformat.Unknown},
		{"text line PAR1", "PAR1\nx\n", fileformat.Unknown},
		{"just PAR1", "PAR1", fileformat.Unknown},
		{"csv", "name,n\nada,1\n", fileformat.Unknown},
		{"json", `{"name":"ada"}` + "\n", fileformat.Unknown},
		{"Obj without the version byte", "Obj\n", fileformat.Unknown},
		{"empty", "", fileformat.Unknown},
	} {
		r := bytes.NewReader([]byte(tc.data))
		if got := fileformat.Sniff(r, r.Size()); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMismatch(t *testing.T) {
	kind := errors.New("corrupt data")
	err := fileformat.Mismatch("Avro", fileformat.Parquet, kind)
	want := "not an Avro file: it starts with PAR1, the magic of a Parquet file; read it with parquetio, or name it .parquet for fileio.Read, which picks the format by extension"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	if !errors.Is(err, kind) {
		t.Errorf("%v does not match its kind", err)
	}
	if err := fileformat.Mismatch("Parquet", fileformat.Unknown, kind); err != nil {
		t.Errorf("unknown format: got %v, want nil", err)
	}
}
