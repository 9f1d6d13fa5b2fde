package hugepages

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestPrepareHeapAdvisesTheHeap checks the kernel's view: a heap
// allocation made after PrepareHeap lies in a mapping with the hg
// (MADV_HUGEPAGE) flag in smaps, and the reserve is freed.
func TestPrepareHeapAdvisesTheHeap(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("this kernel has no transparent huge pages:", err)
	}
	if err := PrepareHeap(64 << 20); err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc >= 64<<20 {
		t.Errorf("after PrepareHeap the heap holds %d bytes: the reserve was not freed", ms.HeapAlloc)
	}
	// The reserve's ends short of a huge page boundary are not advised, so
	// look at the middle of an allocation that reuses its memory.
	after := make([]byte, 16<<20)
	if middle := after[8<<20:]; !advised(t, middle) {
		t.Errorf("the mapping holding an allocation made after PrepareHeap (%p) has no hg flag", &middle[0])
	}
	runtime.KeepAlive(after)
}

// advised reports whether the mapping holding b has the hg flag.
func advised(t *testing.T, b []byte) bool {
	t.Helper()
	addr := uint64(uintptr(unsafe.Pointer(&b[0])))
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(smaps))
	in := false
	for sc.Scan() {
		line := sc.Text()
		// A mapping's header starts with its range; its fields follow.
		if lo, hi, ok := strings.Cut(strings.SplitN(line, " ", 2)[0], "-"); ok {
			start, err1 := strconv.ParseUint(lo, 16, 64)
			end, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				in = start <= addr && addr < end
				continue
			}
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return slices.Contains(strings.Fields(line)[1:], "hg")
		}
	}
	t.Fatalf("no mapping in /proc/self/smaps holds %#x", addr)
	return false
}
