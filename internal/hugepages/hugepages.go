package hugepages

import (
	"runtime"
	"runtime/debug"
	"unsafe"
)

// hugePage is the size of a transparent huge page on amd64 and arm64 with
// 4 KiB base pages.
const hugePage = 2 << 20

// PrepareHeap makes the Go runtime map bytes of heap and advises the huge
// pages that lie wholly inside it, then frees the memory for the heap's
// later allocations. It allocates without touching, so it costs no page
// faults and nothing resident until the memory is used, and collects once,
// while the heap is small, to free the allocation, returning its pages to
// the OS so that they do not count against the runtime's memory limit.
//
// Call it early, before the heap grows: only memory first touched after the
// advice gets huge pages, and only within these bytes. Advising the heap as
// it grows beyond them would expose more of it to the stalls the package
// doc describes.
func PrepareHeap(bytes int) error {
	if bytes < 2*hugePage {
		return nil
	}
	reserve := make([]byte, bytes)
	start := uintptr(unsafe.Pointer(&reserve[0]))
	end := start + uintptr(len(reserve))
	start = (start + hugePage - 1) &^ (hugePage - 1)
	end &^= hugePage - 1
	err := advise(start, end-start)
	runtime.KeepAlive(reserve)
	reserve = nil
	// Collect and hand the freed pages back to the OS (they were never
	// touched, so this costs little, and they keep the advice): freed but
	// kept, they would count against a memory limit, and under
	// gcpace.WarmUp's small one trigger a collection at once.
	debug.FreeOSMemory()
	return err
}
