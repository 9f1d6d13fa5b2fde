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
		ptable.KV[string, int64]("the", 2), ptable.KV[string, int64]("cat", 1), ptable.KV[string, int64]("sat", 2), ptable.KV[string, int64]("dog", 1), ptable.KV[string, int64]("down", 1), ptable.KV[string, int64]("cat's", 1), ptable.KV[string, int64]("cradle", 1),
	}
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), want)
}
