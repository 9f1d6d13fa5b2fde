// Command custombinary shows how a user's own binary gets the whole crunchgo
// command line with its own jobs: register the jobs at init (here one tiny
// job, "letters"; jobs of other packages come with a blank import) and call
// cli.Main first thing in main, which also lets the local runner re-execute
// the binary as its workers.
//
//	go build -o letters ./examples/custombinary
//	./letters jobs
//	./letters explain letters --output /tmp/letters
//	./letters run letters --output /tmp/letters --report /tmp/letters.html
//	./letters cat /tmp/letters/histogram
package main

import (
	"strings"
	"unicode"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/cli"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"

	_ "github.com/crunchgo/crunchgo/examples/wordcount" // more jobs: wordcount
)

// Args are the letters job's flags.
type Args struct {
	Output string `flag:"output" required:"true" help:"directory to write letters/ and histogram/ to"`
	Text   string `flag:"text" default:"the quick brown fox jumps over the lazy dog" help:"the text to count"`
}

// Letter is how often a letter occurs.
type Letter struct {
	Letter string `avro:"letter"`
	Count  int64  `avro:"count"`
}

// Bucket is how many letters occur Times times.
type Bucket struct {
	Times   int64 `avro:"times"`
	Letters int64 `avro:"letters"`
}

var _ = runner.Register("letters", "count the letters of --text, then how many letters occur how often",
	func(p *pcollection.Pipeline, a *Args) error {
		letters := pcollection.FlatMap(pcollection.Of(p, a.Text), func(s string, emit func(string)) {
			for _, r := range strings.ToLower(s) {
				if unicode.IsLetter(r) {
					emit(string(r))
				}
			}
		}, pcollection.Name("Letters"))
		counts := ptable.Count(letters, pcollection.Name("CountLetters"))
		if err := avroio.TryWrite(pcollection.Map(counts, func(kv ptable.Pair[string, int64]) Letter {
			return Letter{kv.Key, kv.Value}
		}), a.Output+"/letters"); err != nil {
			return err
		}
		hist := ptable.Count(pcollection.Map(counts, func(kv ptable.Pair[string, int64]) int64 { return kv.Value }), pcollection.Name("CountTimes"))
		return avroio.TryWrite(pcollection.Map(hist, func(kv ptable.Pair[int64, int64]) Bucket {
			return Bucket{kv.Key, kv.Value}
		}), a.Output+"/histogram")
	})

func main() { cli.Main() }
