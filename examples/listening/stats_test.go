package listening

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/local"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
)

// statsReference computes play-stats' outputs from events and catalogue
// IDs with plain Go: exact percentiles (the values at rank ⌊q·(n−1)⌋) and
// counts.
func statsReference(events []Event, catalogue map[string]bool) ([]CountryListening, []TrackPlays) {
	lengths := map[string][]float64{}
	missing := map[string]int64{}
	for _, e := range events {
		if !IsPlay(e) {
			continue
		}
		lengths[e.Country] = append(lengths[e.Country], float64(e.MsPlayed))
		if !catalogue[e.TrackID] {
			missing[e.TrackID]++
		}
	}
	var listening []CountryListening
	for c, ms := range lengths {
		slices.Sort(ms)
		at := func(q float64) float64 { return ms[int(q*float64(len(ms)-1))] }
		listening = append(listening, CountryListening{Country: c, Plays: int64(len(ms)), P50Ms: at(0.5), P90Ms: at(0.9), P99Ms: at(0.99)})
	}
	var tracks []TrackPlays
	for id, n := range missing {
		tracks = append(tracks, TrackPlays{TrackID: id, Plays: n})
	}
	return listening, tracks
}

// checkListening compares listening rows with the exact ones: the same
// countries and plays, each percentile within the sketch's accuracy.
func checkListening(t *testing.T, got, want []CountryListening) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d countries, want %d", len(got), len(want))
	}
	byCountry := map[string]CountryListening{}
	for _, w := range want {
		byCountry[w.Country] = w
	}
	close := func(a, b float64) bool { return math.Abs(a-b) <= ptable.QuantileRelativeAccuracy*math.Abs(b)+1e-9 }
	for _, g := range got {
		w, ok := byCountry[g.Country]
		if !ok || g.Plays != w.Plays || !close(g.P50Ms, w.P50Ms) || !close(g.P90Ms, w.P90Ms) || !close(g.P99Ms, w.P99Ms) {
			t.Errorf("got %+v, want %+v (percentiles within %v)", g, w, ptable.QuantileRelativeAccuracy)
		}
	}
}

func TestPlayStats(t *testing.T) {
	events := []Event{
		ev("SE", "t1", "a1", "u1", 40_000, false),
		ev("SE", "t1", "a1", "u2", 30_000, false), // exactly 30 s: a play
		ev("SE", "t9", "a9", "u1", 200_000, false),
		ev("SE", "t9", "a9", "u1", 29_999, false), // too short
		ev("SE", "t2", "a2", "u3", 90_000, true),  // skipped
		ev("DE", "t9", "a9", "u4", 60_000, false),
		ev("DE", "t8", "a8", "u4", 120_000, false),
		ev("DE", "t8", "a8", "u5", 120_000, false),
		ev("US", "t1", "a1", "u6", 10_000, false), // no plays in US
	}
	tracks := []string{"t1", "t2", "t3"} // t8 and t9 are not in the catalogue
	// Worked out by hand: SE plays last 30, 40 and 200 s; DE 60, 120, 120 s.
	wantListening := []CountryListening{
		{Country: "SE", Plays: 3, P50Ms: 40_000, P90Ms: 40_000, P99Ms: 40_000},
		{Country: "DE", Plays: 3, P50Ms: 120_000, P90Ms: 120_000, P99Ms: 120_000},
	}
	wantMissing := []TrackPlays{{TrackID: "t9", Plays: 2}, {TrackID: "t8", Plays: 2}}
	for _, unoptimized := range []bool{false, true} {
		p := pcollection.NewPipeline("play-stats")
		plays := playEvents(events)
		ids := make([]CatalogueID, len(tracks))
		for i, id := range tracks {
			ids[i] = CatalogueID{TrackID: id}
		}
		out := PlayStats(pcollection.Of(p, plays...), pcollection.Of(p, ids...))
		listening := pcollection.Materialize(out.ListeningByCountry)
		missing := pcollection.Materialize(out.UncataloguedTracks)
		crunchtest.Run(t, p, func(o *runner.Options) { o.Unoptimized = unoptimized })
		checkListening(t, crunchtest.Values(t, listening), wantListening)
		crunchtest.EqualUnordered(t, crunchtest.Values(t, missing), wantMissing)
	}
}

// TestPlayStatsFiles runs the registered job on generated files of both
// formats, on the in-memory and local runners, and compares with
// statsReference.
func TestPlayStatsFiles(t *testing.T) {
	ctx := context.Background()
	for _, in := range []fileio.Format{fileio.Avro, fileio.Parquet} {
		t.Run(string(in), func(t *testing.T) {
			dir := t.TempDir()
			gen, err := Generate(ctx, GenConfig{Events: 20_000, Users: 300, Tracks: 400, Seed: 11, Format: in, Files: 3, Out: dir, Uncatalogued: 0.1})
			if err != nil {
				t.Fatal(err)
			}
			var events []Event
			catalogue := map[string]bool{}
			if err := fileio.ScanFiles(ctx, gen.EventsDir, func(e Event) { events = append(events, e) }); err != nil {
				t.Fatal(err)
			}
			if err := fileio.ScanFiles(ctx, gen.TracksDir, func(tr Track) { catalogue[tr.TrackID] = true }); err != nil {
				t.Fatal(err)
			}
			wantListening, wantMissing := statsReference(events, catalogue)
			if len(wantListening) < 10 || len(wantMissing) < 5 {
				t.Fatalf("generated data too thin to test: %d countries, %d uncatalogued tracks", len(wantListening), len(wantMissing))
			}
			for _, run := range []struct {
				outFormat fileio.Format
				runner    runner.Runner
			}{{fileio.Parquet, mem.Runner{}}, {fileio.Avro, local.Runner{}}} {
				out := storage.Join(dir, "out-"+string(run.outFormat))
				p, err := PlayStatsJob.Build([]string{"--events", gen.EventsDir, "--tracks", gen.TracksDir,
					"--output", out, "--output-format", string(run.outFormat)})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := run.runner.Run(ctx, p, runner.Options{Workers: 2}); err != nil {
					t.Fatal(err)
				}
				checkListening(t, scanAll[CountryListening](t, storage.Join(out, ListeningByCountryDir)), wantListening)
				crunchtest.EqualUnordered(t, scanAll[TrackPlays](t, storage.Join(out, UncataloguedTracksDir)), wantMissing)
			}
		})
	}
}
