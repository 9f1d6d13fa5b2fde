package runner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
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
	// Outputs are every output of the holder's commit, so that a commit
	// that finds the holder gone can recover its commit (recoverHolder).
	Outputs []Leftover `json:"outputs,omitempty"`
}

func (c *Committer) lockURL() string { return storage.Join(c.dir, "_temporary", commitLockName) }

// lock takes the output's commit lock, waiting up to commitLockWait for
// another run's commit to release it, or until wait is cancelled: nothing
// has moved yet, so an interrupted run need not wait. Creating the lock
// file is the exclusive step (storage.CreateExclusive). A holder known to
// be gone has its commit recovered first (recoverHolder). outputs are the
// run's, for the lock file to name.
func (c *Committer) lock(ctx, wait context.Context, outputs []Leftover) error {
	machine := thisMachine()
	body, err := holderBody(c.run, outputs)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(commitLockWait)
	delay := 10 * time.Millisecond
	for {
		err := storage.CreateExclusive(ctx, c.lockURL(), body)
		if err == nil {
			c.locked = true
			c.recoverClaimed(ctx)
			return nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("taking the commit lock %s: %w", c.lockURL(), err)
		}
		if time.Now().After(deadline) {
			return c.lockedOut()
		}
		if h, gone := c.holderGone(machine); gone {
			released, err := c.recoverHolder(ctx, h)
			if err != nil {
				return err
			}
			if released {
				continue
			}
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
func (c *Committer) readHolder() (lockHolder, bool) { return readHolderAt(c.lockURL()) }

// holderGone returns the lock's holder and reports whether it was a
// process of machine (thisMachine; "": none can be told gone) that no
// longer exists.
func (c *Committer) holderGone(machine string) (lockHolder, bool) {
	if machine == "" {
		return lockHolder{}, false
	}
	h, ok := c.readHolder()
	return h, ok && h.Machine == machine && processGone(h.PID)
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
// gone, and whose lock file does not say enough to recover its commit.
func (c *Committer) leftBehind() error {
	return fmt.Errorf("%s holds the commit lock %s but has exited, and its lock does not name its outputs (an older crunchgo's): no run is committing to %s; remove the lock (%s): %w",
		c.holder(), c.lockURL(), c.dir, leftBehindAdvice, fs.ErrExist)
}

const leftBehindAdvice = "a run killed during its commit leaves it, and may have left the output half committed; the next commit to the output on the run's machine, or a local run's sweep of its --tmp, finishes or undoes that commit; otherwise what it moved aside is under _temporary/<run>, and what it moved is listed in commit.json there"

// ReportWaits makes the sinks' job commit send progress an Event with a
// Note, once per output, when it starts waiting for another run's commit of
// that output to finish: a wait of minutes should not look like a hang;
// and one when it recovers the commit of a dead run that held an output's
// lock. A nil progress reports nothing.
func (s Sinks) ReportWaits(progress func(Event)) {
	if progress == nil {
		return
	}
	for _, c := range s {
		c.waiting = func(msg string) { progress(Event{Note: msg}) }
		c.notify = c.waiting
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
