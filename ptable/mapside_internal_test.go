package ptable

import (
	"fmt"
	"slices"
	"testing"
)

func TestSideTable(t *testing.T) {
	side := []Pair[string, int]{KV("b", 1), KV("a", 2), KV("b", 3), KV("c", 4), KV("b", 5), KV("a", 6)}
	tab := newSideTable(side, nil)
	for k, want := range map[string][]int{"a": {2, 6}, "b": {1, 3, 5}, "c": {4}, "missing": nil} {
		got := tab.values(k)
		if !slices.Equal(got, want) {
			t.Errorf("values(%q) = %v, want %v (side order)", k, got, want)
		}
		if len(got) != cap(got) {
			t.Errorf("values(%q) has capacity %d beyond its %d values: an append would overwrite another key's", k, cap(got), len(got))
		}
	}
	if got := newSideTable[string, int](nil, nil).values("a"); got != nil {
		t.Errorf("an empty side input gave %v", got)
	}
}

// BenchmarkSideTableString looks up 100,000 string keys, one in twenty
// present, in a table of 1,000.
func BenchmarkSideTableString(b *testing.B) {
	var side []Pair[string, int]
	for i := range 1000 {
		side = append(side, KV(fmt.Sprintf("t%d", i*20), i))
	}
	keys := make([]string, 100_000)
	for i := range keys {
		keys[i] = fmt.Sprintf("t%d", (i*7919)%20_000)
	}
	tab := newSideTable(side, nil)
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for _, k := range keys {
			n += len(tab.plainValues(k))
		}
		if n != 5000 {
			b.Fatalf("%d values, want 5000", n)
		}
	}
}
