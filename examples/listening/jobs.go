package listening

import (
	"context"
	"errors"
	"fmt"
	"time"

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

// DailyPlaysArgs are the flags of the daily-plays job.
type DailyPlaysArgs struct {
	Events       string `flag:"events" required:"true" help:"listening events: an .avro or .parquet file, a directory of them or a glob (any storage URL)"`
	Tracks       string `flag:"tracks" required:"true" help:"track catalogue: an .avro or .parquet file, a directory of them or a glob"`
	Output       string `flag:"output" required:"true" help:"output directory; the three datasets are written under it"`
	OutputFormat string `flag:"output-format" default:"parquet" help:"format of the outputs: parquet or avro"`
}

// DailyPlaysJob is the registered daily-plays job.
var DailyPlaysJob = runner.Register("daily-plays",
	"plays per country and track, distinct listeners per artist, top 10 tracks per country",
	func(p *pcollection.Pipeline, a *DailyPlaysArgs) error {
		format, err := ParseFormat(a.OutputFormat)
		if err != nil {
			return fmt.Errorf("--output-format: %w", err)
		}
		ctx := context.Background()
		// The strings of both inputs only pass through: the events' are
		// keyed, encoded into shuffle records and dropped, and so are the
		// few catalogue titles kept for ranked tracks. Sharing a batch's
		// string memory is safe.
		events, err := Read[PlayEvent](ctx, p, a.Events, parquetio.SharedStrings())
		if err != nil {
			return fmt.Errorf("--events: %w", err)
		}
		tracks, err := Read[TrackTitle](ctx, p, a.Tracks, parquetio.SharedStrings())
		if err != nil {
			return fmt.Errorf("--tracks: %w", err)
		}
		out := DailyPlays(events, tracks)
		return errors.Join(
			Write(out.PlaysByCountryTrack, storage.Join(a.Output, PlaysByCountryTrackDir), format),
			Write(out.ListenersByArtist, storage.Join(a.Output, ListenersByArtistDir), format),
			Write(out.TopTracksByCountry, storage.Join(a.Output, TopTracksByCountryDir), format))
	})

// PlayStatsArgs are the flags of the play-stats job.
type PlayStatsArgs struct {
	Events       string `flag:"events" required:"true" help:"listening events: an .avro or .parquet file, a directory of them or a glob (any storage URL)"`
	Tracks       string `flag:"tracks" required:"true" help:"track catalogue: an .avro or .parquet file, a directory of them or a glob"`
	Output       string `flag:"output" required:"true" help:"output directory; the two datasets are written under it"`
	OutputFormat string `flag:"output-format" default:"parquet" help:"format of the outputs: parquet or avro"`
}

// PlayStatsJob is the registered play-stats job.
var PlayStatsJob = runner.Register("play-stats",
	"play lengths per country (plays, median, 90th and 99th percentiles) and plays of tracks missing from the catalogue",
	func(p *pcollection.Pipeline, a *PlayStatsArgs) error {
		format, err := ParseFormat(a.OutputFormat)
		if err != nil {
			return fmt.Errorf("--output-format: %w", err)
		}
		ctx := context.Background()
		events, err := Read[PlayEvent](ctx, p, a.Events, parquetio.SharedStrings())
		if err != nil {
			return fmt.Errorf("--events: %w", err)
		}
		catalogue, err := Read[CatalogueID](ctx, p, a.Tracks, parquetio.SharedStrings())
		if err != nil {
			return fmt.Errorf("--tracks: %w", err)
		}
		out := PlayStats(events, catalogue)
		return errors.Join(
			Write(out.ListeningByCountry, storage.Join(a.Output, ListeningByCountryDir), format),
			Write(out.UncataloguedTracks, storage.Join(a.Output, UncataloguedTracksDir), format))
	})

// SessionsArgs are the flags of the sessions job.
type SessionsArgs struct {
	Events       string        `flag:"events" required:"true" help:"listening events: an .avro or .parquet file, a directory of them or a glob"`
	Output       string        `flag:"output" required:"true" help:"output directory of the sessions"`
	OutputFormat string        `flag:"output-format" default:"parquet" help:"format of the output: parquet or avro"`
	Gap          time.Duration `flag:"gap" default:"30m" help:"a user's next event starts a new session after this long without listening"`
}

// SessionsJob is the registered sessions job.
var SessionsJob = runner.Register("sessions",
	"listening sessions per user (a new session after 30 minutes without listening)",
	func(p *pcollection.Pipeline, a *SessionsArgs) error {
		if a.Gap <= 0 {
			return fmt.Errorf("--gap %v: must be positive", a.Gap)
		}
		format, err := ParseFormat(a.OutputFormat)
		if err != nil {
			return fmt.Errorf("--output-format: %w", err)
		}
		events, err := Read[Event](context.Background(), p, a.Events)
		if err != nil {
			return fmt.Errorf("--events: %w", err)
		}
		return Write(Sessions(events, a.Gap), a.Output, format)
	})
