package runner

import (
	"cmp"
	"context"
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/crunchgo/crunchgo/storage"
)

// dirListings are the listings a job commit plans from (planPublish,
// planWritten), so that it lists each directory once and finds an entry in
// its directory's listing rather than by a Stat of its own: on HDFS each
// is a namenode call, and a backfill writes thousands of partitions. They
// hold while the commit lock is held and nothing has moved yet. A nil
// dirListings lists every time.
type dirListings map[string]*listing

type listing struct {
	entries []storage.FileInfo
	err     error // nil, or the directory is missing (fs.ErrNotExist)
	byName  map[string]storage.FileInfo
}

// list lists dir, once; the entries are the caller's to change.
func (ls dirListings) list(ctx context.Context, dir string) ([]storage.FileInfo, error) {
	l, err := ls.get(ctx, dir)
	if err != nil {
		return nil, err
	}
	return slices.Clone(l.entries), l.err
}

func (ls dirListings) get(ctx context.Context, dir string) (*listing, error) {
	key := storage.CanonicalURL(dir) // two spellings of one directory list once
	if l, ok := ls[key]; ok {
		return l, nil
	}
	entries, err := storage.List(ctx, dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	l := &listing{entries: entries, err: err}
	if ls != nil {
		ls[key] = l
	}
	return l, nil
}

// entry finds name in directory dir: found is false if either is missing.
func (ls dirListings) entry(ctx context.Context, dir, name string) (f storage.FileInfo, found bool, err error) {
	l, err := ls.get(ctx, dir)
	if err != nil {
		return storage.FileInfo{}, false, err
	}
	if l.byName == nil {
		l.byName = make(map[string]storage.FileInfo, len(l.entries))
		for _, e := range l.entries {
			l.byName[e.Name] = e
		}
	}
	f, found = l.byName[name]
	return f, found, nil
}

// addTree gives ls the listings of directory root and of every directory
// below it without listing them, from names, the slash-separated paths of
// every file under root: root holds them and the directories on their way,
// and nothing else.
func (ls dirListings) addTree(root string, names []string) {
	byDir := map[string][]storage.FileInfo{"": nil} // by path relative to root
	seen := map[string]bool{}
	for _, name := range names {
		parent := ""
		elems := strings.Split(name, "/")
		for i, e := range elems {
			rel := path.Join(parent, e)
			if !seen[rel] {
				seen[rel] = true
				byDir[parent] = append(byDir[parent], storage.FileInfo{URL: storage.Join(root, rel), Name: e, IsDir: i < len(elems)-1})
			}
			parent = rel
		}
	}
	for rel, entries := range byDir {
		slices.SortFunc(entries, func(a, b storage.FileInfo) int { return cmp.Compare(a.Name, b.Name) })
		ls[storage.CanonicalURL(storage.Join(root, rel))] = &listing{entries: entries}
	}
}
