//go:build !linux

package hugepages

// advise does nothing: transparent huge pages are a Linux feature.
func advise(start, n uintptr) error { return nil }
