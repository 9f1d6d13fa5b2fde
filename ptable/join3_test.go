package ptable_test

import (
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

type triple = ptable.Triple[int, string, float64]

// TestJoin3 checks Join3 against results worked out by hand: keys missing
// from one table or two, duplicate keys on every side (a cross product),
// and empty tables.
func TestJoin3(t *testing.T) {
	kv := ptable.KV[string, triple]
	tests := []struct {
		name string
		a    []ptable.Pair[string, int]
		b    []ptable.Pair[string, string]
		c    []ptable.Pair[string, float64]
		want []ptable.Pair[string, triple]
	}{
		{
			name: "one value each",
			a:    []ptable.Pair[string, int]{ptable.KV("k", 1)},
			b:    []ptable.Pair[string, string]{ptable.KV("k", "x")},
			c:    []ptable.Pair[string, float64]{ptable.KV("k", 0.5)},
			want: []ptable.Pair[string, triple]{kv("k", triple{1, "x", 0.5})},
		},
		{
			// "a" is only in a, "b" in a and b, "c" in a and c, "d" in b
			// and c, "e" only in c: only "k" is in all three.
			name: "keys missing from a table",
			a:    []ptable.Pair[string, int]{ptable.KV("a", 1), ptable.KV("b", 2), ptable.KV("c", 3), ptable.KV("k", 4)},
			b:    []ptable.Pair[string, string]{ptable.KV("b", "x"), ptable.KV("d", "y"), ptable.KV("k", "z")},
			c:    []ptable.Pair[string, float64]{ptable.KV("c", 0.5), ptable.KV("d", 1.5), ptable.KV("e", 2.5), ptable.KV("k", 3.5)},
			want: []ptable.Pair[string, triple]{kv("k", triple{4, "z", 3.5})},
		},
		{
			// 2 × 3 × 2 = 12 combinations of "k", and 1 × 1 × 2 of "m".
			name: "duplicate keys on every side",
			a:    []ptable.Pair[string, int]{ptable.KV("k", 1), ptable.KV("m", 9), ptable.KV("k", 2)},
			b:    []ptable.Pair[string, string]{ptable.KV("k", "x"), ptable.KV("k", "y"), ptable.KV("m", "w"), ptable.KV("k", "z")},
			c:    []ptable.Pair[string, float64]{ptable.KV("m", 7.5), ptable.KV("k", 0.5), ptable.KV("k", 1.5), ptable.KV("m", 8.5)},
			want: []ptable.Pair[string, triple]{
				kv("k", triple{1, "x", 0.5}), kv("k", triple{1, "x", 1.5}), kv("k", triple{1, "y", 0.5}),
				kv("k", triple{1, "y", 1.5}), kv("k", triple{1, "z", 0.5}), kv("k", triple{1, "z", 1.5}),
				kv("k", triple{2, "x", 0.5}), kv("k", triple{2, "x", 1.5}), kv("k", triple{2, "y", 0.5}),
				kv("k", triple{2, "y", 1.5}), kv("k", triple{2, "z", 0.5}), kv("k", triple{2, "z", 1.5}),
				kv("m", triple{9, "w", 7.5}), kv("m", triple{9, "w", 8.5}),
			},
		},
		{
			// Equal values on a side are separate rows, each joined.
			name: "repeated pairs",
			a:    []ptable.Pair[string, int]{ptable.KV("k", 1), ptable.KV("k", 1)},
			b:    []ptable.Pair[string, string]{ptable.KV("k", "x")},
			c:    []ptable.Pair[string, float64]{ptable.KV("k", 0.5), ptable.KV("k", 0.5)},
			want: []ptable.Pair[string, triple]{kv("k", triple{1, "x", 0.5}), kv("k", triple{1, "x", 0.5}),
				kv("k", triple{1, "x", 0.5}), kv("k", triple{1, "x", 0.5})},
		},
		{
			name: "empty first table",
			b:    []ptable.Pair[string, string]{ptable.KV("k", "x")},
			c:    []ptable.Pair[string, float64]{ptable.KV("k", 0.5)},
		},
		{
			name: "empty second table",
			a:    []ptable.Pair[string, int]{ptable.KV("k", 1)},
			c:    []ptable.Pair[string, float64]{ptable.KV("k", 0.5)},
		},
		{
			name: "empty third table",
			a:    []ptable.Pair[string, int]{ptable.KV("k", 1)},
			b:    []ptable.Pair[string, string]{ptable.KV("k", "x")},
		},
		{name: "all empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pcollection.NewPipeline("join3")
			got := pcollection.Materialize(ptable.Join3(pcollection.Of(p, tt.a...), pcollection.Of(p, tt.b...), pcollection.Of(p, tt.c...),
				pcollection.Partitions(2)))
			crunchtest.Run(t, p)
			crunchtest.EqualUnordered(t, crunchtest.Values(t, got), tt.want)
		})
	}
}

func TestJoin3AcrossPipelinesPanics(t *testing.T) {
	p := pcollection.NewPipeline("a")
	a, b := pcollection.Of(p, ptable.KV("k", 1)), pcollection.Of(p, ptable.KV("k", 2))
	c := pcollection.Of(pcollection.NewPipeline("c"), ptable.KV("k", 3))
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "different pipelines") {
			t.Errorf("panic = %v, want a different-pipelines build error", r)
		}
	}()
	ptable.Join3(a, b, c)
}
