package listening

import (
	"cmp"
	"iter"
	"slices"
	"time"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

// SessionGap is how long a user must go without listening for their next
// event to start a new session.
const SessionGap = 30 * time.Minute

// Listen is the part of an event that sessionization shuffles.
type Listen struct {
	TS, MsPlayed int64
	TrackID      string
	Play         bool
}

// Sessions groups each user's events into sessions: sorted by ts, an event
// starts a new session when it begins more than gap after the end
// (ts + ms_played) of every earlier event of the user. Every event counts as
// listening, skipped or not.
//
// Plan: one shuffle keyed by user_id carrying only ts, ms_played, track_id
// and whether it was a play; the grouped reduce sorts one user's events in
// memory (the shuffle orders keys, not values, so there is no secondary
// sort) and walks them. One user's day of events must fit in memory, which
// for a listening log is a few thousand small records at most.
func Sessions(events pcollection.PCollection[Event], gap time.Duration) pcollection.PCollection[Session] {
	byUser := ptable.MapValues(
		ptable.ByKey(events, func(e Event) string { return e.UserID }, pcollection.Name("KeyByUser")),
		func(e Event) Listen {
			return Listen{TS: e.TS, MsPlayed: e.MsPlayed, TrackID: e.TrackID, Play: IsPlay(e)}
		},
		pcollection.Name("Listen"))
	gapMs := gap.Milliseconds()
	return ptable.Reduce(ptable.GroupByKey(byUser, pcollection.Name("GroupByUser")),
		func(user string, vs iter.Seq[Listen], emit func(Session)) error {
			sessionize(user, slices.Collect(vs), gapMs, emit)
			return nil
		}, pcollection.Name("Sessionize"))
}

// sessionize emits the sessions of one user's listens, which it sorts.
func sessionize(user string, ls []Listen, gapMs int64, emit func(Session)) {
	slices.SortFunc(ls, func(a, b Listen) int {
		return cmp.Or(cmp.Compare(a.TS, b.TS), cmp.Compare(a.TrackID, b.TrackID), cmp.Compare(a.MsPlayed, b.MsPlayed))
	})
	var s Session
	tracks := map[string]struct{}{}
	flush := func() {
		s.Tracks = int64(len(tracks))
		emit(s)
		clear(tracks)
	}
	for i, l := range ls {
		if i > 0 && l.TS-s.End > gapMs {
			flush()
			s = Session{UserID: user, Index: s.Index + 1}
		}
		if i == 0 {
			s = Session{UserID: user}
		}
		if s.Events == 0 {
			s.Start, s.End = l.TS, l.TS
		}
		s.Events++
		s.End = max(s.End, l.TS+l.MsPlayed)
		s.MsPlayed += l.MsPlayed
		if l.Play {
			s.Plays++
		}
		tracks[l.TrackID] = struct{}{}
	}
	if len(ls) > 0 {
		flush()
	}
}
