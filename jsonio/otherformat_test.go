package jsonio_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/internal/fileformat/formattest"
	"github.com/crunchgo/crunchgo/jsonio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/textio"
)

// Read of an Avro or Parquet file fails before any task on one line naming
// the file, what it is and what reads it.
func TestReadOtherFormat(t *testing.T) {
	files := formattest.Write(t, t.TempDir(), ".jsonl")
	for format, want := range map[string]string{
		"avro":    `not a text file: it starts with Obj\x01, the magic of an Avro file; read it with avroio, or name it .avro for fileio.Read, which picks the format by extension`,
		"parquet": "not a text file: it starts with PAR1, the magic of a Parquet file; read it with parquetio, or name it .parquet for fileio.Read, which picks the format by extension",
		"gzip":    "not a text file: it is gzip data (starts with 1f 8b) but not named .gz, which decides how it is read: rename it",
	} {
		p := pcollection.NewPipeline("jsonio-other")
		pcollection.Materialize(jsonio.Read[formattest.Row](p, files[format]))
		_, err := mem.Run(context.Background(), p, runner.Options{})
		if err == nil || !strings.Contains(err.Error(), files[format]+": ") || !strings.HasSuffix(err.Error(), want) ||
			!errors.Is(err, textio.ErrNotText) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line matching ErrNotText naming the file and ending %q", format, err, want)
		}
	}
}
