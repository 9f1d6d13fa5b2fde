package cli

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A long min or max is cut for meta's table without splitting a character.
func TestStatCellCutsWholeRunes(t *testing.T) {
	for _, s := range []string{strings.Repeat("a", 41), strings.Repeat("é", 30), "x" + strings.Repeat("日", 20)} {
		got := statCell(s)
		if !utf8.ValidString(got) || !strings.HasSuffix(got, "…") || len(got) > 39+len("…") || !strings.HasPrefix(s, strings.TrimSuffix(got, "…")) {
			t.Errorf("statCell(%q) = %q: want a valid prefix of at most 39 bytes and an ellipsis", s, got)
		}
	}
	if got := statCell("short"); got != "short" {
		t.Errorf("statCell(short) = %q", got)
	}
}
