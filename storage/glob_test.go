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
