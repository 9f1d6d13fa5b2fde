package listening

// Event is one listening event: a user started a track. TS is the start
// time in epoch milliseconds (files whose ts column carries the
// timestamp-millis logical type read the same).
type Event struct {
	UserID   string `avro:"user_id" parquet:"user_id"`
	TrackID  string `avro:"track_id" parquet:"track_id"`
	ArtistID string `avro:"artist_id" parquet:"artist_id"`
	Country  string `avro:"country" parquet:"country"`
	MsPlayed int64  `avro:"ms_played" parquet:"ms_played"`
	TS       int64  `avro:"ts" parquet:"ts"`
	Platform string `avro:"platform" parquet:"platform"`
	Skipped  bool   `avro:"skipped" parquet:"skipped"`
}

// Track is one row of the catalogue.
type Track struct {
	TrackID     string `avro:"track_id" parquet:"track_id"`
	ArtistID    string `avro:"artist_id" parquet:"artist_id"`
	Title       string `avro:"title" parquet:"title"`
	DurationMs  int64  `avro:"duration_ms" parquet:"duration_ms"`
	ReleaseYear int32  `avro:"release_year" parquet:"release_year"`
}

// TrackTitle is the projection of Track that daily-plays reads: the two
// columns it joins on and reports. Parquet files store each column apart,
// so reading it skips the catalogue's other three columns entirely. A
// title column may be nullable (as Spark and Hive write every column) and
// hold nulls: they read as "", no title (from Avro, see readTitles).
type TrackTitle struct {
	TrackID string `avro:"track_id" parquet:"track_id"`
	Title   string `avro:"title" parquet:"title,optional"`
}

// TrackTitle returns t's TrackTitle columns.
func (t Track) TrackTitle() TrackTitle { return TrackTitle{TrackID: t.TrackID, Title: t.Title} }

// MinPlayMs is the shortest listen that counts as a play.
const MinPlayMs = 30_000

// IsPlay reports whether e counts as a play: not skipped and at least
// MinPlayMs long.
func IsPlay(e Event) bool { return isPlay(e.Skipped, e.MsPlayed) }

func isPlay(skipped bool, msPlayed int64) bool { return !skipped && msPlayed >= MinPlayMs }

// PlayEvent is the projection of Event that daily-plays reads: the six
// columns it uses. Reading it instead of Event skips the other columns (ts,
// platform) entirely in Parquet files, which store each column apart, and
// decodes past them in Avro files.
type PlayEvent struct {
	UserID   string `avro:"user_id" parquet:"user_id"`
	TrackID  string `avro:"track_id" parquet:"track_id"`
	ArtistID string `avro:"artist_id" parquet:"artist_id"`
	Country  string `avro:"country" parquet:"country"`
	MsPlayed int64  `avro:"ms_played" parquet:"ms_played"`
	Skipped  bool   `avro:"skipped" parquet:"skipped"`
}

// PlayEvent returns e's PlayEvent columns.
func (e Event) PlayEvent() PlayEvent {
	return PlayEvent{UserID: e.UserID, TrackID: e.TrackID, ArtistID: e.ArtistID, Country: e.Country, MsPlayed: e.MsPlayed, Skipped: e.Skipped}
}

// IsPlay reports whether e counts as a play (see the function IsPlay).
func (e PlayEvent) IsPlay() bool { return isPlay(e.Skipped, e.MsPlayed) }

// SessionEvent is the projection of Event that the sessions job reads: the
// five columns it uses, so that event files without the others (platform,
// say) can be sessionized, and Parquet files' other columns are skipped.
// TS's tags declare milliseconds: a ts column of timestamps in another unit
// (microseconds, as Spark writes them) is refused instead of read a
// thousand times too large; a plain long is taken as milliseconds.
type SessionEvent struct {
	UserID   string `avro:"user_id" parquet:"user_id"`
	TrackID  string `avro:"track_id" parquet:"track_id"`
	MsPlayed int64  `avro:"ms_played" parquet:"ms_played"`
	TS       int64  `avro:"ts,timestamp-millis" parquet:"ts,timestamp(millisecond)"`
	Skipped  bool   `avro:"skipped" parquet:"skipped"`
}

// SessionEvent returns e's SessionEvent columns.
func (e Event) SessionEvent() SessionEvent {
	return SessionEvent{UserID: e.UserID, TrackID: e.TrackID, MsPlayed: e.MsPlayed, TS: e.TS, Skipped: e.Skipped}
}

// CountryTrackPlays is a row of plays_by_country_track.
type CountryTrackPlays struct {
	Country  string `avro:"country" parquet:"country"`
	TrackID  string `avro:"track_id" parquet:"track_id"`
	Plays    int64  `avro:"plays" parquet:"plays"`
	MsPlayed int64  `avro:"ms_played" parquet:"ms_played"`
}

// ArtistListeners is a row of listeners_by_artist.
type ArtistListeners struct {
	ArtistID  string `avro:"artist_id" parquet:"artist_id"`
	Listeners int64  `avro:"listeners" parquet:"listeners"`
}

// TopTrack is a row of top_tracks_by_country. Title is nil when the track is
// not in the catalogue.
type TopTrack struct {
	Country string  `avro:"country" parquet:"country"`
	Rank    int32   `avro:"rank" parquet:"rank"`
	TrackID string  `avro:"track_id" parquet:"track_id"`
	Title   *string `avro:"title" parquet:"title,optional"`
	Plays   int64   `avro:"plays" parquet:"plays"`
}

// Session is a row of the sessions job's output: a run of one user's events
// with no gap of more than SessionGap between the end of one and the start
// of the next.
type Session struct {
	UserID string `avro:"user_id" parquet:"user_id"`
	// Index numbers the user's sessions from 0 in time order.
	Index int32 `avro:"session" parquet:"session"`
	// Start is the first event's ts; End is the latest ts+ms_played.
	Start int64 `avro:"start_ts" parquet:"start_ts"`
	End   int64 `avro:"end_ts" parquet:"end_ts"`
	// Events counts all events, Plays those that count as plays (IsPlay).
	Events   int64 `avro:"events" parquet:"events"`
	Plays    int64 `avro:"plays" parquet:"plays"`
	MsPlayed int64 `avro:"ms_played" parquet:"ms_played"`
	// Tracks counts distinct tracks.
	Tracks int64 `avro:"tracks" parquet:"tracks"`
}
