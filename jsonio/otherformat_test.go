package jsonio_test

import (
	"testing"

	"github.com/crunchgo/crunchgo/internal/fileformat/formattest"
	"github.com/crunchgo/crunchgo/jsonio"
	"github.com/crunchgo/crunchgo/textio"
)

// Read of an Avro, Parquet or gzip file fails before any task on one line
// naming the file, what it is and what reads it.
func TestReadOtherFormat(t *testing.T) {
	formattest.ReadOtherFormats(t, formattest.Reader[jsonio.Option]{
		Name: "jsonio", Ext: ".jsonl", Read: jsonio.Read[formattest.Row], ErrPrefix: "textio: ", Kind: textio.ErrNotText,
	}, map[string]string{
		"avro":    `not a text file: it starts with Obj\x01, the magic of an Avro file; read it with avroio, or name it .avro for fileio.Read, which picks the format by extension`,
		"parquet": "not a text file: it starts with PAR1, the magic of a Parquet file; read it with parquetio, or name it .parquet for fileio.Read, which picks the format by extension",
		"gzip":    "offset 0: not a text file: it is gzip data (starts with 1f 8b) but not named .gz, which decides how it is read: rename it",
	})
}
