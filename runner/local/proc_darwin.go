package local

// rusageBytes converts ru_maxrss, which macOS reports in bytes.
func rusageBytes(maxrss int64) int64 { return maxrss }
