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

func TestAnonymousWritable(t *testing.T) {
	maps := `00400000-004ab000 r-xp 00000000 fe:00 9978017                            /tmp/exe
0058e000-00599000 rw-p 0018e000 fe:00 9978017                            /tmp/exe
2ee120000000-2ee123000000 ---p 00000000 00:00 0 
2ee123000000-2ee124800000 rw-p 00000000 00:00 0 
7f2d5d860000-7f2d5da00000 rw-p 00000000 00:00 0 
7f2d5da00000-7f2d5fa00000 rw-p 00000000 00:00 0 
7f2d5fa00000-7f2d5fc00000 rw-s 00000000 00:01 77                         /dev/zero (deleted)
7ffdca000000-7ffdcac6b000 rw-p 00000000 00:00 0                          [stack]
`
	got := anonymousWritable([]byte(maps))
	want := []region{{0x2ee123000000, 0x2ee124800000}, {0x7f2d5da00000, 0x7f2d5fa00000}}
	if !slices.Equal(got, want) {
		t.Errorf("anonymousWritable = %#x, want %#x", got, want)
	}
}

// TestPrepareHeapAdvisesTheHeap checks the kernel's view: the mapping that
// holds a heap allocation carries the hg (MADV_HUGEPAGE) flag in smaps,
// both for memory mapped before PrepareHeap and for an allocation after it.
func TestPrepareHeapAdvisesTheHeap(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("this kernel has no transparent huge pages:", err)
	}
	before := make([]byte, 8<<20)
	if advised(t, before) {
		t.Fatal("the heap was advised before PrepareHeap: the check below cannot tell")
	}
	if err := PrepareHeap(64 << 20); err != nil {
		t.Logf("PrepareHeap: %v", err) // best effort; the flags say whether it worked
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc >= 64<<20 {
		t.Errorf("after PrepareHeap the heap holds %d bytes: the reserve was not freed", ms.HeapAlloc)
	}
	after := make([]byte, 16<<20)
	for _, b := range [][]byte{before, after} {
		if !advised(t, b) {
			t.Errorf("the mapping holding %p has no hg flag after PrepareHeap", &b[0])
		}
	}
	runtime.KeepAlive(before)
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
