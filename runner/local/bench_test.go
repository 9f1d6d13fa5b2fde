package local

import (
	"context"
	"strings"
	"testing"
	"unicode"

	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

const benchLines = "--lines=100000" // 800,000 words

// handWritten is the baseline: one map and the word count example's tokenizer.
func handWritten(lines []string) map[string]int64 {
	counts := map[string]int64{}
	for _, line := range lines {
		for _, w := range strings.FieldsFunc(line, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
			counts[strings.ToLower(w)]++
		}
	}
	return counts
}

func BenchmarkWordCountHandWritten(b *testing.B) {
	lines := genLines(100_000)
	for b.Loop() {
		if len(handWritten(lines)) == 0 {
			b.Fatal("no words")
		}
	}
}

func benchWordCount(b *testing.B, r runner.Runner, opts runner.Options) {
	for b.Loop() {
		p, err := wordCountJob.Build([]string{benchLines})
		if err != nil {
			b.Fatal(err)
		}
		opts.TmpDir = b.TempDir()
		if _, err := r.Run(context.Background(), p, opts); err != nil {
			b.Fatal(err)
		}
		if vs, _ := outputs[p].Values(); len(vs) == 0 {
			b.Fatal("no words")
		}
		delete(outputs, p)
	}
}

// BenchmarkWordCountLocal includes starting the workers, which rebuild the
// pipeline (and so generate the lines again) in each process.
func BenchmarkWordCountLocal(b *testing.B) { benchWordCount(b, Runner{}, runner.Options{}) }

func BenchmarkWordCountLocal1Worker(b *testing.B) {
	benchWordCount(b, Runner{}, runner.Options{Workers: 1})
}

func BenchmarkWordCountMem(b *testing.B) { benchWordCount(b, mem.Runner{}, runner.Options{}) }

// TestBenchmarkAgrees checks the benchmark's two sides count the same.
func TestBenchmarkAgrees(t *testing.T) {
	got, _ := wordCounts(t, Run, runner.Options{Workers: 2, TmpDir: t.TempDir()})
	want := handWritten(genLines(2000))
	if len(got) != len(want) {
		t.Fatalf("got %d words, want %d", len(got), len(want))
	}
	for _, kv := range got {
		w, n, _ := strings.Cut(kv, "=")
		if fmtInt(want[w]) != n {
			t.Errorf("count of %q = %s, want %d", w, n, want[w])
		}
	}
}
