package main

import (
	"cmp"
	"context"
	"fmt"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/examples/listening"
	"github.com/crunchgo/crunchgo/fileio"
)

// answer is the three datasets of one contender, sorted.
type answer struct {
	ct  []listening.CountryTrackPlays
	al  []listening.ArtistListeners
	top []listening.TopTrack
}

func readAnswer(ctx context.Context, patterns [3]string) (answer, error) {
	var a answer
	err := cmp.Or(
		fileio.ScanFiles(ctx, patterns[0], func(r listening.CountryTrackPlays) { a.ct = append(a.ct, r) }),
		fileio.ScanFiles(ctx, patterns[1], func(r listening.ArtistListeners) { a.al = append(a.al, r) }),
		fileio.ScanFiles(ctx, patterns[2], func(r listening.TopTrack) { a.top = append(a.top, r) }))
	return a, err
}

func (a answer) diff(b answer) string {
	for _, d := range []struct{ name, diff string }{
		{"plays_by_country_track", crunchtest.DiffUnordered(a.ct, b.ct)},
		{"listeners_by_artist", crunchtest.DiffUnordered(a.al, b.al)},
		{"top_tracks_by_country", crunchtest.DiffUnordered(a.top, b.top)},
	} {
		if d.diff != "" {
			return fmt.Sprintf("%s:\n%s", d.name, d.diff)
		}
	}
	return ""
}

func (a answer) summary() string {
	var plays int64
	for _, r := range a.ct {
		plays += r.Plays
	}
	nulls := 0
	countries := map[string]bool{}
	for _, r := range a.top {
		countries[r.Country] = true
		if r.Title == nil {
			nulls++
		}
	}
	return fmt.Sprintf("%d (country, track) rows holding %d plays, %d artists, %d top rows over %d countries (%d without a title)",
		len(a.ct), plays, len(a.al), len(a.top), len(countries), nulls)
}
