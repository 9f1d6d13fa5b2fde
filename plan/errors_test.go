package plan

import (
	"errors"
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
