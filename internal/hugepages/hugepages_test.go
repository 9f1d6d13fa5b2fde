package hugepages

import (
	"math"
	"runtime"
	"testing"

	"github.com/crunchgo/crunchgo/internal/gcpace"
)

// TestPrepareHeapKeepsWarmUp checks that the memory PrepareHeap frees does
// not count against a memory limit: a worker calls gcpace.WarmUp next,
// whose limit (half the prepared heap) would otherwise be exceeded at once
// and end the warm-up with a collection on the first allocation.
func TestPrepareHeapKeepsWarmUp(t *testing.T) {
	const warm = 32 << 20
	if err := PrepareHeap(2 * warm); err != nil {
		t.Fatal(err)
	}
	gcpace.WarmUp(warm, math.MaxInt64)
	t.Cleanup(runtime.GC) // ends the warm-up
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.NumGC
	var kept [][]byte
	for range 16 {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = 1
		}
		kept = append(kept, b)
	}
	runtime.ReadMemStats(&ms)
	if ms.NumGC != before {
		t.Errorf("%d collections while the heap grew by 16 MiB under a warm-up to 32 MiB, want none", ms.NumGC-before)
	}
	runtime.KeepAlive(kept)
}
