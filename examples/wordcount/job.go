package wordcount

import (
	"fmt"
	"strconv"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/textio"
)

// Args are the flags of the wordcount job.
type Args struct {
	Input  string `flag:"input" help:"text files to count: a file, a directory or a glob on any storage URL (default: a built-in sample)"`
	Output string `flag:"output" required:"true" help:"directory to write the counts to"`
	Format string `flag:"format" default:"avro" help:"output format: avro ({word, count} records) or text (word<TAB>count lines)"`
	Sorted bool   `flag:"sorted" help:"write the counts in word order: part files read in name order hold the words sorted (a total-order sort)"`
}

// WordCount is one output record of the wordcount job.
type WordCount struct {
	Word  string `avro:"word"`
	Count int64  `avro:"count"`
}

// Sample is the text the wordcount job counts when no --input is given.
var Sample = []string{
	"It was the best of times, it was the worst of times,",
	"it was the age of wisdom, it was the age of foolishness,",
	"it was the epoch of belief, it was the epoch of incredulity,",
	"it was the season of Light, it was the season of Darkness,",
}

// Job counts the words of text files (or of Sample) and writes them to
// --output:
//
//	crunchgo run wordcount --input 'hdfs://nn/books/*.txt' --output /tmp/wc
var Job = runner.Register("wordcount", "count the words of text files (or of a built-in sample)",
	func(p *pcollection.Pipeline, a *Args) error {
		if a.Format != "avro" && a.Format != "text" {
			return runner.InvalidArgs(fmt.Errorf("--format %q: want avro or text", a.Format))
		}
		var lines pcollection.PCollection[string]
		if a.Input == "" {
			lines = pcollection.Of(p, Sample...)
		} else {
			lines = textio.Read(p, a.Input)
		}
		counts := Count(lines)
		if a.Sorted {
			counts = ptable.SortByKey(counts)
		}
		if a.Format == "text" {
			textio.Write(pcollection.Map(counts, func(kv ptable.Pair[string, int64]) string {
				return kv.Key + "\t" + strconv.FormatInt(kv.Value, 10)
			}, pcollection.Name("ToLine")), a.Output)
			return nil
		}
		return avroio.TryWrite(pcollection.Map(counts, func(kv ptable.Pair[string, int64]) WordCount {
			return WordCount{Word: kv.Key, Count: kv.Value}
		}, pcollection.Name("ToRecord")), a.Output)
	})
