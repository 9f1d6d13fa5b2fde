package listening

import (
	"cmp"
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/local"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/faultfs"
)

// reference computes daily-plays' three outputs from the files with plain Go.
func reference(t *testing.T, events, tracks string) ([]CountryTrackPlays, []ArtistListeners, []TopTrack) {
	t.Helper()
	ctx := context.Background()
	titles := map[string]string{}
	if err := fileio.ScanFiles(ctx, tracks, func(tr Track) {
		if old, ok := titles[tr.TrackID]; !ok || tr.Title < old {
			titles[tr.TrackID] = tr.Title
		}
	}); err != nil {
		t.Fatal(err)
	}
	totals := map[CountryTrack]*CountryTrackPlays{}
	listeners := map[string]map[string]bool{}
	if err := fileio.ScanFiles(ctx, events, func(e Event) {
		if e.Skipped || e.MsPlayed < 30_000 {
			return
		}
		k := CountryTrack{e.Country, e.TrackID}
		if totals[k] == nil {
			totals[k] = &CountryTrackPlays{Country: e.Country, TrackID: e.TrackID}
		}
		totals[k].Plays++
		totals[k].MsPlayed += e.MsPlayed
		if listeners[e.ArtistID] == nil {
			listeners[e.ArtistID] = map[string]bool{}
		}
		listeners[e.ArtistID][e.UserID] = true
	}); err != nil {
		t.Fatal(err)
	}
	var ct []CountryTrackPlays
	byCountry := map[string][]CountryTrackPlays{}
	for _, r := range totals {
		ct = append(ct, *r)
		byCountry[r.Country] = append(byCountry[r.Country], *r)
	}
	var al []ArtistListeners
	for a, us := range listeners {
		al = append(al, ArtistListeners{a, int64(len(us))})
	}
	var top []TopTrack
	for c, rs := range byCountry {
		slices.SortFunc(rs, func(a, b CountryTrackPlays) int {
			return cmp.Or(cmp.Compare(b.Plays, a.Plays), cmp.Compare(a.TrackID, b.TrackID))
		})
		for i, r := range rs[:min(10, len(rs))] {
			row := TopTrack{Country: c, Rank: int32(i + 1), TrackID: r.TrackID, Plays: r.Plays}
			if title, ok := titles[r.TrackID]; ok {
				row.Title = &title
			}
			top = append(top, row)
		}
	}
	return ct, al, top
}

func scanAll[T any](t *testing.T, dir string) []T {
	t.Helper()
	ctx := context.Background()
	if ok, err := storage.Exists(ctx, storage.Join(dir, "_SUCCESS")); err != nil || !ok {
		t.Fatalf("%s/_SUCCESS: exists %v, %v", dir, ok, err)
	}
	var out []T
	if err := fileio.ScanFiles(ctx, dir, func(v T) { out = append(out, v) }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDailyPlaysFiles runs the registered job on generated files of both
// formats, writing Parquet on the in-memory runner and Avro on the local
// runner, and compares with reference.
func TestDailyPlaysFiles(t *testing.T) {
	ctx := context.Background()
	for _, in := range []fileio.Format{fileio.Avro, fileio.Parquet} {
		t.Run(string(in), func(t *testing.T) {
			dir := t.TempDir()
			gen, err := Generate(ctx, GenConfig{Events: 20_000, Users: 300, Tracks: 400, Seed: 7, Format: in, Files: 3, Out: dir, Uncatalogued: 0.1})
			if err != nil {
				t.Fatal(err)
			}
			wantCT, wantAL, wantTop := reference(t, gen.EventsDir, gen.TracksDir)
			if len(wantTop) < 100 || !slices.ContainsFunc(wantTop, func(r TopTrack) bool { return r.Title == nil }) {
				t.Fatalf("generated data too thin to test: %d top rows, none without a title", len(wantTop))
			}
			for _, run := range []struct {
				outFormat fileio.Format
				runner    runner.Runner
			}{{fileio.Parquet, mem.Runner{}}, {fileio.Avro, local.Runner{}}} {
				outFormat := run.outFormat
				out := storage.Join(dir, "out-"+string(outFormat))
				p, err := DailyPlaysJob.Build([]string{"--events", gen.EventsDir, "--tracks", gen.TracksDir + "/*" + in.Ext(),
					"--output", out, "--output-format", string(outFormat)})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := run.runner.Run(ctx, p, runner.Options{Workers: 2}); err != nil {
					t.Fatal(err)
				}
				crunchtest.EqualUnordered(t, scanAll[CountryTrackPlays](t, storage.Join(out, PlaysByCountryTrackDir)), wantCT)
				crunchtest.EqualUnordered(t, scanAll[ArtistListeners](t, storage.Join(out, ListenersByArtistDir)), wantAL)
				crunchtest.EqualUnordered(t, scanAll[TopTrack](t, storage.Join(out, TopTracksByCountryDir)), wantTop)
			}
		})
	}
}

func TestGenerateDeterministic(t *testing.T) {
	ctx := context.Background()
	read := func(cfg GenConfig) ([]Event, []Track) {
		cfg.Out = t.TempDir()
		gen, err := Generate(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var es []Event
		var ts []Track
		if err := fileio.ScanFiles(ctx, gen.EventsDir, func(e Event) { es = append(es, e) }); err != nil {
			t.Fatal(err)
		}
		if err := fileio.ScanFiles(ctx, gen.TracksDir, func(tr Track) { ts = append(ts, tr) }); err != nil {
			t.Fatal(err)
		}
		if int64(len(es)) != cfg.Events || len(ts) != gen.Tracks {
			t.Fatalf("read %d events and %d tracks, want %d and %d", len(es), len(ts), cfg.Events, gen.Tracks)
		}
		return es, ts
	}
	cfg := GenConfig{Events: 5_000, Users: 100, Tracks: 200, Seed: 42, Format: fileio.Avro, Files: 2}
	e1, t1 := read(cfg)
	cfg.Format = fileio.Parquet
	e2, t2 := read(cfg)
	if !slices.Equal(e1, e2) || !slices.Equal(t1, t2) {
		t.Error("same seed, different formats: different rows")
	}
	cfg.Seed = 43
	e3, _ := read(cfg)
	if slices.Equal(e1, e3) {
		t.Error("different seeds gave the same events")
	}
	// Popularity is skewed: the most played tenth of tracks and users have
	// far more than a tenth of the events (uniform popularity would give
	// 10%).
	for _, key := range []func(Event) string{func(e Event) string { return e.TrackID }, func(e Event) string { return e.UserID }} {
		counts := map[string]int{}
		for _, e := range e1 {
			counts[key(e)]++
		}
		n := slices.Sorted(mapsValues(counts))
		slices.Reverse(n)
		head := 0
		for _, c := range n[:len(n)/10] {
			head += c
		}
		if share := float64(head) / float64(len(e1)); share < 0.3 {
			t.Errorf("the top tenth has %.0f%% of the events: not Zipf-like", 100*share)
		} else {
			t.Logf("the top tenth has %.0f%% of the events", 100*share)
		}
	}
}

func mapsValues[K comparable, V any](m map[K]V) func(func(V) bool) {
	return func(yield func(V) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

// TestSessionsFiles runs the sessions job on generated Parquet files and
// checks its invariants against the events: every event in exactly one
// session, sessions of a user ordered and separated by more than the gap.
func TestSessionsFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gen, err := Generate(ctx, GenConfig{Events: 5_000, Users: 50, Tracks: 100, Seed: 3, Format: fileio.Parquet, Files: 2, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	out := storage.Join(dir, "sessions")
	p, err := SessionsJob.Build([]string{"--events", gen.EventsDir, "--output", out, "--output-format", "avro"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Run(ctx, p, runner.Options{}); err != nil {
		t.Fatal(err)
	}
	sessions := scanAll[Session](t, out)
	byUser := map[string][]Session{}
	var events int64
	for _, s := range sessions {
		byUser[s.UserID] = append(byUser[s.UserID], s)
		events += s.Events
	}
	if events != gen.Events {
		t.Errorf("sessions hold %d events, want %d", events, gen.Events)
	}
	gap := SessionGap.Milliseconds()
	multi := 0
	for u, ss := range byUser {
		slices.SortFunc(ss, func(a, b Session) int { return cmp.Compare(a.Index, b.Index) })
		if len(ss) > 1 {
			multi++
		}
		for i, s := range ss {
			if s.Index != int32(i) || s.End < s.Start || s.Plays > s.Events || s.Tracks > s.Events {
				t.Errorf("user %s: bad session %+v", u, s)
			}
			if i > 0 && s.Start-ss[i-1].End <= gap {
				t.Errorf("user %s: session %d starts %d ms after the previous one ends, within the gap", u, i, s.Start-ss[i-1].End)
			}
		}
	}
	if multi == 0 {
		t.Error("no user has more than one session: the data does not exercise the gap")
	}
	_ = pcollection.Name
}

// TestGenerateSameBytes checks that the same flags give the same files,
// byte for byte, in both formats: an Avro file's sync marker used to be
// random.
func TestGenerateSameBytes(t *testing.T) {
	ctx := context.Background()
	for _, f := range []fileio.Format{fileio.Avro, fileio.Parquet} {
		var trees [2]map[string]string
		for i := range trees {
			cfg := GenConfig{Events: 2_000, Users: 50, Tracks: 100, Seed: 7, Format: f, Files: 2, Out: t.TempDir()}
			if _, err := Generate(ctx, cfg); err != nil {
				t.Fatal(err)
			}
			trees[i] = map[string]string{}
			err := filepath.WalkDir(cfg.Out, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := os.ReadFile(p)
				rel, _ := filepath.Rel(cfg.Out, p)
				trees[i][rel] = string(b)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if len(trees[0]) == 0 || !maps.Equal(trees[0], trees[1]) {
			t.Errorf("%s: two runs with the same flags wrote different files (%d and %d files)", f, len(trees[0]), len(trees[1]))
		}
	}
}

// TestGenerateLeavesNoPartialSet checks that Generate refuses an output
// holding one of its files before writing any, and that a failed run
// removes the files it completed.
func TestGenerateLeavesNoPartialSet(t *testing.T) {
	ctx := context.Background()
	out := t.TempDir()
	old := filepath.Join(out, "events", "part-00002.parquet")
	if err := storage.WriteFile(ctx, old, []byte("old")); err != nil {
		t.Fatal(err)
	}
	cfg := GenConfig{Events: 100, Users: 5, Tracks: 20, Files: 4, Format: fileio.Parquet, Seed: 1, Out: out}
	if _, err := Generate(ctx, cfg); err == nil || !strings.Contains(err.Error(), old+" already exists") {
		t.Errorf("got %v, want the existing file named", err)
	}
	if got, _ := filepath.Glob(filepath.Join(out, "*", "*")); len(got) != 1 {
		t.Errorf("the refused run left %v, want only %s", got, old)
	}

	// The catalogue's commit fails; the events' files completed go.
	storage.ResetMem("gen-fault")
	inner, _, err := storage.Resolve(ctx, "mem://gen-fault/")
	if err != nil {
		t.Fatal(err)
	}
	faultfs.Register("gen-fault", faultfs.Wrap(inner, faultfs.Rule{Op: faultfs.OpClose, Path: "/day/tracks/*"}))
	cfg.Out = "gen-fault://x/day"
	if _, err := Generate(ctx, cfg); !errors.Is(err, faultfs.ErrInjected) {
		t.Errorf("a failed commit: got %v, want the injected fault", err)
	}
	if left, _ := storage.Glob(ctx, "mem://gen-fault/day/*/*"); len(left) != 0 {
		t.Errorf("the failed run left %v", left)
	}
}
