package csvio_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/csvio"
	"github.com/crunchgo/crunchgo/internal/fileformat/formattest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/textio"
)

// Read of an Avro, Parquet or gzip file fails before any task on one line
// naming the file, what it is and what reads it.
func TestReadOtherFormat(t *testing.T) {
	formattest.ReadOtherFormats(t, formattest.Reader[csvio.Option]{
		Name: "csvio", Ext: ".csv", Read: csvio.Read[formattest.Row], ErrPrefix: "textio: ", Kind: textio.ErrNotText,
	}, map[string]string{
		"avro":    `not a text file: it starts with Obj\x01, the magic of an Avro file; read it with avroio, or name it .avro for fileio.Read, which picks the format by extension`,
		"gzip":    "offset 0: not a text file: it is gzip data (starts with 1f 8b) but not named .gz, which decides how it is read: rename it",
		"parquet": "not a text file: it starts with PAR1, the magic of a Parquet file; read it with parquetio, or name it .parquet for fileio.Read, which picks the format by extension",
	})
}

// A CSV file whose first column is named PAR1 is text, not Parquet.
func TestReadHeaderStartingPAR1(t *testing.T) {
	type row struct {
		A string `csv:"PAR1"`
		B string `csv:"PAR2"`
	}
	path := filepath.Join(t.TempDir(), "looks.csv")
	if err := os.WriteFile(path, []byte("PAR1,PAR2\nx,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := pcollection.NewPipeline("csvio-par1")
	got := pcollection.Materialize(csvio.Read[row](p, path))
	crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), []row{{"x", "y"}})
}
