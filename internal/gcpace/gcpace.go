package gcpace

import (
	"runtime"
	"runtime/debug"
	"sync"
)

var state struct {
	sync.Mutex
	paused  int  // Pause calls not yet resumed
	warming bool // WarmUp's first collection has not happened yet
	off     bool // collection is off because of us; percent holds the setting before
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
	state.warming = true
	debug.SetMemoryLimit(heap) // the first collection comes when the heap reaches it
	state.Unlock()

	// The first collection finds the sentinel unreachable and runs its
	// finalizer: that ends the warm-up. (It is larger than 16 bytes so that
	// it is not batched with other tiny objects, whose finalizers may never
	// run.)
	sentinel := new([64]byte)
	runtime.SetFinalizer(sentinel, func(*[64]byte) {
		state.Lock()
		defer state.Unlock()
		debug.SetMemoryLimit(limit)
		state.warming = false
		turnBackOn()
	})
}
