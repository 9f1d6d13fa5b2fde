package jsonio

import "fmt"

// Error says where in which file a line failed to decode: its byte offset
// (in the decompressed text of a compressed file) and, when the reader
// knows it (in a split starting the file), its number.
type Error struct {
	Path   string
	Line   int // 1-based, 0 when unknown
	Offset int64
	Err    error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("jsonio: %s: line %d (offset %d): %v", e.Path, e.Line, e.Offset, e.Err)
	}
	return fmt.Sprintf("jsonio: %s: line at offset %d: %v", e.Path, e.Offset, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
