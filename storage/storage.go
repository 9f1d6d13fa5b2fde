package storage

import (
	"context"
	"io"
	"time"
)

// FS is one storage backend (local disk, HDFS, memory). Names passed to an FS
// are paths inside that backend (already stripped of scheme and host); the
// package-level functions route full URLs to the right FS.
type FS interface {
	// Open opens a file for random access.
	Open(ctx context.Context, name string) (File, error)
	// Create starts writing a file. Nothing is visible at name until Close
	// returns nil; Abort (or a cancelled ctx) leaves nothing behind.
	// Create fails with fs.ErrExist if name exists. Parent directories are
	// created as needed.
	Create(ctx context.Context, name string) (Writer, error)
	Stat(ctx context.Context, name string) (FileInfo, error)
	// List returns the entries of a directory, sorted by name.
	List(ctx context.Context, dir string) ([]FileInfo, error)
	// Rename moves a file or directory; it fails with fs.ErrExist if the
	// destination exists.
	Rename(ctx context.Context, from, to string) error
	// Remove removes a file or an empty directory.
	Remove(ctx context.Context, name string) error
	// RemoveAll removes a tree; a missing name is not an error.
	RemoveAll(ctx context.Context, name string) error
	MkdirAll(ctx context.Context, dir string) error
}

// File is an open file. ReadAt is safe for concurrent use.
type File interface {
	io.ReaderAt
	io.Closer
	Size() int64
}

// Writer is a file being written; Close commits it, Abort discards it.
type Writer interface {
	io.Writer
	Close() error
	Abort() error
}

// FileInfo describes a file or directory. URL is the full URL (scheme and
// host included) so results of List and Glob can be passed back to Open.
type FileInfo struct {
	URL     string
	Name    string // base name
	Size    int64
	IsDir   bool
	ModTime time.Time
}
