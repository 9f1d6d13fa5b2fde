package filesplit

import (
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/storage"
)

func TestByteRangesTile(t *testing.T) {
	files := []storage.FileInfo{{URL: "a", Size: 10}, {URL: "b.gz", Size: 100}, {URL: "c", Size: 0}, {URL: "d", Size: 35}}
	gz := func(f storage.FileInfo) bool { return strings.HasSuffix(f.URL, ".gz") }
	for size := int64(1); size <= 40; size++ {
		splits := ByteRanges(files, size, gz)
		next := map[string]int64{}
		for i, s := range splits {
			if s.Index != i || s.Count != len(splits) {
				t.Fatalf("size %d: split %d numbered %d/%d", size, i, s.Index, s.Count)
			}
			if s.Offset != next[s.Path] || s.Length <= 0 || (s.Length > size && s.Path != "b.gz") {
				t.Fatalf("size %d: split %+v does not continue %s at %d", size, s, s.Path, next[s.Path])
			}
			next[s.Path] = s.Offset + s.Length
		}
		for _, f := range files {
			if next[f.URL] != f.Size {
				t.Errorf("size %d: %s covered up to %d of %d", size, f.URL, next[f.URL], f.Size)
			}
		}
	}
	if got := RangeSize(files, 3, 0, 1); got != 145/3 {
		t.Errorf("RangeSize = %d, want %d", got, 145/3)
	}
	if got := RangeSize(files, 1000, 0, 16); got != 16 {
		t.Errorf("RangeSize with a minimum = %d, want 16", got)
	}
}
