package pcollection_test

import (
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
)

var sinkInt int

// BenchmarkGuardedCall compares the two ways of guarding a call of a user
// function: Call1, and a function deferring Site.Recover (the baseline).
func BenchmarkGuardedCall(b *testing.B) {
	s := pcollection.Site{Name: "Map", Caller: "job.go:1"}
	fn := func(v int) int { return v + 1 }
	b.Run("defer-Recover", func(b *testing.B) {
		call := func(v int) int {
			defer s.Recover()
			return fn(v)
		}
		for i := range b.N {
			sinkInt += call(i)
		}
	})
	b.Run("Call1", func(b *testing.B) {
		for i := range b.N {
			sinkInt += pcollection.Call1(s, fn, i)
		}
	})
	// Call2Key, a map-side combiner's guard, should cost what Call2 does:
	// its key is rendered only on failure.
	add := func(a, v int) int { return a + v }
	b.Run("Call2", func(b *testing.B) {
		for i := range b.N {
			sinkInt += pcollection.Call2(s, add, i, 1)
		}
	})
	b.Run("Call2Key", func(b *testing.B) {
		key := struct{ Country, Track string }{"US", "t1"}
		for i := range b.N {
			sinkInt += pcollection.Call2Key(s, key, add, i, 1)
		}
	})
}
