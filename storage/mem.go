package storage

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// memFS is an in-process file system: a map from cleaned absolute path to
// node, guarded by one lock. Files are immutable once committed, so an open
// File keeps reading the bytes it opened even if the name is removed.
type memFS struct {
	prefix string // "mem://host"

	mu    sync.RWMutex
	nodes map[string]*memNode
}

type memNode struct {
	dir  bool
	data []byte
	mod  time.Time
}

var mems = struct {
	sync.Mutex
	m map[string]*memFS
}{m: map[string]*memFS{}}

func memFor(host string) *memFS {
	mems.Lock()
	defer mems.Unlock()
	m := mems.m[host]
	if m == nil {
		m = &memFS{prefix: "mem://" + host, nodes: map[string]*memNode{"/": {dir: true, mod: time.Now()}}}
		mems.m[host] = m
	}
	return m
}

// ResetMem empties the memory FS mem://host/, for test isolation. Files
// already open stay readable.
func ResetMem(host string) {
	m := memFor(host)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nodes = map[string]*memNode{"/": {dir: true, mod: time.Now()}}
}

func memClean(name string) string { return path.Clean("/" + name) }

func (m *memFS) url(p string) string { return m.prefix + p }

func (m *memFS) err(op, p string, err error) error {
	return &PathError{Op: op, URL: m.url(p), Err: err}
}

func (m *memFS) info(p string, n *memNode) FileInfo {
	return FileInfo{URL: m.url(p), Name: path.Base(p), Size: int64(len(n.data)), IsDir: n.dir, ModTime: n.mod}
}

// mkdirAll creates p and its parents; m.mu must be held for writing.
func (m *memFS) mkdirAll(p string) error {
	if n, ok := m.nodes[p]; ok {
		if !n.dir {
			return syscall.ENOTDIR
		}
		return nil
	}
	if err := m.mkdirAll(path.Dir(p)); err != nil {
		return err
	}
	m.nodes[p] = &memNode{dir: true, mod: time.Now()}
	return nil
}

// children returns the paths directly below dir, sorted; m.mu must be held.
func (m *memFS) children(dir string) []string {
	pre := strings.TrimSuffix(dir, "/") + "/"
	var kids []string
	for p := range m.nodes {
		if p != "/" && strings.HasPrefix(p, pre) && !strings.Contains(p[len(pre):], "/") {
			kids = append(kids, p)
		}
	}
	sort.Strings(kids)
	return kids
}

// below reports whether p is inside dir.
func below(p, dir string) bool {
	return dir == "/" || strings.HasPrefix(p, dir+"/")
}

func (m *memFS) Open(_ context.Context, name string) (File, error) {
	p := memClean(name)
	m.mu.RLock()
	defer m.mu.RUnlock()
	n, ok := m.nodes[p]
	switch {
	case !ok:
		return nil, m.err("open", p, fs.ErrNotExist)
	case n.dir:
		return nil, m.err("open", p, syscall.EISDIR)
	}
	return &memFile{url: m.url(p), data: n.data}, nil
}

type memFile struct {
	url    string
	data   []byte
	closed atomic.Bool
}

func (f *memFile) ReadAt(b []byte, off int64) (int, error) {
	if f.closed.Load() {
		return 0, &PathError{Op: "read", URL: f.url, Err: fs.ErrClosed}
	}
	if off < 0 {
		return 0, &PathError{Op: "read", URL: f.url, Err: syscall.EINVAL}
	}
	if off >= int64(len(f.data)) {
		return 0, io.EOF
	}
	n := copy(b, f.data[off:])
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) Size() int64 { return int64(len(f.data)) }

func (f *memFile) Close() error {
	if f.closed.Swap(true) {
		return &PathError{Op: "close", URL: f.url, Err: fs.ErrClosed}
	}
	return nil
}

// Create buffers the file in memory and adds it to the tree on Close.
func (m *memFS) Create(ctx context.Context, name string) (Writer, error) {
	p := memClean(name)
	if err := ctx.Err(); err != nil {
		return nil, m.err("create", p, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.nodes[p]; ok {
		return nil, m.err("create", p, fs.ErrExist)
	}
	if err := m.mkdirAll(path.Dir(p)); err != nil {
		return nil, m.err("create", p, err)
	}
	w := &memWriter{fs: m, p: p, ctxErr: ctx.Err}
	w.stop = context.AfterFunc(ctx, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.done, w.buf = true, bytes.Buffer{}
	})
	return w, nil
}

type memWriter struct {
	fs     *memFS
	p      string
	ctxErr func() error
	stop   func() bool

	mu   sync.Mutex
	done bool
	buf  bytes.Buffer
}

func (w *memWriter) closedErr(op string) error {
	if err := w.ctxErr(); err != nil {
		return w.fs.err(op, w.p, err)
	}
	return w.fs.err(op, w.p, fs.ErrClosed)
}

func (w *memWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return 0, w.closedErr("write")
	}
	return w.buf.Write(b)
}

func (w *memWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return w.closedErr("close")
	}
	w.done = true
	if !w.stop() {
		w.buf = bytes.Buffer{}
		return w.closedErr("close")
	}
	data := slices.Clip(w.buf.Bytes()) // w.buf is never written again
	w.buf = bytes.Buffer{}
	m := w.fs
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.nodes[w.p]; ok {
		return m.err("close", w.p, fs.ErrExist)
	}
	if err := m.mkdirAll(path.Dir(w.p)); err != nil {
		return m.err("close", w.p, err)
	}
	m.nodes[w.p] = &memNode{data: data, mod: time.Now()}
	return nil
}

func (w *memWriter) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.stop()
		w.done, w.buf = true, bytes.Buffer{}
	}
	return nil
}

func (m *memFS) Stat(_ context.Context, name string) (FileInfo, error) {
	p := memClean(name)
	m.mu.RLock()
	defer m.mu.RUnlock()
	n, ok := m.nodes[p]
	if !ok {
		return FileInfo{}, m.err("stat", p, fs.ErrNotExist)
	}
	return m.info(p, n), nil
}

func (m *memFS) List(_ context.Context, dir string) ([]FileInfo, error) {
	p := memClean(dir)
	m.mu.RLock()
	defer m.mu.RUnlock()
	n, ok := m.nodes[p]
	switch {
	case !ok:
		return nil, m.err("list", p, fs.ErrNotExist)
	case !n.dir:
		return nil, m.err("list", p, syscall.ENOTDIR)
	}
	kids := m.children(p)
	infos := make([]FileInfo, len(kids))
	for i, k := range kids {
		infos[i] = m.info(k, m.nodes[k])
	}
	return infos, nil
}

func (m *memFS) Rename(_ context.Context, from, to string) error {
	pf, pt := memClean(from), memClean(to)
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.nodes[pf]
	switch {
	case !ok:
		return m.err("rename", pf, fs.ErrNotExist)
	case m.nodes[pt] != nil:
		return m.err("rename", pt, fs.ErrExist)
	case n.dir && below(pt, pf):
		return m.err("rename", pf, syscall.EINVAL) // into itself
	}
	if err := m.mkdirAll(path.Dir(pt)); err != nil {
		return m.err("rename", pt, err)
	}
	if n.dir {
		moved := map[string]*memNode{}
		for p, c := range m.nodes {
			if below(p, pf) {
				moved[pt+p[len(pf):]] = c
				delete(m.nodes, p)
			}
		}
		maps.Copy(m.nodes, moved)
	}
	delete(m.nodes, pf)
	m.nodes[pt] = n
	return nil
}

func (m *memFS) Remove(_ context.Context, name string) error {
	p := memClean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.nodes[p]
	switch {
	case !ok:
		return m.err("remove", p, fs.ErrNotExist)
	case p == "/":
		return m.err("remove", p, syscall.EBUSY)
	case n.dir && len(m.children(p)) > 0:
		return m.err("remove", p, syscall.ENOTEMPTY)
	}
	delete(m.nodes, p)
	return nil
}

func (m *memFS) RemoveAll(_ context.Context, name string) error {
	p := memClean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	for q := range m.nodes {
		if q == p || below(q, p) {
			delete(m.nodes, q)
		}
	}
	if p == "/" {
		m.nodes["/"] = &memNode{dir: true, mod: time.Now()}
	}
	return nil
}

func (m *memFS) MkdirAll(_ context.Context, dir string) error {
	p := memClean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.mkdirAll(p); err != nil {
		return m.err("mkdir", p, err)
	}
	return nil
}
