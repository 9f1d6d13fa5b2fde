package textio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readSplit returns the lines of split [off, off+n) of data.
func readSplit(t testing.TB, path string, data []byte, off, n int64, opts ...ReadOption) ([]string, error) {
	t.Helper()
	r, err := NewLineReader(path, bytes.NewReader(data), int64(len(data)), off, n, opts...)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var lines []string
	for {
		line, err := r.Next()
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			return lines, err
		}
		lines = append(lines, string(line))
	}
}

// refLines is the reference line splitter.
func refLines(data string) []string {
	data = strings.TrimPrefix(data, "\ufeff") // a byte order mark starting the file
	if data == "" {
		return nil
	}
	data = strings.TrimSuffix(data, "\n")
	lines := strings.Split(data, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

func TestLines(t *testing.T) {
	tests := []struct {
		name, data string
		want       []string
	}{
		{"empty", "", nil},
		{"one newline", "\n", []string{""}},
		{"no final newline", "a\nb", []string{"a", "b"}},
		{"final newline", "a\nb\n", []string{"a", "b"}},
		{"crlf", "a\r\nb\r\n", []string{"a", "b"}},
		{"lone cr kept", "a\rb\n", []string{"a\rb"}},
		{"empty lines", "\n\na\n\n", []string{"", "", "a", ""}},
		{"cr at end", "a\r", []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readSplit(t, "x", []byte(tt.data), 0, int64(len(tt.data)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSplitSemantics(t *testing.T) {
	data := []byte("aaa\nbbb\nccc\n") // lines start at 0, 4, 8
	tests := []struct {
		off, n int64
		want   []string
	}{
		{0, 12, []string{"aaa", "bbb", "ccc"}},
		{0, 3, []string{"aaa"}},                 // ends inside line 0
		{0, 4, []string{"aaa", "bbb"}},          // a line starting exactly at the end belongs here
		{1, 3, []string{"bbb"}},                 // starts mid-line: skips to the next line
		{4, 4, []string{"ccc"}},                 // starts at a line start: that line went to the previous split
		{4, 3, nil},                             // nothing starts in (4, 7]
		{9, 3, nil},                             // only the tail of the last line
		{0, 0, nil},                             // an empty split owns nothing
		{3, 1, []string{"bbb"}},                 // starts on the newline itself
		{0, 100, []string{"aaa", "bbb", "ccc"}}, // length past the end of the file
	}
	for _, tt := range tests {
		got, err := readSplit(t, "x", data, tt.off, tt.n)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("split [%d,+%d): got %q, want %q", tt.off, tt.n, got, tt.want)
		}
	}
}

// checkSplits reads data as k tiled splits and compares the union with the
// reference lines.
func checkSplits(t testing.TB, data []byte, cuts []int64, opts ...ReadOption) {
	t.Helper()
	var got []string
	for i := 0; i+1 < len(cuts); i++ {
		lines, err := readSplit(t, "x", data, cuts[i], cuts[i+1]-cuts[i], opts...)
		if err != nil {
			t.Fatalf("split [%d, %d): %v", cuts[i], cuts[i+1], err)
		}
		got = append(got, lines...)
	}
	if want := refLines(string(data)); !reflect.DeepEqual(got, want) {
		t.Fatalf("splits at %v of %q:\ngot  %q\nwant %q", cuts, data, got, want)
	}
}

func TestSplittingIsExact(t *testing.T) {
	long := strings.Repeat("x", 200_000) // longer than the read buffer
	for _, data := range []string{
		string(readFixture(t, "crlf.txt")),
		"a\nbb\nccc\ndddd\neeeee\n",
		"\n\n\n\n\n\n\n\n",
		"1\n" + long + "\n3\r\n" + long + "\r\n" + long,
		"no newline at all",
	} {
		size := int64(len(data))
		for k := int64(1); k <= 7; k++ {
			cuts := []int64{0}
			for s := int64(1); s <= k; s++ {
				cuts = append(cuts, s*size/k)
			}
			checkSplits(t, []byte(data), cuts)
		}
	}
}

func FuzzSplits(f *testing.F) {
	f.Add([]byte("a\nbb\r\nccc\n"), []byte{3, 5})
	f.Add([]byte("\n\n\r\n"), []byte{1, 1, 2})
	f.Add([]byte("no newline"), []byte{})
	f.Add([]byte("x\ny"), []byte{0, 2, 200})
	f.Add([]byte("\xef\xbb\xbfa\n\xef\xbb\xbfb"), []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte, points []byte) {
		size := int64(len(data))
		cuts := []int64{0}
		for _, p := range points {
			if size == 0 {
				break
			}
			c := max(cuts[len(cuts)-1], int64(p)%(size+1))
			cuts = append(cuts, c)
		}
		cuts = append(cuts, size)
		checkSplits(t, data, cuts)
		// The same through a tiny line limit that every line fits in.
		maxLen := 0
		for _, l := range refLines(string(data)) {
			maxLen = max(maxLen, len(l))
		}
		checkSplits(t, data, cuts, MaxLineLength(max(maxLen, 1)))
	})
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLongLine(t *testing.T) {
	data := []byte("short\n" + strings.Repeat("y", 100) + "\nafter\n")
	_, err := readSplit(t, "long.txt", data, 0, int64(len(data)), MaxLineLength(50))
	var e *Error
	if !errors.Is(err, ErrLineTooLong) || !errors.As(err, &e) || e.Path != "long.txt" || e.Offset != 6 {
		t.Fatalf("got %v, want ErrLineTooLong for long.txt at offset 6", err)
	}
	t.Log(err)
	// Past the buffer size too.
	big := []byte("a\n" + strings.Repeat("z", 300_000) + "\nb")
	if _, err := readSplit(t, "big", big, 0, int64(len(big)), MaxLineLength(100_000)); !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("got %v, want ErrLineTooLong", err)
	}

	r, _ := NewLineReader("long.txt", bytes.NewReader(big), int64(len(big)), 0, int64(len(big)), MaxLineLength(100_000), SkipLongLines())
	var got []string
	for line, err := r.Next(); err != io.EOF; line, err = r.Next() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(line))
	}
	if want := []string{"a", "b"}; !reflect.DeepEqual(got, want) || r.SkippedLines() != 1 {
		t.Errorf("skipping: got %q with %d skipped, want %q with 1", got, r.SkippedLines(), want)
	}
	// A line exactly at the limit is fine, with or without "\r".
	exact := []byte(strings.Repeat("q", 50) + "\r\n" + strings.Repeat("q", 50))
	if got, err := readSplit(t, "x", exact, 0, int64(len(exact)), MaxLineLength(50)); err != nil || len(got) != 2 {
		t.Errorf("lines at the limit: got %d lines, %v", len(got), err)
	}
}

func TestGzip(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"lines.txt.gz", []string{"alpha", "beta", "gamma"}},
		{"multimember.txt.gz", []string{"alpha", "beta", "gamma", "delta", "epsilon"}},
	}
	for _, tt := range tests {
		data := readFixture(t, tt.name)
		got, err := readSplit(t, tt.name, data, 0, int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	data := readFixture(t, "truncated.txt.gz")
	_, err := readSplit(t, "truncated.txt.gz", data, 0, int64(len(data)))
	var e *Error
	if !errors.Is(err, ErrCorrupt) || !errors.As(err, &e) || e.Path != "truncated.txt.gz" {
		t.Fatalf("truncated: got %v, want ErrCorrupt naming the file", err)
	}
	t.Log(err)
	garbage := []byte("this is not gzip")
	if _, err := readSplit(t, "g.gz", garbage, 0, int64(len(garbage))); !errors.Is(err, ErrCorrupt) {
		t.Errorf("not gzip: got %v, want ErrCorrupt", err)
	}
	if _, err := readSplit(t, "lines.txt.gz", data, 10, 5); err == nil {
		t.Error("split of a gzip file: got no error")
	}
	// A 0-byte .gz file is not a gzip stream (gzip -t rejects it too): it is
	// most likely an output whose writer died, not an empty data set.
	_, err = readSplit(t, "events.gz", nil, 0, 0)
	if !errors.Is(err, ErrCorrupt) || !errors.As(err, &e) || e.Path != "events.gz" ||
		!strings.Contains(err.Error(), "events.gz: offset 0: empty file is not gzip data") {
		t.Errorf("empty gzip file: got %v, want ErrCorrupt saying events.gz is empty", err)
	}
}

// TestGzipTruncated cuts valid gzip files at every length: each prefix
// short of a whole member must fail with ErrCorrupt naming the file, never
// read as fewer lines.
// Gzip data in a file not named .gz is refused, not read as garbage lines.
func TestGzipWithoutItsName(t *testing.T) {
	data := readFixture(t, "lines.txt.gz")
	_, err := readSplit(t, "lines.txt", data, 0, int64(len(data)))
	var e *Error
	if !errors.Is(err, ErrNotText) || !errors.As(err, &e) || e.Path != "lines.txt" || !strings.Contains(err.Error(), "gzip data (starts with 1f 8b) but not named .gz") {
		t.Errorf("got %v, want gzip data refused as not text", err)
	}
}

func TestGzipTruncated(t *testing.T) {
	one := readFixture(t, "lines.txt.gz")
	for _, name := range []string{"lines.txt.gz", "multimember.txt.gz"} {
		data := readFixture(t, name)
		for n := 1; n < len(data); n++ {
			if name == "multimember.txt.gz" && n == len(one) {
				continue // exactly the first member: a valid gzip file
			}
			got, err := readSplit(t, name, data[:n], 0, int64(n))
			var e *Error
			if !errors.Is(err, ErrCorrupt) || !errors.As(err, &e) || e.Path != name {
				t.Errorf("%s cut to %d of %d bytes: got %q, %v; want ErrCorrupt naming the file", name, n, len(data), got, err)
			}
		}
	}
}

func TestWriterRoundTrip(t *testing.T) {
	lines := []string{"\ufeffstarts with a mark", "a", "", "b\rc", "\ufeff", strings.Repeat("long", 50_000), "end"}
	for _, gz := range []bool{false, true} {
		var buf bytes.Buffer
		var opts []WriteOption
		name := "out.txt"
		if gz {
			opts, name = append(opts, Gzip()), "out.txt.gz"
		}
		w := NewWriter(&buf, opts...)
		for _, l := range lines {
			if err := w.WriteLine(l); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := readSplit(t, name, buf.Bytes(), 0, int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, lines) {
			t.Errorf("gzip=%v: lines differ after the round trip", gz)
		}
	}
}

// TestWriterRefusesWhatReadsBackOtherwise checks that the writer refuses a
// line with a newline (it would read back as two lines) or ending in "\r"
// (it would read back without it, the reader taking "\r\n" for the line
// end), and that the refusal sticks.
func TestWriterRefusesWhatReadsBackOtherwise(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"two\nlines", "contains a newline at byte 3"},
		{"ends in cr\r", "ends with a carriage return, which would read back without it"},
		{"\r", "ends with a carriage return"},
	} {
		w := NewWriter(io.Discard)
		err := w.WriteLine(tc.line)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("WriteLine(%q): got %v, want an error saying %q", tc.line, err, tc.want)
		}
		if err := w.WriteLine("fine"); err == nil {
			t.Errorf("after WriteLine(%q) failed: WriteLine got no error", tc.line)
		}
		if err := w.Close(); err == nil {
			t.Errorf("after WriteLine(%q) failed: Close got no error", tc.line)
		}
	}
}

// TestByteOrderMark checks that a UTF-8 byte order mark starting a file (as
// Excel and Notepad write them) is not part of the first line, whatever the
// splits and in compressed files too, as Hadoop's LineRecordReader drops
// it: kept, a CSV header "id,name" reads as "\ufeffid,name". Only the
// file's first bytes are a mark, and it does not count toward the limit.
func TestByteOrderMark(t *testing.T) {
	data := []byte("\xef\xbb\xbfid,name\r\n1,x\n\xef\xbb\xbfkept\n")
	want := []string{"id,name", "1,x", "\ufeffkept"}
	for cut := int64(0); cut <= int64(len(data)); cut++ {
		a, err := readSplit(t, "x", data, 0, cut)
		if err != nil {
			t.Fatal(err)
		}
		b, err := readSplit(t, "x", data, cut, int64(len(data))-cut)
		if err != nil {
			t.Fatal(err)
		}
		if got := append(a, b...); !reflect.DeepEqual(got, want) {
			t.Fatalf("cut at %d: got %q, want %q", cut, got, want)
		}
	}
	for _, c := range readCodecs {
		z := compress(t, c.name, data)
		got, err := readSplit(t, "x.txt"+c.ext, z, 0, int64(len(z)))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q, %v, want %q", c.name, got, err, want)
		}
		if got, err := readSplit(t, "x.txt"+c.ext, z, 0, int64(len(z)), MaxLineLength(7)); err != nil || len(got) == 0 || got[0] != "id,name" {
			t.Errorf("%s, limit 7: got %q, %v", c.name, got, err)
		}
	}
	for _, limit := range []int{7, 8} { // "id,name" is 7 bytes: with its mark and "\r\n", 12
		if got, err := readSplit(t, "x", data, 0, int64(len(data)), MaxLineLength(limit)); err != nil || got[0] != "id,name" {
			t.Errorf("limit %d: got %q, %v", limit, got, err)
		}
	}
	if _, err := readSplit(t, "x", data, 0, int64(len(data)), MaxLineLength(6)); !errors.Is(err, ErrLineTooLong) {
		t.Errorf("limit 6: got %v, want ErrLineTooLong", err)
	}
	// Past the read buffer, the mark still does not count.
	long := append(bytes.Clone(utf8BOM), strings.Repeat("w", 100_000)+"\r\n"...)
	if got, err := readSplit(t, "x", long, 0, int64(len(long)), MaxLineLength(100_000)); err != nil || len(got) != 1 || len(got[0]) != 100_000 {
		t.Errorf("a long first line after a mark: got %d lines, %v", len(got), err)
	}
	// A file of only a mark has no lines, as for Hadoop; a mark and a
	// newline is one empty line.
	if got, err := readSplit(t, "x", utf8BOM, 0, 3); err != nil || got != nil {
		t.Errorf("only a mark: got %q, %v, want no lines", got, err)
	}
	if got, err := readSplit(t, "x", []byte("\xef\xbb\xbf\n"), 0, 4); err != nil || !reflect.DeepEqual(got, []string{""}) {
		t.Errorf("a mark and a newline: got %q, %v, want one empty line", got, err)
	}
}

type errReaderAt struct{}

var errDisk = errors.New("disk on fire")

func (errReaderAt) ReadAt([]byte, int64) (int, error) { return 0, errDisk }

func TestReadError(t *testing.T) {
	r, err := NewLineReader("x", errReaderAt{}, 100, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Next()
	var e *Error
	if !errors.Is(err, errDisk) || !errors.As(err, &e) || e.Path != "x" || errors.Is(err, ErrCorrupt) {
		t.Errorf("got %v, want the I/O error naming x", err)
	}
}
