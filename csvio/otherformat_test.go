package csvio_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/csvio"
	"github.com/crunchgo/crunchgo/internal/fileformat/formattest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/textio"
)

// Read of an Avro or Parquet file fails before any task on one line naming
// the file, what it is and what reads it.
func TestReadOtherFormat(t *testing.T) {
	files := formattest.Write(t, t.TempDir(), ".csv")
	for format, want := range map[string]string{
		"avro":    `not a text file: it starts with Obj\x01, the magic of an Avro file; read it with avroio, or name it .avro for fileio.Read, which picks the format by extension`,
		"parquet": "not a text file: it starts with PAR1, the magic of a Parquet file; read it with parquetio, or name it .parquet for fileio.Read, which picks the format by extension",
	} {
		p := pcollection.NewPipeline("csvio-other")
		pcollection.Materialize(csvio.Read[formattest.Row](p, files[format]))
		_, err := mem.Run(context.Background(), p, runner.Options{})
		if err == nil || !strings.HasSuffix(err.Error(), files[format]+": "+want) ||
			!errors.Is(err, textio.ErrNotText) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line matching ErrNotText ending %q", format, err, files[format]+": "+want)
		}
	}
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
