package listening

import (
	"iter"
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
// and whether it was a play, sorted by ts within each user (a secondary
// sort, ptable.ReduceSorted), so the reducer walks a user's events as they
// stream from the shuffle: a user's events need not fit in memory. Events
// of one user with equal ts may come in any order; the sessions are the
// same.
func Sessions(events pcollection.PCollection[SessionEvent], gap time.Duration) pcollection.PCollection[Session] {
	byUser := ptable.MapValues(
		ptable.ByKey(events, func(e SessionEvent) string { return e.UserID }, pcollection.Name("KeyByUser")),
		func(e SessionEvent) ptable.Pair[int64, Listen] {
			return ptable.KV(e.TS, Listen{TS: e.TS, MsPlayed: e.MsPlayed, TrackID: e.TrackID, Play: isPlay(e.Skipped, e.MsPlayed)})
		},
		pcollection.Name("Listen"))
	gapMs := gap.Milliseconds()
	return ptable.ReduceSorted(byUser, func(user string, ls iter.Seq[ptable.Pair[int64, Listen]], emit func(Session)) error {
		sessionize(user, ls, gapMs, emit)
		return nil
	}, pcollection.Name("Sessionize"))
}

// sessionize emits the sessions of one user's listens, which arrive in
// order of ts.
func sessionize(user string, ls iter.Seq[ptable.Pair[int64, Listen]], gapMs int64, emit func(Session)) {
	var s Session
	tracks := map[string]struct{}{}
	flush := func() {
		s.Tracks = int64(len(tracks))
		emit(s)
		clear(tracks)
	}
	first := true
	for p := range ls {
		l := p.Value
		switch {
		case first:
			s = Session{UserID: user}
			first = false
		case l.TS-s.End > gapMs:
			flush()
			s = Session{UserID: user, Index: s.Index + 1}
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
	if !first {
		flush()
	}
}
