package plan

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crunchgo/crunchgo/internal/textcut"
)

// TransformError is the error of a user function that returned an error or
// panicked while a task ran. It names the transform and where it was built.
type TransformError struct {
	Transform string // transform name, e.g. "Map"
	Caller    string // file:line where the transform was added to the pipeline
	Err       error  // the error returned, or nil after a panic
	Panic     any    // the panic value, if the function panicked
	Stack     string // the stack of the panic, if any
	// Input says what the task was on: a map task sets it to the record
	// of a file it read (InputRecord), a reduce task to the group
	// (InputGroup), a map-side combiner to the key (InputKey).
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

// InputGroup describes the group of a reduce task whose key renders as
// key (KeyText), for TransformError.Input.
func InputGroup(key string, info TaskInfo) string {
	return InputGroupIn(key, fmt.Sprintf("reduce task %d of stage %d", info.Task, info.Stage))
}

// InputGroupIn describes a group whose key renders as key (KeyText), met
// where says (say "reduce task 3 of stage 1"; "" where no task tells it
// apart), for TransformError.Input.
func InputGroupIn(key, where string) string {
	if where == "" {
		return "the group of key " + key
	}
	return "the group of key " + key + " (" + where + ")"
}

// InputKey describes the key, rendered as key (KeyText), of a record
// that a map-side combiner folded, for TransformError.Input.
func InputKey(key string) string { return "key " + key }

// KeyDescriber is an optional upgrade of GroupByKeyPayload and
// CombinePayload: DescribeKey renders a group's encoded key, as their
// group reader or accumulator merger gets it, as its Go value (KeyText).
// Runners call it only when a user function fails on the group, so it
// may be slow; without it they quote the encoded bytes.
type KeyDescriber interface {
	DescribeKey(key []byte) string
}

// DescribeKey renders a group's encoded key for an error as payload (a
// GroupByKeyPayload or CombinePayload) describes it, or else as quoted
// bytes (KeyText).
func DescribeKey(payload any, key []byte) string {
	if d, ok := payload.(KeyDescriber); ok {
		return d.DescribeKey(key)
	}
	return KeyText(key)
}

// maxKeyText bounds a key as KeyText renders it, in bytes before quoting:
// a key can be huge, and the error's first line should stay readable.
const maxKeyText = 200

// KeyText renders a key for an error, on one line: a string or a byte
// slice quoted (%q), anything else as %v prints it (quoted too if that
// holds a newline or another unprintable character), cut to about 200
// bytes with "..." and the full length.
func KeyText(key any) string {
	var text string
	quote := true
	switch k := key.(type) {
	case string:
		text = k
	case []byte:
		text = string(k)
	default:
		text = fmt.Sprintf("%v", key)
		quote = strings.IndexFunc(text, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 || !utf8.ValidString(text)
	}
	cut := ""
	if len(text) > maxKeyText {
		cut = fmt.Sprintf("... (%d bytes)", len(text))
		text = textcut.Prefix(text, maxKeyText)
	}
	if quote {
		text = strconv.Quote(text)
	}
	return text + cut
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
