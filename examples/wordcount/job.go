package wordcount

import (
	"fmt"
	"strings"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
)

// Args are the flags of the wordcount job.
type Args struct {
	Output string `flag:"output" help:"directory to write the counts to, as Avro records {word, count} (required)"`
}

// WordCount is one output record of the wordcount job.
type WordCount struct {
	Word  string `avro:"word"`
	Count int64  `avro:"count"`
}

// Sample is the text the wordcount job counts.
var Sample = []string{
	"It was the best of times, it was the worst of times,",
	"it was the age of wisdom, it was the age of foolishness,",
	"it was the epoch of belief, it was the epoch of incredulity,",
	"it was the season of Light, it was the season of Darkness,",
}

// Job counts the words of Sample and writes them as Avro to --output:
//
//	crunchgo run wordcount --output /tmp/wc --runner mem
var Job = runner.Register("wordcount", "count the words of a sample text and write {word, count} records as Avro",
	func(p *pcollection.Pipeline, a *Args) error {
		if strings.TrimSpace(a.Output) == "" {
			return fmt.Errorf("--output is required")
		}
		lines := pcollection.Of(p, Sample...)
		counts := pcollection.Map(Count(lines), func(kv ptable.Pair[string, int64]) WordCount {
			return WordCount{Word: kv.Key, Count: kv.Value}
		}, pcollection.Name("ToRecord"))
		return avroio.TryWrite(counts, a.Output)
	})
