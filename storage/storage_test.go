package storage_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/storagetest"
)

func TestLocal(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) string { return t.TempDir() })
}

func TestLocalFileURL(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) string { return "file://" + t.TempDir() })
}

// memRoot returns a fresh memory FS root for one test.
func memRoot(t *testing.T) string {
	host := strings.NewReplacer("/", "_", "#", "_").Replace(t.Name())
	storage.ResetMem(host)
	return fmt.Sprintf("mem://%s/root", host)
}

func TestMem(t *testing.T) {
	storagetest.Run(t, memRoot)
}

// TestLocalListsBrokenLinks checks that a symbolic link to nothing is
// listed, so that a job reading the directory fails on it, naming it,
// instead of leaving it out unseen; a link to a file is listed as the file.
func TestLocalListsBrokenLinks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("abc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, to := range map[string]string{"b.txt": "missing.txt", "c.txt": "a.txt"} {
		if err := os.Symlink(to, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	files, err := storage.DataFiles(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, fmt.Sprintf("%s:%d", f.Name, f.Size))
	}
	if want := []string{"a.txt:4", "b.txt:11", "c.txt:4"}; !slices.Equal(got, want) {
		t.Errorf("data files %v, want %v", got, want)
	}
	if _, err := storage.Open(ctx, filepath.Join(dir, "b.txt")); err == nil || !strings.Contains(err.Error(), "b.txt") {
		t.Errorf("opening the broken link: %v, want an error naming it", err)
	}
}
