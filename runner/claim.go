package runner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crunchgo/crunchgo/storage"
)

// A process claims the recovery of a dead run's commit before it acts, so
// that of several processes that find the run dead at once (commits finding
// its locks, local runs' sweeps) only one does. A claim is a file created
// exclusively (storage.CreateExclusive, exclusive on HDFS too) in the
// _temporary directory of the run's first output by name, the order its
// locks are taken in.
//
// A claimant killed while it recovers leaves its claim, so claims come in
// generations: _recovering.<run> is the first (the only one a crunchgo
// before generations writes), _recovering.<run>.<n> the one that took over
// from generation n-1. The highest generation is the claim in force. A
// process that finds its claimant gone, a process of this machine that
// no longer exists (as for locks), takes it over by creating the next
// generation: of two that find it at once, only one creates it. Recovery
// is idempotent, so the new claimant resumes where the old one stopped.
//
// While the run holds a lock, claim files are only added, or removed by
// their live claimant when it gives up, and then only its own, the highest:
// so a passed-over generation is never made again, and no two live
// processes hold the claim. Every generation goes once the run's locks and
// temporary files are gone, when nothing is left to recover.
const claimPrefix = "_recovering."

// errClaimed says another process is recovering the run.
var errClaimed = errors.New("another process is recovering the run's commit")

// maxClaimTries bounds the attempts at a claim whose files come and go
// under the claimant (released, then claimed again, by others).
const maxClaimTries = 10

// claimFile is one generation of a run's claim.
type claimFile struct {
	storage.FileInfo
	gen int
}

// claimName is the name of generation gen of run's claim.
func claimName(run string, gen int) string {
	if gen == 0 {
		return claimPrefix + run
	}
	return claimPrefix + run + "." + strconv.Itoa(gen)
}

// claimGen reports which generation of run's claim the file name is.
func claimGen(name, run string) (int, bool) {
	rest, ok := strings.CutPrefix(name, claimPrefix+run)
	if !ok {
		return 0, false
	}
	if rest == "" {
		return 0, true
	}
	digits, ok := strings.CutPrefix(rest, ".")
	n, err := strconv.Atoi(digits)
	if !ok || err != nil || n < 1 || strconv.Itoa(n) != digits {
		return 0, false
	}
	return n, true
}

// claimFiles lists the generations of run's claim in temporary, lowest
// first. A name that is also another run's claim (run "a.1" against
// generation 1 of run "a") counts for the run its file names.
func claimFiles(ctx context.Context, temporary, run string) ([]claimFile, error) {
	entries, err := storage.List(ctx, temporary)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var cs []claimFile
	for _, f := range entries {
		gen, ok := claimGen(f.Name, run)
		if !ok || f.IsDir {
			continue
		}
		if h, ok := readHolderAt(f.URL); ok && h.Run != run {
			continue
		}
		cs = append(cs, claimFile{f, gen})
	}
	slices.SortFunc(cs, func(a, b claimFile) int { return cmp.Compare(a.gen, b.gen) })
	return cs, nil
}

// claimantGone reports whether the claimant of f, a claim of run's
// recovery, is a process of this machine that no longer exists. A claim
// that cannot be read may be being written (HDFS shows a file as it is
// written), until it is older than strayAge: then no one can tell whether
// its claimant lives, and the error names it for a person.
func claimantGone(f claimFile, run string) (bool, error) {
	h, ok := readHolderAt(f.URL)
	if !ok {
		if time.Since(f.ModTime) < strayAge {
			return false, nil
		}
		return false, fmt.Errorf("the claim %s on the recovery of run %s's commit cannot be read: if no process is recovering that commit, remove %s and try again: %w",
			f.URL, run, f.URL, fs.ErrExist)
	}
	machine := thisMachine()
	return machine != "" && h.Machine == machine && processGone(h.PID), nil
}

// runHoldsLock reports whether the run of ls holds the commit lock of one
// of its outputs.
func runHoldsLock(ls []Leftover) bool {
	return slices.ContainsFunc(ls, func(l Leftover) bool {
		return plainRun(l.Run) && (&Committer{dir: l.Dir, run: l.Run}).heldByRun()
	})
}

// claimRun claims the recovery of the run of ls, if it holds a commit lock
// in one of them (held: it is known to) or a claim of it is left, taking
// over from a claimant that is gone. It returns the claim file and a
// release function that may be called more than once: once the run holds
// no lock and has no temporary files it removes every generation of the
// claim; while the run holds a lock, only this one, for another process to
// take over. The claim is errClaimed if another process holds it. A run
// that holds no lock and has no claim left needs no claim: no commit-time
// recovery acts on it.
func claimRun(ctx context.Context, ls []Leftover, held bool) (url string, release func(), err error) {
	run, first := "", ""
	var outputs []Leftover
	for _, l := range ls {
		if !plainRun(l.Run) {
			continue
		}
		run = l.Run
		if first == "" || l.Dir < first {
			first = l.Dir
		}
		outputs = append(outputs, l)
	}
	if run == "" {
		return "", func() {}, nil
	}
	temporary := storage.Join(first, "_temporary")
	if !held && !runHoldsLock(outputs) {
		// A recoverer killed after it had removed the run's locks
		// leaves its claim: take it over, to remove it.
		if cs, err := claimFiles(ctx, temporary, run); err != nil || len(cs) == 0 {
			return "", func() {}, nil
		}
	}
	// The claim names the run's outputs, so that a commit to the first
	// can finish the recovery of a claimant killed once they held no lock
	// (recoverClaimed).
	body, err := holderBody(run, outputs)
	if err != nil {
		return "", nil, err
	}
	for gen, tries := 0, 0; ; tries++ {
		url = storage.Join(temporary, claimName(run, gen))
		err := storage.CreateExclusive(ctx, url, body)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return url, nil, fmt.Errorf("claiming the recovery of run %s: %w", run, err)
		}
		if tries == maxClaimTries {
			return url, nil, fmt.Errorf("%w (claim %s)", errClaimed, url)
		}
		cs, err := claimFiles(ctx, temporary, run)
		if err != nil {
			return url, nil, fmt.Errorf("claiming the recovery of run %s: %w", run, err)
		}
		if len(cs) == 0 {
			gen = 0 // released meanwhile
			continue
		}
		top := cs[len(cs)-1]
		gone, err := claimantGone(top, run)
		if err != nil {
			return top.URL, nil, err
		}
		if !gone {
			return top.URL, nil, fmt.Errorf("%w (claim %s)", errClaimed, top.URL)
		}
		gen = top.gen + 1
	}
	released := false
	return url, func() {
		if released {
			return
		}
		released = true
		switch {
		case runHoldsLock(outputs):
			// Recovery stopped short: the generation below, whose
			// claimant is gone, is for the next recoverer to take over.
			_ = storage.Remove(ctx, url)
		case runHasTemp(ctx, outputs):
			// Stopped short once the locks were gone: the claim leads
			// the next commit to what is left (recoverClaimed) once
			// this process has exited.
		default:
			// Best effort, highest first, so that what a kill leaves
			// is still a claim to take over.
			cs, _ := claimFiles(ctx, temporary, run)
			for _, c := range slices.Backward(cs) {
				_ = storage.Remove(ctx, c.URL)
			}
			_ = (&Committer{dir: first}).removeTemporary(ctx)
		}
	}, nil
}

// runHasTemp reports whether the run of ls has a temporary directory left
// in one of them, or cannot be told not to.
func runHasTemp(ctx context.Context, ls []Leftover) bool {
	return slices.ContainsFunc(ls, func(l Leftover) bool {
		ok, err := storage.Exists(ctx, (&Committer{dir: l.Dir, run: l.Run}).temp())
		return ok || err != nil
	})
}
