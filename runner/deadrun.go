package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/crunchgo/crunchgo/storage"
)

// A run killed during its job commit leaves its commit locks. The next
// commit that finds one whose holder is known to be gone (holderGone)
// recovers the dead run's commit itself, from the outputs its lock names
// and the journals in them, as RecoverCommit does, then takes the lock. It
// claims the recovery first (claim.go), taking over from a recoverer that
// was killed in turn.

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

// recoverHolder recovers the commit of h, the lock's holder as
// holderGone found it gone, and reports whether the lock may have been
// released. It reports false, with no error, while another process
// recovers the run. It does not read the holder again: by then another
// process may have recovered the run and taken the lock, and its live
// commit is not for this one to recover.
func (c *Committer) recoverHolder(ctx context.Context, h lockHolder) (bool, error) {
	if len(h.Outputs) == 0 {
		return false, c.leftBehind() // a crunchgo whose locks do not name their outputs
	}
	ls := h.Outputs
	for i := range ls {
		ls[i].Run = h.Run
	}
	_, release, err := claimRun(ctx, ls, true)
	if errors.Is(err, errClaimed) {
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

// recoverClaimed finishes, best effort, the recoveries whose claimant was
// killed after it had removed the dead run's locks, which left its claim
// in the output, naming the run's outputs: no lock leads a commit to the
// run any more. What is left to do is removing the run's temporary files
// and the claim: recoverCommit moves nothing then, as it removes the
// journals of a commit it finished before the locks, and the renames of
// one it undid show as not made, whatever other runs have done since.
// Called with the output's lock held, so that no commit to it is under
// way.
func (c *Committer) recoverClaimed(ctx context.Context) {
	entries, _ := storage.List(ctx, storage.Join(c.dir, "_temporary"))
	runs := map[string][]Leftover{}
	for _, f := range entries {
		if f.IsDir || !strings.HasPrefix(f.Name, claimPrefix) {
			continue
		}
		if h, ok := readHolderAt(f.URL); ok && h.Run != c.run && plainRun(h.Run) && len(h.Outputs) > 0 {
			runs[h.Run] = h.Outputs
		}
	}
	for run, ls := range runs {
		for i := range ls {
			ls[i].Run = run
		}
		if runHoldsLock(ls) {
			continue // the commit that finds the lock recovers the run
		}
		url, release, err := claimRun(ctx, ls, false)
		if err != nil || url == "" {
			continue // claimed by a live process, or done meanwhile
		}
		if !runHasTemp(ctx, ls) {
			// Only claims are left: their claimant finished, and was
			// removing them (its own first) when this process found them
			// and took over the rest, or was killed doing so. Nothing
			// of the run's commit is left to recover or report.
			release()
			continue
		}
		committing, err := allJournalled(ctx, ls)
		var did string
		if err == nil {
			did, err = recoverCommit(ctx, ls, committing, release)
		}
		release()
		if err == nil && c.notify != nil {
			c.notify(fmt.Sprintf("output %s: %s dead run %s, whose recovery was killed (claim %s)", c.dir, did, run, url))
		}
	}
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
