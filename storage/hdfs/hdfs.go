package hdfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	hdfs "github.com/colinmarc/hdfs/v2"
	"github.com/crunchgo/crunchgo/storage"
)

func init() {
	storage.Register("hdfs", func(ctx context.Context, u *url.URL) (storage.FS, error) {
		f, err := NewFS(ctx, u)
		if err != nil {
			return nil, err
		}
		return f, nil
	})
	storage.RegisterAuthority("hdfs", CanonicalAuthority)
}

// CanonicalAuthority is how URLs spell the namenode at host, so that
// spellings of one namenode compare equal (storage.RegisterAuthority):
// fs.defaultFS's namenode for "" (hdfs:///path), and no default port.
func CanonicalAuthority(host string) string {
	if host == "" {
		host = cachedDefaultAuthority()
	}
	return strings.TrimSuffix(host, ":"+strconv.Itoa(DefaultPort))
}

// defaultAuthorities caches DefaultAuthority by the environment variables
// that find the configuration: it is read for every hdfs:/// URL.
var defaultAuthorities sync.Map // HADOOP_CONF_DIR + "\x00" + HADOOP_HOME → string

func cachedDefaultAuthority() string {
	key := os.Getenv("HADOOP_CONF_DIR") + "\x00" + os.Getenv("HADOOP_HOME")
	if a, ok := defaultAuthorities.Load(key); ok {
		return a.(string)
	}
	a := DefaultAuthority()
	defaultAuthorities.Store(key, a)
	return a
}

// FS is the HDFS behind one URL authority: a namenode host:port, an HA
// nameservice, or (for hdfs:///path) fs.defaultFS. Names are absolute paths
// inside HDFS. An FS is safe for concurrent use.
type FS struct {
	authority string // as in URLs: hdfs://<authority>/path
	namenodes string // for error messages: "nn1:8020,nn2:8020"
	settings  *settings
}

// NewFS returns the FS for u's host (u.Path is ignored), configured from
// $HADOOP_CONF_DIR as described in the package documentation. Clients are
// shared: every FS for the same namenodes and user uses one client. It is
// the Opener registered for the "hdfs" scheme.
func NewFS(ctx context.Context, u *url.URL) (*FS, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	conf, dir, err := loadConf(os.Getenv)
	if err != nil {
		return nil, err
	}
	s, err := resolve(conf, dir, u.Host, os.Getenv)
	if err != nil {
		return nil, err
	}
	f := &FS{authority: s.authority, namenodes: strings.Join(s.addresses, ","), settings: s}
	if _, err := f.conn(ctx); err != nil {
		return nil, fmt.Errorf("hdfs://%s: %w", s.authority, err)
	}
	return f, nil
}

// conn returns the shared client, connecting if there is none (at first
// use, or after Disconnect), or ctx's error if it ends first.
func (f *FS) conn(ctx context.Context) (*clientEntry, error) {
	e, err := sharedClient(ctx, f.settings)
	if err != nil {
		return nil, fmt.Errorf("connecting to namenode %s: %w", f.namenodes, err)
	}
	return e, nil
}

// Namenodes returns the namenode addresses the FS talks to, in failover
// order.
func (f *FS) Namenodes() []string { return strings.Split(f.namenodes, ",") }

type clientEntry struct {
	ready    chan struct{} // closed once client and defaults, or err, are set
	client   *hdfs.Client
	defaults hdfs.ServerDefaults
	err      error
}

// clients holds one client per namenode set and identity for the process.
var clients = struct {
	sync.Mutex
	m map[string]*clientEntry
}{m: map[string]*clientEntry{}}

// sharedClient returns the client for s, connecting if needed, or ctx's
// error if it ends first (the connection goes on, bounded by the dial and
// read timeouts, for the next caller). Connecting to one namenode does not
// hold up calls to others. A failed connection is not cached: the next
// call tries again.
func sharedClient(ctx context.Context, s *settings) (*clientEntry, error) {
	key := s.key()
	clients.Lock()
	e, ok := clients.m[key]
	if !ok {
		e = &clientEntry{ready: make(chan struct{})}
		clients.m[key] = e
		go func() {
			e.client, e.defaults, e.err = connect(s)
			if e.err != nil {
				clients.Lock()
				if clients.m[key] == e {
					delete(clients.m, key)
				}
				clients.Unlock()
			}
			close(e.ready)
		}()
	}
	clients.Unlock()
	select {
	case <-e.ready:
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	if e.err != nil {
		return nil, e.err
	}
	return e, nil
}

func connect(s *settings) (*hdfs.Client, hdfs.ServerDefaults, error) {
	opts, err := s.clientOptions()
	if err != nil {
		return nil, hdfs.ServerDefaults{}, err
	}
	cl, err := hdfs.NewClient(opts)
	if err != nil {
		return nil, hdfs.ServerDefaults{}, err
	}
	// Fetch the server defaults now: the client caches them in a field
	// without a lock, so the first concurrent Creates would race to fill it.
	d, err := cl.ServerDefaults()
	if err != nil {
		cl.Close()
		return nil, hdfs.ServerDefaults{}, err
	}
	return cl, d, nil
}

// Disconnect closes and forgets the shared clients whose namenode list
// contains addr (host:port as configured); the next operation on an FS that
// used one connects again. Tests call it before shutting down an hdfstest
// cluster, so that no client keeps renewing leases against a dead namenode.
// Files and writers open on a closed client fail.
func Disconnect(addr string) {
	clients.Lock()
	var closing []*clientEntry
	for k, e := range clients.m {
		nns, _, _ := strings.Cut(k, "|")
		if slices.Contains(strings.Split(nns, ","), addr) {
			closing = append(closing, e)
			delete(clients.m, k)
		}
	}
	clients.Unlock()
	for _, e := range closing {
		<-e.ready
		if e.client != nil {
			e.client.Close()
		}
	}
}

// url is the full URL of name.
func (f *FS) url(name string) string { return "hdfs://" + f.authority + name }

// clean makes name an absolute, clean HDFS path.
func clean(name string) string { return path.Clean("/" + name) }

// remoteError is an exception reported by the namenode, with the kind of
// error (fs.ErrNotExist, ...) it means, if any.
type remoteError struct {
	kind error
	re   hdfs.Error
}

func (e *remoteError) Error() string {
	s := e.re.Method() + ": " + e.re.Exception()
	if msg, _, _ := strings.Cut(e.re.Message(), "\n"); msg != "" {
		s += ": " + msg
	}
	return s
}

func (e *remoteError) Unwrap() []error {
	errs := []error{e.re.(error)}
	if e.kind != nil {
		errs = append(errs, e.kind)
	}
	return errs
}

// exceptionKinds maps Java exception classes to the errors they mean.
var exceptionKinds = map[string]error{
	"java.io.FileNotFoundException":                                fs.ErrNotExist,
	"org.apache.hadoop.fs.FileAlreadyExistsException":              fs.ErrExist,
	"org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException": fs.ErrExist,
	"org.apache.hadoop.security.AccessControlException":            fs.ErrPermission,
	"org.apache.hadoop.fs.PathIsNotEmptyDirectoryException":        syscall.ENOTEMPTY,
	"org.apache.hadoop.fs.ParentNotDirectoryException":             syscall.ENOTDIR,
}

// fail wraps err from the client into a *storage.PathError naming the URL
// and the namenode(s), keeping what errors.Is needs.
func (f *FS) fail(op, name string, err error) error {
	if err == nil {
		return nil
	}
	return &storage.PathError{Op: op, URL: f.url(name), Err: fmt.Errorf("namenode %s: %w", f.namenodes, interpret(err))}
}

// interpret unwraps the client's *os.PathError (which names the path
// without the URL) and turns a namenode exception into a *remoteError.
func interpret(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if re, ok := err.(hdfs.Error); ok {
		err = &remoteError{kind: exceptionKinds[re.Exception()], re: re}
	}
	return err
}

func (f *FS) info(name string, fi os.FileInfo) storage.FileInfo {
	info := storage.FileInfo{URL: f.url(name), Name: path.Base(name), IsDir: fi.IsDir(), ModTime: fi.ModTime()}
	if !info.IsDir {
		info.Size = fi.Size()
	}
	return info
}

// Stat describes a file or directory.
func (f *FS) Stat(ctx context.Context, name string) (storage.FileInfo, error) {
	name = clean(name)
	if err := ctx.Err(); err != nil {
		return storage.FileInfo{}, f.fail("stat", name, err)
	}
	c, err := f.conn(ctx)
	if err != nil {
		return storage.FileInfo{}, f.fail("stat", name, err)
	}
	fi, err := c.client.Stat(name)
	if err != nil {
		return storage.FileInfo{}, f.fail("stat", name, err)
	}
	return f.info(name, fi), nil
}

// List returns a directory's entries sorted by name; listing a file fails.
func (f *FS) List(ctx context.Context, dir string) ([]storage.FileInfo, error) {
	dir = clean(dir)
	if err := ctx.Err(); err != nil {
		return nil, f.fail("list", dir, err)
	}
	c, err := f.conn(ctx)
	if err != nil {
		return nil, f.fail("list", dir, err)
	}
	fis, err := c.client.ReadDir(dir)
	if err != nil {
		return nil, f.fail("list", dir, err)
	}
	infos := make([]storage.FileInfo, 0, len(fis))
	for _, fi := range fis {
		infos = append(infos, f.info(path.Join(dir, fi.Name()), fi))
	}
	slices.SortFunc(infos, func(a, b storage.FileInfo) int { return strings.Compare(a.Name, b.Name) })
	return infos, nil
}

// Rename moves a file or directory, creating the destination's parents. It
// refuses an existing destination with fs.ErrExist. HDFS's rename2 (as the
// client calls it) overwrites, so this is a check followed by the rename: a
// file created at to between the two by another client is replaced.
func (f *FS) Rename(ctx context.Context, from, to string) error {
	from, to = clean(from), clean(to)
	if err := ctx.Err(); err != nil {
		return f.fail("rename", from, err)
	}
	c, err := f.conn(ctx)
	if err != nil {
		return f.fail("rename", from, err)
	}
	if _, err := c.client.Stat(from); err != nil {
		return f.fail("rename", from, err)
	}
	if _, err := c.client.Stat(to); err == nil {
		return f.fail("rename", to, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return f.fail("rename", to, err)
	}
	if strings.HasPrefix(to, from+"/") || from == "/" {
		return f.fail("rename", from, fmt.Errorf("cannot move %s into itself (%s)", from, to))
	}
	if err := c.client.MkdirAll(path.Dir(to), 0o755); err != nil {
		return f.fail("rename", to, err)
	}
	return f.fail("rename", from, c.client.Rename(from, to))
}

// Remove removes a file or an empty directory.
func (f *FS) Remove(ctx context.Context, name string) error {
	name = clean(name)
	if err := ctx.Err(); err != nil {
		return f.fail("remove", name, err)
	}
	c, err := f.conn(ctx)
	if err != nil {
		return f.fail("remove", name, err)
	}
	return f.fail("remove", name, c.client.Remove(name))
}

// RemoveAll removes a tree; a missing name is not an error.
func (f *FS) RemoveAll(ctx context.Context, name string) error {
	name = clean(name)
	if err := ctx.Err(); err != nil {
		return f.fail("removeall", name, err)
	}
	c, err := f.conn(ctx)
	if err != nil {
		return f.fail("removeall", name, err)
	}
	return f.fail("removeall", name, c.client.RemoveAll(name))
}

// MkdirAll creates a directory and its missing parents.
func (f *FS) MkdirAll(ctx context.Context, dir string) error {
	dir = clean(dir)
	if err := ctx.Err(); err != nil {
		return f.fail("mkdir", dir, err)
	}
	c, err := f.conn(ctx)
	if err != nil {
		return f.fail("mkdir", dir, err)
	}
	return f.fail("mkdir", dir, c.client.MkdirAll(dir, 0o755))
}

var (
	_ storage.FS               = (*FS)(nil)
	_ storage.ExclusiveCreator = (*FS)(nil)
)
