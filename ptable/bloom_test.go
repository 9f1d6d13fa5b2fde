package ptable_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

// bloomSides are a catalogue of 1,000 tracks and 100,000 plays of which one
// in twenty is of a catalogued track.
func bloomSides(p *pcollection.Pipeline) (ptable.PTable[string, string], ptable.PTable[string, int64], int) {
	var tracks []ptable.Pair[string, string]
	for i := range 1000 {
		tracks = append(tracks, ptable.KV(fmt.Sprintf("t%d", i*20), fmt.Sprint("title ", i)))
	}
	var plays []ptable.Pair[string, int64]
	matched := 0
	for i := range 100_000 {
		id := (i * 7919) % 20_000
		if id%20 == 0 {
			matched++
		}
		plays = append(plays, ptable.KV(fmt.Sprintf("t%d", id), int64(i)))
	}
	return pcollection.Of(p, tracks...), pcollection.Of(p, plays...), matched
}

func shuffled(t testing.TB, p *pcollection.Pipeline) int64 {
	t.Helper()
	res, err := mem.Run(context.Background(), p, runner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, s := range res.Stages {
		n += s.Shuffled
	}
	return n
}

// The filter must keep b's unmatched pairs out of the shuffle; the
// conformance suite checks the join's output on every runner.
func TestBloomJoinShufflesOnlyWhatMayMatch(t *testing.T) {
	p := pcollection.NewPipeline("bloom")
	tracks, plays, matched := bloomSides(p)
	joined := pcollection.Materialize(ptable.BloomJoin(plays, tracks, 1000))
	got := shuffled(t, p)
	out, _ := joined.Values()
	if len(out) != matched {
		t.Fatalf("%d joined pairs, want %d", len(out), matched)
	}
	// 1,000 catalogue pairs and one filter per map task, every matching play,
	// and about 1% of the 95,000 others: 3% is far above what the
	// deterministic hashes let through.
	unmatched := 100_000 - matched
	t.Logf("BloomJoin shuffled %d records (%d catalogue pairs, %d matching plays of 100,000)", got, 1000, matched)
	if limit := int64(1000 + 16 + matched + unmatched*3/100); got > limit {
		t.Errorf("BloomJoin shuffled %d records, want at most %d", got, limit)
	}

	// Sized by counting the catalogue's keys, the filter lets as little
	// through.
	p = pcollection.NewPipeline("counted")
	tracks, plays, _ = bloomSides(p)
	joined = pcollection.Materialize(ptable.BloomJoin(plays, tracks, 0))
	counted := shuffled(t, p)
	if out, _ := joined.Values(); len(out) != matched {
		t.Fatalf("counting keys: %d joined pairs, want %d", len(out), matched)
	}
	t.Logf("BloomJoin counting keys shuffled %d records", counted)
	if limit := int64(1000 + 16 + matched + unmatched*3/100); counted > limit {
		t.Errorf("BloomJoin counting keys shuffled %d records, want at most %d", counted, limit)
	}

	p = pcollection.NewPipeline("plain")
	tracks, plays, _ = bloomSides(p)
	pcollection.Materialize(ptable.Join(plays, tracks))
	if plain := shuffled(t, p); plain != 101_000 {
		t.Errorf("Join shuffled %d records, want both sides' 101,000", plain)
	}
}

func BenchmarkBloomJoin(b *testing.B) {
	for _, tc := range []struct {
		name string
		join func(ptable.PTable[string, string], ptable.PTable[string, int64]) ptable.PTable[string, ptable.Pair[int64, string]]
	}{
		{"Join", func(tracks ptable.PTable[string, string], plays ptable.PTable[string, int64]) ptable.PTable[string, ptable.Pair[int64, string]] {
			return ptable.Join(plays, tracks)
		}},
		{"BloomJoin", func(tracks ptable.PTable[string, string], plays ptable.PTable[string, int64]) ptable.PTable[string, ptable.Pair[int64, string]] {
			return ptable.BloomJoin(plays, tracks, 1000)
		}},
		{"BloomJoinCounted", func(tracks ptable.PTable[string, string], plays ptable.PTable[string, int64]) ptable.PTable[string, ptable.Pair[int64, string]] {
			return ptable.BloomJoin(plays, tracks, 0)
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				p := pcollection.NewPipeline("join")
				tracks, plays, matched := bloomSides(p)
				out := pcollection.Materialize(tc.join(tracks, plays))
				run(p)
				if vs, _ := out.Values(); len(vs) != matched {
					b.Fatalf("%d joined pairs, want %d", len(vs), matched)
				}
			}
		})
	}
}
