package plan

import (
	"errors"
	"fmt"
	"strings"
)

// TransformError is the error of a user function that returned an error or
// panicked while a task ran. It names the transform and where it was built.
type TransformError struct {
	Transform string // transform name, e.g. "Map"
	Caller    string // file:line where the transform was added to the pipeline
	Err       error  // the error returned, or nil after a panic
	Panic     any    // the panic value, if the function panicked
	Stack     string // the stack of the panic, if any
	// Input says which input record the task was on, when it read a file:
	// a map task sets it (InputRecord) for a failure while it reads.
	Input string
}

func (e *TransformError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "transform %s (%s)", e.Transform, e.Caller)
	if e.Err == nil {
		b.WriteString(" panicked")
		if site := PanicSite(e.Stack); site != "" {
			b.WriteString(" at " + site)
		}
	}
	if e.Input != "" {
		b.WriteString(" on " + e.Input)
	}
	if e.Err == nil {
		fmt.Fprintf(&b, ": %v", e.Panic)
	} else {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// InputRecord describes record n (from 1) of a file split, for
// TransformError.Input.
func InputRecord(n int64, s Split) string {
	return fmt.Sprintf("record %d of bytes %d to %d of %s", n, s.Offset, s.Offset+s.Length, s.Path)
}

// PanicSite finds in stack, a goroutine's stack as debug.Stack prints it
// from a deferred recover, the line that panicked: the first frame below
// the panic that is not the runtime's (an index out of range panics in
// runtime.goPanicIndex, called by the faulty line). It gives that frame's
// file, shortened to its directory and name, and line, or "".
func PanicSite(stack string) string {
	lines := strings.Split(stack, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "panic(") {
			continue
		}
		for j := i + 2; j+1 < len(lines); j += 2 {
			if strings.HasPrefix(lines[j], "runtime.") || strings.HasPrefix(lines[j], "panic(") {
				continue
			}
			loc := strings.TrimSpace(lines[j+1])
			if k := strings.LastIndex(loc, " +0x"); k >= 0 {
				loc = loc[:k]
			}
			if k := strings.LastIndexByte(loc, '/'); k >= 0 {
				if d := strings.LastIndexByte(loc[:k], '/'); d >= 0 {
					loc = loc[d+1:]
				}
			}
			return loc
		}
	}
	return ""
}

func (e *TransformError) Unwrap() error { return e.Err }

// Abort carries an error through a fused kernel as a panic, so that per-record
// emitters need no error results. Task runners recover it and return Err.
type Abort struct{ Err error }

// Raise panics with Abort{err}.
func Raise(err error) { panic(Abort{Err: err}) }

// Catch runs f and returns its error, or the error of an Abort raised in
// it; any other panic goes on up.
func Catch(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			a, ok := r.(Abort)
			if !ok {
				panic(r)
			}
			err = a.Err
		}
	}()
	return f()
}

// PermanentError is a task failure that retrying cannot fix: input data
// that cannot be read as it is (corrupt bytes, a null the record type
// cannot hold), or a setting too small for the task. Runners that retry
// failed tasks fail the job at once instead, where retrying would only
// repeat the work and make the failure read as flaky.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as a failure that retrying cannot fix; nil stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err is marked Permanent.
func IsPermanent(err error) bool {
	var pe *PermanentError
	return errors.As(err, &pe)
}
