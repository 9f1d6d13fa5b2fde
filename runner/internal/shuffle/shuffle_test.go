package shuffle

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"slices"
	"testing"
)

type rec struct {
	slot       int
	key, value string
}

// shuffleAll sorts recs split into tasks map tasks with the given buffer
// limit, then merges every slot and returns its records in merge order.
func shuffleAll(t *testing.T, recs []rec, slots, tasks int, limit int64, cfg MergeConfig) [][]rec {
	t.Helper()
	dir := t.TempDir()
	cfg.TmpDir = dir
	var runs []Run
	for i := range tasks {
		s := NewSorter(dir, fmt.Sprintf("m%d", i), slots, limit)
		for _, r := range recs[len(recs)*i/tasks : len(recs)*(i+1)/tasks] {
			if err := s.Add(r.slot, []byte(r.key), []byte(r.value)); err != nil {
				t.Fatal(err)
			}
		}
		rs, err := s.Finish()
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, rs...)
	}
	out := make([][]rec, slots)
	for p := range slots {
		var segs []Segment
		for _, r := range runs {
			segs = append(segs, r.Segment(p))
		}
		m, err := Merge(segs, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range m.Records() {
			out[p] = append(out[p], rec{p, string(k), string(v)})
		}
		if err := errors.Join(m.Err(), m.Close()); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func randomRecs(n, slots, keys int, seed uint64) []rec {
	r := rand.New(rand.NewPCG(seed, 1))
	var out []rec
	for i := range n {
		k := fmt.Sprintf("k%d", r.IntN(keys))
		if r.IntN(10) == 0 {
			k += "\x00" // keys that are prefixes of others
		}
		out = append(out, rec{slot: r.IntN(slots), key: k, value: fmt.Sprintf("v%d", i)})
	}
	return out
}

// want is the reference: a stable sort by (slot, key).
func want(recs []rec, slots int) [][]rec {
	s := slices.Clone(recs)
	slices.SortStableFunc(s, func(a, b rec) int {
		if a.slot != b.slot {
			return a.slot - b.slot
		}
		return bytes.Compare([]byte(a.key), []byte(b.key))
	})
	out := make([][]rec, slots)
	for _, r := range s {
		out[r.slot] = append(out[r.slot], r)
	}
	return out
}

func TestSortMergeStable(t *testing.T) {
	recs := randomRecs(5000, 3, 300, 7)
	tests := []struct {
		name  string
		tasks int
		limit int64
		fanIn int
	}{
		{"one task, no spill", 1, 64 << 20, 100},
		{"four tasks, no spill", 4, 64 << 20, 100},
		{"tiny buffer, many spills", 3, 4 << 10, 100},
		{"tiny buffer, fan-in 2 forces passes", 3, 4 << 10, 2},
		{"fan-in 3", 5, 8 << 10, 3},
	}
	exp := want(recs, 3)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := shuffleAll(t, recs, 3, tt.tasks, tt.limit, MergeConfig{FanIn: tt.fanIn, BufSize: 4 << 10})
			for p := range exp {
				if !slices.Equal(got[p], exp[p]) {
					t.Fatalf("slot %d: got %d records, want %d; first difference at %d", p, len(got[p]), len(exp[p]), firstDiff(got[p], exp[p]))
				}
			}
		})
	}
}

func firstDiff(a, b []rec) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestGroupsStreamAndSkip(t *testing.T) {
	dir := t.TempDir()
	s := NewSorter(dir, "m", 1, 4<<10)
	// One big group spread over many spills, between two small ones.
	s.Add(0, []byte("a"), []byte("1"))
	for i := range 3000 {
		s.Add(0, []byte("big"), fmt.Appendf(nil, "%05d", i))
	}
	s.Add(0, []byte("z"), []byte("2"))
	runs, err := s.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) < 5 {
		t.Fatalf("got %d runs, want several spills", len(runs))
	}
	var segs []Segment
	for _, r := range runs {
		segs = append(segs, r.Segment(0))
	}
	m, err := Merge(segs, MergeConfig{FanIn: 4, TmpDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var got []string
	err = m.Groups(func(key []byte, values iter.Seq[[]byte]) error {
		n := 0
		for v := range values {
			if string(key) == "big" {
				if want := fmt.Sprintf("%05d", n); string(v) != want {
					return fmt.Errorf("value %d of big: got %s, want %s", n, v, want)
				}
			}
			n++
		}
		got = append(got, fmt.Sprintf("%s:%d", key, n))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a:1", "big:3000", "z:1"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if m.Passes == 0 {
		t.Errorf("got 0 merge passes, want some with fan-in 4 over %d runs", len(runs))
	}
}

func TestGroupsPartialRead(t *testing.T) {
	dir := t.TempDir()
	s := NewSorter(dir, "m", 1, 1<<20)
	for _, k := range []string{"a", "a", "a", "b", "c", "c"} {
		s.Add(0, []byte(k), []byte(k))
	}
	runs, _ := s.Finish()
	m, err := Merge([]Segment{runs[0].Segment(0)}, MergeConfig{TmpDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var keys []string
	err = m.Groups(func(key []byte, values iter.Seq[[]byte]) error {
		keys = append(keys, string(key))
		for range values {
			break // read one value only
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "c"}; !slices.Equal(keys, want) {
		t.Errorf("got keys %v, want %v", keys, want)
	}
}

func TestReaderCorrupt(t *testing.T) {
	good := AppendRecord(nil, []byte("key"), []byte("value"))
	tests := []struct {
		name string
		data []byte
	}{
		{"truncated key", good[:3]},
		{"truncated value", good[:len(good)-1]},
		{"missing value length", good[:4]},
		{"huge length", []byte{0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"varint overflow", bytes.Repeat([]byte{0xff}, 11)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(bufio.NewReader(bytes.NewReader(tt.data)), "x")
			var kb, vb []byte
			_, _, err := r.Record(&kb, &vb)
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("got error %v, want a CorruptError", err)
			}
		})
	}
	r := NewReader(bufio.NewReader(bytes.NewReader(good)), "x")
	var kb, vb []byte
	k, v, err := r.Record(&kb, &vb)
	if err != nil || string(k) != "key" || string(v) != "value" {
		t.Fatalf("got %q %q %v, want key value <nil>", k, v, err)
	}
	if _, _, err := r.Record(&kb, &vb); err != io.EOF {
		t.Fatalf("got %v at the end, want io.EOF", err)
	}
}

func FuzzReader(f *testing.F) {
	f.Add(AppendRecord(AppendRecord(nil, []byte("a"), []byte("b")), nil, []byte("cc")))
	f.Add(AppendFrame(nil, []byte("frame")))
	f.Add([]byte{0x80})
	// Records longer than 16 bytes, then a truncated one: the error's offset
	// counts the records read before it.
	two := AppendRecord(AppendRecord(nil, []byte("key-0000001"), []byte("value-00001")), []byte("key-0000002"), []byte("value-00002"))
	f.Add(append(two, 0x05, 'x'))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bufio.NewReader(bytes.NewReader(data)), "fuzz")
		var kb, vb []byte
		var re []byte
		n := 0
		for {
			k, v, err := r.Record(&kb, &vb)
			if err != nil {
				break
			}
			re = AppendRecord(re, k, v)
			n++
		}
		if len(re) > len(data) {
			t.Fatalf("decoded %d bytes of records from %d bytes of input", len(re), len(data))
		}
		// What decoded cleanly decodes again, whole, after re-encoding.
		r2 := NewReader(bufio.NewReader(bytes.NewReader(re)), "re")
		for i := range n {
			if _, _, err := r2.Record(&kb, &vb); err != nil {
				t.Fatalf("record %d of the re-encoding: %v", i, err)
			}
		}
		if _, _, err := r2.Record(&kb, &vb); err != io.EOF {
			t.Fatalf("re-encoding: got %v after %d records, want io.EOF", err, n)
		}
		// A 16-byte buffer holds few records whole, so Record mostly takes
		// its byte-by-byte path: both paths must read the same records and
		// fail at the same offset.
		small := NewReader(bufio.NewReaderSize(bytes.NewReader(data), 16), "fuzz")
		big := NewReader(bufio.NewReader(bytes.NewReader(data)), "fuzz")
		var kb2, vb2 []byte
		for i := 0; ; i++ {
			k1, v1, err1 := small.Record(&kb, &vb)
			k2, v2, err2 := big.Record(&kb2, &vb2)
			if fmt.Sprint(err1) != fmt.Sprint(err2) || !bytes.Equal(k1, k2) || !bytes.Equal(v1, v2) {
				t.Fatalf("record %d: small buffer read %q %q %v, large buffer %q %q %v", i, k1, v1, err1, k2, v2, err2)
			}
			if err1 != nil {
				break
			}
		}
		fr := NewReader(bufio.NewReader(bytes.NewReader(data)), "fuzz")
		for {
			if _, err := fr.Frame(); err != nil {
				break
			}
		}
	})
}

// TestSortKeysAroundPrefix checks the sort where keys differ only around
// and past the 19 bytes the sort keeps in line: lengths 0 to 40 over a tiny
// alphabet including zero bytes (so keys extend others by zeros), half of
// them sharing a long prefix, in random, ascending and descending input
// order (the last two are quicksort's classic bad cases), and keys that
// all share the prefix. Over 1024 records, so the radix sort runs.
func TestSortKeysAroundPrefix(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	alphabet := []byte{0x00, 0x01, 'a', 0xff}
	var recs []rec
	for i := range 4000 {
		var k []byte
		if r.IntN(2) == 0 {
			k = append(k, "shared-prefix-"[:r.IntN(15)]...)
		}
		for range r.IntN(41 - len(k)) {
			k = append(k, alphabet[r.IntN(len(alphabet))])
		}
		recs = append(recs, rec{slot: r.IntN(2), key: string(k), value: fmt.Sprint(i)})
	}
	var samePrefix []rec // every key shares its first 19 bytes: no radix pass
	for i := range 2000 {
		k := fmt.Sprintf("0123456789abcdefghi%d", r.IntN(500))
		samePrefix = append(samePrefix, rec{slot: 1, key: k, value: fmt.Sprint(i)})
	}
	sorted := want(recs, 2)
	asc := append(slices.Clone(sorted[0]), sorted[1]...)
	desc := slices.Clone(asc)
	slices.Reverse(desc)
	for _, tt := range []struct {
		name string
		recs []rec
	}{{"random", recs}, {"ascending", asc}, {"descending", desc}, {"one prefix", samePrefix}} {
		// One run tests the sort; five, merged two at a time, the merge's
		// comparisons too.
		for _, tasks := range []int{1, 5} {
			t.Run(fmt.Sprintf("%s/%d runs", tt.name, tasks), func(t *testing.T) {
				got := shuffleAll(t, tt.recs, 2, tasks, 64<<20, MergeConfig{FanIn: 2, BufSize: 4 << 10})
				exp := want(tt.recs, 2)
				for p := range exp {
					if !slices.Equal(got[p], exp[p]) {
						t.Fatalf("slot %d: got %d records, want %d; first difference at %d", p, len(got[p]), len(exp[p]), firstDiff(got[p], exp[p]))
					}
				}
			})
		}
	}
}
