package pcollection

import (
	"runtime/debug"
	"testing"
)

func TestPauseGCNests(t *testing.T) {
	before := debug.SetGCPercent(73)
	defer debug.SetGCPercent(before)
	outer := pauseGC()
	inner := pauseGC()
	outer() // the inner load is still running: collection stays off
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("GC percent while a load runs = %d, want -1 (off)", got)
	}
	inner()
	if got := debug.SetGCPercent(73); got != 73 {
		t.Errorf("GC percent after the last load = %d, want 73 restored", got)
	}
}
