package listening

import (
	"fmt"
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
)

func ev(country, track, artist, user string, ms int64, skipped bool) Event {
	return Event{UserID: user, TrackID: track, ArtistID: artist, Country: country, MsPlayed: ms, TS: 1_764_115_200_000, Platform: "ios", Skipped: skipped}
}

func str(s string) *string { return &s }

// playEvents projects events to the columns the day jobs read.
func playEvents(events []Event) []PlayEvent {
	plays := make([]PlayEvent, len(events))
	for i, e := range events {
		plays[i] = e.PlayEvent()
	}
	return plays
}

// runDaily runs DailyPlays on events and tracks in memory, planned and
// unplanned, and checks that both agree before returning the outputs.
func runDaily(t *testing.T, events []Event, tracks []Track) ([]CountryTrackPlays, []ArtistListeners, []TopTrack) {
	t.Helper()
	type result struct {
		ct  []CountryTrackPlays
		al  []ArtistListeners
		top []TopTrack
	}
	var results []result
	for _, unoptimized := range []bool{false, true} {
		p := pcollection.NewPipeline("daily-plays")
		plays := playEvents(events)
		titles := make([]TrackTitle, len(tracks))
		for i, tr := range tracks {
			titles[i] = tr.TrackTitle()
		}
		out := DailyPlays(pcollection.Of(p, plays...), pcollection.Of(p, titles...))
		ct := pcollection.Materialize(out.PlaysByCountryTrack)
		al := pcollection.Materialize(out.ListenersByArtist)
		top := pcollection.Materialize(out.TopTracksByCountry)
		crunchtest.Run(t, p, func(o *runner.Options) { o.Unoptimized = unoptimized })
		results = append(results, result{crunchtest.Values(t, ct), crunchtest.Values(t, al), crunchtest.Values(t, top)})
	}
	a, b := results[0], results[1]
	if d := crunchtest.DiffUnordered(a.ct, b.ct) + crunchtest.DiffUnordered(a.al, b.al) + crunchtest.DiffUnordered(a.top, b.top); d != "" {
		t.Fatalf("planned and unoptimized runs differ:\n%s", d)
	}
	return a.ct, a.al, a.top
}

func TestDailyPlays(t *testing.T) {
	events := []Event{
		ev("SE", "t1", "a1", "u1", 40_000, false),
		ev("SE", "t1", "a1", "u2", 30_000, false), // exactly 30 s: a play
		ev("SE", "t1", "a1", "u1", 29_999, false), // too short
		ev("SE", "t2", "a2", "u1", 60_000, true),  // skipped
		ev("SE", "t2", "a2", "u3", 50_000, false),
		ev("SE", "t3", "a1", "u1", 35_000, false),
		ev("SE", "t3", "a1", "u2", 32_000, false),
		ev("DE", "t1", "a1", "u4", 100_000, false),
		ev("DE", "t9", "a9", "u4", 31_000, false), // t9 is not in the catalogue
		ev("DE", "t2", "a2", "u5", 45_000, false),
		ev("DE", "t4", "a2", "u5", 10_000, false), // too short: t4 never appears
	}
	tracks := []Track{
		{TrackID: "t1", ArtistID: "a1", Title: "One", DurationMs: 180_000, ReleaseYear: 2020},
		{TrackID: "t2", ArtistID: "a2", Title: "Two", DurationMs: 200_000, ReleaseYear: 2021},
		{TrackID: "t3", ArtistID: "a1", Title: "Three", DurationMs: 210_000, ReleaseYear: 2019},
		{TrackID: "t4", ArtistID: "a2", Title: "Four", DurationMs: 90_000, ReleaseYear: 2024},
		{TrackID: "t5", ArtistID: "a5", Title: "Never played", DurationMs: 1, ReleaseYear: 1999},
	}
	ct, al, top := runDaily(t, events, tracks)

	crunchtest.EqualUnordered(t, ct, []CountryTrackPlays{
		{"SE", "t1", 2, 70_000},
		{"SE", "t2", 1, 50_000},
		{"SE", "t3", 2, 67_000},
		{"DE", "t1", 1, 100_000},
		{"DE", "t9", 1, 31_000},
		{"DE", "t2", 1, 45_000},
	})
	// a1: u1, u2 (SE), u4 (DE); a2: u3 (u1 skipped), u5; a9: u4.
	crunchtest.EqualUnordered(t, al, []ArtistListeners{{"a1", 3}, {"a2", 2}, {"a9", 1}})
	crunchtest.EqualUnordered(t, top, []TopTrack{
		{Country: "SE", Rank: 1, TrackID: "t1", Title: str("One"), Plays: 2}, // ties with t3 at 2 plays: t1 < t3
		{Country: "SE", Rank: 2, TrackID: "t3", Title: str("Three"), Plays: 2},
		{Country: "SE", Rank: 3, TrackID: "t2", Title: str("Two"), Plays: 1},
		{Country: "DE", Rank: 1, TrackID: "t1", Title: str("One"), Plays: 1},
		{Country: "DE", Rank: 2, TrackID: "t2", Title: str("Two"), Plays: 1},
		{Country: "DE", Rank: 3, TrackID: "t9", Title: nil, Plays: 1},
	})
}

// TestDailyPlaysTopCut checks the cut at TopN with ties at the boundary, and
// that a catalogue listing a track twice does not duplicate its rank.
func TestDailyPlaysTopCut(t *testing.T) {
	var events []Event
	var tracks []Track
	// f01..f12 have one play each, f12 has three: the top 10 is f12, then
	// f01..f09 by track_id; f10 and f11 tie with them and are cut.
	for i := 1; i <= 12; i++ {
		id := fmt.Sprintf("f%02d", i)
		n := 1
		if i == 12 {
			n = 3
		}
		for j := range n {
			events = append(events, ev("FR", id, "a", fmt.Sprintf("u%d", j), 60_000, false))
		}
		tracks = append(tracks, Track{TrackID: id, Title: "Title " + id})
	}
	tracks = append(tracks, Track{TrackID: "f12", Title: "Another title f12"})
	_, al, top := runDaily(t, events, tracks)

	want := []TopTrack{{Country: "FR", Rank: 1, TrackID: "f12", Title: str("Another title f12"), Plays: 3}}
	for i := 1; i <= 9; i++ {
		id := fmt.Sprintf("f%02d", i)
		want = append(want, TopTrack{Country: "FR", Rank: int32(i + 1), TrackID: id, Title: str("Title " + id), Plays: 1})
	}
	crunchtest.EqualUnordered(t, top, want)
	crunchtest.EqualUnordered(t, al, []ArtistListeners{{"a", 3}})
}

func TestDailyPlaysEmpty(t *testing.T) {
	ct, al, top := runDaily(t, []Event{ev("SE", "t1", "a1", "u1", 1000, false)}, nil)
	if len(ct)+len(al)+len(top) != 0 {
		t.Errorf("got %v, %v, %v; want no rows", ct, al, top)
	}
}
