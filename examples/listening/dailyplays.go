package listening

import (
	"cmp"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

// TopN is how many tracks top_tracks_by_country keeps per country.
const TopN = 10

// Outputs are the three datasets of the daily-plays job.
type Outputs struct {
	// PlaysByCountryTrack has one row per (country, track) played at least
	// once: the number of plays and the sum of their ms_played.
	PlaysByCountryTrack pcollection.PCollection[CountryTrackPlays]
	// ListenersByArtist has one row per artist played at least once: the
	// number of distinct users who played them.
	ListenersByArtist pcollection.PCollection[ArtistListeners]
	// TopTracksByCountry has up to TopN rows per country, ranked 1.. by plays,
	// ties broken by track_id ascending, with the catalogue's title.
	TopTracksByCountry pcollection.PCollection[TopTrack]
}

// CountryTrack is the key of plays_by_country_track.
type CountryTrack struct{ Country, TrackID string }

// ArtistUser is one (artist, listener) pair.
type ArtistUser struct{ ArtistID, UserID string }

// PlayTotals is the accumulator of plays per (country, track).
type PlayTotals struct{ Plays, MsPlayed int64 }

type playsAgg struct{}

func (playsAgg) Init() PlayTotals { return PlayTotals{} }
func (playsAgg) Add(a PlayTotals, ms int64) PlayTotals {
	return PlayTotals{Plays: a.Plays + 1, MsPlayed: a.MsPlayed + ms}
}
func (playsAgg) Merge(a, b PlayTotals) PlayTotals {
	return PlayTotals{Plays: a.Plays + b.Plays, MsPlayed: a.MsPlayed + b.MsPlayed}
}
func (playsAgg) Result(a PlayTotals) PlayTotals { return a }

// RankedPlay is a track's place in its country's top list, before the title
// is joined in.
type RankedPlay struct {
	Country string
	Rank    int32
	Plays   int64
}

// lessPlays orders (country, track) totals by plays, and by track_id
// descending among equal plays, so that the greatest come first with ties
// broken by track_id ascending. It is a total order within a country, which
// makes TopN deterministic.
func lessPlays(a, b CountryTrackPlays) bool {
	if a.Plays != b.Plays {
		return a.Plays < b.Plays
	}
	return a.TrackID > b.TrackID
}

// DailyPlays computes the three daily aggregates of events, with titles
// from tracks. Only plays count (IsPlay: not skipped, at least 30 s). The
// events are PlayEvents, Event's columns that the aggregates use, so that a
// job reads no others.
//
// Plan: plays are grouped by (country, track) with a lifted combiner summing
// plays and ms_played. Distinct listeners per artist are counted as
// Distinct over (artist, user) pairs followed by Count per artist: two
// shuffles, both combined on the map side, and no accumulator larger than a
// number. (DistinctCount would need one shuffle but holds every distinct
// listener of an artist in one accumulator, which for a popular artist is
// millions of user ids re-encoded at every merge.) The top list is an
// Aggregate with TopN over the per-(country, track) totals, keyed by
// country, so each map task keeps at most TopN candidates per country. The
// few hundred ranked rows then get their titles without loading the
// catalogue anywhere: the ranked rows are a side input of the tasks reading
// the catalogue, which keep the titles of ranked tracks only (a semi-join
// broadcasting the small side), and a cogroup of the ranked rows with those
// few titles writes the rows (a left join: tracks missing from the
// catalogue, or whose title there is null or empty, get a nil title; if
// the catalogue lists a track twice, the smallest title wins so that no
// rank is duplicated). Broadcasting the
// catalogue instead would load all of its titles into the last task: on a
// 1M-event day with a 100,000-track catalogue that took 15 ms longer on the
// local runner, on a 1,000-event day 16 ms. The price is a third stage,
// small (a scan of the catalogue and a shuffle of a few hundred records):
// nothing locally, and on the Hadoop runner it runs in the client unless
// the catalogue is larger than --client-stage-max.
func DailyPlays(events pcollection.PCollection[PlayEvent], tracks pcollection.PCollection[TrackTitle]) Outputs {
	plays := pcollection.Filter(events, PlayEvent.IsPlay, pcollection.Name("Plays"))

	// plays_by_country_track
	byCT := ptable.MapValues(
		ptable.ByKey(plays, func(e PlayEvent) CountryTrack { return CountryTrack{e.Country, e.TrackID} }, pcollection.Name("KeyByCountryTrack")),
		func(e PlayEvent) int64 { return e.MsPlayed }, pcollection.Name("MsPlayed"))
	totals := ptable.Aggregate(ptable.GroupByKey(byCT, pcollection.Name("GroupByCountryTrack")),
		ptable.Aggregator[int64, PlayTotals, PlayTotals](playsAgg{}), pcollection.Name("SumPlays"))
	perCT := pcollection.Map(totals, func(p ptable.Pair[CountryTrack, PlayTotals]) CountryTrackPlays {
		return CountryTrackPlays{Country: p.Key.Country, TrackID: p.Key.TrackID, Plays: p.Value.Plays, MsPlayed: p.Value.MsPlayed}
	}, pcollection.Name("PlaysByCountryTrack"))

	// listeners_by_artist
	pairs := pcollection.Map(plays, func(e PlayEvent) ArtistUser { return ArtistUser{e.ArtistID, e.UserID} }, pcollection.Name("ArtistUser"))
	distinct := ptable.Distinct(pairs, pcollection.Name("DistinctListeners"))
	artists := pcollection.Map(distinct, func(p ArtistUser) string { return p.ArtistID }, pcollection.Name("ListenerArtist"))
	listeners := pcollection.Map(ptable.Count(artists, pcollection.Name("CountListeners")), func(p ptable.Pair[string, int64]) ArtistListeners {
		return ArtistListeners{ArtistID: p.Key, Listeners: p.Value}
	}, pcollection.Name("ListenersByArtist"))

	// top_tracks_by_country
	byCountry := ptable.ByKey(perCT, func(r CountryTrackPlays) string { return r.Country }, pcollection.Name("KeyByCountry"))
	top := ptable.Aggregate(ptable.GroupByKey(byCountry, pcollection.Name("GroupByCountry")),
		ptable.TopN(TopN, lessPlays), pcollection.Name("TopTracks"))
	ranked := pcollection.FlatMap(top, func(p ptable.Pair[string, []CountryTrackPlays], emit func(ptable.Pair[string, RankedPlay])) {
		for i, r := range p.Value {
			emit(ptable.KV(r.TrackID, RankedPlay{Country: p.Key, Rank: int32(i + 1), Plays: r.Plays}))
		}
	}, pcollection.Name("Rank"))
	// Only the ranked tracks' titles are needed (see the plan above).
	wanted := pcollection.FlatMapWithSide(tracks, ranked, func(side []ptable.Pair[string, RankedPlay]) (func(TrackTitle, func(ptable.Pair[string, string])), error) {
		isRanked := make(map[string]bool, len(side))
		for _, r := range side {
			isRanked[r.Key] = true
		}
		return func(t TrackTitle, emit func(ptable.Pair[string, string])) {
			if t.Title != "" && isRanked[t.TrackID] {
				emit(ptable.KV(t.TrackID, t.Title))
			}
		}, nil
	}, pcollection.Name("RankedTitles"))
	joined := ptable.Cogroup(ranked, ptable.PTable[string, string](wanted), pcollection.Name("JoinTitles"))
	topTracks := pcollection.FlatMap(joined, func(p ptable.Pair[string, ptable.Cogrouped[RankedPlay, string]], emit func(TopTrack)) {
		var title *string
		for _, t := range p.Value.B {
			if title == nil || t < *title {
				title = &t
			}
		}
		for _, r := range p.Value.A {
			emit(TopTrack{Country: r.Country, Rank: r.Rank, TrackID: p.Key, Title: title, Plays: r.Plays})
		}
	}, pcollection.Name("TopTrackRows"))

	return Outputs{PlaysByCountryTrack: perCT, ListenersByArtist: listeners, TopTracksByCountry: topTracks}
}

// compareTop orders top_tracks_by_country rows by country, then rank.
func compareTop(a, b TopTrack) int {
	return cmp.Or(cmp.Compare(a.Country, b.Country), cmp.Compare(a.Rank, b.Rank))
}
