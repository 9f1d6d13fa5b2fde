package wordcount

import (
	"slices"
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

// TestWords checks the tokenizer on quotes, apostrophes, digits and scripts
// whose words hold combining marks.
func TestWords(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"She said 'hello' and Hello ' ''", []string{"she", "said", "hello", "and", "hello"}},
		{"don’t don't Cat's", []string{"don't", "don't", "cat's"}},
		{"covid19 in 2020, v2.0", []string{"covid19", "in", "2020", "v2", "0"}},
		{"हिन्दी भाषा", []string{"हिन्दी", "भाषा"}},
		{"e\u0301cole café", []string{"e\u0301cole", "café"}},
		{"日本語のテキスト", []string{"日本語のテキスト"}},
		{"", nil},
	} {
		var got []string
		Words(tc.line, func(w string) { got = append(got, w) })
		if !slices.Equal(got, tc.want) {
			t.Errorf("Words(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}
