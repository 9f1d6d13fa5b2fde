package local

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/examples/wordcount"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/textio"
)

// The word-count benchmarks read the same text file: 100,000 lines of 8
// words (800,000 words, about 5.5 MB). Each runner run includes planning,
// and for local, starting the workers.

type fileArgs struct {
	Input string `flag:"input"`
}

var fileOutputs = map[*pcollection.Pipeline]*pcollection.Materialized[ptable.Pair[string, int64]]{}

var fileWordCountJob = runner.Register("local-test/wordcount-file", "word count over a text file",
	func(p *pcollection.Pipeline, a *fileArgs) error {
		fileOutputs[p] = pcollection.Materialize(wordcount.Count(textio.Read(p, a.Input)))
		return nil
	})

func benchFile(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "words.txt")
	if err := os.WriteFile(path, []byte(strings.Join(genLines(100_000), "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// handWritten is the baseline: one map and the word count example's
// tokenizer over the file's lines.
func handWritten(path string) (map[string]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	counts := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		wordcount.Words(sc.Text(), func(w string) { counts[w]++ })
	}
	return counts, sc.Err()
}

func BenchmarkWordCountHandWritten(b *testing.B) {
	path := benchFile(b)
	for b.Loop() {
		if m, err := handWritten(path); err != nil || len(m) == 0 {
			b.Fatal("no words", err)
		}
	}
}

func benchWordCount(b *testing.B, r runner.Runner, opts runner.Options) {
	path := benchFile(b)
	for b.Loop() {
		p, err := fileWordCountJob.Build([]string{"--input", path})
		if err != nil {
			b.Fatal(err)
		}
		opts.TmpDir = b.TempDir()
		if _, err := r.Run(context.Background(), p, opts); err != nil {
			b.Fatal(err)
		}
		if vs, _ := fileOutputs[p].Values(); len(vs) == 0 {
			b.Fatal("no words")
		}
		delete(fileOutputs, p)
	}
}

func BenchmarkWordCountLocal(b *testing.B) { benchWordCount(b, Runner{}, runner.Options{}) }

func BenchmarkWordCountLocal1Worker(b *testing.B) {
	benchWordCount(b, Runner{}, runner.Options{Workers: 1})
}

func BenchmarkWordCountMem(b *testing.B) { benchWordCount(b, mem.Runner{}, runner.Options{}) }

// TestBenchmarkAgrees checks the benchmark's two sides count the same.
func TestBenchmarkAgrees(t *testing.T) {
	path := filepath.Join(t.TempDir(), "words.txt")
	if err := os.WriteFile(path, []byte(strings.Join(genLines(3000), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := fileWordCountJob.Build([]string{"--input", path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	got, _ := fileOutputs[p].Values()
	want, err := handWritten(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d words, want %d", len(got), len(want))
	}
	for _, kv := range got {
		if want[kv.Key] != kv.Value {
			t.Errorf("count of %q = %d, want %d", kv.Key, kv.Value, want[kv.Key])
		}
	}
}

// BenchmarkMapSideJoin joins the lines of 16 files (16 map tasks on two
// workers, 20,000 lines each) with a broadcast table of 200,000 rows: every
// map task needs the whole table.
func BenchmarkMapSideJoin(b *testing.B) {
	dir := b.TempDir()
	for f := range 16 {
		var lines []string
		for i := range 20_000 {
			lines = append(lines, fmt.Sprintf("k%d", (f*20_000+i)%200_000))
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("left-%02d.txt", f)), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	p, err := sideMapJob.Build([]string{"--input", filepath.Join(dir, "*.txt"), "--table", "200000"})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Counters.Get(pcollection.CounterGroup, pcollection.CounterSideInputsDecoded)), "decodes/op")
	}
}

// The sort benchmarks read the same text file: 2,000,000 lines of 16
// pseudo-random lowercase letters (34 MB), and write its lines sorted into
// text part files. BenchmarkSortFileHash shuffles the same lines without
// the total order (hash partitions, each sorted), the cost of a sort's
// sampling pass apart; BenchmarkSortFileGNU is LC_ALL=C sort with the same
// memory budget.

type sortFileArgs struct {
	Input  string `flag:"input"`
	Output string `flag:"output"`
	Hash   bool   `flag:"hash"`
}

var sortFileJob = runner.Register("local-test/sort-file", "sorts a text file's lines into part files",
	func(p *pcollection.Pipeline, a *sortFileArgs) error {
		lines := textio.Read(p, a.Input)
		if !a.Hash {
			textio.Write(ptable.Sort(lines), a.Output)
			return nil
		}
		keyed := pcollection.Map(lines, func(s string) ptable.Pair[string, struct{}] { return ptable.KV(s, struct{}{}) })
		textio.Write(ptable.Reduce(ptable.GroupByKey(keyed), func(k string, vs iter.Seq[struct{}], emit func(string)) error {
			for range vs {
				emit(k)
			}
			return nil
		}), a.Output)
		return nil
	})

const sortBenchMemory = 256 << 20

func sortBenchFile(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "lines.txt")
	var sb strings.Builder
	x := uint64(1)
	for range n {
		for range 16 {
			x = x*6364136223846793005 + 1442695040888963407
			sb.WriteByte(byte('a' + (x>>33)%26))
		}
		sb.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func benchSortFile(b *testing.B, hash bool) {
	in := sortBenchFile(b, 2_000_000)
	b.SetBytes(2_000_000 * 17)
	for b.Loop() {
		args := []string{"--input", in, "--output", filepath.Join(b.TempDir(), "out")}
		if hash {
			args = append(args, "--hash")
		}
		p, err := sortFileJob.Build(args)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Run(context.Background(), p, runner.Options{Memory: sortBenchMemory, TmpDir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSortFile(b *testing.B)     { benchSortFile(b, false) }
func BenchmarkSortFileHash(b *testing.B) { benchSortFile(b, true) }

func BenchmarkSortFileGNU(b *testing.B) {
	sortPath, err := exec.LookPath("sort")
	if err != nil {
		b.Skip("no sort on PATH")
	}
	in := sortBenchFile(b, 2_000_000)
	b.SetBytes(2_000_000 * 17)
	for b.Loop() {
		dir := b.TempDir()
		cmd := exec.Command(sortPath, "-S", fmt.Sprint(sortBenchMemory>>20)+"M", "-T", dir, "-o", filepath.Join(dir, "out.txt"), in)
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("sort: %v: %s", err, out)
		}
	}
}

// TestSortFileMatchesGNUSort checks the benchmark's sort against sort(1)
// on a small file: the same lines in the same order.
func TestSortFileMatchesGNUSort(t *testing.T) {
	sortPath, err := exec.LookPath("sort")
	if err != nil {
		t.Skip("no sort on PATH")
	}
	in := sortBenchFile(t, 20_000)
	out := filepath.Join(t.TempDir(), "out")
	p, err := sortFileJob.Build([]string{"--input", in, "--output", out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), p, runner.Options{Partitions: 3, TmpDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	parts, contents := readParts(t, out)
	got := bytes.Join(contents, nil)
	cmd := exec.Command(sortPath, in)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	want, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) < 2 || !bytes.Equal(got, want) {
		t.Errorf("%d part files hold %d bytes; sort(1) gives %d, equal: %v", len(parts), len(got), len(want), bytes.Equal(got, want))
	}
}

// BenchmarkJoin joins 1M generated records of 32-byte values (a quarter
// under one hot key, the rest over 5,000 keys) with a small table, on two
// workers, and counts the joined pairs per key: with Join, and with
// ShardedJoin over 4 shards.
func BenchmarkJoin(b *testing.B) {
	for _, shards := range []int{0, 4} {
		name := "Join"
		if shards > 0 {
			name = fmt.Sprintf("ShardedJoin%d", shards)
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				p, err := bigJoinJob.Build([]string{"--records=1000000", "--value=32", "--splits=8", fmt.Sprint("--shards=", shards)})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: b.TempDir()}); err != nil {
					b.Fatal(err)
				}
				if vs, _ := bigResults[p].Values(); len(vs) != 2 {
					b.Fatalf("joined counts %q", vs)
				}
				delete(bigResults, p)
			}
		})
	}
}
