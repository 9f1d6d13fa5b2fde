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

// SetLockPID makes the lock and claim files this process writes name pid,
// until restore is called: a test's run then holds locks as a dead
// process.
func SetLockPID(pid int) (restore func()) {
	old := lockPID
	lockPID = func() int { return pid }
	return func() { lockPID = old }
}
