package storage_test

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/crunchgo/crunchgo/storage"
)

func TestMatchSegment(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"*.txt", "a.txt", true},
		{"*.txt", "out", false},
		{"{a,o}*", "out", true},
		{"{a,b}*", "out", false},
		{"[!o]*", "out", false},
		{"*", ".hidden", false},
		{".*", ".hidden", true},
		{`a\*`, "a*", true},
		{"[", "[", false}, // invalid
	} {
		if got := storage.MatchSegment(tc.pattern, tc.name); got != tc.want {
			t.Errorf("MatchSegment(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
}

func TestListedDir(t *testing.T) {
	for _, tc := range []struct {
		pattern, dir, glob string
		ok                 bool
	}{
		{"data/in", "data/in", "", true},
		{"data/in/*.txt", "data/in", "*.txt", true},
		{"*.txt", ".", "*.txt", true},
		{"/*", "/", "*", true},
		{"file:///*", "file:///", "*", true},
		{"hdfs://nn/logs/{a,b}*", "hdfs://nn/logs", "{a,b}*", true},
		{"data/*/x.txt", "", "", false},
		{"data*/x", "", "", false},
	} {
		dir, glob, ok := storage.ListedDir(tc.pattern)
		if dir != tc.dir || glob != tc.glob || ok != tc.ok {
			t.Errorf("ListedDir(%q) = %q, %q, %v; want %q, %q, %v", tc.pattern, dir, glob, ok, tc.dir, tc.glob, tc.ok)
		}
	}
}

// A pattern holding a comma that matches nothing, as a Hadoop-style list
// of inputs does, fails with the brace form to use instead.
func TestDataFilesCommaHint(t *testing.T) {
	storage.ResetMem("comma")
	ctx := context.Background()
	if err := storage.WriteFile(ctx, "mem://comma/a.csv", []byte("x\n")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ pattern, want string }{
		{"mem://comma/a.csv,mem://comma/b.csv", `find inputs mem://comma/a.csv,mem://comma/b.csv: no such file or directory (a comma does not separate inputs: for several, give the brace form '{mem://comma/a.csv,mem://comma/b.csv}', quoted so that the shell passes it on)`},
		{"mem://comma/{a,b}.txt,c", `find inputs mem://comma/{a,b}.txt,c: no such file or directory`},
		{"mem://comma/b.csv", `find inputs mem://comma/b.csv: no such file or directory`},
	} {
		_, err := storage.DataFiles(ctx, tc.pattern)
		if err == nil || err.Error() != tc.want || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("DataFiles(%q): got %v, want %q", tc.pattern, err, tc.want)
		}
	}
	if files, err := storage.DataFiles(ctx, "mem://comma/{a.csv,b.csv}"); err != nil || len(files) != 1 {
		t.Errorf("the brace form: got %v, %v; want a.csv", files, err)
	}
}
