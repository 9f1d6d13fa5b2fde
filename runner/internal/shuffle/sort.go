package shuffle

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"sync"
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

// entryOverhead is what the sort index costs per record, on top of its
// framed bytes in the arena: a sort key and its slot in the radix sort's
// second buffer.
const entryOverhead = 24 + 24

// prefixLen is how many leading key bytes a sort key holds, so that most
// comparisons never touch the arena: keys of up to prefixLen bytes compare
// entirely within their sort keys.
const prefixLen = 16

// sortKey is what the sort moves: small, and enough to order most records
// without following off.
type sortKey struct {
	p0, p1 uint64 // the key's first 16 bytes, big-endian, zero padded
	slot   uint32
	// off is where the record's framing starts in the arena. The arena is
	// in insertion order, so ties broken by off keep insertion order.
	off uint32
}

// Sorter buffers records, sorts them by (partition slot, key, insertion
// order) and writes sorted runs to Dir, spilling whenever the buffer reaches
// Limit bytes.
type Sorter struct {
	dir    string
	prefix string
	slots  int
	limit  int64

	arena []byte // the records, framed as in a run file, in insertion order
	keys  []sortKey
	tmp   []sortKey // the radix sort's second buffer
	runs  []Run
	wbuf  *bufio.Writer

	// Records and Bytes count what was added; Spills counts runs written.
	Records, Bytes int64
}

// maxArena keeps arena offsets within uint32.
const maxArena = 1<<31 - 1

// NewSorter returns a sorter for slots partition slots that writes runs named
// <prefix>-<n> in dir and holds at most limit bytes before it spills.
func NewSorter(dir, prefix string, slots int, limit int64) *Sorter {
	limit = max(4<<10, min(limit, maxArena))
	s := &Sorter{dir: dir, prefix: prefix, slots: slots, limit: limit}
	if b := takeSpare(); b != nil && int64(cap(b.arena)) <= limit {
		s.arena, s.keys, s.tmp = b.arena[:0], b.keys[:0], b.tmp
	}
	return s
}

// sortBuffers are a finished sorter's buffers. A worker runs its tasks one
// after another, so the next task's sorter takes them over instead of
// growing (and page-faulting) new ones; a buffer larger than the next
// sorter's limit is dropped. Merge drops them too, so that a reduce task's
// read buffers do not come on top of them.
type sortBuffers struct {
	arena []byte
	keys  []sortKey
	tmp   []sortKey // the radix sort's second buffer
}

var spare struct {
	sync.Mutex
	b *sortBuffers
}

// takeSpare returns the kept buffers, if any, and forgets them.
func takeSpare() *sortBuffers {
	spare.Lock()
	defer spare.Unlock()
	b := spare.b
	spare.b = nil
	return b
}

func keepSpare(b *sortBuffers) {
	spare.Lock()
	spare.b = b
	spare.Unlock()
}

// Add buffers one record for partition slot. It copies key and value.
func (s *Sorter) Add(slot int, key, value []byte) error {
	if slot < 0 || slot >= s.slots {
		return fmt.Errorf("shuffle: partition slot %d out of range [0, %d)", slot, s.slots)
	}
	size := int64(uvarintLen(len(key)) + len(key) + uvarintLen(len(value)) + len(value))
	if len(s.keys) > 0 && int64(len(s.arena))+size+int64(len(s.keys)+1)*entryOverhead > s.limit {
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
	var p [prefixLen]byte
	copy(p[:], key)
	s.keys = append(s.keys, sortKey{
		p0:   binary.BigEndian.Uint64(p[:8]),
		p1:   binary.BigEndian.Uint64(p[8:]),
		slot: uint32(slot),
		off:  uint32(len(s.arena)),
	})
	s.arena = AppendRecord(s.arena, key, value)
	s.Records++
	s.Bytes += int64(len(key) + len(value))
	return nil
}

// uvarintLen is the length of n's uvarint encoding.
func uvarintLen(n int) int {
	return (bits.Len64(uint64(n)|1) + 6) / 7
}

// keyAt returns the key of the record framed at off in the arena.
func (s *Sorter) keyAt(off uint32) []byte {
	b := s.arena[off:]
	if b[0] < 0x80 { // most keys are shorter than 128 bytes
		return b[1 : 1+b[0]]
	}
	n, w := binary.Uvarint(b)
	return b[w : w+int(n)]
}

// recordAt returns the framed record at off in the arena.
func (s *Sorter) recordAt(off uint32) []byte {
	b := s.arena[off:]
	n, w := uint64(b[0]), 1
	if n >= 0x80 {
		n, w = binary.Uvarint(b)
	}
	v := w + int(n)
	if n, w = uint64(b[v]), 1; n >= 0x80 {
		n, w = binary.Uvarint(b[v:])
	}
	return b[:v+w+int(n)]
}

// less orders sort keys by (slot, key, insertion order). Zero padding
// makes equal prefixes ambiguous only between a key and its extension by
// zero bytes: when either key fits the prefix, the shorter one is the lesser
// (or, of equal length, they are equal); only two longer keys compare their
// tails in the arena.
func (s *Sorter) less(a, b *sortKey) bool {
	if a.slot != b.slot {
		return a.slot < b.slot
	}
	if a.p0 != b.p0 {
		return a.p0 < b.p0
	}
	if a.p1 != b.p1 {
		return a.p1 < b.p1
	}
	return s.lessTail(a, b)
}

func (s *Sorter) lessTail(a, b *sortKey) bool {
	ka, kb := s.keyAt(a.off), s.keyAt(b.off)
	if len(ka) > prefixLen && len(kb) > prefixLen {
		if c := bytes.Compare(ka[prefixLen:], kb[prefixLen:]); c != 0 {
			return c < 0
		}
	} else if len(ka) != len(kb) {
		return len(ka) < len(kb)
	}
	return a.off < b.off
}

// sortKeys sorts a by less: an introsort specialised to sortKey, since
// slices.SortFunc's calls through a func value, with the elements passed by
// value, cost more than the comparisons. No two keys are equal (off breaks
// ties), which keeps the partition simple.
func (s *Sorter) sortKeys(a []sortKey) {
	if len(a) < 1024 {
		s.quickSort(a, 2*bits.Len(uint(len(a))))
		return
	}
	s.radixSort(a)
}

// radixByte returns byte j (0 most significant) of k's 20-byte radix key:
// slot, p0, p1.
func radixByte(k *sortKey, j int) uint8 {
	switch {
	case j < 4:
		return uint8(k.slot >> (8 * (3 - j)))
	case j < 12:
		return uint8(k.p0 >> (8 * (11 - j)))
	default:
		return uint8(k.p1 >> (8 * (19 - j)))
	}
}

// radixSort sorts a by (slot, p0, p1) with a stable LSD radix sort, which
// keeps insertion order among equal prefixes, skipping the bytes every key
// shares; then it sorts each run of equal prefixes by less.
func (s *Sorter) radixSort(a []sortKey) {
	var counts [20][256]uint32
	for i := range a {
		k := &a[i]
		for j := range 4 {
			counts[j][uint8(k.slot>>(8*(3-j)))]++
		}
		for j := range 8 {
			counts[4+j][uint8(k.p0>>(8*(7-j)))]++
			counts[12+j][uint8(k.p1>>(8*(7-j)))]++
		}
	}
	if cap(s.tmp) < len(a) {
		s.tmp = make([]sortKey, len(a))
	}
	src, dst := a, s.tmp[:len(a)]
	n := uint32(len(a))
	for j := 19; j >= 0; j-- {
		c := &counts[j]
		if c[radixByte(&src[0], j)] == n {
			continue
		}
		var off [256]uint32
		var sum uint32
		for b := range 256 {
			off[b] = sum
			sum += c[b]
		}
		for i := range src {
			b := radixByte(&src[i], j)
			dst[off[b]] = src[i]
			off[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &a[0] {
		copy(a, src)
	}
	for i := 0; i < len(a); {
		j := i + 1
		for j < len(a) && a[j].p1 == a[i].p1 && a[j].p0 == a[i].p0 && a[j].slot == a[i].slot {
			j++
		}
		if j-i > 1 {
			s.quickSort(a[i:j], 2*bits.Len(uint(j-i)))
		}
		i = j
	}
}

func (s *Sorter) quickSort(a []sortKey, depth int) {
	for len(a) > 12 {
		if depth == 0 {
			s.heapSort(a)
			return
		}
		depth--
		p := s.partition(a)
		if p < len(a)-p {
			s.quickSort(a[:p], depth)
			a = a[p+1:]
		} else {
			s.quickSort(a[p+1:], depth)
			a = a[:p]
		}
	}
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && s.less(&a[j], &a[j-1]); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// partition moves the median of a's first, middle and last keys to its
// place p, with the lesser keys before it and the greater after, and
// returns p.
func (s *Sorter) partition(a []sortKey) int {
	m, hi := len(a)/2, len(a)-1
	if s.less(&a[m], &a[0]) {
		a[0], a[m] = a[m], a[0]
	}
	if s.less(&a[hi], &a[0]) {
		a[0], a[hi] = a[hi], a[0]
	}
	if s.less(&a[hi], &a[m]) {
		a[m], a[hi] = a[hi], a[m]
	}
	a[0], a[m] = a[m], a[0]
	pivot := a[0]
	i, j := 1, hi
	for {
		for i <= j && s.less(&a[i], &pivot) {
			i++
		}
		for i <= j && s.less(&pivot, &a[j]) {
			j--
		}
		if i >= j {
			break
		}
		a[i], a[j] = a[j], a[i]
		i++
		j--
	}
	a[0], a[j] = a[j], a[0]
	return j
}

func (s *Sorter) heapSort(a []sortKey) {
	for i := len(a)/2 - 1; i >= 0; i-- {
		s.siftDown(a, i, len(a))
	}
	for n := len(a) - 1; n > 0; n-- {
		a[0], a[n] = a[n], a[0]
		s.siftDown(a, 0, n)
	}
}

func (s *Sorter) siftDown(a []sortKey, i, n int) {
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if c+1 < n && s.less(&a[c], &a[c+1]) {
			c++
		}
		if !s.less(&a[i], &a[c]) {
			return
		}
		a[i], a[c] = a[c], a[i]
		i = c
	}
}

// Spill sorts the buffered records and writes them as one run. It does
// nothing when the buffer is empty.
func (s *Sorter) Spill() error {
	if len(s.keys) == 0 {
		return nil
	}
	s.sortKeys(s.keys)
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
	for i := range s.keys {
		k := &s.keys[i]
		for slot < int(k.slot) {
			slot++
			run.Offsets[slot] = off
		}
		b := s.recordAt(k.off)
		s.wbuf.Write(b)
		off += int64(len(b))
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
	s.keys = s.keys[:0]
	return nil
}

// Finish spills what is buffered and returns the runs in the order they were
// written, which is the order a merge must list them in.
func (s *Sorter) Finish() ([]Run, error) {
	if err := s.Spill(); err != nil {
		return nil, err
	}
	keepSpare(&sortBuffers{arena: s.arena, keys: s.keys, tmp: s.tmp})
	s.arena, s.keys, s.tmp = nil, nil, nil
	return s.runs, nil
}

// Abort removes the runs written so far.
func (s *Sorter) Abort() {
	for _, r := range s.runs {
		_ = os.Remove(r.Path)
	}
	s.runs = nil
}
