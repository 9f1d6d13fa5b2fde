package textcut

import "unicode/utf8"

// Prefix returns s if it is at most n bytes long, else its first n bytes,
// less the start of a character that the n-th byte would cut. It steps back
// at most a character's length: in text that is not UTF-8 there may be no
// character start near n.
func Prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := max(n, 0)
	for cut > 0 && cut > n-utf8.UTFMax && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
