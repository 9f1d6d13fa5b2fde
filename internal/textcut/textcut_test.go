package textcut

import "testing"

func TestPrefix(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abc", 3, "abc"},
		{"abcdef", 3, "abc"},
		{"aé", 2, "a"},  // é is 2 bytes: not cut in two
		{"a€b", 3, "a"}, // € is 3 bytes
		{"a€b", 4, "a€"},
		{"😀😀", 5, "😀"},
		{"abc", 0, ""},
		{"a\x80\x80\x80\x80\x80\x80", 6, "a\x80"}, // not UTF-8: no character start near 6
	} {
		if got := Prefix(tc.s, tc.n); got != tc.want {
			t.Errorf("Prefix(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
