package plan

import (
	"errors"
	"fmt"
)

// TransformError is the error of a user function that returned an error or
// panicked while a task ran. It names the transform and where it was built.
type TransformError struct {
	Transform string // transform name, e.g. "Map"
	Caller    string // file:line where the transform was added to the pipeline
	Err       error  // the error returned, or nil after a panic
	Panic     any    // the panic value, if the function panicked
	Stack     string // the stack of the panic, if any
}

func (e *TransformError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("transform %s (%s) panicked: %v", e.Transform, e.Caller, e.Panic)
	}
	return fmt.Sprintf("transform %s (%s): %v", e.Transform, e.Caller, e.Err)
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
