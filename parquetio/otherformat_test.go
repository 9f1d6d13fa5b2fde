package parquetio_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/internal/fileformat/formattest"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

// Read of a file of another format fails on one line naming the file,
// saying what it is when its magic bytes tell (Avro, gzip), and what it
// lacks otherwise.
func TestReadOtherFormat(t *testing.T) {
	files := formattest.Write(t, t.TempDir(), ".parquet")
	for format, want := range map[string]string{
		"avro":  `header at offset 0: not a Parquet file: it starts with Obj\x01, the magic of an Avro file; read it with avroio, or name it .avro for fileio.Read, which picks the format by extension`,
		"gzip":  "header at offset 0: not a Parquet file: it starts with 1f 8b, the magic of gzip data; gunzip it first (Avro and Parquet compress inside the file)",
		"csv":   `header at offset 0: bad header magic "name": corrupt data`,
		"jsonl": `header at offset 0: bad header magic "{\"na": corrupt data`,
	} {
		p := pcollection.NewPipeline("parquetio-other")
		pcollection.Materialize(parquetio.Read[formattest.Row](p, files[format]))
		_, err := mem.Run(context.Background(), p, runner.Options{})
		if err == nil || !strings.HasSuffix(err.Error(), "parquetio: "+files[format]+": "+want) ||
			!errors.Is(err, parquetio.ErrCorrupt) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line matching ErrCorrupt ending %q", format, err, files[format]+": "+want)
		}
	}
}
