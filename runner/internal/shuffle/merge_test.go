package shuffle

import (
	"errors"
	"fmt"
	"iter"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestMergeWidths merges 1 to 17 runs of unequal lengths in one pass (so
// the heap has every shape, and cursors run dry at different times) and
// checks the result against a stable sort; odd widths share a Memory
// budget that shrinks their read buffers.
func TestMergeWidths(t *testing.T) {
	for k := 1; k <= 17; k++ {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			recs := randomRecs(40*k+k*k, 2, 30, uint64(k))
			cfg := MergeConfig{FanIn: 64, BufSize: 4 << 10}
			if k%2 == 1 {
				cfg.BufSize, cfg.Memory = 256<<10, int64(k)*(minBufSize+1)
			}
			got := shuffleAll(t, recs, 2, k, 64<<20, cfg)
			exp := want(recs, 2)
			for p := range exp {
				if !slices.Equal(got[p], exp[p]) {
					t.Fatalf("slot %d: got %d records, want %d; first difference at %d", p, len(got[p]), len(exp[p]), firstDiff(got[p], exp[p]))
				}
			}
		})
	}
}

func TestMergeBufSize(t *testing.T) {
	for _, tt := range []struct {
		cfg  MergeConfig
		n    int
		want int
	}{
		{MergeConfig{BufSize: 256 << 10}, 100, 256 << 10},                   // no budget: the fixed size
		{MergeConfig{BufSize: 256 << 10, Memory: 16 << 20}, 4, 256 << 10},   // a few runs: capped by BufSize
		{MergeConfig{BufSize: 256 << 10, Memory: 16 << 20}, 128, 128 << 10}, // many: the budget shared
		{MergeConfig{BufSize: 256 << 10, Memory: 1 << 20}, 256, minBufSize}, // too many: the floor
	} {
		if got := tt.cfg.bufSize(tt.n); got != tt.want {
			t.Errorf("%+v.bufSize(%d) = %d, want %d", tt.cfg, tt.n, got, tt.want)
		}
	}
}

// TestMergeTruncatedRun checks that a merge fails, naming the run file,
// when the file holds less than its segments' lengths, also where it ends
// between two records: a clean end there read as the end of the segment,
// and the reducer went on without the records lost.
func TestMergeTruncatedRun(t *testing.T) {
	const recSize = 1 + 6 + 1 + 6 // framing of "key-nn" -> "val-nn"
	for _, tt := range []struct {
		name   string
		slot   int
		cut    func(Run) int64
		offset int64 // where in the segment the merge finds the data end
	}{
		{"between records", 0, func(r Run) int64 { return r.Offsets[0] + 3*recSize }, 3 * recSize},
		{"inside a record", 0, func(r Run) int64 { return r.Offsets[0] + 3*recSize + 5 }, 3 * recSize},
		{"a whole segment", 1, func(r Run) int64 { return r.Offsets[1] }, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := NewSorter(dir, "run", 2, 1<<20)
			for i := range 20 {
				if err := s.Add(i%2, fmt.Appendf(nil, "key-%02d", i), fmt.Appendf(nil, "val-%02d", i)); err != nil {
					t.Fatal(err)
				}
			}
			runs, err := s.Finish()
			if err != nil {
				t.Fatal(err)
			}
			run := runs[0]
			if err := os.Truncate(run.Path, tt.cut(run)); err != nil {
				t.Fatal(err)
			}
			m, err := Merge([]Segment{run.Segment(tt.slot)}, MergeConfig{TmpDir: dir})
			if err == nil {
				n := 0
				err = m.Groups(func([]byte, iter.Seq[[]byte]) error { n++; return nil })
				if cerr := m.Close(); err == nil && cerr != nil {
					t.Fatal(cerr)
				}
				if err == nil {
					t.Fatalf("merged %d of 10 records of a truncated run without an error", n)
				}
			}
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Offset != tt.offset || !strings.Contains(err.Error(), run.Path) {
				t.Fatalf("got error %v, want a CorruptError at offset %d naming %s", err, tt.offset, run.Path)
			}
		})
	}
}

// TestMergePassesRemoveMergedRuns checks that a merge in several passes
// removes each temporary run once a later pass has merged it, rather than
// keep every pass's runs, all the partition's data again per pass, on disk
// until Close; and that Close removes the rest.
func TestMergePassesRemoveMergedRuns(t *testing.T) {
	const runs = 40
	recs := randomRecs(runs*50, 1, 100, 3)
	dir, tmp := t.TempDir(), t.TempDir()
	var segs []Segment
	for i := range runs {
		s := NewSorter(dir, fmt.Sprintf("m%d", i), 1, 1<<20)
		for _, r := range recs[i*50 : (i+1)*50] {
			if err := s.Add(0, []byte(r.key), []byte(r.value)); err != nil {
				t.Fatal(err)
			}
		}
		rs, err := s.Finish()
		if err != nil {
			t.Fatal(err)
		}
		segs = append(segs, rs[0].Segment(0))
	}
	m, err := Merge(segs, MergeConfig{FanIn: 2, TmpDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	// The last pass reads two runs.
	if m.Passes < 3 || len(left) > 2 {
		t.Errorf("after %d passes, %d temporary runs are on disk, want at most the 2 the last pass reads", m.Passes, len(left))
	}
	var got []rec
	for k, v := range m.Records() {
		got = append(got, rec{0, string(k), string(v)})
	}
	if err := errors.Join(m.Err(), m.Close()); err != nil {
		t.Fatal(err)
	}
	if exp := want(recs, 1)[0]; !slices.Equal(got, exp) {
		t.Errorf("got %d records, want %d; first difference at %d", len(got), len(exp), firstDiff(got, exp))
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("%d temporary runs left after Close", len(left))
	}
}
