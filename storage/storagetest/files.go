package storagetest

import (
	"context"
	"slices"
	"testing"

	"github.com/crunchgo/crunchgo/storage"
)

// Files lists the files under the directory dir at any depth, sorted, each
// by its slash-separated path relative to dir: what a test of a writer
// compares with the layout it expects (partition directories included).
func Files(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	var walk func(d, rel string)
	walk = func(d, rel string) {
		entries, err := storage.List(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir {
				walk(e.URL, rel+e.Name+"/")
			} else {
				out = append(out, rel+e.Name)
			}
		}
	}
	walk(dir, "")
	slices.Sort(out)
	return out
}
