package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
)

// commitJournal is what a job commit writes into each output's temporary
// directory, once it holds every output's lock and before it moves
// anything: if its process dies on the way, RecoverCommit finishes the
// commit or undoes it from the journals.
type commitJournal struct {
	Outputs []string `json:"outputs"` // every output of the commit, all or nothing
	Moves   []move   `json:"moves"`   // this output's renames, in the order made
}

const journalName = "commit.json"

func (c *Committer) writeJournal(ctx context.Context, j commitJournal) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	if err := storage.WriteFile(ctx, storage.Join(c.temp(), journalName), b); err != nil {
		return err
	}
	c.journalled = true
	return nil
}

func (c *Committer) removeJournal(ctx context.Context) error {
	err := storage.Remove(ctx, storage.Join(c.temp(), journalName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// readJournal reads the output's journal: nil if there is none, and
// whether the run's temporary directory is there at all.
func (c *Committer) readJournal(ctx context.Context) (j *commitJournal, temp bool, err error) {
	b, err := storage.ReadFile(ctx, storage.Join(c.temp(), journalName))
	if errors.Is(err, fs.ErrNotExist) {
		temp, err := storage.Exists(ctx, c.temp())
		return nil, temp, err
	}
	if err != nil {
		return nil, true, err
	}
	j = &commitJournal{}
	if err := json.Unmarshal(b, j); err != nil {
		return nil, true, fmt.Errorf("%s: %w", storage.Join(c.temp(), journalName), err)
	}
	return j, true, nil
}

// madeMoves is how many of an output's journalled renames were made. The
// renames are made in order, so they are the ones up to the last that
// shows as made: its source gone and its target there. No later rename
// brings back an earlier one's source, except a part or partition
// published under the name of one moved aside, and then that later rename
// shows as made. A
// local rename cut in half (both names one file) is finished and counts.
func madeMoves(ctx context.Context, moves []move) (int, error) {
	for i, m := range slices.Backward(moves) {
		from, err := storage.Exists(ctx, m.From)
		if err != nil {
			return 0, err
		}
		to, err := storage.Exists(ctx, m.To)
		if err != nil {
			return 0, err
		}
		if !from && to {
			return i + 1, nil
		}
		if from && to && sameLocalFile(m.From, m.To) {
			// Local renames of files link, then remove (storage's
			// localFS, so as not to replace a file): a process that
			// died between the two was making this rename. Finish it.
			if err := storage.Remove(ctx, m.From); err != nil {
				return 0, err
			}
			return i + 1, nil
		}
	}
	return 0, nil
}

// sameLocalFile reports whether two local paths name one file.
func sameLocalFile(a, b string) bool {
	pa, la := storage.LocalPath(a)
	pb, lb := storage.LocalPath(b)
	if !la || !lb {
		return false
	}
	fa, err := os.Lstat(pa)
	if err != nil {
		return false
	}
	fb, err := os.Lstat(pb)
	return err == nil && os.SameFile(fa, fb)
}

// RecoverCommit cleans up after a run whose process died, given its
// outputs (Sinks.Leftovers) and whether its job commit had begun (CommitInto
// had called locked). If the commit had made every rename in every output,
// the run had in effect succeeded: it writes the _SUCCESS files still
// missing. Otherwise it moves back what the commit had moved and aborts the
// run as Sinks.AbortJob does. Either way it removes the run's temporary
// files, the commit locks the run held and the files storage was writing
// for them when the run died (removeStrays). If it cannot finish, it
// returns an error and leaves the journals, for another try. A commit that
// had begun without journals (a crunchgo before them) cannot be told apart
// from one that moved nothing: its outputs are left as they are, for a
// person to look at, as the commit lock's error says.
//
// It must not run while another process works for the run. While the run
// holds a commit lock, or a recoverer killed in turn left a claim, it
// claims the run first (claimRun), taking over from a claimant that is
// gone, so that it never acts at once with another process recovering the
// run (a commit that found the run's lock, or another sweep). Recovery is
// idempotent: killed at any step, the next recoverer ends as it would
// have.
func RecoverCommit(ls []Leftover, committing bool) error {
	ctx := context.Background()
	_, release, err := claimRun(ctx, ls, false)
	if err != nil {
		return err
	}
	defer release()
	_, err = recoverCommit(ctx, ls, committing, release)
	return err
}

// What recoverCommit did, for the note of a commit that recovered a dead
// lock holder.
const (
	recoveredFinished = "finished the commit of"
	recoveredUndone   = "undid the commit of"
	recoveredCleaned  = "removed the locks and temporary files of" // nothing moved, or all done
)

// recoverCommit is RecoverCommit, calling release once the run's locks and
// temporary files are gone: until then the claim leads the next commit to
// the run's first output to what is left (recoverClaimed).
func recoverCommit(ctx context.Context, ls []Leftover, committing bool, release func()) (string, error) {
	s := Sinks{}
	journals := map[*Committer]*commitJournal{}
	unjournalled := false // an output the commit had not journalled: nothing moved
	// cleaning is set when a journal the commit wrote is gone while the
	// run still holds that output's lock: the commit had published every
	// output and was removing its temporary files (a commit that rolls
	// back releases its locks before it removes them).
	cleaning := false
	for i, l := range ls {
		if !plainRun(l.Run) {
			continue
		}
		c := &Committer{dir: l.Dir, run: l.Run, created: l.Created, parents: l.Parents}
		s[plan.NodeID(i)] = c
		j, temp, err := c.readJournal(ctx)
		if err != nil {
			return "", fmt.Errorf("recovering the commit of run %s in %s: %w", l.Run, l.Dir, err)
		}
		switch {
		case j != nil:
			journals[c] = j
		case temp && l.Journalled && committing:
			cleaning = cleaning || c.heldByRun()
		case temp:
			unjournalled = true
		}
	}
	if !committing {
		journals = nil // nothing moved
	} else if unjournalled {
		return "", nil
	}
	made := map[*Committer]int{}
	published := true
	if cleaning {
		journals = nil // every rename made, and maybe the files they name removed
	}
	for c, j := range journals {
		n, err := madeMoves(ctx, j.Moves)
		if err != nil {
			return "", fmt.Errorf("recovering the commit of run %s in %s: %w", c.run, c.dir, err)
		}
		made[c] = n
		published = published && n == len(j.Moves)
	}
	did := recoveredCleaned
	for c, j := range journals {
		if published {
			did = recoveredFinished
			if err := c.succeedIfMissing(ctx); err != nil {
				return "", fmt.Errorf("finishing the commit of run %s in %s: %w", c.run, c.dir, err)
			}
			continue
		}
		did = recoveredUndone
		c.moves = j.Moves[:made[c]]
		if err := c.undo(ctx); err != nil {
			return "", fmt.Errorf("undoing the commit of run %s: %w", c.run, err)
		}
	}
	if published {
		// A finished commit's journals go before its locks, as the
		// commit's own do: once no lock leads to the run, other runs
		// may move the outputs' files, and the journals would no longer
		// tell what this commit made.
		for c := range journals {
			if err := c.removeJournal(ctx); err != nil {
				return "", fmt.Errorf("finishing the commit of run %s in %s: %w", c.run, c.dir, err)
			}
		}
	}
	for _, c := range s {
		c.removeStrays(ctx)
		if err := c.unlockIfHeld(ctx); err != nil {
			return "", fmt.Errorf("recovering the commit of run %s: %w", c.run, err)
		}
	}
	// The run's temporary files go while its claim is there, which leads
	// the next commit to them if this process is killed (recoverClaimed).
	for _, c := range s {
		if err := storage.RemoveAll(ctx, c.temp()); err != nil {
			return "", fmt.Errorf("recovering the commit of run %s in %s: %w", c.run, c.dir, err)
		}
	}
	release()
	if published && (len(journals) > 0 || cleaning) {
		var errs []error
		for _, c := range s {
			errs = append(errs, c.removeTemporary(ctx))
		}
		return did, errors.Join(errs...)
	}
	s.AbortJob()
	return did, nil
}

// succeedIfMissing writes the output's _SUCCESS unless it is there.
func (c *Committer) succeedIfMissing(ctx context.Context) error {
	success := storage.Join(c.dir, successName)
	if ok, err := storage.Exists(ctx, success); err != nil || ok {
		return err
	}
	return storage.WriteFile(ctx, success, nil)
}

// unlockIfHeld removes the output's commit lock if the committer's run
// holds it.
func (c *Committer) unlockIfHeld(ctx context.Context) error {
	if !c.heldByRun() {
		return nil
	}
	err := storage.Remove(ctx, c.lockURL())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// heldByRun reports whether the committer's run holds the output's commit
// lock.
func (c *Committer) heldByRun() bool {
	h, ok := c.readHolder()
	return ok && h.Run == c.run
}
