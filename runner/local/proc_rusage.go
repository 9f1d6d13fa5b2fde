//go:build unix && !linux

package local

import (
	"os"
	"syscall"
)

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
