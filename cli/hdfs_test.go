package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/cli"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/hdfs"
	"github.com/crunchgo/crunchgo/storage/hdfs/hdfstest"
)

// TestFileToolsOnHDFS runs the file tools on hdfs:// URLs (an in-process
// namenode and datanode) and checks they print what they print for the same
// files on local disk.
func TestFileToolsOnHDFS(t *testing.T) {
	c := hdfstest.Start(t)
	t.Cleanup(func() { hdfs.Disconnect(c.Addr()) })
	ctx := context.Background()
	dir := t.TempDir()
	writeFixtures(t, dir)
	for _, name := range []string{"events.avro", "plays.parquet", "lines.txt.gz"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := storage.WriteFile(ctx, c.URL("/data/"+name), data); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := cli.Execute(ctx, cli.NewRoot(), args, &stdout, &stderr); code != 0 {
			t.Fatalf("crunchgo %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
		}
		return stdout.String()
	}
	for _, cmd := range []string{"cat", "count", "schema"} {
		for _, name := range []string{"events.avro", "plays.parquet", "lines.txt.gz"} {
			got := strings.ReplaceAll(run(cmd, c.URL("/data/"+name)), c.URL("/data"), "DIR")
			want := strings.ReplaceAll(run(cmd, filepath.Join(dir, name)), dir, "DIR")
			if got != want {
				t.Errorf("%s %s on hdfs:\n%s\nwant (as on local disk):\n%s", cmd, name, got, want)
			}
		}
	}
	if got := run("count", c.URL("/data/*.{avro,parquet}")); !strings.Contains(got, "8 total (2 files)") {
		t.Errorf("count over an hdfs glob:\n%s\nwant a total of 8 records in 2 files", got)
	}
}
