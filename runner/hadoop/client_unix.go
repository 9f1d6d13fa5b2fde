//go:build unix

package hadoop

import (
	"os/exec"
	"syscall"
)

// inOwnGroup starts cmd in a process group of its own, and makes cancelling
// it kill the whole group: a hadoop command that runs its JVM as a child
// (a vendor's wrapper script) would otherwise keep running, and keep the
// output pipes open, until the job ended.
func inOwnGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
