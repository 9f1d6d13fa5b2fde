package avroio_test

import (
	"testing"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/internal/fileformat/formattest"
)

// Read of a file of another format fails on one line naming the file,
// saying what it is when its magic bytes tell (Parquet, gzip), and what
// it lacks otherwise.
func TestReadOtherFormat(t *testing.T) {
	formattest.ReadOtherFormats(t, formattest.Reader[avroio.ReadOption]{
		Name: "avroio", Ext: ".avro", Read: avroio.Read[formattest.Row], ErrPrefix: "avroio: ", Kind: avroio.ErrCorrupt,
	}, map[string]string{
		"parquet": "header at offset 0: not an Avro file: it starts with PAR1, the magic of a Parquet file; read it with parquetio, or name it .parquet for fileio.Read, which picks the format by extension",
		"gzip":    "header at offset 0: not an Avro file: it starts with 1f 8b, the magic of gzip data; gunzip it first (Avro and Parquet compress inside the file)",
		"csv":     `header at offset 0: not an avro object container file: magic "name": corrupt data`,
		"jsonl":   `header at offset 0: not an avro object container file: magic "{\"na": corrupt data`,
	})
}
