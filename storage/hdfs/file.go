package hdfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"syscall"

	hdfs "github.com/colinmarc/hdfs/v2"
	"github.com/crunchgo/crunchgo/storage"
)

// maxIdleReaders bounds how many idle readers (each may hold a datanode
// connection) an open File keeps for reuse.
const maxIdleReaders = 4

// Open opens a file for random access. Directories cannot be opened.
func (f *FS) Open(ctx context.Context, name string) (storage.File, error) {
	name = clean(name)
	if err := ctx.Err(); err != nil {
		return nil, f.fail("open", name, err)
	}
	c, err := f.conn(ctx)
	if err != nil {
		return nil, f.fail("open", name, err)
	}
	r, err := c.client.Open(name)
	if err != nil {
		return nil, f.fail("open", name, err)
	}
	if r.Stat().IsDir() {
		r.Close()
		return nil, f.fail("open", name, syscall.EISDIR)
	}
	return &file{fs: f, client: c.client, name: name, size: r.Stat().Size(), idle: []*reader{{r: r}}}, nil
}

// file is an open HDFS file. The client's FileReader is a seekable stream
// whose ReadAt is not safe for concurrent use, so file keeps a small pool of
// them: a ReadAt takes an idle reader (preferring one already positioned at
// the requested offset, whose datanode stream can simply continue) or opens
// a new one, and gives it back afterwards. Concurrent ReadAt calls thus
// proceed in parallel on their own datanode connections, and sequential
// callers keep streaming from one connection instead of reconnecting for
// every call.
type file struct {
	fs     *FS
	client *hdfs.Client
	name   string
	size   int64

	mu     sync.Mutex
	idle   []*reader
	closed bool
}

type reader struct {
	r   *hdfs.FileReader
	pos int64 // offset the next Read continues from
}

func (f *file) Size() int64 { return f.size }

// get returns a reader for a read at off.
func (f *file) get(off int64) (*reader, error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, fs.ErrClosed
	}
	if n := len(f.idle); n > 0 {
		i := n - 1 // most recently used
		for j, r := range f.idle {
			if r.pos == off {
				i = j
				break
			}
		}
		r := f.idle[i]
		f.idle = append(f.idle[:i], f.idle[i+1:]...)
		f.mu.Unlock()
		return r, nil
	}
	f.mu.Unlock()
	r, err := f.client.Open(f.name)
	if err != nil {
		return nil, err
	}
	return &reader{r: r}, nil
}

// put returns a healthy reader to the pool.
func (f *file) put(r *reader) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || len(f.idle) >= maxIdleReaders {
		r.r.Close()
		return
	}
	f.idle = append(f.idle, r)
}

// ReadAt reads len(b) bytes at off; it is safe for concurrent use. Like
// io.ReaderAt it returns io.EOF when it reads fewer bytes because the file
// ends.
func (f *file) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, f.fs.fail("read", f.name, fmt.Errorf("negative offset %d", off))
	}
	if len(b) == 0 {
		return 0, nil
	}
	if off >= f.size {
		return 0, io.EOF
	}
	want := b[:min(int64(len(b)), f.size-off)]
	r, err := f.get(off)
	if err != nil {
		return 0, f.fs.fail("read", f.name, err)
	}
	var n int
	if r.pos == off {
		// Continue the reader's stream; its ReadAt would seek, and the
		// client's Seek drops the datanode connection on a zero skip.
		n, err = io.ReadFull(r.r, want)
	} else {
		// Seeking to the start first drops the reader's datanode stream
		// (the client's skip refuses a backward move), so that ReadAt's own
		// seek reconnects at off. Left to itself, the client skips a short
		// distance forward by discarding stream bytes without advancing
		// its block offset (colinmarc/hdfs issue #312): the reader then
		// misreads the block's end, and a read across it failed with
		// "invalid checksum".
		if _, err = r.r.Seek(0, io.SeekStart); err == nil {
			n, err = r.r.ReadAt(want, off)
		}
	}
	if err != nil && !(errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) || n < len(want) {
		r.r.Close()
		if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("read %d bytes at offset %d, want %d: file is shorter than when opened (%d bytes)", n, off, len(want), f.size)
		}
		return n, f.fs.fail("read", f.name, fmt.Errorf("at offset %d: %w", off+int64(n), interpret(err)))
	}
	r.pos = off + int64(n)
	f.put(r)
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// Close closes the file; reads in flight finish, later reads fail.
func (f *file) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	for _, r := range f.idle {
		r.r.Close()
	}
	f.idle = nil
	return nil
}
