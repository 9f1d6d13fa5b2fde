//go:build !unix

package local

import (
	"os"
	"os/exec"
	"syscall"
)

func sysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

func killSelf() {
	p, _ := os.FindProcess(os.Getpid())
	_ = p.Kill()
}

func maxRSS(*os.ProcessState) int64 { return 0 }

func quit(*exec.Cmd) bool { return false }

// lockFile does nothing here: without a lock, tryLockFile never claims a
// run directory, so dead runs' directories are not swept.
func lockFile(*os.File) error { return nil }

func tryLockFile(*os.File) bool { return false }

func watchBrokenOutput(int) {}

const noFollow = 0

func ownedByMe(os.FileInfo) bool { return false }
