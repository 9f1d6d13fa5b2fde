package gcpace

import (
	"runtime"
	"runtime/debug"
	"sync"
)

var state struct {
	sync.Mutex
	paused  int   // Pause calls not yet resumed
	warming bool  // WarmUp's first collection has not happened yet
	limit   int64 // the memory limit to set when the warm-up ends
	off     bool  // collection is off because of us; percent holds the setting before
	percent int
}

// turnOff turns collection off, saving the setting to return to. The caller
// holds state's lock.
func turnOff() {
	if !state.off {
		state.percent = debug.SetGCPercent(-1)
		state.off = true
	}
}

// turnBackOn restores the saved setting once nothing needs collection off.
// The caller holds state's lock.
func turnBackOn() {
	if state.off && state.paused == 0 && !state.warming {
		debug.SetGCPercent(state.percent)
		state.off = false
	}
}

// Pause turns garbage collection off until the returned function is called,
// by the last of concurrent callers (and, during WarmUp, no earlier than its
// end). A memory limit set on the process still applies.
func Pause() (resume func()) {
	state.Lock()
	turnOff()
	state.paused++
	state.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			state.Lock()
			state.paused--
			turnBackOn()
			state.Unlock()
		})
	}
}

// WarmUp lets the heap grow to heap bytes before the first collection, and
// from that collection on paces collection as before (GOGC), with limit as
// the process's soft memory limit.
//
// A process whose first work builds buffers it keeps (a worker's sort
// buffers) would otherwise collect at 4, 8, 16, 32 MiB..., tracing and
// write-barriering buffers that live on, while the heap doubles up to where
// it stays. Until heap is reached the process holds garbage it would have
// collected, so heap should be no more than what the heap reaches anyway.
func WarmUp(heap, limit int64) {
	heap = min(heap, limit)
	state.Lock()
	turnOff()
	state.warming, state.limit = true, limit
	debug.SetMemoryLimit(heap) // the first collection comes when the heap reaches it
	state.Unlock()

	// The first collection finds the sentinel unreachable and runs its
	// finalizer: that ends the warm-up. (It is larger than 16 bytes so that
	// it is not batched with other tiny objects, whose finalizers may never
	// run.)
	sentinel := new([64]byte)
	runtime.SetFinalizer(sentinel, func(*[64]byte) { EndWarmUp() })
}

// EndWarmUp ends the warm-up, if one is on, before the heap reaches its
// size: from now on collection is paced as after WarmUp's first collection.
// A worker calls it when a task ends: by then the task has grown its
// buffers, and garbage held any longer only costs fresh memory. (Word count
// allocates some 40 MB of short-lived strings and slices with a small live
// heap; holding the first 32 MiB of them took 8 percent longer.)
func EndWarmUp() {
	state.Lock()
	defer state.Unlock()
	if !state.warming {
		return
	}
	debug.SetMemoryLimit(state.limit)
	state.warming = false
	turnBackOn()
}
