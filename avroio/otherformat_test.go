package avroio_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/internal/fileformat/formattest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

// Read of a file of another format fails on one line naming the file,
// saying what it is when its magic bytes tell (Parquet, gzip), and what
// it lacks otherwise.
func TestReadOtherFormat(t *testing.T) {
	files := formattest.Write(t, t.TempDir(), ".avro")
	for format, want := range map[string]string{
		"parquet": "header at offset 0: not an Avro file: it starts with PAR1, the magic of a Parquet file; read it with parquetio, or name it .parquet for fileio.Read, which picks the format by extension",
		"gzip":    "header at offset 0: not an Avro file: it starts with 1f 8b, the magic of gzip data; gunzip it first",
		"csv":     `header at offset 0: not an avro object container file: magic "name": corrupt data`,
		"jsonl":   `header at offset 0: not an avro object container file: magic "{\"na": corrupt data`,
	} {
		p := pcollection.NewPipeline("avroio-other")
		pcollection.Materialize(avroio.Read[formattest.Row](p, files[format]))
		_, err := mem.Run(context.Background(), p, runner.Options{})
		if err == nil || !strings.Contains(err.Error(), "avroio: "+files[format]+": "+want) ||
			!errors.Is(err, avroio.ErrCorrupt) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line matching ErrCorrupt with %q", format, err, files[format]+": "+want)
		}
	}
}
