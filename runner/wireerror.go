package runner

import (
	"errors"
	"fmt"

	"github.com/crunchgo/crunchgo/plan"
)

// WireError is a task's error as plain data, for executors whose tasks run
// in other processes: it travels as JSON and turns back into an error that
// is still a *plan.TransformError when a user function failed, so the
// driver can name the transform.
type WireError struct {
	Msg       string `json:"msg"`
	Transform string `json:"transform,omitempty"`
	Caller    string `json:"caller,omitempty"`
	Inner     string `json:"inner,omitempty"` // the user function's error
	Panic     string `json:"panic,omitempty"` // or its panic value
	Stack     string `json:"stack,omitempty"`
	Input     string `json:"input,omitempty"`
	// Permanent says that retrying cannot help (see plan.Permanent).
	Permanent bool `json:"permanent,omitempty"`
}

// ToWire describes err as a WireError; nil stays nil.
func ToWire(err error) *WireError {
	if err == nil {
		return nil
	}
	w := &WireError{Msg: err.Error()}
	w.Permanent = plan.IsPermanent(err)
	var te *plan.TransformError
	if errors.As(err, &te) {
		w.Transform, w.Caller, w.Stack, w.Input = te.Transform, te.Caller, te.Stack, te.Input
		if te.Err != nil {
			w.Inner = te.Err.Error()
		} else {
			w.Panic = fmt.Sprint(te.Panic)
		}
	}
	return w
}

// Err turns the description back into an error.
func (w *WireError) Err() error {
	err := w.err()
	if w.Permanent {
		err = plan.Permanent(err)
	}
	return err
}

func (w *WireError) err() error {
	if w.Transform == "" {
		return errors.New(w.Msg)
	}
	te := &plan.TransformError{Transform: w.Transform, Caller: w.Caller, Stack: w.Stack, Input: w.Input}
	if w.Panic != "" {
		te.Panic = w.Panic
	} else {
		te.Err = errors.New(w.Inner)
	}
	return te
}
