package shuffle

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Run is one sorted run file: partition slot p's records are the bytes
// [Offsets[p], Offsets[p+1]) of the file.
type Run struct {
	Path    string  `json:"path"`
	Offsets []int64 `json:"offsets"`
}

// Segment returns slot p of the run as a segment (possibly empty).
func (r Run) Segment(p int) Segment {
	return Segment{Path: r.Path, Offset: r.Offsets[p], Length: r.Offsets[p+1] - r.Offsets[p]}
}

// entryOverhead is what the sort index costs per record, on top of its bytes.
const entryOverhead = 32

type entry struct {
	prefix uint64 // the key's first 8 bytes, big-endian, zero padded
	slot   uint32
	seq    uint32 // insertion order within the buffer: ties keep it
	off    uint32 // key offset in the arena; the value follows the key
	klen   uint32
	vlen   uint32
}

// Sorter buffers records, sorts them by (partition slot, key, insertion
// order) and writes sorted runs to Dir, spilling whenever the buffer reaches
// Limit bytes.
type Sorter struct {
	dir    string
	prefix string
	slots  int
	limit  int64

	arena   []byte
	entries []entry
	runs    []Run
	wbuf    *bufio.Writer
	frame   []byte

	// Records and Bytes count what was added; Spills counts runs written.
	Records, Bytes int64
}

// maxArena keeps arena offsets within uint32.
const maxArena = 1<<31 - 1

// NewSorter returns a sorter for slots partition slots that writes runs named
// <prefix>-<n> in dir and holds at most limit bytes before it spills.
func NewSorter(dir, prefix string, slots int, limit int64) *Sorter {
	limit = max(4<<10, min(limit, maxArena))
	return &Sorter{dir: dir, prefix: prefix, slots: slots, limit: limit}
}

// Add buffers one record for partition slot. It copies key and value.
func (s *Sorter) Add(slot int, key, value []byte) error {
	if slot < 0 || slot >= s.slots {
		return fmt.Errorf("shuffle: partition slot %d out of range [0, %d)", slot, s.slots)
	}
	size := int64(len(key) + len(value))
	if len(s.entries) > 0 && int64(len(s.arena))+size+int64(len(s.entries)+1)*entryOverhead > s.limit {
		if err := s.Spill(); err != nil {
			return err
		}
	}
	if need := int64(len(s.arena)) + size; need > int64(cap(s.arena)) {
		// Grow towards the limit in steps, never past it: a full-size arena
		// up front would charge tiny tasks the whole budget.
		c := max(need, min(max(2*int64(cap(s.arena)), 64<<10), s.limit))
		a := make([]byte, len(s.arena), c)
		copy(a, s.arena)
		s.arena = a
	}
	var p [8]byte
	copy(p[:], key)
	s.entries = append(s.entries, entry{
		prefix: binary.BigEndian.Uint64(p[:]),
		slot:   uint32(slot),
		seq:    uint32(len(s.entries)),
		off:    uint32(len(s.arena)),
		klen:   uint32(len(key)),
		vlen:   uint32(len(value)),
	})
	s.arena = append(s.arena, key...)
	s.arena = append(s.arena, value...)
	s.Records++
	s.Bytes += size
	return nil
}

func (s *Sorter) key(e *entry) []byte { return s.arena[e.off : e.off+e.klen] }

// Spill sorts the buffered records and writes them as one run. It does
// nothing when the buffer is empty.
func (s *Sorter) Spill() error {
	if len(s.entries) == 0 {
		return nil
	}
	slices.SortFunc(s.entries, func(a, b entry) int {
		if c := cmp.Compare(a.slot, b.slot); c != 0 {
			return c
		}
		if c := cmp.Compare(a.prefix, b.prefix); c != 0 {
			return c
		}
		if c := bytes.Compare(s.key(&a), s.key(&b)); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	path := filepath.Join(s.dir, fmt.Sprintf("%s-%d", s.prefix, len(s.runs)))
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("shuffle: spilling: %w", err)
	}
	if s.wbuf == nil {
		s.wbuf = bufio.NewWriterSize(f, 256<<10)
	} else {
		s.wbuf.Reset(f)
	}
	run := Run{Path: path, Offsets: make([]int64, s.slots+1)}
	var off int64
	slot := 0
	for i := range s.entries {
		e := &s.entries[i]
		for slot < int(e.slot) {
			slot++
			run.Offsets[slot] = off
		}
		v := e.off + e.klen
		s.frame = AppendRecord(s.frame[:0], s.arena[e.off:v], s.arena[v:v+e.vlen])
		s.wbuf.Write(s.frame)
		off += int64(len(s.frame))
	}
	for slot < s.slots {
		slot++
		run.Offsets[slot] = off
	}
	err = s.wbuf.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("shuffle: spilling: %w", err)
	}
	s.runs = append(s.runs, run)
	s.arena = s.arena[:0]
	s.entries = s.entries[:0]
	return nil
}

// Finish spills what is buffered and returns the runs in the order they were
// written, which is the order a merge must list them in.
func (s *Sorter) Finish() ([]Run, error) {
	if err := s.Spill(); err != nil {
		return nil, err
	}
	s.arena, s.entries = nil, nil
	return s.runs, nil
}

// Abort removes the runs written so far.
func (s *Sorter) Abort() {
	for _, r := range s.runs {
		_ = os.Remove(r.Path)
	}
	s.runs = nil
}
