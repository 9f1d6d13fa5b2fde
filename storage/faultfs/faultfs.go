package faultfs

import (
	"context"
	"errors"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/crunchgo/crunchgo/storage"
)

// Op is a set of storage operations.
type Op uint16

const (
	OpOpen      Op = 1 << iota // FS.Open
	OpRead                     // File.ReadAt
	OpCreate                   // FS.Create
	OpWrite                    // Writer.Write
	OpClose                    // Writer.Close, the commit
	OpStat                     // FS.Stat
	OpList                     // FS.List
	OpRename                   // FS.Rename (the path pattern may match either name)
	OpRemove                   // FS.Remove
	OpRemoveAll                // FS.RemoveAll
	OpMkdirAll                 // FS.MkdirAll

	OpAny Op = 1<<iota - 1 // every operation
)

var opNames = []string{"open", "read", "create", "write", "close", "stat", "list", "rename", "remove", "removeall", "mkdir"}

// String returns the operation names joined by '|'.
func (o Op) String() string {
	var names []string
	for i, n := range opNames {
		if o&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "|")
}

// ErrInjected is the error of injected faults whose Rule has no Err.
var ErrInjected = errors.New("injected fault")

// Rule says which calls fail.
type Rule struct {
	Op Op // operations the rule applies to; 0 means OpAny
	// Path is a path.Match pattern on the path inside the FS ("/out/part-*");
	// a pattern without '/' matches the base name ("*.avro"); "" matches all.
	Path string
	// After lets this many matching calls succeed before the rule fires.
	After int
	// AfterBytes, if positive, makes an OpWrite rule fire on the write that
	// takes a writer past this many bytes: the bytes up to the limit are
	// written and the call returns the short count and the error. It
	// replaces After for writes.
	AfterBytes int64
	// Times is how many times the rule fires before calls pass again;
	// 0 means every time.
	Times int
	// Err is the injected error; nil means ErrInjected.
	Err error
}

// state is shared by an FS and its views mounted under a scheme.
type state struct {
	mu       sync.Mutex
	rules    []Rule
	seen     []int // matching calls per rule
	fired    []int // failures injected per rule
	injected int
}

// FS is a storage.FS that injects faults into calls to the FS it wraps.
type FS struct {
	inner  storage.FS
	prefix string // "scheme://host" when reached through Register, else ""
	st     *state
}

var _ storage.FS = (*FS)(nil)

// Wrap returns inner with rules applied.
func Wrap(inner storage.FS, rules ...Rule) *FS {
	f := &FS{inner: inner, st: &state{}}
	f.SetRules(rules...)
	return f
}

// SetRules replaces the rules and resets their counters (not Injected).
func (f *FS) SetRules(rules ...Rule) {
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	f.st.rules = append([]Rule(nil), rules...)
	for i := range f.st.rules {
		if f.st.rules[i].Op == 0 {
			f.st.rules[i].Op = OpAny
		}
	}
	f.st.seen = make([]int, len(rules))
	f.st.fired = make([]int, len(rules))
}

// Injected returns how many faults have been injected so far.
func (f *FS) Injected() int {
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	return f.st.injected
}

// Register makes f reachable at URLs scheme://host/path for any host: the
// path goes to f, and the URLs in results of Stat, List and Glob stay under
// scheme, so they route back through f. Registering a scheme again
// replaces the FS behind it.
func Register(scheme string, f *FS) {
	storage.Register(scheme, func(_ context.Context, u *url.URL) (storage.FS, error) {
		return &FS{inner: f.inner, prefix: scheme + "://" + u.Host, st: f.st}, nil
	})
}

func (f *FS) url(p string) string {
	if f.prefix == "" {
		return p
	}
	return f.prefix + path.Join("/", p)
}

// relabel rewrites an inner FileInfo to f's URL space.
func (f *FS) relabel(fi storage.FileInfo, p string) storage.FileInfo {
	if f.prefix != "" {
		fi.URL = f.url(p)
	}
	return fi
}

func pathMatches(pattern string, paths []string) bool {
	if pattern == "" {
		return true
	}
	for _, p := range paths {
		p = path.Join("/", p)
		if !strings.Contains(pattern, "/") {
			p = path.Base(p)
		}
		if ok, _ := path.Match(pattern, p); ok {
			return true
		}
	}
	return false
}

// check counts a call and returns the injected error, if any. Byte-limited
// write rules are handled by writer.Write.
func (f *FS) check(op Op, paths ...string) error {
	s := f.st
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	for i, r := range s.rules {
		if r.Op&op == 0 || (op == OpWrite && r.AfterBytes > 0) || !pathMatches(r.Path, paths) {
			continue
		}
		s.seen[i]++
		if err == nil && s.seen[i] > r.After && (r.Times == 0 || s.fired[i] < r.Times) {
			s.fired[i]++
			s.injected++
			err = f.injectedErr(op, paths[0], r.Err)
		}
	}
	return err
}

func (f *FS) injectedErr(op Op, p string, err error) error {
	if err == nil {
		err = ErrInjected
	}
	return &storage.PathError{Op: op.String(), URL: f.url(p), Err: err}
}

// byteLimit returns how many of n more bytes a writer that has written
// written bytes to p may write, and the error to return after them.
func (f *FS) byteLimit(p string, written int64, n int) (int, error) {
	s := f.st
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rules {
		if r.Op&OpWrite == 0 || r.AfterBytes <= 0 || !pathMatches(r.Path, []string{p}) {
			continue
		}
		if written+int64(n) > r.AfterBytes && (r.Times == 0 || s.fired[i] < r.Times) {
			s.fired[i]++
			s.injected++
			return int(max(0, r.AfterBytes-written)), f.injectedErr(OpWrite, p, r.Err)
		}
	}
	return n, nil
}

func (f *FS) Open(ctx context.Context, name string) (storage.File, error) {
	if err := f.check(OpOpen, name); err != nil {
		return nil, err
	}
	file, err := f.inner.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f, name: name}, nil
}

type faultFile struct {
	storage.File
	fs   *FS
	name string
}

func (r *faultFile) ReadAt(b []byte, off int64) (int, error) {
	if err := r.fs.check(OpRead, r.name); err != nil {
		return 0, err
	}
	return r.File.ReadAt(b, off)
}

func (f *FS) Create(ctx context.Context, name string) (storage.Writer, error) {
	if err := f.check(OpCreate, name); err != nil {
		return nil, err
	}
	w, err := f.inner.Create(ctx, name)
	if err != nil {
		return nil, err
	}
	return &faultWriter{Writer: w, fs: f, name: name}, nil
}

type faultWriter struct {
	storage.Writer
	fs   *FS
	name string

	mu      sync.Mutex
	written int64
}

func (w *faultWriter) Write(b []byte) (int, error) {
	if err := w.fs.check(OpWrite, w.name); err != nil {
		return 0, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	allowed, ferr := w.fs.byteLimit(w.name, w.written, len(b))
	n, err := w.Writer.Write(b[:allowed])
	w.written += int64(n)
	if err == nil {
		err = ferr
	}
	return n, err
}

func (w *faultWriter) Close() error {
	if err := w.fs.check(OpClose, w.name); err != nil {
		w.Writer.Abort()
		return err
	}
	return w.Writer.Close()
}

func (f *FS) Stat(ctx context.Context, name string) (storage.FileInfo, error) {
	if err := f.check(OpStat, name); err != nil {
		return storage.FileInfo{}, err
	}
	fi, err := f.inner.Stat(ctx, name)
	if err != nil {
		return storage.FileInfo{}, err
	}
	return f.relabel(fi, name), nil
}

func (f *FS) List(ctx context.Context, dir string) ([]storage.FileInfo, error) {
	if err := f.check(OpList, dir); err != nil {
		return nil, err
	}
	infos, err := f.inner.List(ctx, dir)
	if err != nil {
		return nil, err
	}
	for i := range infos {
		infos[i] = f.relabel(infos[i], path.Join(dir, infos[i].Name))
	}
	return infos, nil
}

func (f *FS) Rename(ctx context.Context, from, to string) error {
	if err := f.check(OpRename, from, to); err != nil {
		return err
	}
	return f.inner.Rename(ctx, from, to)
}

func (f *FS) Remove(ctx context.Context, name string) error {
	if err := f.check(OpRemove, name); err != nil {
		return err
	}
	return f.inner.Remove(ctx, name)
}

func (f *FS) RemoveAll(ctx context.Context, name string) error {
	if err := f.check(OpRemoveAll, name); err != nil {
		return err
	}
	return f.inner.RemoveAll(ctx, name)
}

func (f *FS) MkdirAll(ctx context.Context, dir string) error {
	if err := f.check(OpMkdirAll, dir); err != nil {
		return err
	}
	return f.inner.MkdirAll(ctx, dir)
}
