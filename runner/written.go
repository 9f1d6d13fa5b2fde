package runner

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/crunchgo/crunchgo/storage"
)

// PartitionWrite is a partition directory that a run wrote in a
// partitioned output, and what the commit did with the output's directory
// of that name; or one the run removed (PartitionRemoved).
type PartitionWrite struct {
	// Path is the partition's directory relative to the output, a
	// key=value element per partition key: "dt=2026-11-26/country=SE".
	Path string `json:"path"`
	// Action is PartitionNew, PartitionReplaced, PartitionAppended or
	// PartitionRemoved.
	Action string `json:"action"`
}

// The actions of a PartitionWrite: a daily job's user wants to see which
// days a run replaced, and a run over the wrong day shows there.
const (
	PartitionNew      = "new"         // the output had no such partition
	PartitionReplaced = "replaced"    // its files were replaced
	PartitionAppended = "appended to" // the run's files were added to its
	// PartitionRemoved is an output's partition that the run did not
	// write and WriteOverwrite removed with the rest of the output.
	PartitionRemoved = "removed"
)

// planWritten lists the partitions of every key that the run committed,
// and what publishing them does to the output as it is now; WriteOverwrite
// also lists the output's other partitions, as removed. It runs before
// publish moves anything, so that it sees the partitions the output had.
func (c *Committer) planWritten(ctx context.Context) ([]PartitionWrite, error) {
	depth := len(c.partitionKeys())
	if depth == 0 {
		return nil, nil
	}
	rels, err := partitionDirs(ctx, storage.Join(c.temp(), "committed"), depth)
	if errors.Is(err, fs.ErrNotExist) {
		err = nil // no rows, no partitions
	}
	if err != nil {
		return nil, err
	}
	var written []PartitionWrite
	for _, rel := range rels {
		w := PartitionWrite{Path: rel, Action: PartitionNew}
		if !c.created {
			there, err := storage.Exists(ctx, storage.Join(c.dir, rel))
			if err != nil {
				return nil, err
			}
			if there && c.mode == WriteAppend {
				w.Action = PartitionAppended
			} else if there {
				w.Action = PartitionReplaced
			}
		}
		written = append(written, w)
	}
	if c.mode == WriteOverwrite && !c.created {
		old, err := partitionDirs(ctx, c.dir, depth)
		if err != nil {
			return nil, err
		}
		for _, rel := range old {
			if !slices.Contains(rels, rel) {
				written = append(written, PartitionWrite{Path: rel, Action: PartitionRemoved})
			}
		}
	}
	slices.SortFunc(written, func(a, b PartitionWrite) int { return strings.Compare(a.Path, b.Path) })
	return written, nil
}

// partitionDirs lists the partition directories depth levels under dir
// (key=value names), relative to it and sorted.
func partitionDirs(ctx context.Context, dir string, depth int) ([]string, error) {
	var rels []string
	var walk func(dir, rel string, depth int) error
	walk = func(dir, rel string, depth int) error {
		if depth == 0 {
			rels = append(rels, rel)
			return nil
		}
		entries, err := storage.List(ctx, dir)
		if err != nil {
			return err
		}
		for _, f := range entries {
			if f.IsDir && strings.Contains(f.Name, "=") {
				if err := walk(f.URL, path.Join(rel, f.Name), depth-1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	err := walk(dir, "", depth)
	slices.Sort(rels)
	return rels, err
}
