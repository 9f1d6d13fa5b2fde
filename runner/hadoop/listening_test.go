package hadoop_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/examples/listening"
	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/local"
	"github.com/crunchgo/crunchgo/storage"
)

// TestListeningSameAsLocal runs the daily-plays job on generated listening
// logs on the local runner and on the Hadoop runner through the simulator,
// once with every stage a Hadoop job and once with the stages that read
// less than the events in the client, and checks that every run writes the
// same part files holding the same records.
func TestListeningSameAsLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the daily-plays job three times")
	}
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	gen, err := listening.Generate(ctx, listening.GenConfig{Events: 20_000, Users: 300, Tracks: 400, Seed: 11,
		Format: fileio.Parquet, Files: 3, Out: dir, Uncatalogued: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	events, err := storage.DataFiles(ctx, gen.EventsDir)
	if err != nil {
		t.Fatal(err)
	}
	var eventBytes int64
	for _, f := range events {
		eventBytes += f.Size
	}
	cluster, mixed := simRunner(t), simRunner(t)
	var mixedLog bytes.Buffer
	mixed.ClientStageMax, mixed.Log = eventBytes-1, &mixedLog
	opts := runner.Options{Workers: 2, Partitions: 3}
	outs := map[string]string{}
	for name, r := range map[string]runner.Runner{"local": local.Runner{}, "hadoop": cluster, "hadoop-client": mixed} {
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
	// Stage 0 reads the events; the later stages read less.
	if n := strings.Count(mixedLog.String(), "Running job: "); n != 1 {
		t.Errorf("with --client-stage-max below the events' size, %d Hadoop jobs ran, want 1; log:\n%s", n, mixedLog.String())
	}
	compare[listening.CountryTrackPlays](t, outs, listening.PlaysByCountryTrackDir)
	compare[listening.ArtistListeners](t, outs, listening.ListenersByArtistDir)
	compare[listening.TopTrack](t, outs, listening.TopTracksByCountryDir)
}

// compare checks that every run wrote the local run's part files of
// dataset ds, each holding the same records.
func compare[T any](t *testing.T, outs map[string]string, ds string) {
	t.Helper()
	ctx := context.Background()
	files := map[string][]string{}
	for name, out := range outs {
		fs, err := storage.DataFiles(ctx, storage.Join(out, ds))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			files[name] = append(files[name], f.Name)
		}
		slices.Sort(files[name])
	}
	if len(files["local"]) == 0 {
		t.Fatalf("%s: the local runner wrote no part files", ds)
	}
	total := 0
	for name := range outs {
		if !slices.Equal(files[name], files["local"]) {
			t.Errorf("%s: %s wrote files %v, local %v", ds, name, files[name], files["local"])
			continue
		}
		for _, f := range files["local"] {
			got, want := scan[T](t, storage.Join(outs[name], ds, f)), scan[T](t, storage.Join(outs["local"], ds, f))
			total += len(want)
			if d := crunchtest.DiffUnordered(got, want); d != "" {
				t.Errorf("%s/%s: %s and local outputs differ (-missing +extra):\n%s", ds, f, name, d)
			}
		}
	}
	if total == 0 {
		t.Fatalf("%s: the local runner wrote no records", ds)
	}
}

func scan[T any](t *testing.T, file string) []T {
	t.Helper()
	var vs []T
	if err := fileio.ScanFile(context.Background(), file, func(v T) { vs = append(vs, v) }); err != nil {
		t.Fatal(err)
	}
	return vs
}
