package listening

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
)

// The datasets daily-plays writes under its output directory.
const (
	PlaysByCountryTrackDir = "plays_by_country_track"
	ListenersByArtistDir   = "listeners_by_artist"
	TopTracksByCountryDir  = "top_tracks_by_country"
)

// DayArgs are the flags of the jobs over a day's events and the catalogue:
// daily-plays and play-stats.
type DayArgs struct {
	Events       string `flag:"events" required:"true" help:"listening events: an .avro or .parquet file, a directory of them or a glob (any storage URL)"`
	Tracks       string `flag:"tracks" required:"true" help:"track catalogue: an .avro or .parquet file, a directory of them or a glob"`
	Output       string `flag:"output" required:"true" help:"output directory; the job's datasets are written under it"`
	OutputFormat string `flag:"output-format" default:"parquet" help:"format of the outputs: parquet or avro"`
}

// readDay reads a's events as E and its catalogue with readTracks, and
// parses its output format. The strings of both inputs only pass through
// the jobs (keyed, encoded into shuffle records and dropped, or kept for a
// few ranked tracks), so a batch's strings may share memory.
func readDay[E, T any](p *pcollection.Pipeline, a *DayArgs, readTracks func(ctx context.Context, p *pcollection.Pipeline, pattern string) (pcollection.PCollection[T], error)) (pcollection.PCollection[E], pcollection.PCollection[T], fileio.Format, error) {
	var events pcollection.PCollection[E]
	var tracks pcollection.PCollection[T]
	format, err := fileio.ParseFormat(a.OutputFormat)
	if err != nil {
		return events, tracks, format, runner.InvalidArgs(fmt.Errorf("--output-format: %w", err))
	}
	ctx := context.Background()
	if events, err = fileio.Read[E](ctx, p, a.Events, parquetio.SharedStrings()); err != nil {
		return events, tracks, format, fmt.Errorf("--events: %w", err)
	}
	if tracks, err = readTracks(ctx, p, a.Tracks); err != nil {
		return events, tracks, format, fmt.Errorf("--tracks: %w", err)
	}
	return events, tracks, format, nil
}

// readAs reads files of T with fileio.Read.
func readAs[T any](ctx context.Context, p *pcollection.Pipeline, pattern string) (pcollection.PCollection[T], error) {
	return fileio.Read[T](ctx, p, pattern, parquetio.SharedStrings())
}

// readTitles reads a catalogue's TrackTitle columns. A null title reads as
// "" (no title) from either format: a Parquet catalogue's through
// TrackTitle's optional title column, an Avro one's through a pointer,
// the only Go field an Avro null can be read into.
func readTitles(ctx context.Context, p *pcollection.Pipeline, pattern string) (pcollection.PCollection[TrackTitle], error) {
	f, err := fileio.FormatOf(ctx, pattern)
	if err != nil {
		return pcollection.PCollection[TrackTitle]{}, err
	}
	if f == fileio.Parquet {
		return parquetio.TryRead[TrackTitle](p, pattern, parquetio.SharedStrings(), parquetio.Require("title"))
	}
	type avroTitle struct {
		TrackID string  `avro:"track_id"`
		Title   *string `avro:"title"`
	}
	rows, err := avroio.TryRead[avroTitle](p, pattern, avroio.RequireFields("title"))
	if err != nil {
		return pcollection.PCollection[TrackTitle]{}, err
	}
	return pcollection.Map(rows, func(r avroTitle) TrackTitle {
		t := TrackTitle{TrackID: r.TrackID}
		if r.Title != nil {
			t.Title = *r.Title
		}
		return t
	}, pcollection.Name("NullTitleAsNone")), nil
}

// DailyPlaysJob is the registered daily-plays job.
var DailyPlaysJob = runner.Register("daily-plays",
	"plays per country and track, distinct listeners per artist, top 10 tracks per country",
	func(p *pcollection.Pipeline, a *DayArgs) error {
		events, tracks, format, err := readDay[PlayEvent](p, a, readTitles)
		if err != nil {
			return err
		}
		out := DailyPlays(events, tracks)
		return errors.Join(
			fileio.Write(out.PlaysByCountryTrack, storage.Join(a.Output, PlaysByCountryTrackDir), format),
			fileio.Write(out.ListenersByArtist, storage.Join(a.Output, ListenersByArtistDir), format),
			fileio.Write(out.TopTracksByCountry, storage.Join(a.Output, TopTracksByCountryDir), format))
	})

// PlayStatsJob is the registered play-stats job.
var PlayStatsJob = runner.Register("play-stats",
	"play lengths per country (plays, median, 90th and 99th percentiles) and plays of tracks missing from the catalogue",
	func(p *pcollection.Pipeline, a *DayArgs) error {
		events, catalogue, format, err := readDay[PlayEvent](p, a, readAs[CatalogueID])
		if err != nil {
			return err
		}
		out := PlayStats(events, catalogue)
		return errors.Join(
			fileio.Write(out.ListeningByCountry, storage.Join(a.Output, ListeningByCountryDir), format),
			fileio.Write(out.UncataloguedTracks, storage.Join(a.Output, UncataloguedTracksDir), format))
	})

// PlaysByDayArgs are the flags of the plays-by-day job.
type PlaysByDayArgs struct {
	Events       string `flag:"events" required:"true" help:"listening events: an .avro or .parquet file, a directory of them or a glob (any storage URL)"`
	Output       string `flag:"output" required:"true" help:"the table's directory: its partitions are dt=YYYY-MM-DD subdirectories"`
	OutputFormat string `flag:"output-format" default:"parquet" help:"format of the table: parquet or avro"`
	Day          string `flag:"day" help:"count only the events that start on this UTC day, YYYY-MM-DD, so that the run writes that day's partition alone (the others count as listening/events outside --day); default: every day the events cover"`
}

// PlaysByDayJob is the registered plays-by-day job.
var PlaysByDayJob = runner.Register("plays-by-day",
	"plays per day, country and track, into a table partitioned by day (dt=YYYY-MM-DD): --write-mode overwrite-partitions replaces the days a run covers and keeps the others",
	func(p *pcollection.Pipeline, a *PlaysByDayArgs) error {
		format, err := fileio.ParseFormat(a.OutputFormat)
		if err != nil {
			return runner.InvalidArgs(fmt.Errorf("--output-format: %w", err))
		}
		var day time.Time
		if a.Day != "" {
			if day, err = time.Parse(time.DateOnly, a.Day); err != nil {
				return runner.InvalidArgs(fmt.Errorf("--day %q: want a date, YYYY-MM-DD", a.Day))
			}
		}
		events, err := fileio.Read[DayEvent](context.Background(), p, a.Events, parquetio.SharedStrings())
		if err != nil {
			return fmt.Errorf("--events: %w", err)
		}
		if a.Day != "" {
			events = OnDay(events, day)
		}
		return fileio.Write(PlaysByDay(events), a.Output, format, fileio.PartitionBy(DayPlaysPartition))
	})

// SessionsArgs are the flags of the sessions job.
type SessionsArgs struct {
	Events       string        `flag:"events" required:"true" help:"listening events: an .avro or .parquet file, a directory of them or a glob"`
	Output       string        `flag:"output" required:"true" help:"output directory of the sessions"`
	OutputFormat string        `flag:"output-format" default:"parquet" help:"format of the output: parquet or avro"`
	Gap          time.Duration `flag:"gap" default:"30m" help:"a user's next event starts a new session when it begins more than this long after the end of their listening so far (every event counts, skipped or not)"`
}

// SessionsJob is the registered sessions job.
var SessionsJob = runner.Register("sessions",
	"listening sessions per user (a new session after more than 30 minutes without listening)",
	func(p *pcollection.Pipeline, a *SessionsArgs) error {
		if a.Gap < time.Millisecond {
			return runner.InvalidArgs(fmt.Errorf("--gap %v: must be at least 1ms (timestamps are in milliseconds)", a.Gap))
		}
		format, err := fileio.ParseFormat(a.OutputFormat)
		if err != nil {
			return runner.InvalidArgs(fmt.Errorf("--output-format: %w", err))
		}
		events, err := fileio.Read[SessionEvent](context.Background(), p, a.Events)
		if err != nil {
			return fmt.Errorf("--events: %w", err)
		}
		return fileio.Write(Sessions(events, a.Gap), a.Output, format)
	})
