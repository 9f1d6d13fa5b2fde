package listening

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"runtime"
	"sync"
	"time"

	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/storage"
)

// GenConfig describes a generated listening log.
type GenConfig struct {
	Events int64 // number of events
	Users  int   // distinct users who may appear
	Tracks int   // tracks in the catalogue (and that may be played)
	Seed   int64
	Format fileio.Format
	Files  int    // event files, written in parallel
	Out    string // directory URL: events go to Out/events, the catalogue to Out/tracks
	// Uncatalogued is the fraction of tracks left out of the catalogue
	// (0.01 if zero).
	Uncatalogued float64
	// Day is the start of the day the events fall in (UTC midnight of
	// 2026-11-26 if zero).
	Day time.Time
}

// GenResult says what Generate wrote.
type GenResult struct {
	EventsDir, TracksDir string
	Events               int64
	Tracks               int // catalogue rows (about 1% of tracks are left out)
}

// DefaultDay is the day generated events fall in unless GenConfig.Day is set.
var DefaultDay = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// Countries are the countries of generated users, most popular first.
var Countries = []string{"US", "BR", "GB", "DE", "MX", "FR", "SE", "ES", "IT", "NL", "CA", "AU",
	"PL", "JP", "AR", "IN", "ID", "TR", "NO", "DK", "FI", "CL", "CO", "PH"}

var platforms = []struct {
	name   string
	weight int
}{{"ios", 35}, {"android", 35}, {"desktop", 15}, {"web", 10}, {"speaker", 5}}

var (
	adjectives = []string{"Blue", "Silent", "Electric", "Golden", "Broken", "Midnight", "Wild", "Paper", "Neon", "Quiet",
		"Burning", "Frozen", "Velvet", "Hollow", "Crystal", "Lonely", "Summer", "Northern", "Restless", "Second"}
	nouns = []string{"Heart", "River", "Sky", "Highway", "Garden", "Mirror", "Dream", "Fire", "Ocean", "Letter",
		"Machine", "Shadow", "Kingdom", "Rain", "Signal", "Island", "Echo", "Crown", "Engine", "Season"}
)

// world is the fixed part of a generated log: who lives where, which artist
// made which track, and each country's local taste.
type world struct {
	cfg          GenConfig
	userIDs      []string
	userCountry  []int
	userWindows  [][windows]window // when in the day each user listens
	trackIDs     []string
	trackArtist  []string
	trackDur     []int64
	inCatalogue  []bool
	countryShift []int
	platformCDF  []int
}

func newWorld(cfg GenConfig) *world {
	r := rand.New(rand.NewSource(cfg.Seed))
	w := &world{cfg: cfg}
	countryZipf := rand.NewZipf(r, 1.3, 1, uint64(len(Countries)-1))
	w.userIDs = make([]string, cfg.Users)
	w.userCountry = make([]int, cfg.Users)
	w.userWindows = make([][windows]window, cfg.Users)
	for u := range cfg.Users {
		w.userIDs[u] = fmt.Sprintf("u%07d", u)
		w.userCountry[u] = int(countryZipf.Uint64())
		for k := range windows {
			length := int64(20+r.Intn(160)) * 60_000 // 20 minutes to 3 hours
			w.userWindows[u][k] = window{start: r.Int63n(86_400_000 - length), length: length}
		}
	}
	artists := max(1, cfg.Tracks/10)
	artistZipf := rand.NewZipf(r, 1.1, 5, uint64(artists-1))
	w.trackIDs = make([]string, cfg.Tracks)
	w.trackArtist = make([]string, cfg.Tracks)
	w.trackDur = make([]int64, cfg.Tracks)
	w.inCatalogue = make([]bool, cfg.Tracks)
	for t := range cfg.Tracks {
		w.trackIDs[t] = fmt.Sprintf("t%07d", t)
		w.trackArtist[t] = fmt.Sprintf("a%06d", artistZipf.Uint64())
		w.trackDur[t] = 90_000 + r.Int63n(330_000)
		w.inCatalogue[t] = r.Float64() >= cfg.Uncatalogued
	}
	w.countryShift = make([]int, len(Countries))
	for c := range w.countryShift {
		w.countryShift[c] = r.Intn(cfg.Tracks)
	}
	total := 0
	for _, p := range platforms {
		total += p.weight
		w.platformCDF = append(w.platformCDF, total)
	}
	return w
}

// windows is the number of listening windows a user has in a day.
const windows = 3

// window is a stretch of the day, in milliseconds from its start.
type window struct{ start, length int64 }

// events generates file f's share of the events.
func (w *world) events(f int) func(yield func(Event) bool) {
	cfg := w.cfg
	lo, hi := cfg.Events*int64(f)/int64(cfg.Files), cfg.Events*int64(f+1)/int64(cfg.Files)
	return func(yield func(Event) bool) {
		r := rand.New(rand.NewSource(cfg.Seed*1_000_003 + int64(f) + 1))
		users := rand.NewZipf(r, 1.1, float64(max(1, cfg.Users/2000)), uint64(cfg.Users-1))
		tracks := rand.NewZipf(r, 1.2, 2, uint64(cfg.Tracks-1))
		countries := rand.NewZipf(r, 1.3, 1, uint64(len(Countries)-1))
		day := cfg.Day.UnixMilli()
		for range hi - lo {
			u := int(users.Uint64())
			c := w.userCountry[u]
			if r.Intn(50) == 0 { // travelling
				c = int(countries.Uint64())
			}
			t := int(tracks.Uint64())
			if r.Intn(2) == 0 { // local taste
				t = (t + w.countryShift[c]) % cfg.Tracks
			}
			win := w.userWindows[u][r.Intn(windows)]
			e := Event{UserID: w.userIDs[u], TrackID: w.trackIDs[t], ArtistID: w.trackArtist[t], Country: Countries[c],
				TS: day + win.start + r.Int63n(win.length)}
			switch x := r.Intn(100); {
			case x < 20:
				e.Skipped, e.MsPlayed = true, 500+r.Int63n(29_500)
			case x < 28:
				e.MsPlayed = 1_000 + r.Int63n(29_000)
			default:
				e.MsPlayed = MinPlayMs + r.Int63n(w.trackDur[t]-MinPlayMs+1)
			}
			x := r.Intn(w.platformCDF[len(w.platformCDF)-1])
			for i, limit := range w.platformCDF {
				if x < limit {
					e.Platform = platforms[i].name
					break
				}
			}
			if !yield(e) {
				return
			}
		}
	}
}

func (w *world) catalogue(yield func(Track) bool) {
	r := rand.New(rand.NewSource(w.cfg.Seed*7_919 + 17))
	for t, id := range w.trackIDs {
		year := int32(2026 - r.Intn(30)*r.Intn(3)) // recent years most likely
		title := adjectives[r.Intn(len(adjectives))] + " " + nouns[r.Intn(len(nouns))]
		if !w.inCatalogue[t] {
			continue
		}
		if !yield(Track{TrackID: id, ArtistID: w.trackArtist[t], Title: title, DurationMs: w.trackDur[t], ReleaseYear: year}) {
			return
		}
	}
}

// Generate writes a deterministic listening log: cfg.Events events over
// one day in cfg.Files files under cfg.Out/events, and the catalogue in
// cfg.Out/tracks. Users, tracks and countries have Zipf-like popularity;
// each country mixes global hits with tracks of its own taste; each user
// listens in three windows of the day (20 minutes to 3 hours long, at
// random times), so that sessions have a shape; 20% of events are skips and
// 8% more are shorter than a play; 1% of tracks (or cfg.Uncatalogued) are
// missing from the catalogue. The same config always gives the same rows in
// the same files; each file draws its events from a random stream of its
// own, so another cfg.Files gives another day (the catalogue stays the
// same). No file may exist already. Files are written in parallel and
// each appears only when complete; after an error, those already completed
// are removed, so that a failed run leaves no partial data set.
func Generate(ctx context.Context, cfg GenConfig) (*GenResult, error) {
	switch {
	case cfg.Events < 0 || cfg.Users < 1 || cfg.Tracks < 1 || cfg.Files < 1:
		return nil, fmt.Errorf("generate: need events >= 0 and at least one user, track and file (got %d, %d, %d, %d)",
			cfg.Events, cfg.Users, cfg.Tracks, cfg.Files)
	case cfg.Format != fileio.Avro && cfg.Format != fileio.Parquet:
		return nil, fmt.Errorf("generate: unknown format %q", cfg.Format)
	case cfg.Out == "":
		return nil, fmt.Errorf("generate: no output directory")
	}
	if cfg.Uncatalogued == 0 {
		cfg.Uncatalogued = 0.01
	}
	if cfg.Day.IsZero() {
		cfg.Day = DefaultDay
	}
	w := newWorld(cfg)
	res := &GenResult{EventsDir: storage.Join(cfg.Out, "events"), TracksDir: storage.Join(cfg.Out, "tracks"), Events: cfg.Events}
	paths := make([]string, cfg.Files+1) // the events' files, then the catalogue
	for f := range cfg.Files {
		paths[f] = storage.Join(res.EventsDir, fmt.Sprintf("part-%05d%s", f, cfg.Format.Ext()))
	}
	paths[cfg.Files] = storage.Join(res.TracksDir, "part-00000"+cfg.Format.Ext())
	for _, p := range paths {
		if _, err := storage.Stat(ctx, p); err == nil {
			return nil, fmt.Errorf("generate: %s already exists: give a new or empty --out", p)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	errs := make([]error, cfg.Files+1)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), cfg.Files+1) {
		wg.Go(func() {
			for f := range jobs {
				var err error
				if f == cfg.Files {
					err = fileio.WriteFile(ctx, paths[f], func(yield func(Track) bool) {
						w.catalogue(func(t Track) bool { res.Tracks++; return yield(t) })
					})
				} else {
					err = fileio.WriteFile(ctx, paths[f], w.events(f))
				}
				if err != nil {
					errs[f] = err
					cancel()
				}
			}
		})
	}
	for f := range cfg.Files + 1 {
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	var first error // the cause: the others were cancelled because of it
	for _, err := range errs {
		if err != nil && (first == nil || errors.Is(first, context.Canceled) && !errors.Is(err, context.Canceled)) {
			first = err
		}
	}
	if first != nil {
		for f, p := range paths {
			if errs[f] == nil {
				storage.Remove(context.WithoutCancel(ctx), p) // completed
			}
		}
		return nil, fmt.Errorf("generate: %w", first)
	}
	return res, nil
}
