// Package hugepages asks Linux to back the start of a process's Go heap
// with transparent huge pages, for processes that do a burst of work on a
// fresh heap: the local runner's workers.
//
// Where the system's transparent huge page mode is "madvise" (the default
// of many distributions), only memory a program advises gets huge pages, and
// the Go runtime advises none of its heap. Each 4 KiB page of a fresh heap
// is then one page fault on first touch. On some virtual machines a fault is
// expensive: on the Firecracker guests crunchgo is developed on, touching
// 64 MiB page by page took 215–290 ms, against about 0.5 ms to touch it again.
// A worker that grows a 60 MiB heap paid that once, a third of a 1M-event
// daily-plays run there.
//
// The advice has costs, which is why the runtime gives none
// (go.dev/issue/61718, go.dev/issue/64342): with the usual defrag setting a
// fault in advised memory may compact memory on the spot, a stall when
// memory is fragmented, and the kernel's khugepaged may later fill in the
// untouched pages of advised memory. PrepareHeap therefore advises only a
// bounded stretch of heap, prepared up front, and nothing the runtime maps
// for its own metadata. It is best effort: elsewhere than Linux it does
// nothing, and where the mode is "never" the kernel ignores the advice.
package hugepages
