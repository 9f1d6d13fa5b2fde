package storage

import (
	"path"
	"strings"
	"testing"
)

// FuzzGlobPattern checks the pattern decoder: brace expansion and segment
// matching never panic, brace expansion is bounded, a matched name never
// spans a '/', and a pattern without meta characters matches exactly its
// unescaped self.
func FuzzGlobPattern(f *testing.F) {
	for _, seed := range [][2]string{
		{"*.txt", "a.txt"}, {"[!a-c]x", "dx"}, {"{a,b{c,d}}", "bc"}, {`\*`, "*"},
		{"part-[0-9]*", "part-00001"}, {"[", "["}, {"{,}", ""}, {".*", ".hidden"},
		{"{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}", "a"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		pats := expandBraces(pattern)
		if len(pats) == 0 || len(pats) > 2*maxAlternatives {
			t.Fatalf("expandBraces(%q): %d alternatives", pattern, len(pats))
		}
		for _, p := range pats {
			for _, seg := range strings.Split(p, "/") {
				if matchSegment(seg, name) && strings.Contains(name, "/") {
					t.Errorf("matchSegment(%q, %q): a name with '/' matched", seg, name)
				}
			}
		}
		if strings.ContainsAny(pattern, "/{}") || strings.HasSuffix(pattern, `\`) || hasMeta(pattern) {
			return
		}
		if _, err := path.Match(pattern, ""); err != nil {
			return
		}
		lit := unescape(pattern)
		if strings.HasPrefix(lit, ".") && !strings.HasPrefix(pattern, ".") {
			return // an escaped leading dot: shell rules, see matchSegment
		}
		if !matchSegment(pattern, lit) {
			t.Errorf("matchSegment(%q, %q): a literal pattern does not match itself", pattern, lit)
		}
	})
}
