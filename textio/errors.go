package textio

import (
	"errors"
	"fmt"
)

var (
	// ErrCorrupt is matched by errors caused by undecodable input (a damaged
	// gzip stream, or a 0-byte ".gz" file).
	ErrCorrupt = errors.New("corrupt data")
	// ErrLineTooLong is matched by the error for a line longer than the
	// limit set with MaxLineLength.
	ErrLineTooLong = errors.New("line too long")
	// ErrNotText is matched by the error for an input of Read that is an
	// Avro or Parquet file: its bytes as lines would be garbage.
	ErrNotText = errors.New("not a text file")
)

// Error says where reading a text file failed. Offset is a byte offset in
// the file, or in the decompressed stream for gzip files.
type Error struct {
	Path   string
	Offset int64
	Err    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("textio: %s: offset %d: %v", e.Path, e.Offset, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
