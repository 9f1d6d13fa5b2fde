// Package readme holds the README's code, so the README cannot drift from
// an API that compiles and behaves as it says.
package readme

import (
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

type Play struct {
	UserID   string `avro:"user_id" parquet:"user_id"`
	TrackID  string `avro:"track_id" parquet:"track_id"`
	Country  string `avro:"country" parquet:"country"`
	MsPlayed int64  `avro:"ms_played" parquet:"ms_played"`
	Skipped  bool   `avro:"skipped" parquet:"skipped"`
}

type CountryTrack struct{ Country, TrackID string }

func PlaysByTrack(plays pcollection.PCollection[Play]) ptable.PTable[CountryTrack, int64] {
	ok := pcollection.Filter(plays, func(x Play) bool { return !x.Skipped && x.MsPlayed >= 30_000 })
	return ptable.Count(pcollection.Map(ok, func(x Play) CountryTrack { return CountryTrack{x.Country, x.TrackID} }))
}

func TestPlaysByTrack(t *testing.T) {
	p := pcollection.NewPipeline("test")
	plays := pcollection.Of(p, Play{"u1", "t1", "SE", 40_000, false}, Play{"u2", "t1", "SE", 1_000, false})
	got := pcollection.Materialize(PlaysByTrack(plays))
	crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got),
		[]ptable.Pair[CountryTrack, int64]{ptable.KV(CountryTrack{"SE", "t1"}, int64(1))})
}
