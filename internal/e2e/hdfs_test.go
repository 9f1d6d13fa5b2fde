package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/examples/listening"
	"github.com/crunchgo/crunchgo/examples/wordcount"
	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	hadooprunner "github.com/crunchgo/crunchgo/runner/hadoop"
	"github.com/crunchgo/crunchgo/runner/local"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/hdfs"
	"github.com/crunchgo/crunchgo/storage/hdfs/hdfstest"
	"github.com/crunchgo/crunchgo/textio"
)

// TestMain lets the local runner re-execute this test binary as its workers.
func TestMain(m *testing.M) { crunchtest.Main(m) }

type wordCountArgs struct {
	Input  string `flag:"input"`
	Output string `flag:"output"`
}

var wordCountJob = runner.Register("e2e/hdfs-wordcount", "word count from text to text",
	func(p *pcollection.Pipeline, a *wordCountArgs) error {
		counts := wordcount.Count(textio.Read(p, a.Input))
		lines := pcollection.Map(counts, func(kv ptable.Pair[string, int64]) string {
			return kv.Key + "\t" + strconv.FormatInt(kv.Value, 10)
		})
		textio.Write(lines, a.Output)
		return nil
	})

// corpus makes about size bytes of text and its reference word counts.
func corpus(size int) ([]byte, map[string]int64) {
	var b bytes.Buffer
	want := map[string]int64{}
	for i := 0; b.Len() < size; i++ {
		w := letters((i * i) % 997)
		want[w]++
		b.WriteString(w)
		if i%12 == 11 {
			b.WriteByte('\n')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.Bytes(), want
}

func readCounts(t *testing.T, ctx context.Context, dir string) map[string]int64 {
	t.Helper()
	files, err := storage.DataFiles(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, f := range files {
		data, err := storage.ReadFile(ctx, f.URL)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			word, n, ok := strings.Cut(sc.Text(), "\t")
			v, err := strconv.ParseInt(n, 10, 64)
			if !ok || err != nil {
				t.Fatalf("%s: bad line %q", f.URL, sc.Text())
			}
			got[word] += v
		}
	}
	return got
}

// TestLocalRunnerOnHDFS reads a multi-block file from HDFS with worker
// processes, writes the result back to HDFS with _SUCCESS, and then checks
// that a datanode failing during the write fails the job, names the file and
// leaves no output directory.
func TestLocalRunnerOnHDFS(t *testing.T) {
	ctx := context.Background()
	c := hdfstest.Start(t)
	t.Cleanup(func() { hdfs.Disconnect(c.Addr()) })

	data, want := corpus(3<<20 + 12345) // more than three 1 MiB blocks
	in := c.URL("/logs/words.txt")
	if err := storage.WriteFile(ctx, in, data); err != nil {
		t.Fatal(err)
	}

	out := c.URL("/out/counts")
	p, err := wordCountJob.Build([]string{"--input", in, "--output", out})
	if err != nil {
		t.Fatal(err)
	}
	res, err := local.Run(ctx, p, runner.Options{Workers: 2, Memory: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stages) == 0 || res.Stages[0].MapTasks < 2 {
		t.Errorf("stages = %+v, want the multi-block input read by several map tasks", res.Stages)
	}
	if ok, err := storage.Exists(ctx, out+"/_SUCCESS"); err != nil || !ok {
		t.Fatalf("%s/_SUCCESS missing (err %v)", out, err)
	}
	got := readCounts(t, ctx, out)
	if len(got) != len(want) {
		t.Errorf("got %d words, want %d", len(got), len(want))
	}
	for w, n := range want {
		if got[w] != n {
			t.Errorf("count of %s = %d, want %d", w, got[w], n)
		}
	}

	// A datanode that fails once mid-write costs one task attempt: the
	// retry writes the same output.
	again := c.URL("/out/retried")
	p, err = wordCountJob.Build([]string{"--input", in, "--output", again})
	if err != nil {
		t.Fatal(err)
	}
	c.FailDatanodeWritesAfter(1000)
	if _, err := local.Run(ctx, p, runner.Options{Workers: 2, Memory: 64 << 20}); err != nil {
		t.Fatalf("one datanode failure was not survived: %v", err)
	}
	if retried := readCounts(t, ctx, again); fmt.Sprint(retried) != fmt.Sprint(got) {
		t.Error("the retried job's output differs from the first run's")
	}

	// A datanode that keeps failing fails the job; nothing is left behind.
	failed := c.URL("/out/failed")
	p, err = wordCountJob.Build([]string{"--input", in, "--output", failed})
	if err != nil {
		t.Fatal(err)
	}
	c.FailDatanodeWritesEvery(1000)
	_, err = local.Run(ctx, p, runner.Options{Workers: 2, Memory: 64 << 20})
	c.FailDatanodeWritesEvery(-1)
	if err == nil {
		t.Fatal("job succeeded although the datanode failed every write")
	}
	t.Logf("the failed job's error: %v", err)
	if !strings.Contains(err.Error(), "hdfs://") || !strings.Contains(err.Error(), "part-") {
		t.Errorf("error %q does not name the HDFS file being written", err)
	}
	if ok, err := storage.Exists(ctx, failed); err != nil || ok {
		t.Errorf("output %s exists after a failed job (err %v)", failed, err)
	}
}

// letters spells n in base 26 with the letters a to z (the word counter
// splits at anything that is not a letter).
func letters(n int) string {
	s := []byte{'w'}
	for ; n > 0; n /= 26 {
		s = append(s, byte('a'+n%26))
	}
	return string(s)
}

// TestHadoopRunnerClientStagesOnHDFS runs daily-plays on the Hadoop runner
// with its inputs, outputs and temp directory on HDFS and every stage small
// enough to run in the client: the job spec and manifests, the map tasks'
// splits, the files each stage leaves for the next (side inputs included)
// and the published part files all go through HDFS. The local runner's
// run over the same input is the reference. (Stages sent to a cluster need
// Hadoop, which these machines do not have: the hadoop command given does
// not exist, so such a stage would fail the run.)
func TestHadoopRunnerClientStagesOnHDFS(t *testing.T) {
	ctx := context.Background()
	c := hdfstest.Start(t)
	t.Cleanup(func() { hdfs.Disconnect(c.Addr()) })

	gen, err := listening.Generate(ctx, listening.GenConfig{Events: 30_000, Users: 500, Tracks: 600, Seed: 3,
		Format: fileio.Parquet, Files: 2, Out: c.URL("/in"), Uncatalogued: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string]string{"local": c.URL("/out/local"), "hadoop": c.URL("/out/hadoop")}
	r := hadooprunner.Runner{HadoopBin: "/nonexistent/hadoop", StreamingJar: "/nonexistent/hadoop-streaming.jar",
		TempDir: c.URL("/tmp/crunchgo"), ClientStageMax: 64 << 20}
	for name, rn := range map[string]runner.Runner{"local": local.Runner{}, "hadoop": r} {
		p, err := listening.DailyPlaysJob.Build([]string{"--events", gen.EventsDir, "--tracks", gen.TracksDir, "--output", outs[name]})
		if err != nil {
			t.Fatal(err)
		}
		res, err := rn.Run(ctx, p, runner.Options{Workers: 2, Partitions: 2})
		if err != nil {
			t.Fatalf("%s runner: %v", name, err)
		}
		if len(res.Stages) != 3 {
			t.Errorf("%s runner ran %d stages, want daily-plays' 3", name, len(res.Stages))
		}
	}
	for _, ds := range []string{listening.PlaysByCountryTrackDir, listening.ListenersByArtistDir, listening.TopTracksByCountryDir} {
		if ok, err := storage.Exists(ctx, storage.Join(outs["hadoop"], ds, "_SUCCESS")); err != nil || !ok {
			t.Errorf("%s/_SUCCESS missing (err %v)", ds, err)
		}
	}
	sameRecords[listening.CountryTrackPlays](t, outs, listening.PlaysByCountryTrackDir)
	sameRecords[listening.ArtistListeners](t, outs, listening.ListenersByArtistDir)
	sameRecords[listening.TopTrack](t, outs, listening.TopTracksByCountryDir)
	if left, err := storage.List(ctx, c.URL("/tmp/crunchgo")); err != nil || len(left) != 0 {
		t.Errorf("temp dir holds %d entries after the run (err %v)", len(left), err)
	}
}

func sameRecords[T any](t *testing.T, outs map[string]string, ds string) {
	t.Helper()
	got := map[string][]T{}
	for name, out := range outs {
		if err := fileio.ScanFiles(context.Background(), storage.Join(out, ds), func(v T) { got[name] = append(got[name], v) }); err != nil {
			t.Fatal(err)
		}
	}
	if len(got["local"]) == 0 {
		t.Fatalf("%s: the local runner wrote no records", ds)
	}
	if d := crunchtest.DiffUnordered(got["hadoop"], got["local"]); d != "" {
		t.Errorf("%s: hadoop and local outputs differ (-missing +extra):\n%s", ds, d)
	}
}
