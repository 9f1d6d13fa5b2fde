package shuffle

import (
	"fmt"
	"slices"
	"testing"
)

// TestMergeWidths merges 1 to 17 runs of unequal lengths in one pass (so
// the tournament tree has every shape, and cursors run dry at different
// times) and checks the result against a stable sort.
func TestMergeWidths(t *testing.T) {
	for k := 1; k <= 17; k++ {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			recs := randomRecs(40*k+k*k, 2, 30, uint64(k))
			got := shuffleAll(t, recs, 2, k, 64<<20, MergeConfig{FanIn: 64, BufSize: 4 << 10})
			exp := want(recs, 2)
			for p := range exp {
				if !slices.Equal(got[p], exp[p]) {
					t.Fatalf("slot %d: got %d records, want %d; first difference at %d", p, len(got[p]), len(exp[p]), firstDiff(got[p], exp[p]))
				}
			}
		})
	}
}
