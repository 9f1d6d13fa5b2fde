// Package storage is crunchgo's file-system layer: one small interface, FS,
// implemented by every backend, and package-level functions that take full
// URLs and route them to the right backend.
//
// # URLs
//
//	/data/in, data/in, file:///data/in   local disk
//	mem://name/path                     the in-process memory FS "name"
//	hdfs://namenode:8020/path           HDFS (registered by storage/hdfs)
//	hdfs:///path                        HDFS at the backend's default namenode
//
// Backends register a scheme with Register; Resolve returns the FS and the
// path inside it. FS instances are cached per scheme and host, so a process
// holds one client per namenode. URLs are split textually, not unescaped:
// a path may hold '?', '#' or '%' as plain characters. FileInfo.URL of a
// List, Stat or Glob result can be passed back to Open; for the local disk
// it is the OS path (relative if the request was).
//
// # Writing
//
// Create returns a Writer whose Close commits: nothing is visible at the
// name until Close returns nil, Abort (or cancelling the ctx given to
// Create) leaves nothing, and a file that exists already is never
// overwritten (fs.ErrExist, at Create and again at Close). The local
// backend writes to a dot-prefixed temporary file next to the target and
// links it into place; the memory backend buffers in memory.
//
// # Errors
//
// Errors are *PathError values naming the operation and the URL.
// errors.Is(err, fs.ErrNotExist) and errors.Is(err, fs.ErrExist) hold for
// every backend; other conditions (a directory where a file was expected,
// removing a non-empty directory) are errors whose kind is not specified.
// A path or pattern that nothing is at is NoMatch's error, "no such file or
// directory", in DataFiles and in every tool that looks one up.
//
// # Memory FS
//
// mem:// file systems live as long as the process and are shared by all
// code in it; tests use a unique host per test, or ResetMem. Committed
// files are immutable, so open Files keep their bytes after a Remove.
//
// All functions and FS methods are safe for concurrent use; a Writer is
// used by one goroutine at a time.
//
// The conformance suite every backend passes is in storage/storagetest; an
// error-injecting wrapper for fault tests is in storage/faultfs.
package storage
