package jsonio_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/jsonio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/textio"
)

// benchLines writes 50k JSON lines (about 5 MB) with a nested object, an
// array, a null and a key Play lacks.
func benchLines(b *testing.B) string {
	storage.ResetMem("json-bench")
	var sb strings.Builder
	for i := range 50_000 {
		fmt.Fprintf(&sb, `{"user":"u%d","plays":%d,"text":"some text","score":null,"at":"2026-11-26T10:00:00Z","extra":{"tags":["a","b"],"n":%d}}`+"\n", i%997, i, i)
	}
	if err := storage.WriteFile(context.Background(), "mem://json-bench/a.jsonl", []byte(sb.String())); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(sb.Len()))
	return "mem://json-bench/a.jsonl"
}

// BenchmarkRead reads JSON lines into a struct; BenchmarkReadText reads
// the same lines as text, the floor.
func BenchmarkRead(b *testing.B) {
	in := benchLines(b)
	for b.Loop() {
		p := pcollection.NewPipeline("bench")
		pcollection.Materialize(pcollection.Filter(jsonio.Read[Play](p, in), func(Play) bool { return false }))
		if _, err := mem.Run(context.Background(), p, runner.Options{Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadText(b *testing.B) {
	in := benchLines(b)
	for b.Loop() {
		p := pcollection.NewPipeline("bench")
		pcollection.Materialize(pcollection.Filter(textio.Read(p, in), func(string) bool { return false }))
		if _, err := mem.Run(context.Background(), p, runner.Options{Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
