package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// Opener opens the FS for one scheme and host. u carries Scheme and Host
// (Host may be empty, as in hdfs:///path; the Opener applies its own default)
// and the Path of the URL being resolved. The result is cached per scheme and
// host, so an Opener runs once per host per process unless it fails.
type Opener func(ctx context.Context, u *url.URL) (FS, error)

var registry = struct {
	sync.Mutex
	openers     map[string]Opener
	authorities map[string]func(host string) string // RegisterAuthority
	cache       map[string]*cacheEntry              // key: scheme + "://" + canonical host
}{openers: map[string]Opener{}, authorities: map[string]func(string) string{}, cache: map[string]*cacheEntry{}}

type cacheEntry struct {
	ready chan struct{} // closed when fs and err are set
	fs    FS
	err   error
}

// Register makes URLs with the given scheme resolve through open. Backends
// call it from init (the hdfs package registers "hdfs"). Registering a scheme
// again replaces its Opener and drops the FS instances cached for it, which
// lets tests mount a different FS under a test scheme.
func Register(scheme string, open Opener) {
	if !validScheme(scheme) {
		panic(fmt.Sprintf("storage: invalid scheme %q", scheme))
	}
	registry.Lock()
	defer registry.Unlock()
	registry.openers[scheme] = open
	for k := range registry.cache {
		if strings.HasPrefix(k, scheme+"://") {
			delete(registry.cache, k)
		}
	}
}

// RegisterAuthority makes canon give the canonical form of the authority
// (host[:port]) of the scheme's URLs. URLs whose authorities have one
// canonical form are on one file system: they share one FS, Rename moves
// between them, and CanonicalURL spells them alike.
// The hdfs package registers one so that hdfs:///p (fs.defaultFS),
// hdfs://nn/p and hdfs://nn:8020/p meet. canon must be cheap: it runs on
// every call that takes a URL of the scheme.
func RegisterAuthority(scheme string, canon func(host string) string) {
	registry.Lock()
	defer registry.Unlock()
	registry.authorities[scheme] = canon
}

// canonicalHost is host in the canonical form of scheme's URLs.
func canonicalHost(scheme, host string) string {
	if scheme == "file" && host == "localhost" {
		return ""
	}
	registry.Lock()
	canon := registry.authorities[scheme]
	registry.Unlock()
	if canon == nil {
		return host
	}
	return canon(host)
}

// CanonicalURL is url with a canonical authority (RegisterAuthority) and a
// clean path, for comparing URLs: two spellings of one file give one
// string (symbolic links aside). A local path stays a path, made absolute
// when it can be.
func CanonicalURL(url string) string {
	if p, local := LocalPath(url); local {
		if abs, err := filepath.Abs(p); err == nil {
			return abs
		}
		return filepath.Clean(p)
	}
	scheme, host, p := splitURL(url)
	return scheme + "://" + canonicalHost(scheme, host) + path.Clean(p)
}

func init() {
	Register("file", func(_ context.Context, u *url.URL) (FS, error) {
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("file URL with remote host %q", u.Host)
		}
		return localFS{}, nil
	})
	Register("mem", func(_ context.Context, u *url.URL) (FS, error) {
		return memFor(u.Host), nil
	})
}

// splitURL splits a URL into scheme, host and path without unescaping
// anything, so that paths may hold '?', '#', '%' and glob characters. A
// string without a "scheme://" prefix is a local path (scheme "").
func splitURL(raw string) (scheme, host, p string) {
	i := strings.Index(raw, "://")
	if i <= 0 || !validScheme(raw[:i]) {
		return "", "", raw
	}
	scheme, rest := raw[:i], raw[i+3:]
	host, p = rest, "/"
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		host, p = rest[:j], rest[j:]
	}
	return scheme, host, p
}

func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// resolve returns the FS for rawURL, the path inside it, and a key naming the
// FS instance (equal keys mean the same FS).
func resolve(ctx context.Context, rawURL string) (FS, string, string, error) {
	if rawURL == "" {
		return nil, "", "", errors.New("empty URL")
	}
	scheme, host, p := splitURL(rawURL)
	if scheme == "" {
		return localFS{}, rawURL, "file://", nil
	}
	host = canonicalHost(scheme, host)
	key := scheme + "://" + host
	registry.Lock()
	if e, ok := registry.cache[key]; ok {
		registry.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, "", "", ctx.Err()
		}
		if e.err != nil {
			return nil, "", "", e.err
		}
		return e.fs, p, key, nil
	}
	open, ok := registry.openers[scheme]
	if !ok {
		registry.Unlock()
		return nil, "", "", fmt.Errorf("no storage backend registered for scheme %q", scheme)
	}
	e := &cacheEntry{ready: make(chan struct{})}
	registry.cache[key] = e
	registry.Unlock()

	e.fs, e.err = open(ctx, &url.URL{Scheme: scheme, Host: host, Path: p})
	if e.err == nil && e.fs == nil {
		e.err = fmt.Errorf("storage backend for %q returned no FS", key)
	}
	if e.err != nil {
		registry.Lock()
		if registry.cache[key] == e {
			delete(registry.cache, key) // let a later call retry
		}
		registry.Unlock()
	}
	close(e.ready)
	if e.err != nil {
		return nil, "", "", e.err
	}
	return e.fs, p, key, nil
}

// Resolve routes a URL to its FS and returns the path inside that FS.
// Bare paths (absolute or relative) and file:// URLs go to the local disk,
// mem://name/path to the in-process memory FS called name, and any other
// scheme to the backend registered for it.
func Resolve(ctx context.Context, rawURL string) (FS, string, error) {
	fsys, p, _, err := resolve(ctx, rawURL)
	if err != nil {
		return nil, "", &PathError{Op: "resolve", URL: rawURL, Err: err}
	}
	return fsys, p, nil
}

// wrap adds op and URL to err unless a backend already did.
func wrap(op, url string, err error) error {
	if err == nil {
		return nil
	}
	var pe *PathError
	if errors.As(err, &pe) {
		return err
	}
	return &PathError{Op: op, URL: url, Err: err}
}

// Open opens the file at url for random access.
func Open(ctx context.Context, url string) (File, error) {
	fsys, p, err := Resolve(ctx, url)
	if err != nil {
		return nil, err
	}
	f, err := fsys.Open(ctx, p)
	return f, wrap("open", url, err)
}

// Create starts writing the file at url; see FS.Create. The caller must call
// Close (to commit) or Abort; `defer w.Abort()` after Create is safe, since
// Abort after a successful Close does nothing.
func Create(ctx context.Context, url string) (Writer, error) {
	fsys, p, err := Resolve(ctx, url)
	if err != nil {
		return nil, err
	}
	w, err := fsys.Create(ctx, p)
	return w, wrap("create", url, err)
}

// Stat describes the file or directory at url.
func Stat(ctx context.Context, url string) (FileInfo, error) {
	fsys, p, err := Resolve(ctx, url)
	if err != nil {
		return FileInfo{}, err
	}
	fi, err := fsys.Stat(ctx, p)
	return fi, wrap("stat", url, err)
}

// Exists reports whether a file or directory exists at url. Errors other than
// "does not exist" are returned.
func Exists(ctx context.Context, url string) (bool, error) {
	_, err := Stat(ctx, url)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, err
	}
}

// List returns the entries of the directory at url, sorted by name. Dot
// files are included, among them the in-progress temporary files of local
// Create; use Glob, or skip names starting with "." or "_", to see data only.
func List(ctx context.Context, url string) ([]FileInfo, error) {
	fsys, p, err := Resolve(ctx, url)
	if err != nil {
		return nil, err
	}
	infos, err := fsys.List(ctx, p)
	return infos, wrap("list", url, err)
}

// Rename moves a file or directory. Both URLs must be on the same FS: the
// same scheme and canonical host (see RegisterAuthority). It fails with fs.ErrExist if to exists, and creates to's missing parent
// directories.
func Rename(ctx context.Context, from, to string) error {
	f1, p1, k1, err := resolve(ctx, from)
	if err != nil {
		return &PathError{Op: "rename", URL: from, Err: err}
	}
	_, p2, k2, err := resolve(ctx, to)
	if err != nil {
		return &PathError{Op: "rename", URL: to, Err: err}
	}
	if k1 != k2 {
		return &PathError{Op: "rename", URL: from, Err: fmt.Errorf("to %s: not on the same file system", to)}
	}
	return wrap("rename", from, f1.Rename(ctx, p1, p2))
}

// Remove removes a file or an empty directory.
func Remove(ctx context.Context, url string) error {
	fsys, p, err := Resolve(ctx, url)
	if err != nil {
		return err
	}
	return wrap("remove", url, fsys.Remove(ctx, p))
}

// RemoveAll removes url and everything below it; a missing url is not an
// error.
func RemoveAll(ctx context.Context, url string) error {
	fsys, p, err := Resolve(ctx, url)
	if err != nil {
		return err
	}
	return wrap("removeall", url, fsys.RemoveAll(ctx, p))
}

// MkdirAll creates the directory at url and any missing parents.
func MkdirAll(ctx context.Context, url string) error {
	fsys, p, err := Resolve(ctx, url)
	if err != nil {
		return err
	}
	return wrap("mkdir", url, fsys.MkdirAll(ctx, p))
}

// ReadFile reads the whole file at url into memory. It is meant for small
// files (manifests, markers, test fixtures); stream data files with Open.
func ReadFile(ctx context.Context, url string) ([]byte, error) {
	f, err := Open(ctx, url)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, f.Size())
	n, err := f.ReadAt(buf, 0)
	if n == len(buf) {
		return buf, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = fmt.Errorf("short read: %d of %d bytes", n, len(buf))
	}
	return nil, wrap("read", url, err)
}

// WriteFile writes data to a new file at url and commits it. Like Create, it
// fails with fs.ErrExist if url exists. It is meant for small files.
func WriteFile(ctx context.Context, url string, data []byte) error {
	w, err := Create(ctx, url)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Abort()
		return wrap("write", url, err)
	}
	return wrap("close", url, w.Close())
}

// ExclusiveCreator is implemented by file systems whose Create is not
// exclusive against other clients (HDFS commits a file by a check, then a
// rename that overwrites): CreateExclusive writes a small file in one step
// of the file system that fails with fs.ErrExist where name exists.
type ExclusiveCreator interface {
	CreateExclusive(ctx context.Context, name string, data []byte) error
}

// CreateExclusive writes data to a new file at url in a way that fails with
// fs.ErrExist where url exists, even when another process creates url at
// the same moment: what a lock file needs. Unlike WriteFile's, the file may
// be seen, empty or short, while it is written.
func CreateExclusive(ctx context.Context, url string, data []byte) error {
	fsys, name, err := Resolve(ctx, url)
	if err != nil {
		return err
	}
	if ec, ok := fsys.(ExclusiveCreator); ok {
		return ec.CreateExclusive(ctx, name, data)
	}
	return WriteFile(ctx, url, data) // Create's commit is exclusive on the others
}

// SplitURL splits a storage URL into its scheme, host and path as the
// package routes it: a string without a "scheme://" prefix is a local path
// (scheme "", the whole string as path), and a URL without a path has path
// "/". Nothing is unescaped.
func SplitURL(url string) (scheme, host, path string) { return splitURL(url) }

// LocalPath returns the path on this machine's file system that url names:
// a bare path, or a file:// URL without a host or with localhost. ok is
// false for other URLs.
func LocalPath(url string) (path string, ok bool) {
	scheme, host, p := splitURL(url)
	if scheme == "" || scheme == "file" && (host == "" || host == "localhost") {
		return p, true
	}
	return "", false
}

// Dir is the directory above url, a URL or a local path: Dir("hdfs://nn/a/b")
// is "hdfs://nn/a" and Dir("out/day") is "out". It is "" above a root and
// above a relative path's first element.
func Dir(url string) string {
	scheme, host, p := splitURL(url)
	if scheme == "" {
		d := filepath.Dir(filepath.Clean(url))
		if d == "." || d == string(filepath.Separator) {
			return ""
		}
		return d
	}
	d := path.Dir(strings.TrimSuffix(p, "/"))
	if d == "." || d == "/" {
		return ""
	}
	return scheme + "://" + host + d
}

// Join joins path elements onto base, which may be a URL or a local path:
// Join("hdfs://nn/out", "part-0") is "hdfs://nn/out/part-0" and
// Join("out", "a", "b") is "out/a/b" (with the OS separator). The result is
// cleaned.
func Join(base string, elem ...string) string {
	scheme, host, p := splitURL(base)
	if scheme == "" {
		return filepath.Join(append([]string{base}, elem...)...)
	}
	return scheme + "://" + host + path.Join(append([]string{p}, elem...)...)
}
