package shuffle

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"iter"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/crunchgo/crunchgo/codec"
)

// benchRecords is the number of (string key, int64 value) records the
// shuffle benchmarks sort; CRUNCHGO_BENCH_RECORDS overrides it (the README
// numbers use 10,000,000).
func benchRecords(b *testing.B) int {
	if s := os.Getenv("CRUNCHGO_BENCH_RECORDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 1_000_000
}

const benchBudget = 64 << 20

// benchKeys returns n random 16-byte keys (hex of a random number) and values.
func benchKeys(n int) ([][]byte, []int64) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := make([][]byte, n)
	vals := make([]int64, n)
	for i := range n {
		keys[i] = fmt.Appendf(nil, "%016x", r.Uint64())
		vals[i] = r.Int64()
	}
	return keys, vals
}

// mergeSlot merges partition slot p of runs and walks every group and
// value: a reduce task of that partition.
func mergeSlot(b *testing.B, runs []Run, p int, dir string) {
	var segs []Segment
	for _, r := range runs {
		segs = append(segs, r.Segment(p))
	}
	m, err := Merge(segs, MergeConfig{FanIn: 64, BufSize: 256 << 10, TmpDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	err = m.Groups(func(key []byte, values iter.Seq[[]byte]) error {
		for range values {
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkShuffle sorts the records in a 64 MiB buffer, spilling runs,
// then merges the runs and walks every group: a map task and a reduce task
// of one partition.
func BenchmarkShuffle(b *testing.B) {
	n := benchRecords(b)
	keys, vals := benchKeys(n)
	var size int64
	for _, k := range keys {
		size += int64(len(AppendRecord(nil, k, make([]byte, 8))))
	}
	b.SetBytes(size) // 26 bytes a record, as the baseline's lines
	dir := b.TempDir()
	var v [8]byte
	for b.Loop() {
		s := NewSorter(dir, "bench", 1, benchBudget)
		for i, k := range keys {
			binary.BigEndian.PutUint64(v[:], uint64(vals[i]))
			if err := s.Add(0, k, v[:]); err != nil {
				b.Fatal(err)
			}
		}
		runs, err := s.Finish()
		if err != nil {
			b.Fatal(err)
		}
		mergeSlot(b, runs, 0, dir)
		s.Abort()
		b.ReportMetric(float64(len(runs)), "runs")
	}
}

// structKeys returns n keys as the codec encodes struct{A, B string} keys,
// from Zipf-distributed "artist-%05d" and "user-%07d" strings (about 30% of
// the keys repeat an earlier one), each with the partition slot of 4 it
// hashes to.
func structKeys(b *testing.B, n int) ([][]byte, []int) {
	kc, err := codec.KeyFor[struct{ A, B string }]()
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	artists := rand.NewZipf(r, 1.2, 1, 99_999)
	users := rand.NewZipf(r, 1.01, 5, 9_999_999)
	keys := make([][]byte, n)
	slots := make([]int, n)
	for i := range n {
		keys[i] = kc.Append(nil, struct{ A, B string }{
			fmt.Sprintf("artist-%05d", artists.Uint64()),
			fmt.Sprintf("user-%07d", users.Uint64()),
		})
		var h uint32 = 2166136261 // FNV-1a
		for _, c := range keys[i] {
			h = (h ^ uint32(c)) * 16777619
		}
		slots[i] = int(h % 4)
	}
	return keys, slots
}

// BenchmarkShuffleStructKeys is BenchmarkShuffle with keys like a real
// job's (see structKeys) over 4 partition slots: the map task sorts and
// spills in a 64 MiB buffer, then each slot is merged and grouped.
func BenchmarkShuffleStructKeys(b *testing.B) {
	n := benchRecords(b)
	keys, slots := structKeys(b, n)
	var size int64
	distinct := map[string]bool{}
	for _, k := range keys {
		size += int64(len(AppendRecord(nil, k, make([]byte, 8))))
		distinct[string(k)] = true
	}
	b.SetBytes(size)
	dup := float64(n-len(distinct)) / float64(n)
	dir := b.TempDir()
	var v [8]byte
	for b.Loop() {
		s := NewSorter(dir, "bench", 4, benchBudget)
		for i, k := range keys {
			binary.BigEndian.PutUint64(v[:], uint64(i))
			if err := s.Add(slots[i], k, v[:]); err != nil {
				b.Fatal(err)
			}
		}
		runs, err := s.Finish()
		if err != nil {
			b.Fatal(err)
		}
		for p := range 4 {
			mergeSlot(b, runs, p, dir)
		}
		s.Abort()
		b.ReportMetric(float64(len(runs)), "runs")
		b.ReportMetric(dup, "dup/rec")
	}
}

// BenchmarkGNUSort runs LC_ALL=C sort -S 64M over the same records as text
// lines: the 16-byte key, a tab, the value's low 32 bits as 8 hex digits
// and a newline, 26 bytes, as long as a framed shuffle record.
func BenchmarkGNUSort(b *testing.B) {
	sortPath, err := exec.LookPath("sort")
	if err != nil {
		b.Skip("no sort on PATH")
	}
	n := benchRecords(b)
	keys, vals := benchKeys(n)
	dir := b.TempDir()
	in := filepath.Join(dir, "in.txt")
	f, err := os.Create(in)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	var size int64
	for i, k := range keys {
		line := fmt.Appendf(nil, "%s\t%08x\n", k, uint32(vals[i]))
		size += int64(len(line))
		w.Write(line)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.SetBytes(size)
	for b.Loop() {
		cmd := exec.Command(sortPath, "-S", fmt.Sprint(benchBudget>>20)+"M", "-T", dir, "-o", filepath.Join(dir, "out.txt"), in)
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("sort: %v: %s", err, out)
		}
	}
}

// BenchmarkSpillSharedPrefix sorts and spills 500,000 records whose keys
// share long prefixes, like the order-preserving encodings of
// (country, track_id) and (artist_id, user_id) string pairs, into 8 slots.
func BenchmarkSpillSharedPrefix(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 500_000
	keys := make([][]byte, n)
	for i := range keys {
		if i%2 == 0 {
			keys[i] = fmt.Appendf(nil, "%c%c\x00\x01t%07d\x00\x01", 'A'+r.IntN(5), 'A'+r.IntN(5), r.IntN(100_000))
		} else {
			keys[i] = fmt.Appendf(nil, "a%06d\x00\x01u%07d\x00\x01", r.IntN(10_000), r.IntN(100_000))
		}
	}
	dir := b.TempDir()
	v := make([]byte, 8)
	for b.Loop() {
		s := NewSorter(dir, "bench", 8, 1<<30)
		for i, k := range keys {
			if err := s.Add(i%8, k, v); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.Finish(); err != nil {
			b.Fatal(err)
		}
		s.Abort()
	}
}

// BenchmarkMerge16 merges 16 sorted runs of 100,000 records each, with keys
// like (artist_id, user_id) encodings, and walks every group: the reduce
// side of a stage with 16 map tasks.
func BenchmarkMerge16(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	dir := b.TempDir()
	var segs []Segment
	v := make([]byte, 8)
	for i := range 16 {
		s := NewSorter(dir, fmt.Sprintf("m%d", i), 1, 1<<30)
		for range 100_000 {
			k := fmt.Appendf(nil, "a%06d\x00\x01u%07d\x00\x01", r.IntN(10_000), r.IntN(1_000_000))
			if err := s.Add(0, k, v); err != nil {
				b.Fatal(err)
			}
		}
		runs, err := s.Finish()
		if err != nil {
			b.Fatal(err)
		}
		for _, run := range runs {
			segs = append(segs, run.Segment(0))
		}
	}
	for b.Loop() {
		m, err := Merge(segs, MergeConfig{FanIn: 64, BufSize: 64 << 10, TmpDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		err = m.Groups(func(key []byte, values iter.Seq[[]byte]) error {
			values(func([]byte) bool { n++; return true })
			return nil
		})
		if err != nil || n != 1_600_000 {
			b.Fatalf("merged %d records, want 1600000 (err %v)", n, err)
		}
		m.Close()
	}
}
