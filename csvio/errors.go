package csvio

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrQuotedNewline is matched by the error for a quoted field left open
	// at the end of its line when files are read in splits: a field holding
	// a newline, which only WholeFiles reads.
	ErrQuotedNewline = errors.New("quoted field continues past the end of its line (a field holding a newline needs csvio.WholeFiles)")
	// ErrColumns is matched by the error for a record with another number of
	// columns than the header (or the struct's fields, without one), and
	// for a header that lacks a field's column.
	ErrColumns = errors.New("wrong columns")
)

// Error says where in which file a record failed to read: the record's
// line (its number when the reader knows it: in a split starting the file)
// and byte offset (in the decompressed text of a compressed file), and the
// column and field at fault when there is one.
type Error struct {
	Path   string
	Line   int   // 1-based, 0 when unknown
	Offset int64 // where the record's first line starts
	Column int   // 1-based, 0 for the whole record
	Field  string
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "csvio: %s: ", e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d (offset %d): ", e.Line, e.Offset)
	} else {
		fmt.Fprintf(&b, "line at offset %d: ", e.Offset)
	}
	if e.Column > 0 {
		fmt.Fprintf(&b, "column %d", e.Column)
		if e.Field != "" {
			fmt.Fprintf(&b, " (%s)", e.Field)
		}
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%v", e.Err)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }
