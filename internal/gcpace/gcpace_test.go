package gcpace

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// settings returns the collector's GOGC percent (-1 when off) and soft
// memory limit, leaving them as they were.
func settings() (percent int, limit int64) {
	percent = debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1)
}

// restore puts back the process's settings after a test.
func restore(t *testing.T) {
	percent := debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	limit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
}

func TestPauseNests(t *testing.T) {
	restore(t)
	debug.SetGCPercent(73)
	outer := Pause()
	inner := Pause()
	outer() // the inner pause is still on: collection stays off
	outer() // a second call changes nothing
	if got, _ := settings(); got != -1 {
		t.Errorf("GC percent while a pause holds = %d, want -1 (off)", got)
	}
	inner()
	if got, _ := settings(); got != 73 {
		t.Errorf("GC percent after the last pause = %d, want 73 restored", got)
	}
}

// waitWarm collects until the warm-up's end has run, or fails the test.
func waitWarm(t *testing.T) {
	t.Helper()
	for range 1000 {
		runtime.GC()
		state.Lock()
		warming := state.warming
		state.Unlock()
		if !warming {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the warm-up did not end after 1000 collections")
}

func TestWarmUpEndsAtFirstCollection(t *testing.T) {
	restore(t)
	debug.SetGCPercent(81)
	WarmUp(48<<20, 300<<20)
	if p, l := settings(); p != -1 || l != 48<<20 {
		t.Errorf("during warm-up: percent %d, limit %d; want -1 (off) and %d", p, l, 48<<20)
	}
	waitWarm(t)
	if p, l := settings(); p != 81 || l != 300<<20 {
		t.Errorf("after warm-up: percent %d, limit %d; want 81 and %d", p, l, 300<<20)
	}
}

func TestWarmUpHeapAtMostLimit(t *testing.T) {
	restore(t)
	WarmUp(48<<20, 20<<20)
	if _, l := settings(); l != 20<<20 {
		t.Errorf("warm-up limit %d, want the smaller process limit %d", l, 20<<20)
	}
	waitWarm(t)
}

// TestPauseAcrossWarmUp checks the case the package exists for: a pause that
// begins during the warm-up and ends after it must neither end the warm-up
// early nor leave collection off.
func TestPauseAcrossWarmUp(t *testing.T) {
	restore(t)
	debug.SetGCPercent(90)
	WarmUp(48<<20, math.MaxInt64)
	resume := Pause()
	waitWarm(t)
	if p, l := settings(); p != -1 || l != math.MaxInt64 {
		t.Errorf("warm-up over, pause on: percent %d, limit %d; want -1 (off) and no limit", p, l)
	}
	resume()
	if p, _ := settings(); p != 90 {
		t.Errorf("after the pause: percent %d, want 90 restored", p)
	}

	// And the other way round: a pause that ends during the warm-up leaves
	// collection off until the warm-up ends.
	WarmUp(48<<20, math.MaxInt64)
	Pause()()
	if p, _ := settings(); p != -1 {
		t.Errorf("pause over, warm-up on: percent %d, want -1 (off)", p)
	}
	waitWarm(t)
	if p, _ := settings(); p != 90 {
		t.Errorf("after both: percent %d, want 90 restored", p)
	}
}
