package codec

import (
	"errors"
	"fmt"
	"strings"
)

// ErrCorrupt is wrapped by every error that Decode returns for malformed
// input: test with errors.Is(err, codec.ErrCorrupt).
var ErrCorrupt = errors.New("codec: corrupt data")

// ErrUnsupported is wrapped by the errors of For, KeyFor and CheckKey when a
// type cannot be encoded (value codecs) or is not orderable (key codecs).
var ErrUnsupported = errors.New("codec: unsupported type")

// DecodeError describes malformed input: which type and field was being
// decoded, at which byte offset of the input, and what was wrong. It matches
// ErrCorrupt under errors.Is.
type DecodeError struct {
	Type   string // the Go type passed to Decode, e.g. "main.Play"
	Field  string // path of the failing field inside Type, e.g. "Items[3].Name"; empty for Type itself
	Offset int    // offset in the input of the first byte of the failing item
	Err    error  // what is wrong
}

func (e *DecodeError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("codec: decoding %s at byte %d: %v", e.Type, e.Offset, e.Err)
	}
	return fmt.Sprintf("codec: decoding field %s of %s at byte %d: %v", e.Field, e.Type, e.Offset, e.Err)
}

// Unwrap returns the underlying cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is reports that every DecodeError is an ErrCorrupt.
func (e *DecodeError) Is(target error) bool { return target == ErrCorrupt }

// Causes of corruption. They are static so that the decoders allocate nothing
// until an error leaves a struct, slice or map decoder.
var (
	errTruncated = errors.New("unexpected end of input")
	errVarint    = errors.New("malformed varint")
	errRange     = errors.New("integer out of range for its type")
	errBool      = errors.New("invalid bool byte")
	errLength    = errors.New("length exceeds remaining input")
	errNanos     = errors.New("nanoseconds out of range")
	errFlag      = errors.New("invalid presence byte")
	errEscape    = errors.New("invalid escape in key string")
	errDuplicate = errors.New("duplicate map key")
	// errTimeKeys is errDuplicate in a map whose keys hold a time.Time: the
	// likely cause is the encoder's input, not corruption.
	errTimeKeys    = fmt.Errorf("%w: time.Time keys are encoded as instants, so keys for one instant in different locations (or with different monotonic clock readings), distinct in Go, decode equal; key the map by t.UTC().Round(0)", errDuplicate)
	errNonCanon    = errors.New("non-canonical key encoding")
	errCustomShort = errors.New("custom codec consumed more bytes than available")
	errDepth       = errors.New("nesting deeper than 10000 pointers, slices or maps")
)

// wrapAt attributes err to the item at path, starting off bytes into the
// input of the enclosing decoder. Nested calls prepend their part of the path
// and add their offsets, so the top-level error names the full path.
func wrapAt(err error, path string, off int) error {
	var de *DecodeError
	if errors.As(err, &de) && de.Type == "" {
		de.Field = joinPath(path, de.Field)
		de.Offset += off
		return de
	}
	return &DecodeError{Field: path, Offset: off, Err: err}
}

func joinPath(outer, inner string) string {
	const maxPath = 200 // deep paths keep their outer end
	if len(inner) > maxPath {
		inner = inner[:maxPath] + "..."
	}
	switch {
	case inner == "":
		return outer
	case outer == "":
		return inner
	case strings.HasPrefix(inner, "["):
		return outer + inner
	}
	return outer + "." + inner
}

// topError finishes an error leaving Codec.Decode.
func topError(err error, typ string) error {
	var de *DecodeError
	if errors.As(err, &de) && de.Type == "" {
		de.Type = typ
		return de
	}
	return &DecodeError{Type: typ, Err: err}
}

// maxDepth bounds the nesting of pointers, slices and maps that Decode
// follows, so that hostile input for a recursive type cannot exhaust the
// stack.
const maxDepth = 10000
