package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/crunchgo/crunchgo/storage"
)

// A run killed during its job commit leaves its commit locks. The next
// commit that finds one whose holder is known to be gone (holderGone)
// recovers the dead run's commit itself, from the outputs its lock names
// and the journals in them, as RecoverCommit does, then takes the lock.

// claimPrefix starts the name of the file that a process recovering a
// run's commit creates, exclusively, in the run's first output by name (the
// order its locks are taken in): of several processes that find the run
// dead at once, in any of its outputs, only the one that creates it acts.
const claimPrefix = "_recovering."

// errClaimed says another process is recovering the run.
var errClaimed = errors.New("another process is recovering the run's commit")

// lockPID is the process ID a lock or claim file names; tests set it to
// a dead process's.
var lockPID = os.Getpid

// strayAge is how old a hidden temporary file of a lock or claim must be
// for recovery to remove it: writing one takes milliseconds, and a live
// commit may be writing one now.
const strayAge = time.Minute

// holderBody is the content of a lock or claim file that this process
// takes for run.
func holderBody(run string, outputs []Leftover) ([]byte, error) {
	host, _ := os.Hostname()
	return json.Marshal(lockHolder{Run: run, Host: host, PID: lockPID(), Since: time.Now().UTC(), Machine: thisMachine(), Outputs: outputs})
}

// readHolderAt reads the lock or claim file url, if it names a run.
func readHolderAt(url string) (lockHolder, bool) {
	var h lockHolder
	b, err := storage.ReadFile(context.Background(), url)
	return h, err == nil && json.Unmarshal(b, &h) == nil && h.Run != ""
}

// claimRun claims the recovery of the run of ls, if it holds a commit lock
// in one of them (held: it is known to), and returns the claim file and a
// release function that may be called more than once. The claim is
// errClaimed if another process holds it. A run that holds no lock needs no
// claim: no commit-time recovery acts on it.
func claimRun(ctx context.Context, ls []Leftover, held bool) (url string, release func(), err error) {
	run, first := "", ""
	for _, l := range ls {
		if !plainRun(l.Run) {
			continue
		}
		run = l.Run
		if first == "" || l.Dir < first {
			first = l.Dir
		}
		held = held || (&Committer{dir: l.Dir, run: l.Run}).heldByRun()
	}
	if !held || run == "" {
		return "", func() {}, nil
	}
	url = storage.Join(first, "_temporary", claimPrefix+run)
	body, err := holderBody(run, nil)
	if err != nil {
		return url, nil, err
	}
	err = storage.CreateExclusive(ctx, url, body)
	if errors.Is(err, fs.ErrExist) {
		return url, nil, fmt.Errorf("%w (claim %s)", errClaimed, url)
	}
	if err != nil {
		return url, nil, fmt.Errorf("claiming the recovery of run %s: %w", run, err)
	}
	released := false
	return url, func() {
		if released {
			return
		}
		released = true
		// Best effort: the run's locks are gone by now, so no one
		// waits for the claim.
		_ = storage.Remove(ctx, url)
		_ = (&Committer{dir: first}).removeTemporary(ctx)
	}, nil
}

// recoverHolder recovers the commit of the lock's holder, a process of
// machine that is gone, and reports whether the lock may have been
// released. It reports false, with no error, while another process
// recovers the run.
func (c *Committer) recoverHolder(ctx context.Context, machine string) (bool, error) {
	h, ok := c.readHolder()
	if !ok || len(h.Outputs) == 0 {
		return false, c.leftBehind() // a crunchgo whose locks do not name their outputs
	}
	ls := h.Outputs
	for i := range ls {
		ls[i].Run = h.Run
	}
	claim, release, err := claimRun(ctx, ls, true)
	if errors.Is(err, errClaimed) {
		if ch, ok := readHolderAt(claim); ok && ch.Machine == machine && processGone(ch.PID) {
			return false, fmt.Errorf("%s holds the commit lock %s but has exited, and process %d, which was recovering its commit, has exited too: remove %s and try again: %w",
				c.holder(), c.lockURL(), ch.PID, claim, fs.ErrExist)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s holds the commit lock %s but has exited: %w", c.holder(), c.lockURL(), err)
	}
	defer release()
	if !c.heldBy(h) {
		return true, nil // put right by another process meanwhile
	}
	// Every output journalled: the run may have moved files, and the
	// journals tell what. Else it had moved none yet, or had made every
	// move and was removing its journals: either way nothing to move.
	committing, err := allJournalled(ctx, ls)
	var did string
	if err == nil {
		did, err = recoverCommit(ctx, ls, committing, release)
	}
	if err == nil && c.heldBy(h) {
		err = fmt.Errorf("its lock names outputs %v, not this one", outputDirs(ls))
	}
	if err != nil {
		return false, fmt.Errorf("%s holds the commit lock %s but has exited, and recovering its commit failed: %w (%s)", c.holder(), c.lockURL(), err, leftBehindAdvice)
	}
	if c.notify != nil {
		c.notify(fmt.Sprintf("output %s: %s dead run %s (process %d on %s), which held its commit lock", c.dir, did, h.Run, h.PID, h.Host))
	}
	return true, nil
}

// heldBy reports whether the output's lock file is still h's.
func (c *Committer) heldBy(h lockHolder) bool {
	cur, ok := c.readHolder()
	return ok && cur.Run == h.Run && cur.PID == h.PID && cur.Since.Equal(h.Since)
}

func outputDirs(ls []Leftover) []string {
	dirs := make([]string, len(ls))
	for i, l := range ls {
		dirs[i] = l.Dir
	}
	return dirs
}

// allJournalled reports whether every output of ls holds its run's
// journal.
func allJournalled(ctx context.Context, ls []Leftover) (bool, error) {
	for _, l := range ls {
		j, _, err := (&Committer{dir: l.Dir, run: l.Run}).readJournal(ctx)
		if err != nil || j == nil {
			return false, err
		}
	}
	return true, nil
}

// removeStrays removes, best effort, the hidden files that storage writes a
// file under until it is in place (local Create's ".<name>.tmp-*", HDFS's
// ".<name>._COPYING_*") left by a process killed while it wrote _SUCCESS or
// a lock or claim file: those of _SUCCESS while the recovered run holds the
// output's lock (no one else writes _SUCCESS there then); those of a lock
// that name the recovered run, which only it wrote; and other lock and
// claim files once older than strayAge, as any run may be taking a lock or
// claim now (a claim names the run it recovers, not its writer).
func (c *Committer) removeStrays(ctx context.Context) {
	remove := func(dir, name string, stray func(storage.FileInfo) bool) {
		files, _ := storage.List(ctx, dir)
		for _, f := range files {
			if !f.IsDir && strings.HasPrefix(f.Name, "."+name+".") && stray(f) {
				_ = storage.Remove(ctx, f.URL)
			}
		}
	}
	old := func(f storage.FileInfo) bool { return time.Since(f.ModTime) >= strayAge }
	if c.heldByRun() {
		remove(c.dir, successName, func(storage.FileInfo) bool { return true })
	}
	temporary := storage.Join(c.dir, "_temporary")
	remove(temporary, commitLockName, func(f storage.FileInfo) bool {
		h, ok := readHolderAt(f.URL)
		return ok && h.Run == c.run || old(f)
	})
	remove(temporary, strings.TrimSuffix(claimPrefix, "."), old)
}
