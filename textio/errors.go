package textio

import (
	"errors"
	"fmt"
)

var (
	// ErrCorrupt is matched by errors caused by undecodable input (a damaged
	// or truncated compressed stream, or a 0-byte compressed file).
	ErrCorrupt = errors.New("corrupt data")
	// ErrLineTooLong is matched by the error for a line longer than the
	// limit set with MaxLineLength.
	ErrLineTooLong = errors.New("line too long")
	// ErrNotText is matched by the error for an input whose bytes as lines
	// would be garbage: an Avro or Parquet file (refused by Read), a file
	// compressed with a codec textio cannot read, or compressed data in a
	// file whose name does not say so.
	ErrNotText = errors.New("not a text file")
)

// Error says where reading a text file failed. Offset is a byte offset in
// the file, or in the decompressed stream for compressed files (whose
// errors also say about where in the file the decompressor stopped).
type Error struct {
	Path   string
	Offset int64
	Err    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("textio: %s: offset %d: %v", e.Path, e.Offset, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
