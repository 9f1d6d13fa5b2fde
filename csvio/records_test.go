package csvio

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/textio"
)

// Reading a whole file keeps the start offsets of one record's lines, not
// of every line read so far: a file of 100M lines would otherwise hold
// 800 MB of them.
func TestWholeFileForgetsOffsets(t *testing.T) {
	type Row struct {
		ID   int    `csv:"id"`
		Text string `csv:"text"`
	}
	var b strings.Builder
	b.WriteString("id,text\n")
	for i := range 10_000 {
		fmt.Fprintf(&b, "%d,\"two\nlines\"\n", i)
	}
	data := []byte(b.String())
	r, err := textio.NewLineReader("a.csv", bytes.NewReader(data), int64(len(data)), 0, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := newConfig([]Option{WholeFiles()})
	s := &source[Row]{pattern: "a.csv", cfg: cfg}
	in := newFileStream(r)
	n, most := 0, 0
	err = s.readRecords(context.Background(), "a.csv", in, func(Row) {
		n++
		most = max(most, len(in.offsets))
	})
	if err != nil || n != 10_000 {
		t.Fatalf("read %d records, %v; want 10000", n, err)
	}
	if most > 4 {
		t.Errorf("kept the offsets of %d lines, want those of one record (2) and what the csv.Reader read ahead", most)
	}
}

// parseBoth parses line with a parser that splits lines without quotes
// itself and with one that gives every line to encoding/csv.
func parseBoth(t *testing.T, cfg config, line string) (split, viaCSV []string, splitErr, csvErr error) {
	t.Helper()
	fast, slow := newLineParser(cfg), newLineParser(cfg)
	slow.split = false
	split, splitErr = fast.parse([]byte(line))
	viaCSV, csvErr = slow.parse([]byte(line))
	return slices.Clone(split), slices.Clone(viaCSV), splitErr, csvErr
}

// Splitting a line without quotes gives exactly the fields encoding/csv
// gives; lines with quotes are parsed by encoding/csv.
func TestSplitLikeCSV(t *testing.T) {
	tests := []struct {
		comma rune
		trim  bool
		line  string
		want  []string // nil: a blank line, or an error
	}{
		{',', false, "a,b,c", []string{"a", "b", "c"}},
		{',', false, "a,,c", []string{"a", "", "c"}},
		{',', false, "a,b,", []string{"a", "b", ""}},
		{',', false, ",", []string{"", ""}},
		{',', false, ",,", []string{"", "", ""}},
		{',', false, " a , b ", []string{" a ", " b "}},
		{',', false, " ", []string{" "}},
		{',', false, "a,b\r", []string{"a", "b"}},
		{',', false, "a\rb,c", []string{"a\rb", "c"}},
		{',', false, "\r", nil},
		{',', false, "a,b\r\r", []string{"a", "b\r"}},
		{',', false, "\xff,\xfe", []string{"\xff", "\xfe"}},
		{',', true, " a , b ,\t", []string{"a", "b", ""}},
		{',', true, "\u00a0a\u00a0,\vb", []string{"a\u00a0", "b"}},
		{',', true, "   ", []string{""}},
		{'\t', true, " a \t\t b", []string{"a", "", "b"}},
		{' ', false, "a  b ", []string{"a", "", "b", ""}},
		{' ', true, "a  b", []string{"a", "", "b"}},
		{'€', false, "a€b€€c€", []string{"a", "b", "", "c", ""}},
		{'€', false, "€", []string{"", ""}},
		{'€', true, " a €\u2003b", []string{"a", "b"}},
		{';', false, "a,b;c", []string{"a,b", "c"}},
		// With quotes, encoding/csv parses them.
		{',', false, `a,"b,c",d`, []string{"a", "b,c", "d"}},
		{',', false, `"say ""hi""",`, []string{`say "hi"`, ""}},
		{',', true, ` a , "b" `, nil},
		{',', false, `a"b,c`, nil},
		{',', false, `"open`, nil},
	}
	for _, tc := range tests {
		cfg, err := newConfig([]Option{Delimiter(tc.comma)})
		if err != nil {
			t.Fatal(err)
		}
		cfg.trimSpace = tc.trim
		split, viaCSV, splitErr, csvErr := parseBoth(t, cfg, tc.line)
		if !slices.Equal(split, viaCSV) || (split == nil) != (viaCSV == nil) || fmt.Sprint(splitErr) != fmt.Sprint(csvErr) {
			t.Errorf("%q (delimiter %q, trim %v): split %q, %v; encoding/csv %q, %v", tc.line, tc.comma, tc.trim, split, splitErr, viaCSV, csvErr)
		}
		if !slices.Equal(split, tc.want) || (split == nil) != (tc.want == nil) {
			t.Errorf("%q (delimiter %q, trim %v): got %q, %v; want %q", tc.line, tc.comma, tc.trim, split, splitErr, tc.want)
		}
	}
}

func FuzzSplitLikeCSV(f *testing.F) {
	f.Add("a,b,,c,", 0, false)
	f.Add(" a ;\t\"b\" ", 1, true)
	f.Add("x€ y€\r", 4, true)
	f.Add("\u00a0\t a\t", 2, true)
	commas := []rune{',', ';', '\t', ' ', '€', 0}
	f.Fuzz(func(t *testing.T, line string, comma int, trim bool) {
		if strings.Contains(line, "\n") {
			t.Skip("a line holds no newline")
		}
		cfg, err := newConfig([]Option{Delimiter(commas[uint(comma)%uint(len(commas))])})
		if err != nil {
			t.Fatal(err)
		}
		cfg.trimSpace = trim
		split, viaCSV, splitErr, csvErr := parseBoth(t, cfg, line)
		if !slices.Equal(split, viaCSV) || (split == nil) != (viaCSV == nil) || fmt.Sprint(splitErr) != fmt.Sprint(csvErr) {
			t.Errorf("%q (delimiter %q, trim %v): split %q, %v; encoding/csv %q, %v", line, cfg.comma, trim, split, splitErr, viaCSV, csvErr)
		}
	})
}
