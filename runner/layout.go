package runner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/crunchgo/crunchgo/internal/hivepart"
	"github.com/crunchgo/crunchgo/storage"
)

// recheckLayout checks, under the commit lock and before anything moves,
// that an output the run appends to or replaces partitions of, and which
// existed when the run opened it (checkAppend checked it then), still has
// the layout and format of the run's files: another run may have
// overwritten it since with another, and adding this run's files would
// leave a mixed table that every later read refuses.
//
// It goes down one path of the output, checking every entry of each
// directory on the way against the run's partition keys and, at the end,
// against its part files' extension: an overwrite leaves one layout
// throughout, which any path shows. It lists from ls and goes down
// partitions the run wrote too where it can, whose listings planAppend and
// planReplace make anyway, so that it adds at most one listing per
// partition level (only the innermost, when the run writes a partition the
// output has; none for an output not partitioned). The schema of Avro and
// Parquet files is not checked again: that would read a file.
func (c *Committer) recheckLayout(ctx context.Context, ls dirListings) error {
	if (c.mode != WriteAppend && !c.replacesPartitions()) || c.created || c.ext == "" {
		return nil
	}
	keys := c.partitionKeys()
	dir, rel := c.dir, ""
	committed := storage.Join(c.temp(), "committed") // "" once the path leaves the run's partitions
	for level := 0; ; level++ {
		entries, err := ls.list(ctx, dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed since its parent was listed: no layout to compare
		}
		if err != nil {
			return err
		}
		next, nextWritten := "", false
		for _, f := range entries {
			if storage.Hidden(f.Name) {
				continue
			}
			if err := c.fits(ctx, ls, f, path.Join(rel, f.Name), keys[level:]); err != nil {
				return err
			}
			if level == len(keys) || nextWritten {
				continue
			}
			// The run's committed set is known without listing
			// (addCommitted).
			if committed != "" {
				_, nextWritten, err = ls.entry(ctx, committed, f.Name)
				if err != nil {
					return err
				}
			}
			if next == "" || nextWritten {
				next = f.Name
			}
		}
		if next == "" {
			return nil // this level holds part files, or nothing
		}
		if committed != "" && nextWritten {
			committed = storage.Join(committed, next)
		} else {
			committed = ""
		}
		dir, rel = storage.Join(dir, next), path.Join(rel, next)
	}
}

// fits checks entry f of the output, at rel in it, against the run's
// files, which go where keys are the partition keys still to come: into a
// directory keys[0]=<value> if there are any, else as part files of the
// run's format beside f. A table not partitioned may also hold other
// directories, which its readers skip.
func (c *Committer) fits(ctx context.Context, ls dirListings, f storage.FileInfo, rel string, keys []string) error {
	key, _, isPartition := hivepart.Split(f.Name)
	isPartition = isPartition && f.IsDir
	switch {
	case len(keys) > 0 && isPartition && key == hivepart.Escape(keys[0]):
		return nil
	case len(keys) == 0 && !f.IsDir && strings.HasSuffix(f.Name, c.ext):
		return nil
	case len(keys) == 0 && !f.IsDir:
		return fmt.Errorf("another run changed its format since this run began: it now holds %s; this run wrote %s part files (run the job again, or write to another directory)", f.URL, c.ext)
	case len(keys) == 0 && f.IsDir && !isPartition && !c.partitioned():
		return nil
	case f.IsDir && !isPartition:
		expect := c.ext + " part files"
		if len(keys) > 0 {
			expect = "a directory " + keys[0] + "=<value>"
		}
		return fmt.Errorf("another run changed its layout since this run began: it now holds %s where this run's files, %s, go into %s (run the job again, or write to another directory)", f.URL, partitionedBy(c.partitionKeys()), expect)
	}
	found := hivepart.Keys(rel) // a part file's, or another key's directory's, parents
	if isPartition {
		found = append(hivepart.Keys(rel+"/"), keysBelow(ctx, ls, f.URL)...)
	}
	return fmt.Errorf("another run changed its layout since this run began: it is now %s (it holds %s); this run's files are %s (run the job again, or write to another directory)", partitionedBy(found), f.URL, partitionedBy(c.partitionKeys()))
}

// keysBelow finds the partition keys below partition directory dir, down
// one path, to say how a table is partitioned now.
func keysBelow(ctx context.Context, ls dirListings, dir string) []string {
	var keys []string
	for dir != "" {
		entries, err := ls.list(ctx, dir)
		if err != nil {
			break
		}
		dir = ""
		for _, f := range entries {
			if _, _, ok := hivepart.Split(f.Name); ok && f.IsDir && !storage.Hidden(f.Name) {
				keys = append(keys, hivepart.Keys(f.Name+"/")...)
				dir = f.URL
				break
			}
		}
	}
	return keys
}

// partitionedBy describes a table's partition keys.
func partitionedBy(keys []string) string {
	if len(keys) == 0 {
		return "not partitioned"
	}
	return "partitioned by " + strings.Join(keys, ", ")
}
