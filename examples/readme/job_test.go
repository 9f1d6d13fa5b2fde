package readme

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

type Args struct {
	Events string `flag:"events" required:"true" help:"listening events (.avro or .parquet; a file, directory or glob)"`
	Output string `flag:"output" required:"true" help:"output directory"`
}

var PlaysJob = runner.Register("plays-by-track", "plays per country and track",
	func(p *pcollection.Pipeline, a *Args) error {
		plays, err := fileio.Read[Play](context.Background(), p, a.Events)
		if err != nil {
			return err
		}
		return fileio.Write(PlaysByTrack(plays), a.Output, fileio.Parquet)
	})

func TestPlaysJob(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	events := filepath.Join(dir, "events.avro")
	err := fileio.WriteFile(ctx, events, slices.Values([]Play{{"u1", "t1", "SE", 40_000, false}, {"u2", "t1", "SE", 50_000, false}, {"u3", "t2", "DE", 1, false}}))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	p, err := PlaysJob.Build([]string{"--events", events, "--output", out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Run(ctx, p, runner.Options{}); err != nil {
		t.Fatal(err)
	}
	var got []ptable.Pair[CountryTrack, int64]
	if err := fileio.ScanFiles(ctx, out, func(r ptable.Pair[CountryTrack, int64]) { got = append(got, r) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Key != (CountryTrack{"SE", "t1"}) || got[0].Value != 2 {
		t.Errorf("output = %v, want [{{SE t1} 2}]", got)
	}
}
