package ptable

import (
	"slices"
	"testing"
)

func TestSideTable(t *testing.T) {
	side := []Pair[string, int]{KV("b", 1), KV("a", 2), KV("b", 3), KV("c", 4), KV("b", 5), KV("a", 6)}
	tab := newSideTable(side)
	for k, want := range map[string][]int{"a": {2, 6}, "b": {1, 3, 5}, "c": {4}, "missing": nil} {
		got := tab.values(k)
		if !slices.Equal(got, want) {
			t.Errorf("values(%q) = %v, want %v (side order)", k, got, want)
		}
		if len(got) != cap(got) {
			t.Errorf("values(%q) has capacity %d beyond its %d values: an append would overwrite another key's", k, cap(got), len(got))
		}
	}
	if got := newSideTable[string, int](nil).values("a"); got != nil {
		t.Errorf("an empty side input gave %v", got)
	}
}
