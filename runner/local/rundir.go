package local

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/crunchgo/crunchgo/runner"
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
	// Committing is set once the job commit begins: what it moves aside
	// is among the outputs' temporary files, which must then stay.
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
	err := os.RemoveAll(d.path)
	if d.lock != nil {
		d.lock.Close()
	}
	return err
}

// sweepRunDirs cleans up after every run in tmp ("": the OS temp dir)
// whose driver died. It is best effort: what it cannot remove stays for
// the next sweep.
func sweepRunDirs(tmp string) {
	if tmp == "" {
		tmp = os.TempDir()
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), runDirPrefix) {
			sweepRunDir(filepath.Join(tmp, e.Name()))
		}
	}
}

// sweepRunDir cleans up after the run of private directory dir if its
// driver died, and reports whether it did: it aborts the run's outputs
// (unless its job commit had begun) and removes dir. A directory without a
// recorded state (its driver is just starting, or died before it could
// record one) is left alone.
func sweepRunDir(dir string) bool {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if !tryLockFile(f) {
		return false // its driver lives, or another process sweeps it
	}
	b, err := os.ReadFile(filepath.Join(dir, stateName))
	if err != nil {
		return false
	}
	var st runState
	if err := json.Unmarshal(b, &st); err != nil {
		return false
	}
	if !st.Committing {
		runner.AbortLeftovers(st.Outputs)
	}
	return os.RemoveAll(dir) == nil
}
