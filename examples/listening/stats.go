package listening

import (
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

// The datasets play-stats writes under its output directory.
const (
	ListeningByCountryDir = "listening_by_country"
	UncataloguedTracksDir = "uncatalogued_tracks"
)

// CountryListening is a row of listening_by_country: how many plays a
// country had and how long they lasted, at three percentiles (estimates
// within ptable.QuantileRelativeAccuracy).
type CountryListening struct {
	Country string  `avro:"country" parquet:"country"`
	Plays   int64   `avro:"plays" parquet:"plays"`
	P50Ms   float64 `avro:"p50_ms" parquet:"p50_ms"`
	P90Ms   float64 `avro:"p90_ms" parquet:"p90_ms"`
	P99Ms   float64 `avro:"p99_ms" parquet:"p99_ms"`
}

// TrackPlays is a row of uncatalogued_tracks: a played track the catalogue
// lacks, and its plays.
type TrackPlays struct {
	TrackID string `avro:"track_id" parquet:"track_id"`
	Plays   int64  `avro:"plays" parquet:"plays"`
}

// CatalogueID is the projection of Track that play-stats reads: its key.
type CatalogueID struct {
	TrackID string `avro:"track_id" parquet:"track_id"`
}

// StatsOutputs are play-stats' two datasets.
type StatsOutputs struct {
	ListeningByCountry pcollection.PCollection[CountryListening]
	UncataloguedTracks pcollection.PCollection[TrackPlays]
}

// PlayStats computes, over the plays among events (IsPlay), the length of
// plays per country and the plays of tracks the catalogue lacks (whose
// titles daily-plays leaves null).
//
// Plan: two stages. The first reads the events once for two shuffles:
// lengths into a quantile sketch per country, combined map-side
// (ptable.ApproxQuantiles), and plays counted per track, combined map-side.
// The second anti-joins those counts with the catalogue's track IDs: its
// shuffle sorts a track's catalogue rows before its count, so the reducer
// writes only the counts of absent tracks.
func PlayStats(events pcollection.PCollection[PlayEvent], catalogue pcollection.PCollection[CatalogueID]) StatsOutputs {
	plays := pcollection.Filter(events, PlayEvent.IsPlay, pcollection.Name("Plays"))

	lengths := ptable.MapValues(ptable.ByKey(plays, func(e PlayEvent) string { return e.Country }, pcollection.Name("KeyByCountry")),
		func(e PlayEvent) int64 { return e.MsPlayed }, pcollection.Name("MsPlayed"))
	byCountry := ptable.Aggregate(ptable.GroupByKey(lengths, pcollection.Name("GroupByCountry")), listeningAgg{}, pcollection.Name("Percentiles"))
	listening := pcollection.Map(byCountry, func(p ptable.Pair[string, CountryListening]) CountryListening {
		p.Value.Country = p.Key
		return p.Value
	}, pcollection.Name("ListeningRows"))

	perTrack := ptable.Count(pcollection.Map(plays, func(e PlayEvent) string { return e.TrackID }, pcollection.Name("TrackOfPlay")),
		pcollection.Name("PlaysPerTrack"))
	catalogued := ptable.ByKey(catalogue, func(c CatalogueID) string { return c.TrackID }, pcollection.Name("KeyByTrack"))
	missing := ptable.AntiJoin(perTrack, catalogued, pcollection.Name("NotInCatalogue"))
	uncatalogued := pcollection.Map(missing, func(p ptable.Pair[string, int64]) TrackPlays {
		return TrackPlays{TrackID: p.Key, Plays: p.Value}
	}, pcollection.Name("UncataloguedRows"))
	return StatsOutputs{ListeningByCountry: listening, UncataloguedTracks: uncatalogued}
}

// listeningPercentiles are the quantiles of listening_by_country.
var listeningPercentiles = ptable.ApproxQuantiles[int64](0.5, 0.9, 0.99)

// listeningAgg is ApproxQuantiles with the play count, which the sketch
// keeps exactly, beside the percentiles.
type listeningAgg struct{}

func (listeningAgg) Init() ptable.QuantileSketch { return listeningPercentiles.Init() }
func (listeningAgg) Add(s ptable.QuantileSketch, ms int64) ptable.QuantileSketch {
	return listeningPercentiles.Add(s, ms)
}
func (listeningAgg) Merge(a, b ptable.QuantileSketch) ptable.QuantileSketch {
	return listeningPercentiles.Merge(a, b)
}
func (listeningAgg) Result(s ptable.QuantileSketch) CountryListening {
	q := listeningPercentiles.Result(s)
	return CountryListening{Plays: s.Count(), P50Ms: q[0], P90Ms: q[1], P99Ms: q[2]}
}
