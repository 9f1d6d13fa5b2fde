//go:build unix

package runner

import (
	"errors"
	"os"
	"strings"
	"syscall"
)

// thisMachine identifies this machine's boot and PID namespace, so that a
// lock file's process ID is known to be one of this machine's processes
// (hostnames alone can repeat, and containers sharing a host's name and
// boot can have their own PIDs). It is "" where neither can be read.
func thisMachine() string {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	ns, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(boot)) + " " + ns
}

// processGone reports whether no process has ID pid here. A process of
// another user still exists (EPERM).
func processGone(pid int) bool {
	return pid > 0 && errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
