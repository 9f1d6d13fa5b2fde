// Package faultfs wraps a storage.FS and makes chosen operations fail, for
// testing how writers, committers and runners cope with storage errors (in
// the spirit of pebble's errorfs).
//
// A Rule names the operations it applies to (a set of Op bits), a path
// pattern, and when it fires: after N matching calls have succeeded, or,
// for writes, once a writer has written N bytes (a short write, like a full
// disk). Every rule counts the calls it matches; a call fails with the error
// of the first rule that fires. Injected errors are *storage.PathError
// values wrapping ErrInjected (or the rule's own Err), so errors.Is works.
//
// An injected failure of Writer.Close aborts the underlying writer, so
// nothing is committed: the failure looks like a commit that did not
// happen. Faults in Write leave the writer open; callers are expected to
// Abort it.
//
// Wrap returns the wrapped FS for direct use; Register additionally makes it
// reachable through URLs of a test scheme (fault://anyhost/path), so code
// that takes URLs, such as runners and IO packages, can be tested against it.
package faultfs
