//go:build !unix

package runner

// thisMachine is "" where a lock's holder cannot be checked: a commit then
// waits for the lock as long as it would for a live holder.
func thisMachine() string { return "" }

func processGone(int) bool { return false }
