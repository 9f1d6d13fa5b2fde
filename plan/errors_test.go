package plan

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
)

// TestCatch checks that Catch returns f's error or a raised Abort's, and
// lets any other panic through.
func TestCatch(t *testing.T) {
	boom := errors.New("boom")
	if err := Catch(func() error { return boom }); err != boom {
		t.Errorf("returned error: got %v", err)
	}
	if err := Catch(func() error { Raise(boom); return nil }); err != boom {
		t.Errorf("raised error: got %v", err)
	}
	defer func() {
		if r := recover(); r != "other" {
			t.Errorf("other panic: recovered %v", r)
		}
	}()
	_ = Catch(func() error { panic("other") })
	t.Error("a panic that is no Abort was caught")
}

// TestPanicSite checks that PanicSite finds the line that panicked in a
// stack taken by a deferred recover, below the runtime's own frames.
func TestPanicSite(t *testing.T) {
	var stack string
	func() {
		defer func() {
			recover()
			stack = string(debug.Stack())
		}()
		var xs []int
		_ = xs[len(stack)+3] // the line that panics
	}()
	_, file, line, _ := runtime.Caller(0)
	want := fmt.Sprintf("plan/%s:%d", filepath.Base(file), line-2)
	if got := PanicSite(stack); got != want {
		t.Errorf("PanicSite = %q, want %q, from:\n%s", got, want, stack)
	}
	if got := PanicSite("no panic here"); got != "" {
		t.Errorf("PanicSite of a stack without a panic = %q", got)
	}
}
