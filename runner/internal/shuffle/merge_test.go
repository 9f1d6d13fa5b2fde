package shuffle

import (
	"fmt"
	"slices"
	"testing"
)

// TestMergeWidths merges 1 to 17 runs of unequal lengths in one pass (so
// the heap has every shape, and cursors run dry at different times) and
// checks the result against a stable sort; odd widths share a Memory
// budget that shrinks their read buffers.
func TestMergeWidths(t *testing.T) {
	for k := 1; k <= 17; k++ {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			recs := randomRecs(40*k+k*k, 2, 30, uint64(k))
			cfg := MergeConfig{FanIn: 64, BufSize: 4 << 10}
			if k%2 == 1 {
				cfg.BufSize, cfg.Memory = 256<<10, int64(k)*(minBufSize+1)
			}
			got := shuffleAll(t, recs, 2, k, 64<<20, cfg)
			exp := want(recs, 2)
			for p := range exp {
				if !slices.Equal(got[p], exp[p]) {
					t.Fatalf("slot %d: got %d records, want %d; first difference at %d", p, len(got[p]), len(exp[p]), firstDiff(got[p], exp[p]))
				}
			}
		})
	}
}

func TestMergeBufSize(t *testing.T) {
	for _, tt := range []struct {
		cfg  MergeConfig
		n    int
		want int
	}{
		{MergeConfig{BufSize: 256 << 10}, 100, 256 << 10},                   // no budget: the fixed size
		{MergeConfig{BufSize: 256 << 10, Memory: 16 << 20}, 4, 256 << 10},   // a few runs: capped by BufSize
		{MergeConfig{BufSize: 256 << 10, Memory: 16 << 20}, 128, 128 << 10}, // many: the budget shared
		{MergeConfig{BufSize: 256 << 10, Memory: 1 << 20}, 256, minBufSize}, // too many: the floor
	} {
		if got := tt.cfg.bufSize(tt.n); got != tt.want {
			t.Errorf("%+v.bufSize(%d) = %d, want %d", tt.cfg, tt.n, got, tt.want)
		}
	}
}
