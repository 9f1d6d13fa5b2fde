package progress

import (
	"sync/atomic"
	"time"
)

var (
	moved   atomic.Bool
	alive   atomic.Bool
	onMoved atomic.Pointer[func()]
)

// Mark records that the task made progress: it took in or put out a record,
// or did a step of work of the same size. Only the task's own goroutine
// may call it (see OnMoved); others call Alive.
func Mark() {
	if !moved.Load() {
		markFirst()
	}
}

// markFirst is the first Mark since Moved cleared the flag.
func markFirst() {
	moved.Store(true)
	if fn := onMoved.Load(); fn != nil {
		(*fn)()
	}
}

// Alive records progress from any goroutine, such as a user function's
// keep-alive (pcollection.Context.Progress). It never runs OnMoved's
// function.
func Alive() {
	if !alive.Load() {
		alive.Store(true)
	}
}

// Moved reports whether Mark or Alive was called since the last call of
// Moved.
func Moved() bool {
	m, a := moved.Swap(false), alive.Swap(false)
	return m || a
}

// OnMoved makes the first Mark after each Moved call fn, on the goroutine
// that marks, the task's: there fn can read what that goroutine writes (a
// task's record counts, with no lock) and keep a copy for the watcher, as
// fresh as the watcher's last look. nil removes it.
func OnMoved(fn func()) {
	if fn == nil {
		onMoved.Store(nil)
		return
	}
	onMoved.Store(&fn)
}

// Watch calls fn, on a goroutine of its own, at the end of every interval
// in which the task made progress (Moved), until stop is called; stop
// returns once the calls have ended, with fn's first error, which ends
// them. Progress marked before Watch is not the task's and is forgotten.
func Watch(interval time.Duration, fn func() error) (stop func() error) {
	Moved()
	done, exited := make(chan struct{}), make(chan error, 1)
	go func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				exited <- nil
				return
			case <-tick.C:
				if Moved() {
					if err := fn(); err != nil {
						exited <- err
						return
					}
				}
			}
		}
	}()
	return func() error {
		close(done)
		return <-exited
	}
}
