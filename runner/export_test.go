package runner

import "time"

// SetCommitLockWait sets how long a job commit waits for another's lock,
// until the test ends.
func SetCommitLockWait(d time.Duration) (restore func()) {
	old := commitLockWait
	commitLockWait = d
	return func() { commitLockWait = old }
}

// ThisMachine is what a lock file says of the machine its holder runs on.
func ThisMachine() string { return thisMachine() }
