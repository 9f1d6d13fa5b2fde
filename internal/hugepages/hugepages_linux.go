package hugepages

import (
	"fmt"
	"syscall"
)

const madvHugepage = 14 // MADV_HUGEPAGE in linux/mman-common.h

func advise(start, n uintptr) error {
	if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, start, n, madvHugepage); e != 0 {
		return fmt.Errorf("madvise(%#x, %d, MADV_HUGEPAGE): %w", start, n, e)
	}
	return nil
}
