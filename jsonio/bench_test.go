package jsonio_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/examples/listening"
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

// events are n listening-log events, the records of eventLines.
func events(n int) []listening.Event {
	out := make([]listening.Event, n)
	for i := range out {
		out[i] = listening.Event{UserID: fmt.Sprintf("u%06d", i%99_991), TrackID: fmt.Sprintf("t%06d", i%49_999),
			ArtistID: fmt.Sprintf("a%05d", i%9_973), Country: []string{"SE", "DE", "US", "BR", "JP"}[i%5],
			MsPlayed: int64(i%300_000 + 1_000), TS: 1_795_000_000_000 + int64(i)*431, Platform: "android", Skipped: i%5 == 0}
	}
	return out
}

// eventLines writes n listening-log events as JSON lines, as jsonio.Write
// writes them, to one mem:// file, and returns its URL and size.
func eventLines(b *testing.B, n int) (string, int64) {
	storage.ResetMem("json-events")
	var sb strings.Builder
	for _, e := range events(n) {
		line, err := json.Marshal(e)
		if err != nil {
			b.Fatal(err)
		}
		sb.Write(line)
		sb.WriteByte('\n')
	}
	if err := storage.WriteFile(context.Background(), "mem://json-events/events.jsonl", []byte(sb.String())); err != nil {
		b.Fatal(err)
	}
	return "mem://json-events/events.jsonl", int64(sb.Len())
}

// BenchmarkReadEvents reads 200k listening-log events from JSON lines into
// listening.Event on the mem runner, and the same bytes as text lines (the
// floor); the ratio of their times is in the same run.
func BenchmarkReadEvents(b *testing.B) {
	in, size := eventLines(b, 200_000) // once, so both cases time reading alone
	for _, bc := range []struct {
		name string
		read func(p *pcollection.Pipeline, in string)
	}{
		{"json", func(p *pcollection.Pipeline, in string) {
			pcollection.Materialize(pcollection.Filter(jsonio.Read[listening.Event](p, in), func(listening.Event) bool { return false }))
		}},
		{"text", func(p *pcollection.Pipeline, in string) {
			pcollection.Materialize(pcollection.Filter(textio.Read(p, in), func(string) bool { return false }))
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				p := pcollection.NewPipeline("bench")
				bc.read(p, in)
				if _, err := mem.Run(context.Background(), p, runner.Options{Workers: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWriteEvents writes 200k listening-log events as JSON lines
// with a Writer to io.Discard, and the same lines, encoded beforehand,
// with a textio.Writer (the floor); the ratio of their times is in the
// same run.
func BenchmarkWriteEvents(b *testing.B) {
	evs := events(200_000)
	var lines []string
	var size int64
	for _, e := range evs {
		line, err := json.Marshal(e)
		if err != nil {
			b.Fatal(err)
		}
		lines = append(lines, string(line))
		size += int64(len(line)) + 1
	}
	b.Run("json", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			w := jsonio.NewWriter[listening.Event](io.Discard)
			for _, e := range evs {
				if err := w.Write(e); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("text", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			w := textio.NewWriter(io.Discard)
			for _, line := range lines {
				if err := w.WriteLine(line); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
