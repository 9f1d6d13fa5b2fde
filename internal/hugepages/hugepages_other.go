//go:build !linux

package hugepages

// Advise does nothing: transparent huge pages are a Linux feature.
func Advise() error { return nil }
