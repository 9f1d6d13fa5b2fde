package local

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
)

// A run's private directory, <TmpDir>/crunchgo-local-*, holds its shuffle
// runs, intermediates and materialized records, often gigabytes. The
// driver removes it when the run ends, but a driver killed outright (the
// OOM killer, SIGKILL) cannot, and the run's temporary files in its
// outputs stay too, with any output directory the run created, which the
// next run in WriteFail mode then refuses as existing.
//
// So the driver holds an exclusive lock (flock) on the directory's lock
// file while it lives, which the kernel drops when it dies however it dies,
// and keeps in the directory what another process needs to abort the run
// (runState). A directory whose lock can be taken belongs to a dead run:
// the next run in the same TmpDir sweeps it before it opens its outputs,
// and so does a worker that sees its driver die.
const (
	runDirPrefix = "crunchgo-local-"
	lockName     = ".lock"
	stateName    = "run.json"
)

// runState is what a sweeper needs to clean up after a run whose driver
// died.
type runState struct {
	Outputs []runner.Leftover `json:"outputs,omitempty"`
	// Committing is set once the job commit has journalled its moves,
	// before it makes them (runner.RecoverCommit).
	Committing bool `json:"committing,omitempty"`
}

// runDir is a run's private directory, locked while the driver lives.
type runDir struct {
	path string
	lock *os.File // nil where the file system cannot lock: no sweeping then
}

// newRunDir creates a private directory in tmp ("": the OS temp dir),
// locks it and records an empty state. On a file system that cannot lock
// files it records no state, so that no sweeper takes the run for dead.
func newRunDir(tmp string) (*runDir, error) {
	// A --tmp that does not exist yet is made, as Spark makes its local
	// directories.
	if tmp != "" {
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			return nil, err
		}
	}
	path, err := os.MkdirTemp(tmp, runDirPrefix)
	if err != nil {
		return nil, err
	}
	d := &runDir{path: path}
	lock, err := os.OpenFile(filepath.Join(path, lockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		os.RemoveAll(path)
		return nil, err
	}
	if lockFile(lock) != nil {
		lock.Close()
		return d, nil
	}
	d.lock = lock
	if err := d.save(runState{}); err != nil {
		d.remove()
		return nil, err
	}
	return d, nil
}

// save records the run's state, replacing the file so that a sweeper never
// reads half of it.
func (d *runDir) save(st runState) error {
	if d.lock == nil {
		return nil
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp := filepath.Join(d.path, stateName+".new")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("recording the run's state: %w", err)
	}
	return os.Rename(tmp, filepath.Join(d.path, stateName))
}

// remove deletes the directory, then drops the lock.
func (d *runDir) remove() error {
	err := removeRunDir(d.path)
	if d.lock != nil {
		d.lock.Close()
	}
	return err
}

// removeEntry removes an entry of a run directory; tests make it fail.
var removeEntry = os.RemoveAll

// removeRunDir removes run directory dir, its lock file and state last:
// if removing the rest fails (a dead run's worker still writing, a file
// that cannot go), they stay for a later sweep to find.
func removeRunDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		if e.Name() != lockName && e.Name() != stateName {
			if err := removeEntry(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	for _, name := range []string{stateName, lockName} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return os.Remove(dir)
}

// sweepRunDirs cleans up after every run in tmp ("": the OS temp dir)
// whose driver died, waiting for it at most wait: a dead run's outputs on
// an unreachable file system must not hold up every later run. It is best
// effort: what it cannot remove stays for the next sweep.
func sweepRunDirs(tmp string, wait time.Duration) {
	if tmp == "" {
		tmp = os.TempDir()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		entries, err := os.ReadDir(tmp)
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.IsDir() && strings.HasPrefix(e.Name(), runDirPrefix) {
				sweepRunDir(filepath.Join(tmp, e.Name()))
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(wait):
	}
}

// sweepRunDir cleans up after the run of private directory dir if its
// driver died, and reports whether it did: it aborts the run's outputs
// (unless its job commit had begun) and removes dir. A directory without a
// recorded state (its driver is just starting, or died before it could
// record one) is left alone, and so is one this user did not make as
// newRunDir does: in a temp dir others can write to, its state could name
// any directory of this user's for the sweep to remove.
func sweepRunDir(dir string) bool {
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 || !ownedByMe(fi) {
		return false
	}
	f, err := openOwn(filepath.Join(dir, lockName), os.O_RDWR)
	if err != nil {
		return false
	}
	defer f.Close()
	if !tryLockFile(f) {
		return false // its driver lives, or another process sweeps it
	}
	sf, err := openOwn(filepath.Join(dir, stateName), os.O_RDONLY)
	if err != nil {
		return false
	}
	b, err := io.ReadAll(sf)
	sf.Close()
	if err != nil {
		return false
	}
	var st runState
	if err := json.Unmarshal(b, &st); err != nil {
		return false
	}
	if err := runner.RecoverCommit(st.Outputs, st.Committing); err != nil {
		return false // the journals stay for the next sweep
	}
	return removeRunDir(dir) == nil
}

// openOwn opens name, not following a symbolic link, if this user owns it.
func openOwn(name string, flag int) (*os.File, error) {
	f, err := os.OpenFile(name, flag|noFollow, 0)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() || !ownedByMe(fi) {
		f.Close()
		return nil, fmt.Errorf("%s: not a file of this user", name)
	}
	return f, nil
}

// tmpOutsideInputs refuses a scratch directory (tmp, or the system's) in
// or equal to the directory an input of g lists: the run's directory there
// would be read as one of the input's entries.
func tmpOutsideInputs(g *plan.Graph, tmp string) error {
	flag := "--tmp " + tmp
	if tmp == "" {
		tmp, flag = os.TempDir(), "the system's temporary directory "+os.TempDir()+" (--tmp not given)"
	}
	tmp = plan.CleanDir(tmp)
	for _, n := range g.Nodes() {
		src, ok := n.Payload.(plan.FileSource)
		if !ok {
			continue
		}
		// A deeper glob (dir/*/x.txt) reads only the entries that match,
		// which a scratch directory below dir does not.
		listed, glob, ok := storage.ListedDir(src.Pattern())
		dir := plan.CleanDir(listed)
		if _, local := storage.LocalPath(dir); ok && local && plan.InDir(tmp, dir) {
			if glob != "" && !globMayListTmp(glob, dir, tmp) {
				continue
			}
			return fmt.Errorf("the run's scratch directory, %s, is inside input %s, whose listing would take the run's own files for input: give --tmp a directory outside it", flag, src.Pattern())
		}
	}
	return nil
}

// globMayListTmp reports whether glob, the last segment of a pattern
// listing dir, matches the entry of dir that holds the run's directory:
// tmp's first component below dir or, when tmp is dir, a run directory,
// named runDirPrefix and digits (os.MkdirTemp).
func globMayListTmp(glob, dir, tmp string) bool {
	names := []string{runDirPrefix + "0", runDirPrefix + "1234567890", runDirPrefix + "987654321"}
	if tmp != dir {
		first, _, _ := strings.Cut(strings.TrimPrefix(tmp, dir+"/"), "/")
		names = []string{first}
	}
	return slices.ContainsFunc(names, func(name string) bool { return storage.MatchSegment(glob, name) })
}
