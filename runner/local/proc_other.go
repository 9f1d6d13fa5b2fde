//go:build unix && !linux && !darwin

package local

// rusageBytes converts ru_maxrss, which the BSDs report in KiB.
func rusageBytes(maxrss int64) int64 { return maxrss << 10 }
