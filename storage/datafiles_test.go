package storage_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/crunchgo/crunchgo/storage"
)

func TestDataFiles(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("datafiles")
	for _, name := range []string{"out/part-m-00000.avro", "out/part-m-00001.avro", "out/_SUCCESS",
		"out/.part-m-00002.avro.tmp", "out/_temporary/x/part-m-00003.avro", "logs/a.txt", "logs/b.txt"} {
		if err := storage.WriteFile(ctx, "mem://datafiles/"+name, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		pattern string
		want    []string
	}{
		{"mem://datafiles/out", []string{"part-m-00000.avro", "part-m-00001.avro"}},
		{"mem://datafiles/out/part-*", []string{"part-m-00000.avro", "part-m-00001.avro"}},
		{"mem://datafiles/{out,logs}", []string{"a.txt", "b.txt", "part-m-00000.avro", "part-m-00001.avro"}},
		{"mem://datafiles/logs/b.txt", []string{"b.txt"}},
	}
	for _, tt := range tests {
		got, err := storage.DataFiles(ctx, tt.pattern)
		if err != nil {
			t.Errorf("DataFiles(%q): %v", tt.pattern, err)
			continue
		}
		var names []string
		for _, f := range got {
			names = append(names, f.Name)
		}
		if len(names) != len(tt.want) {
			t.Errorf("DataFiles(%q) = %v, want %v", tt.pattern, names, tt.want)
			continue
		}
		for i := range names {
			if names[i] != tt.want[i] {
				t.Errorf("DataFiles(%q) = %v, want %v", tt.pattern, names, tt.want)
				break
			}
		}
	}
	for _, missing := range []string{"mem://datafiles/nope", "mem://datafiles/out/*.parquet"} {
		if _, err := storage.DataFiles(ctx, missing); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("DataFiles(%q) error = %v, want fs.ErrNotExist", missing, err)
		}
	}
}

// TestDataFilesSaysWhyNone checks that a pattern without data files says
// whether it found nothing or found a directory without data files in it,
// and that a directory inside an input directory is refused, not skipped.
func TestDataFilesSaysWhyNone(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("nodata")
	for _, name := range []string{"day/sub/part-0.avro", "day/part-1.avro", "day/_temporary/0/part-2.avro", "empty/_SUCCESS", "kept/_old/part-0.avro", "kept/part-1.avro",
		"words/a.txt", "words/out/_temporary/run/attempt/part-r-00000"} {
		if err := storage.WriteFile(ctx, "mem://nodata/"+name, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	for pattern, want := range map[string]string{
		"mem://nodata/day":     "mem://nodata/day/sub is a directory inside input directory mem://nodata/day: only the files directly inside an input directory are read; give the glob mem://nodata/day/* to read those and the ones directly inside its subdirectories",
		"mem://nodata/d*":      "mem://nodata/day/sub is a directory",
		"mem://nodata/empty":   "the directory holds no data files",
		"mem://nodata/missing": "find inputs mem://nodata/missing: no such file or directory",
	} {
		_, err := storage.DataFiles(ctx, pattern)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", pattern, err, want)
		}
		if !strings.Contains(want, "is a directory") && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: err = %v, want fs.ErrNotExist", pattern, err)
		}
	}
	// A hidden directory is left out, also when a glob's wildcard matches
	// it; the suggested glob reads the directory's files and its
	// subdirectories'.
	// So is a subdirectory holding only hidden names: a job's output being
	// written inside its input directory leaves nothing out.
	for pattern, want := range map[string]int{"mem://nodata/kept": 1, "mem://nodata/day/*/*": 1, "mem://nodata/day/*": 2, "mem://nodata/words": 1} {
		if got, err := storage.DataFiles(ctx, pattern); err != nil || len(got) != want {
			t.Errorf("%s: %d files (err %v), want %d", pattern, len(got), err, want)
		}
	}
}

// TestLocalInputsEdgeCases covers local inputs a user may name: "." and a
// directory whose name starts with _ (given by name, so read), a pipe
// (refused, not read as empty), and a symbolic link loop beside the files a
// glob matches (not in the way) or among them (named).
func TestLocalInputsEdgeCases(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"a.txt", "_staging/b.txt"} {
		if err := storage.WriteFile(ctx, filepath.Join(dir, name), []byte("x\n")); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	for pattern, want := range map[string]string{".": "a.txt", "_staging": "b.txt", "./_staging/": "b.txt"} {
		got, err := storage.DataFiles(ctx, pattern)
		if err != nil || len(got) != 1 || got[0].Name != want {
			t.Errorf("DataFiles(%q) = %v, %v; want %s", pattern, got, err, want)
		}
	}

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if _, err := storage.Open(ctx, fifo); err == nil || !strings.Contains(err.Error(), fifo) || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("opening a FIFO: %v, want it refused, named", err)
	}
	os.Remove(fifo)

	if err := os.Symlink("loop2", "loop1"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop1", "loop2"); err != nil {
		t.Fatal(err)
	}
	if got, err := storage.DataFiles(ctx, "*.txt"); err != nil || len(got) != 1 {
		t.Errorf("a glob beside a symlink loop: %v, %v; want a.txt", got, err)
	}
	files, err := storage.DataFiles(ctx, "loop*")
	if err == nil {
		_, err = storage.Open(ctx, files[0].URL)
	}
	if err == nil || !strings.Contains(err.Error(), "loop1") {
		t.Errorf("a glob matching a symlink loop: %v, want the link named", err)
	}
}

// TestDataFilesUncleanPatternSkipsHiddenDirs checks that a wildcard
// matching a hidden directory (a job's _temporary output in progress) is
// left out however the pattern is spelled: "./", "//", "/./" and ".."
// used to shift the components compared and let in-progress files in.
func TestDataFilesUncleanPatternSkipsHiddenDirs(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("unclean")
	for _, name := range []string{"in/day1/part-0", "in/_temporary/0/part-0", "in/.staging/part-0"} {
		if err := storage.WriteFile(ctx, "mem://unclean/"+name, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	for _, name := range []string{"in/day1/part-0", "in/_temporary/0/part-0"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	for _, pattern := range []string{
		"mem://unclean/in/*/*", "mem://unclean/./in/*/*", "mem://unclean//in/*/*", "mem://unclean/in/day1/../*/*",
		"in/*/*", "./in/*/*", "in//*/*", "in/./*/*", dir + "//in/*/*", "file://" + dir + "/./in/*/*",
	} {
		got, err := storage.DataFiles(ctx, pattern)
		if err != nil {
			t.Errorf("DataFiles(%q): %v", pattern, err)
			continue
		}
		var urls []string
		for _, f := range got {
			urls = append(urls, f.URL)
		}
		if len(got) != 1 || filepath.Base(filepath.Dir(got[0].URL)) != "day1" {
			t.Errorf("DataFiles(%q) = %q, want only in/day1/part-0", pattern, urls)
		}
	}
}

func TestDataFilesPartitioned(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("parts")
	for _, name := range []string{
		"events/_SUCCESS",
		"events/dt=2026-11-25/country=SE/part-0.parquet",
		"events/dt=2026-11-25/country=SE/_SUCCESS",
		"events/dt=2026-11-26/country=SE/part-0.parquet",
		"events/dt=2026-11-26/country=New%20York/part-0.parquet",
		"events/dt=2026-11-26/_temporary/0/part-1.parquet",
		"events/.hidden=1/part-0.parquet",
		"mixed/dt=1/country=SE/a", "mixed/dt=2/b",
		"swapped/dt=1/country=SE/a", "swapped/country=SE/dt=2/b",
		"flat/a", "flat/dt=1/b",
	} {
		if err := storage.WriteFile(ctx, "mem://parts/"+name, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		pattern string
		want    []string
	}{
		{"mem://parts/events", []string{
			"mem://parts/events/dt=2026-11-25/country=SE/part-0.parquet",
			"mem://parts/events/dt=2026-11-26/country=New%20York/part-0.parquet",
			"mem://parts/events/dt=2026-11-26/country=SE/part-0.parquet",
		}},
		{"mem://parts/events/dt=2026-11-2[6-9]", []string{
			"mem://parts/events/dt=2026-11-26/country=New%20York/part-0.parquet",
			"mem://parts/events/dt=2026-11-26/country=SE/part-0.parquet",
		}},
	} {
		got, err := storage.DataFiles(ctx, tt.pattern)
		if err != nil {
			t.Fatalf("DataFiles(%q): %v", tt.pattern, err)
		}
		var urls []string
		for _, f := range got {
			urls = append(urls, f.URL)
		}
		if strings.Join(urls, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("DataFiles(%q) =\n%s\nwant\n%s", tt.pattern, strings.Join(urls, "\n"), strings.Join(tt.want, "\n"))
		}
	}
	for pattern, want := range map[string][]string{
		"mem://parts/mixed":   {"mem://parts/mixed/dt=1/country=SE/a", "mem://parts/mixed/dt=2/b"},
		"mem://parts/swapped": {"mem://parts/swapped/country=SE/dt=2/b", "mem://parts/swapped/dt=1/country=SE/a"},
		"mem://parts/flat":    {"mem://parts/flat/a", "mem://parts/flat/dt=1/b"},
	} {
		_, err := storage.DataFiles(ctx, pattern)
		if err == nil || !strings.Contains(err.Error(), want[0]+" and "+want[1]) {
			t.Errorf("DataFiles(%q) error = %v, want one naming %s and %s", pattern, err, want[0], want[1])
		}
	}
}
