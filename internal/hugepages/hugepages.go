package hugepages

import "runtime"

// PrepareHeap makes the Go runtime map bytes of heap, advises the process's
// memory (Advise), and leaves the heap as it was, with the memory free for
// later allocations. It allocates bytes without touching them, so it costs
// no page faults and nothing resident until the memory is used, and collects
// once, while the heap is small, to free the allocation.
//
// Call it early, before the heap grows: pages already touched stay small.
func PrepareHeap(bytes int) error {
	reserve := make([]byte, bytes)
	err := Advise()
	runtime.KeepAlive(reserve)
	reserve = nil
	runtime.GC()
	return err
}
