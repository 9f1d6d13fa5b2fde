package listening

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
)

// eventTime is Event with ts as a time.Time, which both formats write with
// the timestamp-millis logical type.
type eventTime struct {
	UserID   string    `avro:"user_id" parquet:"user_id"`
	TrackID  string    `avro:"track_id" parquet:"track_id"`
	ArtistID string    `avro:"artist_id" parquet:"artist_id"`
	Country  string    `avro:"country" parquet:"country"`
	MsPlayed int64     `avro:"ms_played" parquet:"ms_played"`
	TS       time.Time `avro:"ts" parquet:"ts,timestamp(millisecond)"`
	Platform string    `avro:"platform" parquet:"platform"`
	Skipped  bool      `avro:"skipped" parquet:"skipped"`
}

func TestTimestampMillisLogicalType(t *testing.T) {
	ctx := context.Background()
	in := []eventTime{
		{UserID: "u1", TrackID: "t1", ArtistID: "a1", Country: "SE", MsPlayed: 31_000, TS: time.UnixMilli(1_764_115_200_123), Platform: "web"},
		{UserID: "u2", TrackID: "t2", ArtistID: "a2", Country: "DE", MsPlayed: 1_000, TS: time.UnixMilli(-5), Platform: "ios", Skipped: true},
	}
	want := []Event{
		{UserID: "u1", TrackID: "t1", ArtistID: "a1", Country: "SE", MsPlayed: 31_000, TS: 1_764_115_200_123, Platform: "web"},
		{UserID: "u2", TrackID: "t2", ArtistID: "a2", Country: "DE", MsPlayed: 1_000, TS: -5, Platform: "ios", Skipped: true},
	}
	for _, f := range []fileio.Format{fileio.Avro, fileio.Parquet} {
		url := storage.Join(t.TempDir(), "events"+f.Ext())
		if err := fileio.WriteFile(ctx, url, slices.Values(in)); err != nil {
			t.Fatal(err)
		}
		var got []Event
		if err := fileio.ScanFile(ctx, url, func(e Event) { got = append(got, e) }); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %+v, want %+v", f, got, want)
		}
	}
}

// eventMicros is Event with ts in microseconds, as Spark writes timestamps.
type eventMicros struct {
	UserID   string `avro:"user_id" parquet:"user_id"`
	TrackID  string `avro:"track_id" parquet:"track_id"`
	MsPlayed int64  `avro:"ms_played" parquet:"ms_played"`
	TS       int64  `avro:"ts,timestamp-micros" parquet:"ts,timestamp(microsecond)"`
	Skipped  bool   `avro:"skipped" parquet:"skipped"`
}

// TestSessionsTimestampUnits checks that the sessions job reads ts as
// milliseconds from a plain long and from the timestamp-millis logical
// type, and refuses timestamps in microseconds, which it used to read a
// thousand times too large (ten minutes apart became a week).
func TestSessionsTimestampUnits(t *testing.T) {
	ctx := context.Background()
	const start = 1_764_115_200_123
	for _, f := range []fileio.Format{fileio.Avro, fileio.Parquet} {
		dir := t.TempDir()
		files := map[string]func(url string) error{
			"plain": func(url string) error {
				return fileio.WriteFile(ctx, url, slices.Values([]Event{{UserID: "u", TrackID: "t", MsPlayed: 1, TS: start}, {UserID: "u", TrackID: "t", MsPlayed: 1, TS: start + 600_000}}))
			},
			"millis": func(url string) error {
				return fileio.WriteFile(ctx, url, slices.Values([]eventTime{{UserID: "u", TrackID: "t", MsPlayed: 1, TS: time.UnixMilli(start)}, {UserID: "u", TrackID: "t", MsPlayed: 1, TS: time.UnixMilli(start + 600_000)}}))
			},
			"micros": func(url string) error {
				return fileio.WriteFile(ctx, url, slices.Values([]eventMicros{{UserID: "u", TrackID: "t", MsPlayed: 1, TS: start * 1000}, {UserID: "u", TrackID: "t", MsPlayed: 1, TS: (start + 600_000) * 1000}}))
			},
		}
		for name, write := range files {
			in := storage.Join(dir, name+f.Ext())
			if err := write(in); err != nil {
				t.Fatal(err)
			}
			p, err := SessionsJob.Build([]string{"--events", in, "--output", storage.Join(dir, name+"-out")})
			if err != nil {
				t.Fatal(err)
			}
			_, err = mem.Run(ctx, p, runner.Options{})
			if name == "micros" {
				if err == nil || !strings.Contains(err.Error(), `"ts"`) && !strings.Contains(err.Error(), "field ts") {
					t.Errorf("%s %s: err %v, want ts refused for its unit", f, name, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s %s: %v", f, name, err)
				continue
			}
			var got []Session
			if err := fileio.ScanFiles(ctx, storage.Join(dir, name+"-out"), func(s Session) { got = append(got, s) }); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Start != start || got[0].Events != 2 {
				t.Errorf("%s %s: sessions %+v, want one of two events from %d", f, name, got, start)
			}
		}
	}
}

// TestDailyPlaysNullableTitles checks that a catalogue whose title column
// is nullable, as Spark and Hive write every column, reads in both
// formats: a null title gives the ranked row no title, as a track missing
// from the catalogue does.
func TestDailyPlaysNullableTitles(t *testing.T) {
	ctx := context.Background()
	type nullableTitle struct {
		TrackID string  `avro:"track_id" parquet:"track_id"`
		Title   *string `avro:"title" parquet:"title,optional"`
	}
	one := "One"
	for _, ext := range []string{".parquet", ".avro"} {
		out, _, err := runWithCatalogue(t, ext, []nullableTitle{{"t1", &one}, {"t2", nil}, {"t3", nil}})
		if err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
		titles := map[string]string{}
		if err := fileio.ScanFiles(ctx, storage.Join(out, TopTracksByCountryDir), func(r TopTrack) {
			titles[r.TrackID] = "<nil>"
			if r.Title != nil {
				titles[r.TrackID] = *r.Title
			}
		}); err != nil {
			t.Fatal(err)
		}
		if want := map[string]string{"t1": "One", "t2": "<nil>"}; !maps.Equal(titles, want) {
			t.Errorf("%s: titles %v, want %v", ext, titles, want)
		}
	}
}

// TestDailyPlaysCatalogueWithoutTitle checks that a catalogue with no
// title column is refused, naming the file, in both formats, and writes
// nothing: it is the wrong file, whose every title would read as null.
func TestDailyPlaysCatalogueWithoutTitle(t *testing.T) {
	type noTitle struct {
		TrackID  string `avro:"track_id" parquet:"track_id"`
		ArtistID string `avro:"artist_id" parquet:"artist_id"`
	}
	for _, ext := range []string{".parquet", ".avro"} {
		out, tracks, err := runWithCatalogue(t, ext, []noTitle{{"t1", "a"}})
		if err == nil || !strings.Contains(err.Error(), tracks) || !strings.Contains(err.Error(), "title") {
			t.Errorf("%s: got %v, want an error naming %s and its missing title", ext, err, tracks)
		}
		if ok, _ := storage.Exists(context.Background(), out); ok {
			t.Errorf("%s: output %s written", ext, out)
		}
	}
}

// runWithCatalogue runs daily-plays on the mem runner over three plays
// of tracks t1 and t2 and a catalogue of tracks in format ext, and returns
// the output directory and the catalogue's path.
func runWithCatalogue[C any](t *testing.T, ext string, tracks []C) (out, catalogue string, err error) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	events := storage.Join(dir, "events.parquet")
	if err := fileio.WriteFile(ctx, events, slices.Values([]Event{
		{UserID: "u1", TrackID: "t1", ArtistID: "a", Country: "SE", MsPlayed: 60_000},
		{UserID: "u1", TrackID: "t2", ArtistID: "a", Country: "SE", MsPlayed: 60_000},
		{UserID: "u2", TrackID: "t2", ArtistID: "a", Country: "SE", MsPlayed: 60_000},
	})); err != nil {
		t.Fatal(err)
	}
	catalogue = storage.Join(dir, "tracks"+ext)
	if err := fileio.WriteFile(ctx, catalogue, slices.Values(tracks)); err != nil {
		t.Fatal(err)
	}
	out = storage.Join(dir, "out")
	p, err := DailyPlaysJob.Build([]string{"--events", events, "--tracks", catalogue, "--output", out})
	if err != nil {
		t.Fatal(err)
	}
	_, err = mem.Run(ctx, p, runner.Options{})
	return out, catalogue, err
}
