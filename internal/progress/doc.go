// Package progress lets the work of a task show that it moves on, so that
// whatever watches the task (the local runner's driver, Hadoop) can tell a
// slow task from a hung one.
//
// A task's loops call Mark for every record they take in or put out; the
// watcher calls Moved now and then. Mark costs a load and a branch that is
// nearly always taken the same way: it writes only the first time after
// Moved cleared the flag, so the hot path does not bounce a cache line
// between cores. The flag is per process: a worker runs one task at a time.
// OnMoved lets that first Mark also publish the task's record counts, so
// that the watcher can report them while the task runs.
package progress
