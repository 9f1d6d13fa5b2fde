package shuffle

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// checkSortKeys adds recs to a sorter, sorts each slot's keys and checks the
// order against a stable sort by (slot, key).
func checkSortKeys(t *testing.T, recs []rec, slots int) {
	t.Helper()
	s := NewSorter(t.TempDir(), "s", slots, maxArena)
	for _, r := range recs {
		if err := s.Add(r.slot, []byte(r.key), []byte(r.value)); err != nil {
			t.Fatal(err)
		}
	}
	var got []rec
	for slot, ks := range s.keys {
		s.sortKeys(ks)
		for _, k := range ks {
			// A key filed under the wrong slot shows as a record with the
			// wrong slot in the comparison below.
			b := s.recordAt(k.off)
			key := s.keyAt(k.off)
			got = append(got, rec{slot, string(key), string(b[len(b)-len(recs[0].value):])})
		}
	}
	exp := slices.Concat(want(recs, slots)...)
	if !slices.Equal(got, exp) {
		i := firstDiff(got, exp)
		if i >= min(len(got), len(exp)) {
			t.Fatalf("got %d records, want %d", len(got), len(exp))
		}
		t.Fatalf("%d records: first difference at %d: got (%d, %q, %s), want (%d, %q, %s)", len(recs), i,
			got[i].slot, got[i].key, got[i].value, exp[i].slot, exp[i].key, exp[i].value)
	}
}

// TestSortKeysMatchesStableSort checks the radix sort and its fallbacks
// against a reference on inputs that stress each: keys far longer than the
// 19 bytes kept in line and sharing 0 to 60 leading bytes (several rounds
// of loading the next bytes from the arena), keys that are prefixes of
// others, keys ending in zero bytes, empty keys, many duplicates, and sizes
// around the cut-overs between the sorts.
func TestSortKeysMatchesStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	shared := bytes.Repeat([]byte("shared-prefix\x00\x01-"), 5)
	gens := map[string]func() []byte{
		"short": func() []byte {
			return fmt.Appendf(nil, "k%d", r.IntN(50))
		},
		"zeros": func() []byte {
			k := fmt.Appendf(nil, "k%d", r.IntN(20))
			return append(k, make([]byte, r.IntN(40))...)
		},
		"long shared": func() []byte {
			k := slices.Clone(shared[:r.IntN(len(shared)+1)])
			for range r.IntN(20) {
				k = append(k, []byte{0, 1, 'a', 0xff}[r.IntN(4)])
			}
			return k
		},
		"empty and prefixes": func() []byte {
			return shared[:r.IntN(4)*16+r.IntN(3)]
		},
		"struct": func() []byte {
			return fmt.Appendf(nil, "artist-%05d\x00\x01user-%07d\x00\x01", r.IntN(30), r.IntN(300))
		},
		"random": func() []byte {
			k := make([]byte, r.IntN(40))
			for i := range k {
				k[i] = byte(r.Uint32())
			}
			return k
		},
	}
	for name, gen := range gens {
		for _, n := range []int{1, 2, 63, 64, 65, 1023, 1024, 1025, 5000, 40000} {
			for _, slots := range []int{1, 3, 300} {
				t.Run(fmt.Sprintf("%s/%d/%d", name, n, slots), func(t *testing.T) {
					recs := make([]rec, n)
					for i := range recs {
						recs[i] = rec{slot: r.IntN(slots), key: string(gen()), value: fmt.Sprintf("%08d", i)}
					}
					checkSortKeys(t, recs, slots)
				})
			}
		}
	}
}

// FuzzSortKeys sorts records made from the input (each byte pair is a
// record: a key length and a key byte pattern), padded to over 1024 records
// so the radix sort runs.
func FuzzSortKeys(f *testing.F) {
	f.Add([]byte("\x00\x00\x10a\x11a\x20\x00\x21\x01"), uint16(1100))
	f.Add([]byte("\x05\xff\x05\x00\x04\x00"), uint16(2000))
	f.Fuzz(func(t *testing.T, data []byte, n uint16) {
		if len(data) < 2 {
			return
		}
		pairs := len(data) / 2
		recs := make([]rec, 1024+int(n)%4096)
		for i := range recs {
			p := data[2*(i%pairs):]
			key := make([]byte, int(p[0])%48)
			for j := range key {
				key[j] = p[1] & byte(i>>(j%8)) // few distinct bytes, shared runs
			}
			recs[i] = rec{slot: int(p[0]) % 3, key: string(key), value: fmt.Sprintf("%08d", i)}
		}
		checkSortKeys(t, recs, 3)
	})
}

// TestSorterIndexBudget checks that a sorter's framed records and sort index
// stay within its limit, counting the radix sort's second buffer for the
// fullest slot only, so that records spread over slots fit more to a run
// than records in one slot.
func TestSorterIndexBudget(t *testing.T) {
	const limit = 256 << 10
	perRun := map[int]float64{}
	for _, slots := range []int{1, 8} {
		s := NewSorter(t.TempDir(), "s", slots, limit)
		key := []byte("key-0123456789")
		var size int
		for i := range 20_000 {
			if err := s.Add(i%slots, key, []byte("value")); err != nil {
				t.Fatal(err)
			}
			size = len(s.arena) / s.n
			if used := int64(len(s.arena)) + int64(s.n+s.longest)*keyBytes; used > limit {
				t.Fatalf("%d slots, after %d records: %d bytes buffered, over the limit %d", slots, i+1, used, limit)
			}
		}
		runs, err := s.Finish()
		if err != nil {
			t.Fatal(err)
		}
		first := runs[0].Offsets[slots]
		perRun[slots] = float64(first) / float64(size)
		// A run spills when full: it holds nearly what the limit allows.
		most := float64(limit) / (float64(size) + float64(keyBytes)*(1+1/float64(slots)))
		if perRun[slots] < 0.98*most {
			t.Errorf("%d slots: first run holds %.0f records, want about %.0f", slots, perRun[slots], most)
		}
	}
	if perRun[8] < 1.3*perRun[1] {
		t.Errorf("a run holds %.0f records over 8 slots and %.0f in one slot: want the index's second buffer charged for the fullest slot only", perRun[8], perRun[1])
	}
}

// TestSorterSlotAtATime checks the memory a sorter holds when its records
// come one slot at a time, as a range partition of sorted input sends them:
// each slot in turn fills runs, and its key buffer must not stay that large
// once the records go elsewhere (they did, every slot's, to 7.8 times the
// limit here).
func TestSorterSlotAtATime(t *testing.T) {
	const limit, slots, perSlot = 1 << 20, 16, 40_000
	takeSpare() // an earlier test's buffers would count
	s := NewSorter(t.TempDir(), "s", slots, limit)
	var peak int64
	for i := range slots * perSlot {
		if err := s.Add(i/perSlot, fmt.Appendf(nil, "key-%08d", i), []byte("v")); err != nil {
			t.Fatal(err)
		}
		keys := cap(s.tmp)
		for _, ks := range s.keys {
			keys += cap(ks)
		}
		peak = max(peak, int64(cap(s.arena))+int64(keys)*keyBytes)
	}
	if _, err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	// Buffers grow ahead of what they hold, and a slot's keys stay until
	// the run after the one that filled them ends: some slack, not a run's
	// keys per slot.
	if peak > 2*limit {
		t.Errorf("the sorter held %d bytes of buffers, want at most twice its limit %d", peak, limit)
	}
}
