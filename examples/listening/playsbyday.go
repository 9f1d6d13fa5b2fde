package listening

import (
	"time"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/ptable"
)

// DayEvent is the projection of Event that plays-by-day reads. TS's tags
// declare milliseconds, as SessionEvent's do.
type DayEvent struct {
	TrackID  string `avro:"track_id" parquet:"track_id"`
	Country  string `avro:"country" parquet:"country"`
	MsPlayed int64  `avro:"ms_played" parquet:"ms_played"`
	TS       int64  `avro:"ts,timestamp-millis" parquet:"ts,timestamp(millisecond)"`
	Skipped  bool   `avro:"skipped" parquet:"skipped"`
}

// DayEvent returns e's DayEvent columns.
func (e Event) DayEvent() DayEvent {
	return DayEvent{TrackID: e.TrackID, Country: e.Country, MsPlayed: e.MsPlayed, TS: e.TS, Skipped: e.Skipped}
}

// DayPlays is a row of the plays-by-day table: the plays of a track in a
// country on a UTC day. The table is partitioned by Day (dt=2026-11-26
// directories), which its files leave out.
type DayPlays struct {
	Day      time.Time `avro:"dt" parquet:"dt"`
	Country  string    `avro:"country" parquet:"country"`
	TrackID  string    `avro:"track_id" parquet:"track_id"`
	Plays    int64     `avro:"plays" parquet:"plays"`
	MsPlayed int64     `avro:"ms_played" parquet:"ms_played"`
}

// DayPlaysPartition is the column plays-by-day partitions its table by.
const DayPlaysPartition = "dt"

// dayCountryTrack keys plays by UTC day (days since the epoch), country
// and track.
type dayCountryTrack struct {
	Day              int64
	Country, TrackID string
}

const msPerDay = int64(24 * time.Hour / time.Millisecond)

// PlaysByDay counts the plays (IsPlay) per UTC day of their start,
// country and track, with the sum of their ms_played.
func PlaysByDay(events pcollection.PCollection[DayEvent]) pcollection.PCollection[DayPlays] {
	plays := pcollection.Filter(events, func(e DayEvent) bool { return isPlay(e.Skipped, e.MsPlayed) }, pcollection.Name("Plays"))
	keyed := ptable.MapValues(
		ptable.ByKey(plays, func(e DayEvent) dayCountryTrack {
			// Floor division: a play before 1970 falls in its own day.
			day := e.TS / msPerDay
			if e.TS%msPerDay < 0 {
				day--
			}
			return dayCountryTrack{day, e.Country, e.TrackID}
		}, pcollection.Name("KeyByDayCountryTrack")),
		func(e DayEvent) int64 { return e.MsPlayed }, pcollection.Name("MsPlayed"))
	totals := ptable.Aggregate(ptable.GroupByKey(keyed, pcollection.Name("GroupByDayCountryTrack")),
		ptable.Aggregator[int64, PlayTotals, PlayTotals](playsAgg{}), pcollection.Name("SumPlays"))
	return pcollection.Map(totals, func(p ptable.Pair[dayCountryTrack, PlayTotals]) DayPlays {
		return DayPlays{Day: time.UnixMilli(p.Key.Day * msPerDay).UTC(), Country: p.Key.Country, TrackID: p.Key.TrackID, Plays: p.Value.Plays, MsPlayed: p.Value.MsPlayed}
	}, pcollection.Name("PlaysByDay"))
}

// CounterOutsideDay counts the events OnDay leaves out (group "listening").
const CounterOutsideDay = "events outside --day"

// OnDay keeps the events that start on UTC day day, counting the others
// (CounterOutsideDay). A daily run replacing its day's partition must not
// replace another day's with the few late events that strayed into its
// input, as a Spark job's WHERE dt = ... keeps it from doing.
func OnDay(events pcollection.PCollection[DayEvent], day time.Time) pcollection.PCollection[DayEvent] {
	from := day.UTC().Truncate(24 * time.Hour).UnixMilli()
	return pcollection.ParDo(events, &onDay{from: from, to: from + msPerDay}, pcollection.Name("OnDay"))
}

type onDay struct {
	from, to int64 // [from, to) in ms since the epoch
	outside  *plan.Counter
}

func (d *onDay) Setup(ctx *pcollection.Context) error {
	d.outside = ctx.Counter("listening", CounterOutsideDay)
	return nil
}

func (d *onDay) Process(e DayEvent, emit func(DayEvent)) error {
	if e.TS >= d.from && e.TS < d.to {
		emit(e)
	} else {
		d.outside.Inc(1)
	}
	return nil
}
