package local

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/crunchgo/crunchgo/runner"
)

// TestTruncatedInputsFailTheRun cuts a shuffle run, or an intermediate
// file, after its first record, before the first task that reads it runs,
// and checks that the run fails naming the file and leaves nothing behind:
// a file that ended between two records read as a shorter one, and the job
// went on without the rest.
func TestTruncatedInputsFailTheRun(t *testing.T) {
	for _, tt := range []struct {
		name string
		// file is the file task m reads and where its records start, if
		// it reads one of the kind; parts is how many length-prefixed
		// parts a record has.
		file  func(m taskMsg) (path string, off int64, ok bool)
		parts int
		want  string
	}{
		{"shuffle run", func(m taskMsg) (string, int64, bool) {
			if len(m.Segments) == 0 {
				return "", 0, false
			}
			return m.Segments[0].Path, m.Segments[0].Offset, true
		}, 2, "the run file was truncated"},
		{"intermediate", func(m taskMsg) (string, int64, bool) {
			if len(m.Files) == 0 {
				return "", 0, false
			}
			return m.Files[0], 0, true
		}, 1, "its writer wrote"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var cut string
			observeTask = func(m taskMsg) {
				mu.Lock()
				defer mu.Unlock()
				if path, off, ok := tt.file(m); ok && cut == "" {
					truncateAfterRecord(t, path, off, tt.parts)
					cut = path
				}
			}
			defer func() { observeTask = nil }()
			tmp := t.TempDir()
			_, err := Run(context.Background(), build(t, orderJob), runner.Options{Workers: 2, Partitions: 3, TmpDir: tmp})
			mu.Lock()
			defer mu.Unlock()
			if cut == "" {
				t.Fatal("no task read a file of the kind to cut")
			}
			var te *TaskError
			if !errors.As(err, &te) || !strings.Contains(err.Error(), cut) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want a TaskError naming %s and saying %q", err, cut, tt.want)
			}
			assertEmpty(t, tmp)
		})
	}
}

// truncateAfterRecord cuts the file at path after the record at off, made
// of parts length-prefixed parts.
func truncateAfterRecord(t *testing.T, path string, off int64, parts int) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	end := int(off)
	for range parts {
		n, w := binary.Uvarint(b[end:])
		end += w + int(n)
	}
	if end >= len(b) {
		t.Errorf("%s: the record at %d ends the file, nothing to cut", path, off)
	}
	if err := os.Truncate(path, int64(end)); err != nil {
		t.Error(err)
	}
}
