// Package hugepages asks Linux to back a process's Go heap with transparent
// huge pages, for processes that do a burst of work on a fresh heap: the
// local runner's workers.
//
// Where the system's transparent huge page mode is "madvise" (the default
// of many distributions), only memory a program advises gets huge pages, and
// the Go runtime advises none of its heap. Each 4 KiB page of a fresh heap
// is then one page fault on first touch. On some virtual machines a fault is
// expensive: on the Firecracker guests crunchgo is developed on, touching
// 64 MiB page by page took 215–290 ms, against about 0.5 ms to touch it again.
// A worker that grows a 60 MiB heap pays that once, which is a third of a
// 1M-event daily-plays run there.
//
// PrepareHeap makes the runtime map the heap a process expects to grow and
// advises it; Advise advises what the heap has grown since. Both are best
// effort: elsewhere than Linux they do nothing, and where the mode is
// "never" the kernel ignores the advice.
package hugepages
