package wordcount

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

// benchLines makes n lines of 10 words from a Zipf-like vocabulary of 5,000.
func benchLines(n int) []string {
	lines := make([]string, n)
	x := uint64(42)
	var b strings.Builder
	for i := range lines {
		b.Reset()
		for j := range 10 {
			x = x*6364136223846793005 + 1442695040888963407
			r := float64(x>>11) / float64(1<<53)
			rank := int(r * r * r * 5000) // skewed towards small ranks
			if j > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "Word%d", rank)
		}
		lines[i] = b.String()
	}
	return lines
}

// handWritten is the baseline: one map, the same tokenizer.
func handWritten(lines []string) map[string]int64 {
	counts := map[string]int64{}
	for _, line := range lines {
		Words(line, func(w string) { counts[w]++ })
	}
	return counts
}

const benchN = 100_000 // lines: 1M words

func BenchmarkWordCountHandWritten(b *testing.B) {
	lines := benchLines(benchN)
	for b.Loop() {
		if len(handWritten(lines)) == 0 {
			b.Fatal("no words")
		}
	}
}

func BenchmarkWordCountMem(b *testing.B) {
	lines := benchLines(benchN)
	for b.Loop() {
		p := pcollection.NewPipeline("wordcount")
		out := pcollection.Materialize(Count(pcollection.Of(p, lines...)))
		if _, err := mem.Run(context.Background(), p, runner.Options{Workers: 1}); err != nil {
			b.Fatal(err)
		}
		if vs, _ := out.Values(); len(vs) == 0 {
			b.Fatal("no words")
		}
	}
}

// TestBenchmarkAgrees checks that the benchmark's two sides compute the same thing.
func TestBenchmarkAgrees(t *testing.T) {
	lines := benchLines(2000)
	p := pcollection.NewPipeline("wordcount")
	out := pcollection.Materialize(Count(pcollection.Of(p, lines...)))
	if _, err := mem.Run(context.Background(), p, runner.Options{}); err != nil {
		t.Fatal(err)
	}
	want := handWritten(lines)
	got, _ := out.Values()
	if len(got) != len(want) {
		t.Fatalf("got %d words, want %d", len(got), len(want))
	}
	for _, kv := range got {
		if want[kv.Key] != kv.Value {
			t.Errorf("count of %q = %d, want %d", kv.Key, kv.Value, want[kv.Key])
		}
	}
}
