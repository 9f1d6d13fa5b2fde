// Package storagetest is the conformance suite for storage backends. A
// backend's test calls Run with a function that returns a fresh, empty root
// URL for each subtest (a t.TempDir for the local disk, a unique mem://
// host, a directory on a test namenode); the suite exercises the backend
// through the URL-level functions of package storage, so routing is tested
// too. It is deterministic, has no timing assertions and takes well under a
// second on the memory and local backends. Files lists a directory tree,
// for tests of writers.
package storagetest
