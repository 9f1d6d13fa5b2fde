package parquetio

import (
	"errors"
	"fmt"
	"io"

	"github.com/crunchgo/crunchgo/internal/fileformat"
)

// ErrCorrupt is matched (with errors.Is) by every error caused by bytes that
// are not valid Parquet: bad magic, a truncated or undecodable footer, pages
// that do not decode, and panics inside the Parquet library.
var ErrCorrupt = errors.New("corrupt data")

// CorruptError says where corrupt data was found. RowGroup is -1 for the
// file's header and footer. Offset is the byte offset of the structure that
// failed to decode (the footer, or the first page of the row group).
type CorruptError struct {
	Path     string
	RowGroup int
	Offset   int64
	Err      error
}

func (e *CorruptError) Error() string {
	if errors.As(e.Err, new(*fileformat.MismatchError)) { // says what the file is instead
		return fmt.Sprintf("parquetio: %s: %s at offset %d: %v", e.Path, where(e.RowGroup, e.Offset), e.Offset, e.Err)
	}
	return fmt.Sprintf("parquetio: %s: %s at offset %d: %v: %v", e.Path, where(e.RowGroup, e.Offset), e.Offset, e.Err, ErrCorrupt)
}

// Unwrap returns the cause and ErrCorrupt.
func (e *CorruptError) Unwrap() []error { return []error{e.Err, ErrCorrupt} }

// ErrUnsupported is matched by errors for valid Parquet that parquetio
// cannot read correctly: pages compressed with LZ4_RAW less than 3 to 1,
// which the Parquet library may decode into stale bytes. Lenient does not
// skip these: the file is not corrupt.
var ErrUnsupported = errors.New("not supported")

// ErrSchemaMismatch is matched (with errors.Is) by every *SchemaError.
var ErrSchemaMismatch = errors.New("file does not match the row type")

// SchemaError says why a file cannot be read as the reader's row type T
// without losing data: a column T requires that the file lacks, a column
// whose type or structure does not convert to T's without loss (found when
// the file is opened, with RowGroup and Row -1), or a null value T cannot
// hold (found when its page is read, with RowGroup, Row and RowInGroup
// locating its row). Lenient does not skip these: the file is not corrupt,
// T does not fit it.
type SchemaError struct {
	Path       string
	Column     string // the column's path in the file, dotted
	RowGroup   int
	Row        int64 // index of the row in the file
	RowInGroup int64 // index of the row in its row group
	Err        error
}

func (e *SchemaError) Error() string {
	if e.RowGroup < 0 {
		return fmt.Sprintf("parquetio: %s: column %q: %v", e.Path, e.Column, e.Err)
	}
	return fmt.Sprintf("parquetio: %s: row group %d, row %d (row %d of the file): column %q: %v",
		e.Path, e.RowGroup, e.RowInGroup, e.Row, e.Column, e.Err)
}

// Unwrap returns the cause and ErrSchemaMismatch.
func (e *SchemaError) Unwrap() []error { return []error{e.Err, ErrSchemaMismatch} }

// ioError is an error returned by the underlying io.ReaderAt (other than
// io.EOF, which inside a file of known size means truncation).
type ioError struct{ err error }

func (e *ioError) Error() string { return e.err.Error() }
func (e *ioError) Unwrap() error { return e.err }

// trackingReaderAt remembers the first genuine I/O error of its reader, so
// that errors surfacing from the Parquet library can be told apart: an I/O
// failure is reported as such, everything else as corruption.
type trackingReaderAt struct {
	r      io.ReaderAt
	size   int64
	ioErr  error
	nbytes int64
}

func (t *trackingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := t.r.ReadAt(p, off)
	t.nbytes += int64(n)
	if err != nil && err != io.EOF && t.ioErr == nil {
		t.ioErr = &ioError{err}
	}
	return n, err
}

func (t *trackingReaderAt) Size() int64 { return t.size }

// wrap turns err (from the Parquet library, or a recovered panic) into the
// error the reader returns: an I/O error keeps its identity, and so does
// ErrUnsupported; anything else becomes a *CorruptError.
func (t *trackingReaderAt) wrap(path string, rowGroup int, offset int64, err error) error {
	if t.ioErr != nil {
		return fmt.Errorf("parquetio: %s: %s at offset %d: %w", path, where(rowGroup, offset), offset, t.ioErr)
	}
	if errors.Is(err, ErrUnsupported) {
		return fmt.Errorf("parquetio: %s: %s: %w", path, where(rowGroup, offset), err)
	}
	return &CorruptError{Path: path, RowGroup: rowGroup, Offset: offset, Err: err}
}

// recovered converts a recovered panic value into an error.
func recovered(v any) error {
	if err, ok := v.(error); ok {
		return fmt.Errorf("parquet library panic: %w", err)
	}
	return fmt.Errorf("parquet library panic: %v", v)
}

func where(rowGroup int, offset int64) string {
	switch {
	case rowGroup >= 0:
		return fmt.Sprintf("row group %d", rowGroup)
	case offset < 4:
		return "header"
	}
	return "footer"
}
