package listening_test

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/crunchgo/crunchgo/examples/listening"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

func ExampleDailyPlays() {
	p := pcollection.NewPipeline("daily-plays")
	events := pcollection.Of(p,
		listening.PlayEvent{UserID: "u1", TrackID: "t1", ArtistID: "a1", Country: "SE", MsPlayed: 200_000},
		listening.PlayEvent{UserID: "u2", TrackID: "t1", ArtistID: "a1", Country: "SE", MsPlayed: 45_000},
		listening.PlayEvent{UserID: "u2", TrackID: "t2", ArtistID: "a1", Country: "SE", MsPlayed: 60_000},
		listening.PlayEvent{UserID: "u3", TrackID: "t2", ArtistID: "a1", Country: "SE", MsPlayed: 5_000},                 // too short
		listening.PlayEvent{UserID: "u3", TrackID: "t3", ArtistID: "a2", Country: "NO", MsPlayed: 90_000, Skipped: true}, // skipped
	)
	tracks := pcollection.Of(p, listening.TrackTitle{TrackID: "t1", Title: "One"})
	out := listening.DailyPlays(events, tracks)
	top := pcollection.Materialize(out.TopTracksByCountry)
	listeners := pcollection.Materialize(out.ListenersByArtist)
	if _, err := mem.Run(context.Background(), p, runner.Options{}); err != nil {
		panic(err)
	}
	rows, _ := top.Values()
	slices.SortFunc(rows, func(a, b listening.TopTrack) int { return int(a.Rank - b.Rank) })
	for _, r := range rows {
		title := "<not in the catalogue>"
		if r.Title != nil {
			title = *r.Title
		}
		fmt.Println(r.Country, r.Rank, r.TrackID, title, r.Plays)
	}
	ls, _ := listeners.Values()
	fmt.Println(strings.Trim(fmt.Sprint(ls), "[]"))
	// Output:
	// SE 1 t1 One 2
	// SE 2 t2 <not in the catalogue> 1
	// {a1 2}
}
