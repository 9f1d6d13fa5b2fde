package splitmix

import (
	"math/bits"
	"testing"
)

// Outputs of consecutive inputs are spread: each bit is set about half the
// time, and a one-bit change of the input flips about half the output bits.
func TestMix64Spreads(t *testing.T) {
	const n = 1 << 16
	var ones [64]int
	flips := 0
	for i := range uint64(n) {
		m := Mix64(i)
		for b := range 64 {
			ones[b] += int(m >> b & 1)
		}
		flips += bits.OnesCount64(m ^ Mix64(i^1))
	}
	for b, c := range ones {
		if c < n*45/100 || c > n*55/100 {
			t.Errorf("bit %d set in %d of %d outputs", b, c, n)
		}
	}
	if avg := float64(flips) / n; avg < 30 || avg > 34 {
		t.Errorf("a one-bit input change flips %.1f output bits on average, want about 32", avg)
	}
}

func TestTaskSeedsDiffer(t *testing.T) {
	seen := map[uint64]bool{}
	for stage := range 4 {
		for task := range 100 {
			s := TaskSeed(stage, task, 7)
			if seen[s] {
				t.Fatalf("stage %d task %d repeats a seed", stage, task)
			}
			seen[s] = true
		}
	}
	if TaskSeed(0, 0, 1) == TaskSeed(0, 0, 2) {
		t.Error("the user's seed does not change the task seed")
	}
}
