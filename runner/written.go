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
	// Of what WriteOverwrite removed outside the output's partitions (an
	// unpartitioned table's part files, say), it is that file's or
	// directory's path: "part-r-00000.parquet".
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
	// write and WriteOverwrite removed with the rest of the output, or
	// a file or directory of the output outside its partitions.
	PartitionRemoved = "removed"
)

// planWritten lists the partitions of every key that the run committed,
// and what publishing them does to the output as it is now, under the
// commit lock: another run may have created the output since this one
// opened it. WriteOverwrite also lists the output's other partitions, and
// what else it holds outside partitions (an unpartitioned table's part
// files), as removed. It runs before publish moves anything, so that it
// sees the partitions the output had, and from planPublish's listings ls.
func (c *Committer) planWritten(ctx context.Context, ls dirListings) ([]PartitionWrite, error) {
	depth := len(c.partitionKeys())
	if depth == 0 {
		return nil, nil
	}
	rels, _, err := partitionDirs(ctx, ls, storage.Join(c.temp(), "committed"), depth)
	if err != nil {
		return nil, err
	}
	var written []PartitionWrite
	for _, rel := range rels {
		there, err := hasPath(ctx, ls, c.dir, rel)
		if err != nil {
			return nil, err
		}
		w := PartitionWrite{Path: rel, Action: PartitionNew}
		if there && c.mode == WriteAppend {
			w.Action = PartitionAppended
		} else if there {
			w.Action = PartitionReplaced
		}
		written = append(written, w)
	}
	if c.mode == WriteOverwrite {
		old, others, err := partitionDirs(ctx, ls, c.dir, depth)
		if err != nil {
			return nil, err
		}
		wrote := make(map[string]bool, len(rels))
		for _, rel := range rels {
			wrote[rel] = true
		}
		for _, rel := range old {
			if !wrote[rel] {
				written = append(written, PartitionWrite{Path: rel, Action: PartitionRemoved})
			}
		}
		for _, rel := range others {
			written = append(written, PartitionWrite{Path: rel, Action: PartitionRemoved})
		}
	}
	slices.SortFunc(written, func(a, b PartitionWrite) int { return strings.Compare(a.Path, b.Path) })
	return written, nil
}

// partitionDirs lists the partition directories depth levels under dir
// (key=value names), relative to it and sorted; and, as others, the files
// and other directories above that depth (but those named _* or .*, which
// readers skip), as a table of other partition keys, or none, holds. A
// missing directory holds nothing.
func partitionDirs(ctx context.Context, ls dirListings, dir string, depth int) (rels, others []string, err error) {
	var walk func(dir, rel string, depth int) error
	walk = func(dir, rel string, depth int) error {
		if depth == 0 {
			rels = append(rels, rel)
			return nil
		}
		entries, err := ls.list(ctx, dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, f := range entries {
			switch {
			case f.IsDir && strings.Contains(f.Name, "="):
				if err := walk(storage.Join(dir, f.Name), path.Join(rel, f.Name), depth-1); err != nil {
					return err
				}
			case !storage.Hidden(f.Name):
				others = append(others, path.Join(rel, f.Name))
			}
		}
		return nil
	}
	err = walk(dir, "", depth)
	slices.Sort(rels)
	return rels, others, err
}

// hasPath reports whether directory dir holds rel, a slash-separated path,
// looked up in the listings of the directories on the way.
func hasPath(ctx context.Context, ls dirListings, dir, rel string) (bool, error) {
	elems := strings.Split(rel, "/")
	for i, name := range elems {
		f, found, err := ls.entry(ctx, dir, name)
		if err != nil || !found {
			return false, err
		}
		if i < len(elems)-1 && !f.IsDir {
			return false, nil
		}
		dir = storage.Join(dir, name)
	}
	return true, nil
}
