package progress

import "sync/atomic"

var moved atomic.Bool

// Mark records that the task made progress: it took in or put out a record,
// or did a step of work of the same size.
func Mark() {
	if !moved.Load() {
		moved.Store(true)
	}
}

// Moved reports whether Mark was called since the last call of Moved.
func Moved() bool {
	return moved.Swap(false)
}
