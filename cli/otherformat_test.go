package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/cli"
	"github.com/crunchgo/crunchgo/internal/fileformat/formattest"
)

// A file whose extension names another format than its magic bytes fails
// every command that reads it on one line naming the file, what it is and
// what to do; one whose bytes say nothing fails as before.
func TestFileOfOtherFormat(t *testing.T) {
	dir := t.TempDir()
	asAvro := formattest.Write(t, mkdir(t, dir, "avro"), ".avro")
	asParquet := formattest.Write(t, mkdir(t, dir, "parquet"), ".parquet")
	for _, tc := range []struct{ path, want string }{
		{asAvro["parquet"], "not an Avro file: it starts with PAR1, the magic of a Parquet file; name it .parquet, or give it no extension: crunchgo picks the format by extension, else by content"},
		{asAvro["gzip"], "not an Avro file: it starts with 1f 8b, the magic of gzip data; gunzip it first (Avro and Parquet compress inside the file)"},
		{asAvro["csv"], `header at offset 0: not an avro object container file: magic "name": corrupt data`},
		{asParquet["avro"], `not a Parquet file: it starts with Obj\x01, the magic of an Avro file; name it .avro, or give it no extension: crunchgo picks the format by extension, else by content`},
		{asParquet["jsonl"], `header at offset 0: bad header magic "{\"na": corrupt data`},
	} {
		for _, cmd := range []string{"cat", "head", "schema", "count", "meta"} {
			code, _, errOut := runCLI(t, cmd, tc.path)
			first, _, _ := strings.Cut(errOut, "\n")
			if code != cli.ExitFailed || !strings.Contains(first, tc.path+": ") || !strings.HasSuffix(first, tc.want) {
				t.Errorf("%s %s: exit %d, stderr %q; want exit %d and a first line naming the file and ending %q",
					cmd, filepath.Base(tc.path), code, errOut, cli.ExitFailed, tc.want)
			}
		}
	}
}

// A CSV file whose first column is named PAR1 is CSV, not Parquet.
func TestCatCSVStartingPAR1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "looks.csv")
	if err := os.WriteFile(path, []byte("PAR1,PAR2\nx,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "cat", path)
	if want := `{"PAR1":"x","PAR2":"y"}` + "\n"; code != cli.ExitOK || out != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 0 and %q", code, out, errOut, want)
	}
}

func mkdir(t *testing.T, parent, name string) string {
	t.Helper()
	dir := filepath.Join(parent, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
