//go:build (amd64 || arm64) && !purego

package shuffle

// prefetch asks the CPU to bring the cache line at p in, without waiting
// for it (PREFETCHT0, PRFM). Go has no prefetch intrinsic; a plain load
// used as one holds up the loop until its cache miss is served.
//
//go:noescape
func prefetch(p *byte)
