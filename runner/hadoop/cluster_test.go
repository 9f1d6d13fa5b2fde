package hadoop_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/examples/wordcount"
	"github.com/crunchgo/crunchgo/internal/progress"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/hadoop"
)

// TestHeartbeat checks that a task reports its status as Hadoop reads it
// ("reporter:status:" lines on stderr) while it makes progress, and only
// then: a task stuck in a user function must let Hadoop's timeout kill it.
func TestHeartbeat(t *testing.T) {
	moving := statusLines(t, func() {
		for range 50 {
			progress.Mark()
			time.Sleep(time.Millisecond)
		}
	})
	if len(moving) < 2 {
		t.Fatalf("%d status lines in 50 ms of progress at one per 5 ms, want several: %q", len(moving), moving)
	}
	for _, l := range moving {
		if !strings.HasPrefix(l, "reporter:status:crunchgo stage 0 map attempt_1, running for ") {
			t.Errorf("line %q is not a status update", l)
		}
	}
	if stuck := statusLines(t, func() { time.Sleep(50 * time.Millisecond) }); len(stuck) != 0 {
		t.Errorf("status lines %q from a task that made no progress, want none", stuck)
	}
}

// statusLines runs a heartbeat every 5 ms during fn and returns the lines
// it wrote to stderr.
func statusLines(t *testing.T, fn func()) []string {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// Read as it is written: a full pipe would block the heartbeat, and
	// stop waits for it.
	read := make(chan []string)
	go func() {
		var lines []string
		for sc := bufio.NewScanner(r); sc.Scan(); {
			lines = append(lines, sc.Text())
		}
		read <- lines
	}()
	stderr := os.Stderr
	os.Stderr = w
	stop := hadoop.Heartbeat(5*time.Millisecond, "crunchgo stage 0 map attempt_1")
	fn()
	stop()
	os.Stderr = stderr
	w.Close()
	return <-read
}

func TestHeartbeatInterval(t *testing.T) {
	for env, want := range map[string]time.Duration{
		"":        time.Minute, // Hadoop's default timeout, 10 minutes
		"600000":  time.Minute,
		"1200000": time.Minute,
		"20000":   2 * time.Second,
		"3000":    time.Second,
		"0":       0, // no timeout: no heartbeats needed
		"junk":    time.Minute,
	} {
		if got := hadoop.HeartbeatInterval(env); got != want {
			t.Errorf("mapreduce_task_timeout=%q: interval %v, want %v", env, got, want)
		}
	}
}

// TestSinkOnAnotherFileSystem checks that an output the runner could not
// move into place (not on the temp dir's file system) fails the run before
// any job, dry run included.
func TestSinkOnAnotherFileSystem(t *testing.T) {
	t.Setenv("HADOOP_CONF_DIR", "")
	t.Setenv("HADOOP_HOME", "")
	conf := t.TempDir()
	if err := os.WriteFile(filepath.Join(conf, "core-site.xml"), []byte(`<configuration><property><name>fs.defaultFS</name><value>hdfs://nn:8020</value></property></configuration>`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		output, temp string
		ok           bool
		confDir      string // HADOOP_CONF_DIR, naming fs.defaultFS
	}{
		{"hdfs://nn/user/me/wc", "hdfs://nn/tmp/crunchgo", true, ""},
		{"/local/wc", "hdfs://nn/tmp/crunchgo", false, ""},
		{"hdfs://other/wc", "hdfs://nn/tmp/crunchgo", false, ""},
		{"/local/wc", "/tmp/crunchgo", true, ""},
		{"hdfs://nn/user/me/wc", "hdfs:///tmp/crunchgo", true, ""},        // the default namenode, maybe nn
		{"hdfs://nn:8020/user/me/wc", "hdfs://nn/tmp/crunchgo", true, ""}, // the default port
		{"hdfs://nn:9000/user/me/wc", "hdfs://nn/tmp/crunchgo", false, ""},
		{"hdfs://nn/user/me/wc", "hdfs:///tmp/crunchgo", true, conf},
		{"hdfs://other/user/me/wc", "hdfs:///tmp/crunchgo", false, conf},
	} {
		t.Setenv("HADOOP_CONF_DIR", tc.confDir)
		p, err := wordcount.Job.Build([]string{"--output", tc.output})
		if err != nil {
			t.Fatal(err)
		}
		r := hadoop.Runner{HadoopBin: "/bin/false", StreamingJar: "x.jar", Binary: "/opt/jobs/crunchgo", TempDir: tc.temp, DryRun: true, Out: &strings.Builder{}}
		_, err = r.Run(context.Background(), p, runner.Options{})
		if got := err == nil; got != tc.ok {
			t.Errorf("output %s, temp %s: err %v, want ok %v", tc.output, tc.temp, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "same one") {
			t.Errorf("output %s, temp %s: err %v, want it to say why", tc.output, tc.temp, err)
		}
	}
}

// TestMapTasksBySize checks that without Runner.MapTasks a large source
// gets about one map task per BytesPerMapTask, not the fixed default.
func TestMapTasksBySize(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "big.txt")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: 20 blocks' worth of input takes no disk.
	if err := f.Truncate(20 * hadoop.BytesPerMapTask); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out := dryRunWordCount(t, dir, in)
	if !strings.Contains(out, "# stage 0: 20 map task(s)") {
		t.Errorf("dry run:\n%s\nwant 20 map tasks for 20 blocks", firstLines(out, 40))
	}
}

// dryRunWordCount returns what a dry run of word count over input prints,
// its temp directory and output under dir.
func dryRunWordCount(t *testing.T, dir, input string) string {
	t.Helper()
	p, err := wordcount.Job.Build([]string{"--input", input, "--output", filepath.Join(dir, "out")})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	r := hadoop.Runner{HadoopBin: "/bin/false", StreamingJar: "x.jar", Binary: "/opt/jobs/crunchgo", TempDir: filepath.Join(dir, "tmp"), DryRun: true, Out: &out}
	if _, err := r.Run(context.Background(), p, runner.Options{}); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestSmallFilesShareMapTasks checks that many small files are listed a
// few to a manifest line, each line a map task, and every file once.
func TestSmallFilesShareMapTasks(t *testing.T) {
	dir := t.TempDir()
	const files = 200
	for i := range files {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("in-%03d.txt", i)), []byte("a few words\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := dryRunWordCount(t, dir, filepath.Join(dir, "*.txt"))
	// 200 files of 12 bytes, asked for 8 map tasks: a line per 300 bytes.
	if !strings.Contains(out, "# stage 0: 8 map task(s)") {
		t.Errorf("dry run:\n%s\nwant 8 map tasks for %d small files", firstLines(out, 40), files)
	}
	listed := strings.Count(out, `"path":`)
	if listed != files {
		t.Errorf("the manifest lists %d splits, want one per file (%d)", listed, files)
	}

	// Run, every task reads every file of its line.
	outDir := filepath.Join(dir, "counted")
	p, err := wordcount.Job.Build([]string{"--input", filepath.Join(dir, "*.txt"), "--output", outDir, "--format", "text"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := simRunner(t).Run(context.Background(), p, runner.Options{}); err != nil {
		t.Fatal(err)
	}
	parts, err := filepath.Glob(filepath.Join(outDir, "part-*"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, part := range parts {
		b, err := os.ReadFile(part)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Fields(strings.ReplaceAll(string(b), "\t", "="))...)
	}
	slices.Sort(lines)
	if got, want := strings.Join(lines, " "), fmt.Sprintf("a=%d few=%d words=%d", files, files, files); got != want {
		t.Errorf("counts %q, want %q", got, want)
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
