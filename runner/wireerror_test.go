package runner_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
)

func TestWireErrorRoundTrip(t *testing.T) {
	for _, err := range []error{
		errors.New("disk full"),
		fmt.Errorf("stage 1: %w", &plan.TransformError{Transform: "Parse", Caller: "job.go:12", Err: errors.New("bad row")}),
		&plan.TransformError{Transform: "Boom", Caller: "job.go:20", Panic: "index out of range", Stack: "goroutine 1"},
	} {
		b, jerr := json.Marshal(runner.ToWire(err))
		if jerr != nil {
			t.Fatal(jerr)
		}
		var w runner.WireError
		if jerr := json.Unmarshal(b, &w); jerr != nil {
			t.Fatal(jerr)
		}
		got := w.Err()
		var want, te *plan.TransformError
		if errors.As(err, &want) {
			if !errors.As(got, &te) || te.Transform != want.Transform || te.Caller != want.Caller || te.Stack != want.Stack {
				t.Errorf("%v came back as %#v", err, got)
			}
			if te != nil && te.Error() != want.Error() {
				t.Errorf("message %q, want %q", te.Error(), want.Error())
			}
			continue
		}
		if got.Error() != err.Error() {
			t.Errorf("%v came back as %v", err, got)
		}
	}
	if runner.ToWire(nil) != nil {
		t.Error("ToWire(nil) is not nil")
	}
}
