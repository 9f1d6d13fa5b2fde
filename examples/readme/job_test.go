package readme

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
)

type Args struct {
	Events string `flag:"events" required:"true" help:"listening events (.avro or .parquet; a file, directory or glob)"`
	Output string `flag:"output" required:"true" help:"output directory"`
}

var PlaysJob = runner.Register("plays-by-track", "plays per country and track",
	func(p *pcollection.Pipeline, a *Args) error {
		plays := parquetio.Read[Play](p, a.Events)
		parquetio.Write(PlaysByTrack(plays), a.Output)
		return nil
	})

func TestPlaysJob(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "events.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := parquetio.NewWriter[Play](f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]Play{{"u1", "t1", "SE", 40_000, false}, {"u2", "t1", "SE", 50_000, false}, {"u3", "t2", "DE", 1, false}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	out := filepath.Join(dir, "out")
	p, err := PlaysJob.Build([]string{"--events", filepath.Join(dir, "events.parquet"), "--output", out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Run(ctx, p, runner.Options{}); err != nil {
		t.Fatal(err)
	}
	files, err := storage.DataFiles(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	var got []ptable.Pair[CountryTrack, int64]
	for _, fi := range files {
		file, err := storage.Open(ctx, fi.URL)
		if err != nil {
			t.Fatal(err)
		}
		r, err := parquetio.NewReader[ptable.Pair[CountryTrack, int64]](fi.URL, file, file.Size())
		if err != nil {
			t.Fatal(err)
		}
		rows := make([]ptable.Pair[CountryTrack, int64], 10)
		n, _ := r.Read(rows)
		got = append(got, rows[:n]...)
		file.Close()
	}
	if len(got) != 1 || got[0].Key != (CountryTrack{"SE", "t1"}) || got[0].Value != 2 {
		t.Errorf("output = %v, want [{{SE t1} 2}]", got)
	}
}
