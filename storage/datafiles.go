package storage

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/crunchgo/crunchgo/internal/hivepart"
)

// DataFiles expands an input pattern the way Hadoop input formats do: a glob
// or a single path; a directory stands for the data files directly inside it.
// Names starting with "_" or "." (_SUCCESS, _temporary, in-progress files)
// are never data. A pattern that matches no data file is an error naming the
// pattern, so a typo does not read as an empty input; so is a directory
// inside an input directory that holds anything but hidden names, whose
// files would otherwise be left out unseen (Hadoop fails on one too: "Not
// a file"). One holding only hidden names, such as a job's output still
// being written inside an input directory, is skipped.
//
// A partitioned table is the exception: subdirectories named key=value
// (events/dt=2026-11-26/country=SE), nested to any depth, are read
// through, and their files read. Every file matched must then lie under
// the same partition keys in the same order (counting every key=value
// element of its path, so globs over partitions are held to it too), as
// Spark requires; two that do not are an error naming both.
func DataFiles(ctx context.Context, pattern string) ([]FileInfo, error) {
	matches, err := Glob(ctx, pattern)
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 && !strings.ContainsAny(pattern, "*?[{") {
		// Glob hides dot names; a literal path may still exist.
		if fi, err := Stat(ctx, pattern); err == nil {
			matches = []FileInfo{fi}
		}
	}
	// A name the user typed out is read even if hidden: ".", "..", or a
	// directory _staging given by name.
	literal := !strings.ContainsAny(pattern, "*?[{")
	var out []FileInfo
	for _, m := range matches {
		if !literal && (Hidden(m.Name) || globbedHidden(pattern, m.URL)) {
			continue
		}
		if !m.IsDir {
			out = append(out, m)
			continue
		}
		files, err := dirFiles(ctx, pattern, m.URL, m.URL)
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	if err := samePartitionKeys(pattern, out); err != nil {
		return nil, err
	}
	switch {
	case len(matches) == 0:
		return nil, NoMatch("find inputs", pattern)
	case len(out) == 0:
		// Say what was found, so an empty directory does not read as a
		// missing one.
		why := "it matches only hidden names (starting with _ or .) or directories holding no data files"
		if len(matches) == 1 && matches[0].IsDir {
			why = "the directory holds no data files (names not starting with _ or .)"
		}
		return nil, &PathError{Op: "find inputs", URL: pattern, Err: notExist(why)}
	}
	return out, nil
}

// dirFiles returns the data files directly inside directory dir, and
// those in its key=value subdirectories, recursively; input is the input
// directory dir is in.
func dirFiles(ctx context.Context, pattern, input, dir string) ([]FileInfo, error) {
	entries, err := List(ctx, dir)
	if err != nil {
		return nil, err
	}
	var out []FileInfo
	for _, e := range entries {
		switch {
		case Hidden(e.Name):
		case e.IsDir:
			if _, _, ok := hivepart.Split(e.Name); ok {
				files, err := dirFiles(ctx, pattern, input, e.URL)
				if err != nil {
					return nil, err
				}
				out = append(out, files...)
				continue
			}
			// One holding no data (an output being written, all under
			// _temporary; an empty one) leaves nothing out.
			data, err := holdsData(ctx, e.URL)
			if err != nil {
				return nil, err
			}
			if !data {
				continue
			}
			return nil, &PathError{Op: "find inputs", URL: pattern, Err: fmt.Errorf(
				"%s is a directory inside input directory %s: only the files directly inside an input directory are read; give the glob %s to read those and the ones directly inside its subdirectories, or start the subdirectory's name with _ or . to leave it out (partition directories, named key=value, are read through)",
				e.URL, input, strings.TrimSuffix(dir, "/")+"/*")}
		default:
			out = append(out, e)
		}
	}
	return out, nil
}

// samePartitionKeys fails unless every file lies under the same partition
// keys, in the same order.
func samePartitionKeys(pattern string, files []FileInfo) error {
	if len(files) == 0 {
		return nil
	}
	first := strings.Join(hivepart.Keys(files[0].URL), "/")
	for _, f := range files[1:] {
		if keys := strings.Join(hivepart.Keys(f.URL), "/"); keys != first {
			return &PathError{Op: "find inputs", URL: pattern, Err: fmt.Errorf(
				"%s and %s are under different partition directories (keys %q and %q): a partitioned table holds its files at one depth, under the same key=value directory names in the same order",
				files[0].URL, f.URL, first, keys)}
		}
	}
	return nil
}

// holdsData reports whether directory dir holds anything but hidden names.
func holdsData(ctx context.Context, dir string) (bool, error) {
	entries, err := List(ctx, dir)
	if err != nil {
		return false, err
	}
	for _, e := range entries {
		if !Hidden(e.Name) {
			return true, nil
		}
	}
	return false, nil
}

// Hidden reports whether a file or directory name is one that listings of
// inputs leave out: one starting with _ (_SUCCESS, _temporary) or . (as
// Hadoop's FileInputFormat does).
func Hidden(name string) bool { return strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") }

// globbedHidden reports whether a wildcard of pattern matched a hidden
// directory on the way to match: day/*/* matches day/_temporary/0/part-0,
// a file in progress. Both paths are cleaned first, as Glob cleans the
// pattern it matches: otherwise "./day/*/*" or "day//*/*" would line up
// a wildcard with the wrong component and let in-progress files in.
func globbedHidden(pattern, match string) bool {
	_, _, pp := SplitURL(pattern)
	_, _, mp := SplitURL(match)
	pc, mc := strings.Split(path.Clean(pp), "/"), strings.Split(path.Clean(mp), "/")
	if len(pc) != len(mc) {
		return false // not a component-wise match (a relative pattern, say)
	}
	for i := range len(pc) - 1 {
		if strings.ContainsAny(pc[i], "*?[{") && Hidden(mc[i]) {
			return true
		}
	}
	return false
}
