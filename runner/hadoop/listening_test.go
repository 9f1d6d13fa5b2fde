package hadoop_test

import (
	"context"
	"slices"
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/examples/listening"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/local"
	"github.com/crunchgo/crunchgo/storage"
)

// TestListeningSameAsLocal runs the daily-plays job on generated listening
// logs on the local runner and on the Hadoop runner through the simulator,
// and checks that both write the same records and the same part files.
func TestListeningSameAsLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the daily-plays job twice")
	}
	ctx := context.Background()
	dir := t.TempDir()
	gen, err := listening.Generate(ctx, listening.GenConfig{Events: 20_000, Users: 300, Tracks: 400, Seed: 11,
		Format: listening.Parquet, Files: 3, Out: dir, Uncatalogued: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	opts := runner.Options{Workers: 2, Partitions: 3}
	outs := map[string]string{}
	for name, r := range map[string]runner.Runner{"local": local.Runner{}, "hadoop": simRunner(t)} {
		out := storage.Join(dir, "out-"+name)
		p, err := listening.DailyPlaysJob.Build([]string{"--events", gen.EventsDir, "--tracks", gen.TracksDir,
			"--output", out, "--output-format", "avro"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Run(ctx, p, opts); err != nil {
			t.Fatalf("%s runner: %v", name, err)
		}
		outs[name] = out
	}
	for _, ds := range []string{listening.PlaysByCountryTrackDir, listening.ListenersByArtistDir, listening.TopTracksByCountryDir} {
		names := map[string][]string{}
		for name, out := range outs {
			files, err := storage.List(ctx, storage.Join(out, ds))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				names[name] = append(names[name], f.Name)
			}
			slices.Sort(names[name])
		}
		if !slices.Equal(names["hadoop"], names["local"]) {
			t.Errorf("%s: hadoop wrote files %v, local %v", ds, names["hadoop"], names["local"])
		}
	}
	compare[listening.CountryTrackPlays](t, outs, listening.PlaysByCountryTrackDir)
	compare[listening.ArtistListeners](t, outs, listening.ListenersByArtistDir)
	compare[listening.TopTrack](t, outs, listening.TopTracksByCountryDir)
}

func compare[T any](t *testing.T, outs map[string]string, ds string) {
	t.Helper()
	got := map[string][]T{}
	for name, out := range outs {
		if err := listening.ScanFiles(context.Background(), storage.Join(out, ds), func(v T) { got[name] = append(got[name], v) }); err != nil {
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
