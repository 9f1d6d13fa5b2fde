package parquetio

import (
	"fmt"
	"time"
)

// duckTypes matches testdata/types_*.parquet, written by DuckDB, where every
// column is nullable: the columns holding nulls are pointers, or tagged
// optional where nil is the null (payload, the list and the map); the
// others are nullable in the file but hold no null, so plain fields read
// them.
type duckTypes struct {
	ID      int32             `parquet:"id"`
	Name    *string           `parquet:"name"`
	Score   *float64          `parquet:"score"`
	Ratio   float32           `parquet:"ratio"`
	Big     *int64            `parquet:"big"`
	Flag    bool              `parquet:"flag"`
	Payload []byte            `parquet:"payload,optional"`
	TsUs    *time.Time        `parquet:"ts_us,timestamp(microsecond)"`
	TsMs    time.Time         `parquet:"ts_ms,timestamp(millisecond)"`
	Day     time.Time         `parquet:"day,date"`
	Tags    []*string         `parquet:"tags,optional,list"`
	Attrs   map[string]*int32 `parquet:"attrs,optional"`
}

func ptr[T any](v T) *T { return &v }

func utc(y int, m time.Month, d, h, mi, s, ns int) time.Time {
	return time.Date(y, m, d, h, mi, s, ns, time.UTC)
}

// wantDuckTypes are the rows of the types fixtures (see testdata/gen).
var wantDuckTypes = []duckTypes{
	{1, ptr("alpha"), ptr(1.5), 0.25, ptr(int64(10)), true, []byte{0, 1},
		ptr(utc(2026, 11, 26, 10, 0, 0, 123456000)), utc(2026, 11, 26, 10, 0, 0, 123000000), utc(2026, 11, 26, 0, 0, 0, 0),
		[]*string{ptr("x"), ptr("y")}, map[string]*int32{"a": ptr(int32(1)), "b": ptr(int32(2))}},
	{2, nil, nil, -1.5, nil, false, []byte{},
		nil, utc(1970, 1, 1, 0, 0, 0, 0), utc(1970, 1, 1, 0, 0, 0, 0),
		[]*string{}, map[string]*int32{}},
	{3, ptr("gamma"), ptr(-2.25), 3, ptr(int64(-9000000000)), true, []byte("abc"),
		ptr(utc(1969, 12, 31, 23, 59, 59, 999999000)), utc(1999, 12, 31, 23, 59, 59, 999000000), utc(1969, 12, 31, 0, 0, 0, 0),
		nil, nil},
	{4, ptr(""), ptr(0.0), 0, ptr(int64(0)), false, nil,
		ptr(utc(2000, 2, 29, 12, 34, 56, 0)), utc(2000, 2, 29, 12, 34, 56, 789000000), utc(2000, 2, 29, 0, 0, 0, 0),
		[]*string{ptr("z"), nil, ptr("w")}, map[string]*int32{"k": nil}},
}

// event is a listening event, the shape of testdata/events_*.parquet.
type event struct {
	UserID   string `parquet:"user_id"`
	TrackID  string `parquet:"track_id"`
	ArtistID string `parquet:"artist_id"`
	Country  string `parquet:"country"`
	Platform string `parquet:"platform"`
	MsPlayed int64  `parquet:"ms_played"`
	Ts       int64  `parquet:"ts"`
	Skipped  bool   `parquet:"skipped"`
}

// eventOpt is event with the nullability DuckDB writes, so its columns are
// decoded without conversion.
type eventOpt struct {
	UserID   string `parquet:"user_id,optional"`
	TrackID  string `parquet:"track_id,optional"`
	ArtistID string `parquet:"artist_id,optional"`
	Country  string `parquet:"country,optional"`
	Platform string `parquet:"platform,optional"`
	MsPlayed int64  `parquet:"ms_played,optional"`
	Ts       int64  `parquet:"ts,optional"`
	Skipped  bool   `parquet:"skipped,optional"`
}

// play is a 3-column projection of event.
type play struct {
	TrackID  string `parquet:"track_id"`
	Country  string `parquet:"country"`
	MsPlayed int64  `parquet:"ms_played"`
}

const eventTs0 = 1764115200000

// wantEvent is row i of the DuckDB events fixtures (same formulas as testdata/gen).
func wantEvent(i int) event {
	country := [...]string{"BR", "DE", "FR", "GB"}[i%4]
	if i < 512 {
		country = [...]string{"NO", "SE"}[i%2]
	}
	return event{
		UserID:   fmt.Sprintf("u%d", i%97),
		TrackID:  fmt.Sprintf("t%d", i*7%1000),
		ArtistID: fmt.Sprintf("a%d", i%50),
		Country:  country,
		Platform: [...]string{"ios", "android", "web"}[i%3],
		MsPlayed: int64(i*7919) % 300000,
		Ts:       eventTs0 + int64(i)*1000,
		Skipped:  i%5 == 0,
	}
}
