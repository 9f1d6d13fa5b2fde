package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/cli"
)

// FuzzFileTools feeds arbitrary bytes, as Avro, Parquet and text files, to
// cat, count, schema and meta: each must end with exit 0, or exit 1 and a
// one-line error; never a panic or a usage error.
func FuzzFileTools(f *testing.F) {
	dir := f.TempDir()
	writeFixtures(f, dir)
	for _, name := range []string{"events.avro", "truncated.avro", "plays.parquet", "garbled.parquet", "lines.txt", "lines.txt.gz"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(0))
		f.Add(data, uint8(1))
		f.Add(data, uint8(2))
	}
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		name := []string{"f.avro", "f.parquet", "f.txt.gz"}[int(format)%3]
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range []string{"cat", "count", "schema", "meta"} {
			var stdout, stderr bytes.Buffer
			code := cli.Execute(context.Background(), cli.NewRoot(), []string{cmd, path}, &stdout, &stderr)
			switch code {
			case cli.ExitOK:
			case cli.ExitFailed:
				if !strings.HasPrefix(stderr.String(), "crunchgo: ") {
					t.Errorf("%s %s: exit 1 with stderr %q", cmd, name, stderr.String())
				}
			default:
				t.Errorf("%s %s: exit %d, stderr %q", cmd, name, code, stderr.String())
			}
		}
	})
}
