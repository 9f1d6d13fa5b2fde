//go:build unix

package local

import (
	"os"
	"syscall"
)

// stopSelf stops this process, as SIGSTOP from a user would.
func stopSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGSTOP) }
