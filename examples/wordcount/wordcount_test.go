package wordcount

import (
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

func TestCount(t *testing.T) {
	p := pcollection.NewPipeline("wordcount")
	lines := pcollection.Of(p, "The cat sat", "the dog sat down", "", "Cat's cradle")
	got := pcollection.Materialize(Count(lines))
	crunchtest.Run(t, p)
	want := []ptable.Pair[string, int64]{
		{"the", 2}, {"cat", 1}, {"sat", 2}, {"dog", 1}, {"down", 1}, {"cat's", 1}, {"cradle", 1},
	}
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), want)
}
