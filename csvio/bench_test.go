package csvio_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/csvio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/textio"
)

type benchRow struct {
	User     string  `csv:"user"`
	Track    string  `csv:"track"`
	Country  string  `csv:"country"`
	MsPlayed int64   `csv:"ms_played"`
	Share    float64 `csv:"share"`
	Skipped  bool    `csv:"skipped"`
	Rating   *int32  `csv:"rating"`
	Note     string  `csv:"note"`
}

// benchFile writes 200k CSV lines (about 11 MB) with a header: strings,
// integers, a float, a bool, an empty pointer value every third line and
// a quoted field every tenth (holding the delimiter or a quote).
func benchFile(b *testing.B) string {
	storage.ResetMem("csv-bench")
	var sb strings.Builder
	sb.WriteString("user,track,country,ms_played,share,skipped,rating,note\n")
	countries := []string{"SE", "NO", "DE", "US", "BR"}
	for i := range 200_000 {
		note := "plain note"
		switch i % 10 {
		case 3:
			note = `"with, a comma"`
		case 7:
			note = `"says ""hi"""`
		}
		rating := ""
		if i%3 != 0 {
			rating = fmt.Sprint(i % 5)
		}
		fmt.Fprintf(&sb, "u%d,t%d,%s,%d,%g,%t,%s,%s\n", i%997, i%10007, countries[i%5], i*31%300000, float64(i%1000)/7, i%2 == 0, rating, note)
	}
	if err := storage.WriteFile(context.Background(), "mem://csv-bench/a.csv", []byte(sb.String())); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(sb.Len()))
	return "mem://csv-bench/a.csv"
}

// BenchmarkRead reads CSV lines into a struct; BenchmarkReadText reads
// the same lines as text, the floor. The struct's pointer field makes the
// mem runner check that no function changes its input (a fifth to a
// quarter of BenchmarkRead's time), which strings skip and other runners
// do not do.
func BenchmarkRead(b *testing.B) {
	in := benchFile(b)
	for b.Loop() {
		p := pcollection.NewPipeline("bench")
		pcollection.Materialize(pcollection.Filter(csvio.Read[benchRow](p, in), func(benchRow) bool { return false }))
		if _, err := mem.Run(context.Background(), p, runner.Options{Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadText(b *testing.B) {
	in := benchFile(b)
	for b.Loop() {
		p := pcollection.NewPipeline("bench")
		pcollection.Materialize(pcollection.Filter(textio.Read(p, in), func(string) bool { return false }))
		if _, err := mem.Run(context.Background(), p, runner.Options{Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSplitsHeaders plans the splits of 100 small files on local
// disk: with a header, which reads each file's first line to check it
// against the fields, and without (NoHeader), which opens each file only
// to check it is text, as textio does.
func BenchmarkSplitsHeaders(b *testing.B) {
	dir := b.TempDir()
	for i := range 100 {
		data := fmt.Sprintf("user,track,country,ms_played,share,skipped,rating,note\nu%d,t1,SE,1000,0.5,false,,x\n", i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("part-%05d.csv", i)), []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		opts []csvio.Option
	}{{"header", nil}, {"no-header", []csvio.Option{csvio.NoHeader()}}} {
		b.Run(bc.name, func(b *testing.B) {
			p := pcollection.NewPipeline("bench")
			c := csvio.Read[benchRow](p, dir, bc.opts...)
			src := p.Graph().Nodes()[c.ID()].Payload.(plan.SourcePayload)
			for b.Loop() {
				if _, err := src.Splits(context.Background(), 4); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
