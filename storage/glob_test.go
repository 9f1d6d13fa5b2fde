package storage_test

import (
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
