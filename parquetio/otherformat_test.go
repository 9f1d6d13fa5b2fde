package parquetio_test

import (
	"testing"

	"github.com/crunchgo/crunchgo/internal/fileformat/formattest"
	"github.com/crunchgo/crunchgo/parquetio"
)

// Read of a file of another format fails on one line naming the file,
// saying what it is when its magic bytes tell (Avro, gzip), and what it
// lacks otherwise.
func TestReadOtherFormat(t *testing.T) {
	formattest.ReadOtherFormats(t, formattest.Reader[parquetio.ReadOption]{
		Name: "parquetio", Ext: ".parquet", Read: parquetio.Read[formattest.Row], ErrPrefix: "parquetio: ", Kind: parquetio.ErrCorrupt,
	}, map[string]string{
		"avro":  `header at offset 0: not a Parquet file: it starts with Obj\x01, the magic of an Avro file; read it with avroio, or name it .avro for fileio.Read, which picks the format by extension`,
		"gzip":  "header at offset 0: not a Parquet file: it starts with 1f 8b, the magic of gzip data; gunzip it first (Avro and Parquet compress inside the file)",
		"csv":   `header at offset 0: bad header magic "name": corrupt data`,
		"jsonl": `header at offset 0: bad header magic "{\"na": corrupt data`,
	})
}
