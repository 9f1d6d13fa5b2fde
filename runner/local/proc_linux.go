package local

// rusageBytes converts ru_maxrss, which Linux reports in KiB.
func rusageBytes(maxrss int64) int64 { return maxrss << 10 }
