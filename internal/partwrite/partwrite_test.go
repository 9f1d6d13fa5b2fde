package partwrite

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"testing"
)

// With two files open, a new partition finishes the least recently
// written one's file (b, not a, which was opened first), and a partition
// that comes again after its file was finished gets a new one.
func TestLeastRecentlyUsed(t *testing.T) {
	files := map[string]*bytes.Buffer{}
	var finished []string
	open := func(dir string, seq int) (io.Writer, func() error, error) {
		name := fmt.Sprintf("%s/%d", dir, seq)
		files[name] = &bytes.Buffer{}
		return files[name], func() error { finished = append(finished, name); return nil }, nil
	}
	newFile := func(w io.Writer) (File[string], error) {
		return File[string]{
			Write: func(s string) error { _, err := io.WriteString(w, s); return err },
			Close: func() error { _, err := io.WriteString(w, "."); return err },
		}, nil
	}
	w := New(open, func(s *string, buf []byte) []byte { return append(buf, (*s)[0]) }, newFile, 2)
	for _, rec := range []string{"a1", "b1", "a2", "c1", "a3", "b2"} {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for name, b := range files {
		got[name] = b.String()
	}
	want := map[string]string{"a/0": "a1a2a3.", "b/0": "b1.", "c/0": "c1.", "b/1": "b2."}
	if !maps.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	// Close writes the trailers of the files still open; the runner
	// finishes those.
	if !slices.Equal(finished, []string{"b/0", "c/0"}) {
		t.Errorf("finished early: %v, want [b/0 c/0]", finished)
	}
	if w.Started() != 4 {
		t.Errorf("Started = %d, want 4", w.Started())
	}
}
