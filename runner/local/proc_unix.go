//go:build unix

package local

import (
	"os"
	"os/exec"
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

// maxRSS is the peak resident set of an exited process, in bytes.
func maxRSS(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return rusageBytes(int64(ru.Maxrss))
	}
	return 0
}
