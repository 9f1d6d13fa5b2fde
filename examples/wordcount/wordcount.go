package wordcount

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

// Count splits lines into lower-case words (Words) and counts each word.
func Count(lines pcollection.PCollection[string]) ptable.PTable[string, int64] {
	words := pcollection.FlatMap(lines, Words, pcollection.Name("SplitWords"))
	return ptable.Count(words)
}

// Words emits the words of line, lower-cased. A word is a run of letters,
// combining marks (the vowel signs of Hindi, a decomposed accent) and
// digits, with apostrophes inside it ("don't", "cat's"; a typographic ’
// becomes '): quotes around a word are not part of it. Text is not
// normalised, so a decomposed "café" and a precomposed one stay two words.
func Words(line string, emit func(string)) {
	for _, w := range strings.FieldsFunc(line, notInWord) {
		if strings.ContainsRune(w, '’') {
			w = strings.ReplaceAll(w, "’", "'")
		}
		if w[0] == '\'' || w[len(w)-1] == '\'' {
			if w = strings.Trim(w, "'"); w == "" {
				continue
			}
		}
		emit(strings.ToLower(w))
	}
}

func notInWord(r rune) bool {
	if r < utf8.RuneSelf { // most text: no table lookups
		l := r | 0x20
		return !('a' <= l && l <= 'z' || '0' <= r && r <= '9' || r == '\'')
	}
	return !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r) && r != '’'
}
