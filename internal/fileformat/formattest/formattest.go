package formattest

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/csvio"
	"github.com/crunchgo/crunchgo/jsonio"
	"github.com/crunchgo/crunchgo/parquetio"
)

// Row is the record of every file Write writes.
type Row struct {
	Name string `avro:"name" parquet:"name" json:"name" csv:"name"`
	N    int64  `avro:"n" parquet:"n" json:"n" csv:"n"`
}

// Rows are the records of every file Write writes.
var Rows = []Row{{"ada", 1}, {"bo", 2}}

// Formats are the keys of Write's map: the formats it writes.
var Formats = []string{"avro", "parquet", "csv", "jsonl", "gzip"}

// Write writes Rows to one file per format in dir, each named
// "<format>.<ext>" where ext (".avro", say, for a reader of Avro) is the
// extension of the format it is read as, so that its name lies, and
// returns their paths by format. The gzip file is CSV gzipped.
func Write(t testing.TB, dir, ext string) map[string]string {
	t.Helper()
	var avro, parquet, csv, jsonl bytes.Buffer
	aw, err := avroio.NewFileWriter[Row](&avro)
	check(t, err)
	for _, r := range Rows {
		check(t, aw.Write(r))
	}
	check(t, aw.Close())
	pw, err := parquetio.NewWriter[Row](&parquet)
	check(t, err)
	_, err = pw.Write(Rows)
	check(t, err)
	check(t, pw.Close())
	cw, err := csvio.NewWriter[Row](&csv)
	check(t, err)
	jw := jsonio.NewWriter[Row](&jsonl)
	for _, r := range Rows {
		check(t, cw.Write(r))
		check(t, jw.Write(r))
	}
	check(t, cw.Close())
	check(t, jw.Close())
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err = zw.Write(csv.Bytes())
	check(t, err)
	check(t, zw.Close())

	paths := map[string]string{}
	for format, b := range map[string][]byte{"avro": avro.Bytes(), "parquet": parquet.Bytes(), "csv": csv.Bytes(), "jsonl": jsonl.Bytes(), "gzip": gz.Bytes()} {
		paths[format] = filepath.Join(dir, format+ext)
		check(t, os.WriteFile(paths[format], b, 0o644))
	}
	return paths
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
