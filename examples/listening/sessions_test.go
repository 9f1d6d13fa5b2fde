package listening

import (
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/pcollection"
)

func TestSessions(t *testing.T) {
	const min = 60_000 // ms
	at := func(user, track string, minute, msPlayed int64, skipped bool) Event {
		return Event{UserID: user, TrackID: track, TS: minute * min, MsPlayed: msPlayed, Skipped: skipped}
	}
	events := []Event{
		// u1, out of order on purpose. Session 0: minutes 0..10 (a 10-minute
		// listen at 0), 40 starts exactly 30 minutes after 10: same session,
		// ends at 41. Session 1: 72 (31 minutes after 41) alone.
		at("u1", "t2", 40, 1*min, false),
		at("u1", "t1", 0, 10*min, false),
		at("u1", "t9", 72, 5_000, true),
		at("u1", "t1", 5, 20_000, false), // inside the first listen; too short to be a play
		// u2: one event.
		at("u2", "t3", 1000, 45_000, false),
	}
	p := pcollection.NewPipeline("sessions")
	in := make([]SessionEvent, len(events))
	for i, e := range events {
		in[i] = e.SessionEvent()
	}
	got := pcollection.Materialize(Sessions(pcollection.Of(p, in...), 30*time.Minute))
	crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), []Session{
		{UserID: "u1", Index: 0, Start: 0, End: 41 * min, Events: 3, Plays: 2, MsPlayed: 11*min + 20_000, Tracks: 2},
		{UserID: "u1", Index: 1, Start: 72 * min, End: 72*min + 5_000, Events: 1, Plays: 0, MsPlayed: 5_000, Tracks: 1},
		{UserID: "u2", Index: 0, Start: 1000 * min, End: 1000*min + 45_000, Events: 1, Plays: 1, MsPlayed: 45_000, Tracks: 1},
	})
}
