package e2e

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/crunchgo/crunchgo/runner"
	hadooprunner "github.com/crunchgo/crunchgo/runner/hadoop"
	"github.com/crunchgo/crunchgo/runner/local"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/hdfs"
	"github.com/crunchgo/crunchgo/storage/hdfs/hdfstest"
)

// Spellings of one namenode: hdfs:///path (fs.defaultFS), and the
// namenode with and without HDFS's default port. Each names one file
// system, so outputs commit (by renaming) across them, and a job cannot
// overwrite its own input by spelling it another way.

// withDefaultFS makes authority the fs.defaultFS of this test and of the
// workers it starts.
func withDefaultFS(t *testing.T, authority string) {
	t.Helper()
	dir := t.TempDir()
	core := `<configuration><property><name>fs.defaultFS</name><value>hdfs://` + authority + `</value></property></configuration>`
	if err := os.WriteFile(filepath.Join(dir, "core-site.xml"), []byte(core), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HADOOP_CONF_DIR", dir)
	t.Setenv("HADOOP_USER_NAME", "etl")
}

// onDefaultPort starts a test namenode reached at 127.0.0.1:8020 (HDFS's
// default port, forwarded to it), and skips the test if that port is taken.
func onDefaultPort(t *testing.T) {
	t.Helper()
	c := hdfstest.Start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:8020")
	if err != nil {
		t.Skipf("HDFS's default port: %v", err)
	}
	t.Cleanup(func() {
		ln.Close()
		hdfs.Disconnect(c.Addr())
		hdfs.Disconnect("127.0.0.1:8020")
	})
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go forward(conn, c.Addr())
		}
	}()
}

// forward copies between conn and a new connection to addr until either
// side closes.
func forward(conn net.Conn, addr string) {
	defer conn.Close()
	to, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	go func() {
		io.Copy(to, conn)
		to.Close()
	}()
	io.Copy(conn, to)
}

// TestLocalRunnerOnDefaultFS runs word count on the local runner over
// hdfs:///paths: the listing's URLs name the namenode, and the commit
// renames from them to the output's hdfs:/// URL.
func TestLocalRunnerOnDefaultFS(t *testing.T) {
	c := hdfstest.Start(t)
	t.Cleanup(func() { hdfs.Disconnect(c.Addr()) })
	withDefaultFS(t, c.Addr())
	countWords(t, local.Runner{}, runner.Options{Workers: 2, Memory: 64 << 20}, "hdfs:///logs/words.txt", "hdfs:///out/counts")
}

// TestHadoopRunnerDefaultTempAndPort runs the Hadoop runner with its
// default temp dir, hdfs:///tmp/crunchgo, and an output that names the
// default namenode without its port.
func TestHadoopRunnerDefaultTempAndPort(t *testing.T) {
	onDefaultPort(t)
	withDefaultFS(t, "127.0.0.1:8020")
	r := hadooprunner.Runner{HadoopBin: "/nonexistent/hadoop", StreamingJar: "/nonexistent/hadoop-streaming.jar", ClientStageMax: 64 << 20}
	countWords(t, r, runner.Options{Workers: 2}, "hdfs://127.0.0.1/logs/words.txt", "hdfs://127.0.0.1/out/counts")
}

// countWords writes a corpus to in, runs word count over it into out with
// r, and checks the number of words counted.
func countWords(t *testing.T, r runner.Runner, opts runner.Options, in, out string) {
	t.Helper()
	ctx := context.Background()
	data, want := corpus(100 << 10)
	if err := storage.WriteFile(ctx, in, data); err != nil {
		t.Fatal(err)
	}
	p, err := wordCountJob.Build([]string{"--input", in, "--output", out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, p, opts); err != nil {
		t.Fatal(err)
	}
	if got := readCounts(t, ctx, out); len(got) != len(want) {
		t.Errorf("got %d words, want %d", len(got), len(want))
	}
}

// TestOverwriteOwnInputSpelledOtherwise checks that overwriting the
// directory a job reads is refused when the two name the namenode
// differently, and that the input is kept.
func TestOverwriteOwnInputSpelledOtherwise(t *testing.T) {
	ctx := context.Background()
	onDefaultPort(t)
	withDefaultFS(t, "127.0.0.1:8020")
	data, _ := corpus(20 << 10)
	file := "hdfs://127.0.0.1:8020/data/words.txt"
	if err := storage.WriteFile(ctx, file, data); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{"hdfs://127.0.0.1/data", "hdfs:///data"} {
		p, err := wordCountJob.Build([]string{"--input", "hdfs://127.0.0.1:8020/data", "--output", out})
		if err != nil {
			t.Fatal(err)
		}
		_, err = local.Run(ctx, p, runner.Options{Workers: 1, WriteMode: runner.WriteOverwrite})
		if err == nil {
			t.Errorf("overwriting the input as %s was not refused", out)
		}
		if ok, _ := storage.Exists(ctx, file); !ok {
			t.Fatalf("overwriting the input as %s deleted it (run error: %v)", out, err)
		}
	}
}
