package local

import "os"

// maxRSS would be an exited worker's peak resident set from wait4, but on
// Linux that is no measure of the worker: Go starts it with vfork, and exec
// records the parent's high-water mark as the child's, so a driver that had
// grown (a test binary late in its run) inflated every worker's figure.
// Workers report their own VmHWM with each task's result instead.
func maxRSS(*os.ProcessState) int64 { return 0 }
