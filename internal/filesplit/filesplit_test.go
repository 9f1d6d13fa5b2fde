package filesplit

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

func TestEachFileRunsAllAtOnceUpToParallelism(t *testing.T) {
	files := make([]storage.FileInfo, 100)
	for i := range files {
		files[i].URL = fmt.Sprint("f", i)
	}
	var running, most atomic.Int64
	seen := make([]atomic.Bool, len(files))
	err := EachFile(files, func(i int, f storage.FileInfo) error {
		if f.URL != files[i].URL || seen[i].Swap(true) {
			return fmt.Errorf("file %d given as %s, or twice", i, f.URL)
		}
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(time.Millisecond) // long enough for the others to start
		running.Add(-1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range seen {
		if !seen[i].Load() {
			t.Errorf("file %d not visited", i)
		}
	}
	if m := most.Load(); m < 2 || m > Parallelism {
		t.Errorf("%d files at once, want between 2 and %d", m, Parallelism)
	}
}

// TestEachFileReturnsFirstFailure checks that the error is the first
// failing file's in list order, as a loop's would be, whichever fails
// first in time, and that a failure stops the files not yet started.
func TestEachFileReturnsFirstFailure(t *testing.T) {
	files := make([]storage.FileInfo, 1000)
	var calls atomic.Int64
	failed7 := make(chan struct{})
	err := EachFile(files, func(i int, _ storage.FileInfo) error {
		calls.Add(1)
		switch {
		case i == 3:
			<-failed7 // fails after file 7 does
			return errors.New("file 3")
		case i == 7:
			close(failed7)
			return errors.New("file 7")
		case i > 7:
			<-failed7
			time.Sleep(time.Millisecond)
		}
		return nil
	})
	if err == nil || err.Error() != "file 3" {
		t.Errorf("error %v, want file 3's", err)
	}
	// Each of the Parallelism goroutines finishes the file it has and
	// may have taken one more as file 7 failed.
	if n := calls.Load(); n > 8+2*Parallelism {
		t.Errorf("%d files tried, want the rest left after a failure", n)
	}
	if err := EachFile(nil, func(int, storage.FileInfo) error { return errors.New("called") }); err != nil {
		t.Errorf("no files: %v", err)
	}
}
