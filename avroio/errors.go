package avroio

import (
	"errors"
	"fmt"
)

// ErrCorrupt is matched (errors.Is) by every error that reports corrupt or
// malformed Avro data, as opposed to an I/O failure or a schema mismatch.
var ErrCorrupt = errors.New("corrupt data")

// HeaderBlock is the Block of a CorruptError found in the file header.
const HeaderBlock = -1

// CorruptError reports corrupt data at a position in a file. Block counts the
// blocks read from From, the start of the byte range being read (0 is the
// first block the range owns; HeaderBlock for the header); Offset is the
// absolute byte offset of the block (or header) in the file. A split that
// starts inside a file counts its blocks from there: its block 6 may be the
// file's block 32, which only reading the file from its start would tell.
type CorruptError struct {
	Path   string
	Block  int
	Offset int64
	From   int64
	Err    error // wraps ErrCorrupt
}

func (e *CorruptError) Error() string {
	if e.Block == HeaderBlock {
		return fmt.Sprintf("avroio: %s: header at offset %d: %v", e.Path, e.Offset, e.Err)
	}
	return fmt.Sprintf("avroio: %s: %v", blockAt(e.Path, e.Block, e.Offset, e.From), e.Err)
}

// blockAt names a block as CorruptError does.
func blockAt(path string, block int, off, from int64) string {
	if from > 0 {
		return fmt.Sprintf("%s: block at offset %d (block %d of the split from offset %d)", path, off, block, from)
	}
	return fmt.Sprintf("%s: block %d at offset %d", path, block, off)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// corruptf builds the Err of a CorruptError: a message ending in ": corrupt data".
func corruptf(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, ErrCorrupt)...)
}
