//go:build unix

package local

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// sysProcAttr puts a worker in its own process group, so a terminal's
// SIGINT reaches only the driver (which then kills the group) and killing
// the group also kills anything the user's code started.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Process.Kill()
	}
}

func killSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGKILL) }

// quit sends SIGQUIT to the worker alone: the Go runtime then prints every
// goroutine's stack and exits.
func quit(cmd *exec.Cmd) bool {
	return cmd.Process != nil && cmd.Process.Signal(syscall.SIGQUIT) == nil
}

// lockFile takes an exclusive lock on f, held until f is closed or the
// process dies. It waits for a sweeper that holds it for a moment.
func lockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }

// tryLockFile reports whether it took an exclusive lock on f, at once.
func tryLockFile(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

// watchBrokenOutput takes SIGPIPE as a sign that the driver may have died:
// a worker's stdout and stderr are pipes to it, and the Go runtime would
// otherwise kill the worker at its next write to them (a user function's
// log line) before it could clean up after the run. A SIGPIPE from another
// pipe or socket of user code, the driver alive, changes nothing: the
// write fails with EPIPE, as it would without this.
func watchBrokenOutput(driverPid int) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGPIPE)
	go func() {
		for range c {
			if orphaned(driverPid) {
				os.Exit(3)
			}
		}
	}()
}

// noFollow makes an open fail on a symbolic link.
const noFollow = syscall.O_NOFOLLOW

// ownedByMe reports whether fi belongs to this process's effective user.
func ownedByMe(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}
