package storage

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// localFS is the local disk. Names are OS paths, absolute or relative to the
// working directory, and FileInfo.URL is the cleaned OS path.
type localFS struct{}

// lerr turns an error from package os into a *PathError naming name.
func lerr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return &PathError{Op: op, URL: name, Err: err}
}

func localInfo(name string, fi fs.FileInfo) FileInfo {
	info := FileInfo{URL: name, Name: filepath.Base(name), IsDir: fi.IsDir(), ModTime: fi.ModTime()}
	if !info.IsDir {
		info.Size = fi.Size()
	}
	return info
}

func (localFS) Open(_ context.Context, name string) (File, error) {
	// Checked before opening: opening a pipe waits for a writer, and its
	// size (0) would read as an empty file.
	if fi, err := os.Stat(name); err == nil && !fi.IsDir() && !fi.Mode().IsRegular() {
		return nil, lerr("open", name, errNotRegular)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, lerr("open", name, err)
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
	case fi.IsDir():
		err = syscall.EISDIR
	case !fi.Mode().IsRegular():
		err = errNotRegular
	}
	if err != nil {
		f.Close()
		return nil, lerr("open", name, err)
	}
	return localFile{f, fi.Size()}, nil
}

// errNotRegular refuses pipes, sockets and devices: inputs are read by byte
// ranges of a known size, which a stream has not.
var errNotRegular = errors.New("not a regular file (a pipe, socket or device): inputs are read in byte ranges of a file of known size; save the stream to a file first")

// localFile is an *os.File, whose ReadAt is safe for concurrent use and
// returns io.EOF like the File contract wants.
type localFile struct {
	*os.File
	size int64
}

func (f localFile) Size() int64 { return f.size }

// Create writes to a temporary file ".<base>.tmp-<random>" next to name (a
// dot file, so readers that skip dot files never see it) and links it into
// place on Close. os.Link fails if name exists, so the commit never
// overwrites; on file systems without hard links it falls back to a check
// followed by os.Rename, which can overwrite a file created between the two.
// Close does not fsync: a job that loses its output to a machine crash is
// run again.
func (localFS) Create(ctx context.Context, name string) (Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, lerr("create", name, err)
	}
	if _, err := os.Lstat(name); err == nil {
		return nil, lerr("create", name, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, lerr("create", name, err)
	}
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, lerr("create", name, err)
	}
	var f *os.File
	var err error
	for range 10 {
		var rnd [8]byte
		for i := range rnd {
			rnd[i] = byte(rand.Uint32())
		}
		tmp := filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(rnd[:]))
		f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return nil, lerr("create", name, err)
	}
	w := &localWriter{name: name, f: f, bw: bufio.NewWriterSize(f, 64<<10), ctxErr: ctx.Err}
	w.stop = context.AfterFunc(ctx, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.discard()
	})
	return w, nil
}

type localWriter struct {
	name   string
	f      *os.File
	bw     *bufio.Writer
	ctxErr func() error // ctx.Err of the Create call
	stop   func() bool  // stops the cancellation callback

	mu   sync.Mutex
	done bool // committed, aborted or cancelled
}

// discard removes the temporary file; w.mu must be held.
func (w *localWriter) discard() {
	if w.done {
		return
	}
	w.done = true
	w.f.Close()
	os.Remove(w.f.Name())
}

// closedErr explains why w is no longer writable.
func (w *localWriter) closedErr(op string) error {
	if err := w.ctxErr(); err != nil {
		return &PathError{Op: op, URL: w.name, Err: err}
	}
	return &PathError{Op: op, URL: w.name, Err: fs.ErrClosed}
}

func (w *localWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return 0, w.closedErr("write")
	}
	n, err := w.bw.Write(p)
	return n, lerr("write", w.name, err)
}

func (w *localWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return w.closedErr("close")
	}
	if !w.stop() { // ctx is done; its callback waits for w.mu
		w.discard()
		return w.closedErr("close")
	}
	err := w.bw.Flush()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.done = true
	tmp := w.f.Name()
	defer os.Remove(tmp)
	if err != nil {
		return lerr("close", w.name, err)
	}
	err = os.Link(tmp, w.name)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return lerr("close", w.name, err)
	}
	// No hard links here: check, then rename (racy, see Create).
	if _, err := os.Lstat(w.name); err == nil {
		return lerr("close", w.name, fs.ErrExist)
	}
	return lerr("close", w.name, os.Rename(tmp, w.name))
}

func (w *localWriter) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.stop()
		w.discard()
	}
	return nil
}

func (localFS) Stat(_ context.Context, name string) (FileInfo, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return FileInfo{}, lerr("stat", name, err)
	}
	return localInfo(filepath.Clean(name), fi), nil
}

func (localFS) List(_ context.Context, dir string) ([]FileInfo, error) {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, lerr("list", dir, err)
	}
	infos := make([]FileInfo, 0, len(entries))
	for _, e := range entries {
		name := filepath.Join(dir, e.Name())
		var fi fs.FileInfo
		if e.Type()&fs.ModeSymlink != 0 {
			if fi, err = os.Stat(name); err != nil {
				// A link to nothing, or in a loop, is listed as itself,
				// so that a reader it matches fails on it, naming it,
				// rather than skips it unseen, and a glob it does not
				// match is not failed by it.
				fi, err = os.Lstat(name)
			}
		} else {
			fi, err = e.Info()
		}
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since ReadDir
		}
		if err != nil {
			return nil, lerr("list", dir, err)
		}
		infos = append(infos, localInfo(name, fi))
	}
	return infos, nil
}

// Rename links files into place (which fails if to exists) and removes the
// old name. Directories are renamed after checking that to does not exist;
// a directory created at to between the check and the rename can be
// replaced if it is empty.
func (localFS) Rename(_ context.Context, from, to string) error {
	fi, err := os.Lstat(from)
	if err != nil {
		return lerr("rename", from, err)
	}
	if _, err := os.Lstat(to); err == nil {
		return lerr("rename", to, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return lerr("rename", to, err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o777); err != nil {
		return lerr("rename", to, err)
	}
	if !fi.IsDir() {
		err := os.Link(from, to)
		if err == nil {
			if err := os.Remove(from); err != nil {
				// Undone, so that the file is in one place, as after
				// a failed rename.
				_ = os.Remove(to)
				return lerr("rename", from, err)
			}
			return nil
		}
		if errors.Is(err, fs.ErrExist) {
			return lerr("rename", to, err)
		}
	}
	return lerr("rename", from, os.Rename(from, to))
}

func (localFS) Remove(_ context.Context, name string) error {
	return lerr("remove", name, os.Remove(name))
}

func (localFS) RemoveAll(_ context.Context, name string) error {
	return lerr("removeall", name, os.RemoveAll(name))
}

func (localFS) MkdirAll(_ context.Context, dir string) error {
	return lerr("mkdir", dir, os.MkdirAll(dir, 0o777))
}
