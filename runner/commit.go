package runner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
)

// Committer carries out the output commit protocol of one sink directory,
// in the manner of Hadoop's FileOutputCommitter:
//
//	task attempts write  <dir>/_temporary/<run>/<attempt>/<part>
//	a task commit moves  them to <dir>/_temporary/<run>/committed/<part>
//	the job commit moves them to <dir>/<part>, writes <dir>/_SUCCESS and
//	removes <dir>/_temporary/<run>
//
// Readers ignore names starting with "_" or ".", so until the job commits a
// reader sees nothing new; an aborted job removes what it wrote (and the
// directory itself if the job created it).
type Committer struct {
	dir     string
	mode    WriteMode
	run     string
	created bool
}

// NewCommitter prepares dir for a run with the given ID, applying mode:
// WriteFail refuses an existing directory.
func NewCommitter(ctx context.Context, dir string, mode WriteMode, run string) (*Committer, error) {
	exists, err := storage.Exists(ctx, dir)
	if err != nil {
		return nil, err
	}
	if exists && mode == WriteFail {
		return nil, fmt.Errorf("output %s already exists (choose the write mode overwrite or append): %w", dir, fs.ErrExist)
	}
	c := &Committer{dir: dir, mode: mode, run: run, created: !exists}
	if err := storage.MkdirAll(ctx, c.temp()); err != nil {
		return nil, err
	}
	return c, nil
}

// Dir is the output directory.
func (c *Committer) Dir() string { return c.dir }

func (c *Committer) temp() string { return storage.Join(c.dir, "_temporary", c.run) }

// TaskFile is where attempt writes the part file name.
func (c *Committer) TaskFile(attempt, name string) string {
	return storage.Join(c.temp(), attempt, name)
}

// CommitTask publishes an attempt's files to the run's committed set. A
// second commit of the same part (a retried task whose first attempt
// committed) is an error.
func (c *Committer) CommitTask(ctx context.Context, attempt string) error {
	files, err := storage.List(ctx, storage.Join(c.temp(), attempt))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := storage.Rename(ctx, f.URL, storage.Join(c.temp(), "committed", f.Name)); err != nil {
			return fmt.Errorf("committing task %s: %w", attempt, err)
		}
	}
	return storage.RemoveAll(ctx, storage.Join(c.temp(), attempt))
}

// AbortTask removes an attempt's files.
func (c *Committer) AbortTask(ctx context.Context, attempt string) error {
	return storage.RemoveAll(ctx, storage.Join(c.temp(), attempt))
}

// CommitJob moves the committed part files into the directory and writes _SUCCESS.
func (c *Committer) CommitJob(ctx context.Context) error {
	if c.mode == WriteOverwrite && !c.created {
		old, err := storage.List(ctx, c.dir)
		if err != nil {
			return err
		}
		for _, f := range old {
			if f.Name == "_temporary" {
				continue
			}
			if err := storage.RemoveAll(ctx, f.URL); err != nil {
				return err
			}
		}
	}
	files, err := storage.List(ctx, storage.Join(c.temp(), "committed"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, f := range files {
		name := f.Name
		if c.mode == WriteAppend && !c.created {
			name = appendName(name, c.run)
		}
		if err := storage.Rename(ctx, f.URL, storage.Join(c.dir, name)); err != nil {
			return fmt.Errorf("committing job output: %w", err)
		}
	}
	if err := c.removeTemp(ctx); err != nil {
		return err
	}
	success := storage.Join(c.dir, "_SUCCESS")
	if err := storage.Remove(ctx, success); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return storage.WriteFile(ctx, success, nil)
}

// appendName makes a part name unique to the run: part-r-00000.avro becomes
// part-r-00000-<run>.avro.
func appendName(name, run string) string {
	base, ext := name, ""
	if i := strings.IndexByte(name, '.'); i > 0 {
		base, ext = name[:i], name[i:]
	}
	return base + "-" + run + ext
}

func (c *Committer) removeTemp(ctx context.Context) error {
	if err := storage.RemoveAll(ctx, c.temp()); err != nil {
		return err
	}
	parent := storage.Join(c.dir, "_temporary")
	if rest, err := storage.List(ctx, parent); err == nil && len(rest) == 0 {
		return storage.Remove(ctx, parent)
	}
	return nil
}

// AbortJob removes everything the run wrote: the whole directory if the run
// created it, else its temporary files. It uses a fresh context so that it
// still works after the run's context was cancelled.
func (c *Committer) AbortJob() error {
	ctx := context.WithoutCancel(context.Background())
	if c.created {
		return storage.RemoveAll(ctx, c.dir)
	}
	return c.removeTemp(ctx)
}

// Sinks are the committers of a run's Sink nodes, by node.
type Sinks map[plan.NodeID]*Committer

// OpenSinks prepares the output directory of every Sink node of g for run,
// applying mode. If one cannot be prepared, those already prepared are
// aborted and the error names the sink.
func OpenSinks(ctx context.Context, g *plan.Graph, mode WriteMode, run string) (Sinks, error) {
	s := Sinks{}
	for _, n := range g.Nodes() {
		if n.Op != plan.OpSink {
			continue
		}
		c, err := NewCommitter(ctx, n.Payload.(plan.SinkPayload).URL(), mode, run)
		if err != nil {
			s.AbortJob()
			return nil, fmt.Errorf("%s (%s): %w", n.Label(), n.Caller, err)
		}
		s[n.ID] = c
	}
	return s, nil
}

// CommitJob commits every sink, in node order, and returns their directories.
func (s Sinks) CommitJob(ctx context.Context) ([]string, error) {
	var dirs []string
	for _, id := range slices.Sorted(maps.Keys(s)) {
		if err := s[id].CommitJob(ctx); err != nil {
			return dirs, err
		}
		dirs = append(dirs, s[id].Dir())
	}
	return dirs, nil
}

// AbortJob aborts every sink (see Committer.AbortJob), ignoring errors: it
// runs after a failure, which is the error to report.
func (s Sinks) AbortJob() {
	for _, c := range s {
		_ = c.AbortJob()
	}
}
