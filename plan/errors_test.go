package plan

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
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

// TestKeyText checks that keys render on one line, quoted where a string
// is, and cut to a bounded length.
func TestKeyText(t *testing.T) {
	type countryTrack struct{ Country, Track string }
	long := strings.Repeat("x", 1000)
	for _, tc := range []struct {
		key  any
		want string
	}{
		{"US", `"US"`},
		{"", `""`},
		{"a\nb", `"a\nb"`},
		{[]byte{0, 1, 'a', 0xff}, `"\x00\x01a\xff"`},
		{42, `42`},
		{-1.5, `-1.5`},
		{countryTrack{"US", "t1"}, `{US t1}`},
		{countryTrack{"US", "line\nbreak"}, `"{US line\nbreak}"`},
		{long, `"` + long[:200] + `"... (1000 bytes)`},
		{[]int{1, 2}, `[1 2]`},
		// Cut before a character, not inside it.
		{strings.Repeat("x", 199) + "ä" + long, `"` + strings.Repeat("x", 199) + `"... (1201 bytes)`},
	} {
		if got := KeyText(tc.key); got != tc.want {
			t.Errorf("KeyText(%#v) = %s, want %s", tc.key, got, tc.want)
		}
	}
}

// TestTransformErrorOnGroup checks the text of a reduce task's error.
func TestTransformErrorOnGroup(t *testing.T) {
	err := &TransformError{Transform: "Reduce", Caller: "job.go:12", Err: errors.New("bad total"),
		Input: InputGroup(KeyText("US"), TaskInfo{Stage: 1, Role: "reduce", Task: 3})}
	want := `transform Reduce (job.go:12) on the group of key "US" (reduce task 3 of stage 1): bad total`
	if got := err.Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
