package hadoop

import (
	"context"
	"time"
)

// SetClientHeldFactor sets clientHeldFactor for a test and returns what
// restores it.
func SetClientHeldFactor(f int64) (restore func()) {
	old := clientHeldFactor
	clientHeldFactor = f
	return func() { clientHeldFactor = old }
}

// ErrClientFull is errClientFull, for tests.
var ErrClientFull = errClientFull

// SetBeforeClientMapTask sets beforeClientMapTask for a test and returns
// what restores it.
func SetBeforeClientMapTask(f func(task int) error) (restore func()) {
	old := beforeClientMapTask
	beforeClientMapTask = f
	return func() { beforeClientMapTask = old }
}

// Heartbeat runs a task's heartbeat every interval, writing to os.Stderr,
// until the returned function is called.
func Heartbeat(interval time.Duration, name string) (stop func()) {
	old := heartbeatEvery
	heartbeatEvery = interval
	stop = (&task{}).heartbeat(name)
	heartbeatEvery = old
	return stop
}

// HeartbeatInterval is heartbeatInterval, for tests.
var HeartbeatInterval = heartbeatInterval

// SameFileSystem is sameFileSystem, for tests.
var SameFileSystem = sameFileSystem

// SetRemoveTemp sets removeTemp for a test and returns what restores it.
func SetRemoveTemp(f func(ctx context.Context, url string) error) (restore func()) {
	old := removeTemp
	removeTemp = f
	return func() { removeTemp = old }
}
