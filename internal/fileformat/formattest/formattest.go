package formattest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/csvio"
	"github.com/crunchgo/crunchgo/jsonio"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
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

// Reader is a format package's pipeline read as ReadOtherFormats drives
// it; O is its read option type.
type Reader[O any] struct {
	Name string // the package, "csvio", as failures name it
	Ext  string // the extension it reads, ".csv": every file is named with it
	Read func(p *pcollection.Pipeline, pattern string, opts ...O) pcollection.PCollection[Row]
	// ErrPrefix is what its errors say before the path: "avroio: ", or
	// "textio: " for a format read as text.
	ErrPrefix string
	Kind      error // the sentinel its errors match, avroio.ErrCorrupt
}

// ReadOtherFormats writes the files of Write, named with r.Ext, and reads
// each whose format is a key of want with r on the mem runner. Each read
// must fail on one line that matches r.Kind and ends with r.ErrPrefix, the
// file's path, ": " and want[format].
func ReadOtherFormats[O any](t *testing.T, r Reader[O], want map[string]string) {
	t.Helper()
	files := Write(t, t.TempDir(), r.Ext)
	for _, format := range slices.Sorted(maps.Keys(want)) {
		path, ok := files[format]
		if !ok {
			t.Fatalf("%s: no file of format %q; Write writes %v", r.Name, format, Formats)
		}
		p := pcollection.NewPipeline(r.Name + "-other")
		pcollection.Materialize(r.Read(p, path))
		_, err := mem.Run(t.Context(), p, runner.Options{})
		wantEnd := r.ErrPrefix + path + ": " + want[format]
		if err == nil || !strings.HasSuffix(err.Error(), wantEnd) || !errors.Is(err, r.Kind) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s reading %s: got %v; want one line ending %q that errors.Is %q", r.Name, filepath.Base(path), err, wantEnd, r.Kind)
		}
	}
}

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
