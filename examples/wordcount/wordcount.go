package wordcount

import (
	"strings"
	"unicode"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

// Count splits lines into lower-case words and counts each word.
func Count(lines pcollection.PCollection[string]) ptable.PTable[string, int64] {
	words := pcollection.FlatMap(lines, func(line string, emit func(string)) {
		for _, w := range strings.FieldsFunc(line, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
			emit(strings.ToLower(w))
		}
	}, pcollection.Name("SplitWords"))
	return ptable.Count(words)
}
