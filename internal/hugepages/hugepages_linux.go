package hugepages

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

const madvHugepage = 14 // MADV_HUGEPAGE in linux/mman-common.h

// Advise asks the kernel to back the process's private anonymous writable
// mappings of at least one huge page (2 MiB) with huge pages: the Go heap,
// and whatever else is large and anonymous. Memory already touched stays as
// it is until the kernel's background collapsing gets to it.
func Advise() error {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return err
	}
	var firstErr error
	for _, r := range anonymousWritable(maps) {
		// A region unmapped since the file was read fails with ENOMEM,
		// harmlessly; keep the first error for the caller to log.
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, r.start, r.end-r.start, madvHugepage); e != 0 && firstErr == nil {
			firstErr = fmt.Errorf("madvise(%#x, %d, MADV_HUGEPAGE): %w", r.start, r.end-r.start, e)
		}
	}
	return firstErr
}

type region struct{ start, end uintptr }

// anonymousWritable picks from /proc/self/maps the private, writable
// mappings of no file, at least 2 MiB long. Lines look like
//
//	c000000000-c004000000 rw-p 00000000 00:00 0
//
// with a path after the inode for mappings of a file or named regions such
// as [stack] and [heap] (the C heap).
func anonymousWritable(maps []byte) []region {
	var rs []region
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) != 5 || string(f[1]) != "rw-p" || string(f[4]) != "0" {
			continue
		}
		lo, hi, ok := bytes.Cut(f[0], []byte{'-'})
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		end, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || end < start || end-start < 2<<20 {
			continue
		}
		rs = append(rs, region{uintptr(start), uintptr(end)})
	}
	return rs
}
