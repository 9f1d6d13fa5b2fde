package hadoop

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
