package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/crunchgo/crunchgo/storage"
)

// commitLockName is the file a job commit holds in each of its outputs'
// _temporary directories while it moves files in and out of them, so that
// the commits of two runs writing one output take turns: otherwise an
// overwrite could move aside the parts another run had just published, and
// leave that run, which exits 0, without its files. It starts with "_", as
// no run ID does.
const commitLockName = "_commit.lock"

// commitLockWait is how long a job commit waits for another run's commit
// of the same output to finish before it fails. A commit is a few renames
// per part file; a lock held longer is most likely left by a run killed
// during its commit.
var commitLockWait = 5 * time.Minute

// lockHolder is what a lock file says about the run that holds it, for the
// error of a run that gives up waiting.
type lockHolder struct {
	Run   string    `json:"run"`
	Host  string    `json:"host"`
	PID   int       `json:"pid"`
	Since time.Time `json:"since"`
	// Machine is thisMachine() of the holder: when it is this machine's,
	// a holder whose process is gone was killed during its commit, and
	// waiting for it is pointless.
	Machine string `json:"machine,omitempty"`
}

func (c *Committer) lockURL() string { return storage.Join(c.dir, "_temporary", commitLockName) }

// lock takes the output's commit lock, waiting up to commitLockWait for
// another run's commit to release it, or until wait is cancelled: nothing
// has moved yet, so an interrupted run need not wait. Creating the lock
// file is the exclusive step (storage.CreateExclusive).
func (c *Committer) lock(ctx, wait context.Context) error {
	host, _ := os.Hostname()
	machine := thisMachine()
	body, err := json.Marshal(lockHolder{Run: c.run, Host: host, PID: os.Getpid(), Since: time.Now().UTC(), Machine: machine})
	if err != nil {
		return err
	}
	deadline := time.Now().Add(commitLockWait)
	delay := 10 * time.Millisecond
	for {
		err := storage.CreateExclusive(ctx, c.lockURL(), body)
		if err == nil {
			c.locked = true
			return nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("taking the commit lock %s: %w", c.lockURL(), err)
		}
		if time.Now().After(deadline) {
			return c.lockedOut()
		}
		if machine != "" && c.holderGone(machine) {
			return c.leftBehind()
		}
		if c.waiting != nil {
			c.waiting(fmt.Sprintf("output %s: waiting for %s to finish its commit (lock %s, up to %s)", c.dir, c.holder(), c.lockURL(), commitLockWait))
			c.waiting = nil // once
		}
		select {
		case <-wait.Done():
			return fmt.Errorf("waiting for the commit lock %s: %w", c.lockURL(), context.Cause(wait))
		case <-time.After(delay):
		}
		delay = min(2*delay, time.Second)
	}
}

// readHolder reads the lock file, if it names a run.
func (c *Committer) readHolder() (lockHolder, bool) {
	var h lockHolder
	b, err := storage.ReadFile(context.Background(), c.lockURL())
	return h, err == nil && json.Unmarshal(b, &h) == nil && h.Run != ""
}

// holderGone reports whether the lock's holder was a process of machine
// (thisMachine) that no longer exists.
func (c *Committer) holderGone(machine string) bool {
	h, ok := c.readHolder()
	return ok && h.Machine == machine && processGone(h.PID)
}

// holder names the run that holds the lock, as its lock file says.
func (c *Committer) holder() string {
	if h, ok := c.readHolder(); ok {
		return fmt.Sprintf("run %s (process %d on %s, since %s)", h.Run, h.PID, h.Host, h.Since.Format(time.RFC3339))
	}
	return "another run"
}

// lockedOut explains a lock that was not released in time.
func (c *Committer) lockedOut() error {
	return fmt.Errorf("%s has held the commit lock %s for over %s: if no run is committing to %s, remove the lock (%s): %w",
		c.holder(), c.lockURL(), commitLockWait, c.dir, leftBehindAdvice, fs.ErrExist)
}

// leftBehind explains a lock whose holder, a process of this machine, is
// gone.
func (c *Committer) leftBehind() error {
	return fmt.Errorf("%s holds the commit lock %s but has exited: no run is committing to %s; remove the lock (%s): %w",
		c.holder(), c.lockURL(), c.dir, leftBehindAdvice, fs.ErrExist)
}

const leftBehindAdvice = "a run killed during its commit leaves it, and may have left the output half committed; a killed local run's commit is finished or undone by the next local run with the same --tmp; otherwise what it moved aside is under _temporary/<run>, and what it moved is listed in commit.json there"

// ReportWaits makes the sinks' job commit send progress an Event with a
// Note, once per output, when it starts waiting for another run's commit of
// that output to finish: a wait of minutes should not look like a hang. A
// nil progress reports nothing.
func (s Sinks) ReportWaits(progress func(Event)) {
	if progress == nil {
		return
	}
	for _, c := range s {
		c.waiting = func(msg string) { progress(Event{Note: msg}) }
	}
}

// unlock releases the commit lock if this committer holds it.
func (c *Committer) unlock(ctx context.Context) error {
	if !c.locked {
		return nil
	}
	c.locked = false
	return storage.Remove(ctx, c.lockURL())
}
