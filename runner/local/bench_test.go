package local

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

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
		for _, w := range strings.FieldsFunc(sc.Text(), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
			counts[strings.ToLower(w)]++
		}
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
