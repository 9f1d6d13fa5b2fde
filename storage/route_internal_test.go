package storage

import (
	"slices"
	"testing"
)

func TestSplitURL(t *testing.T) {
	tests := []struct {
		in, scheme, host, path string
	}{
		{"/abs/path", "", "", "/abs/path"},
		{"rel/path", "", "", "rel/path"},
		{"file:///tmp/x", "file", "", "/tmp/x"},
		{"mem://h/a/b?c#d%", "mem", "h", "/a/b?c#d%"},
		{"mem://h", "mem", "h", "/"},
		{"hdfs:///logs", "hdfs", "", "/logs"},
		{"hdfs://nn:8020/logs/*/part-[0-9]", "hdfs", "nn:8020", "/logs/*/part-[0-9]"},
		{"fault+mem://x/y", "fault+mem", "x", "/y"},
		{"weird dir/a://b", "", "", "weird dir/a://b"},
		{"://x", "", "", "://x"},
	}
	for _, tc := range tests {
		s, h, p := splitURL(tc.in)
		if s != tc.scheme || h != tc.host || p != tc.path {
			t.Errorf("splitURL(%q): got %q, %q, %q, want %q, %q, %q", tc.in, s, h, p, tc.scheme, tc.host, tc.path)
		}
	}
}

func TestExpandBraces(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"plain", []string{"plain"}},
		{"{a,b}", []string{"a", "b"}},
		{"x{a,b{c,d}}y", []string{"xay", "xbcy", "xbdy"}},
		{"{a,b}{1,2}", []string{"a1", "a2", "b1", "b2"}},
		{"{a}", []string{"a"}},
		{"{,x}y", []string{"y", "xy"}},
		{"unclosed{a,b", []string{"unclosed{a,b"}},
		{`esc\{a,b}`, []string{`esc\{a,b}`}},
		{"[{]{a,b}", []string{"[{]a", "[{]b"}},
		{"d/{a/b,c}/*", []string{"d/a/b/*", "d/c/*"}},
	}
	for _, tc := range tests {
		if got := expandBraces(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("expandBraces(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMatchSegment(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*", "abc", true},
		{"*", ".abc", false},
		{".*", ".abc", true},
		{"?bc", "abc", true},
		{"[a-c]x", "bx", true},
		{"[!a-c]x", "bx", false},
		{"[!a-c]x", "dx", true},
		{"[^a-c]x", "dx", true},
		{`\*`, "*", true},
		{`\*`, "a", false},
		{"part-*", "part-00001.avro", true},
		{"[!]", "x", false}, // "[!]" is not closed: bad pattern, never matches
	}
	for _, tc := range tests {
		if got := matchSegment(tc.pattern, tc.name); got != tc.want {
			t.Errorf("matchSegment(%q, %q): got %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
}
