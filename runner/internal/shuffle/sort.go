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
	"unsafe"
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

// keyBytes is the size of a sortKey. The sort index costs keyBytes per
// record, plus keyBytes per record of the longest partition slot for the
// radix sort's second buffer: slots are sorted one at a time, so that buffer
// need only hold one slot's keys, not all of them.
const keyBytes = int64(unsafe.Sizeof(sortKey{}))

// minSlotKeys is a slot's first key capacity: small, since a sorter may
// have hundreds of slots and a tiny task fills few of them.
const minSlotKeys = 256

// sortPrefix is how many leading key bytes a sort key holds, so that most
// comparisons never touch the arena. A sort key has 16 bytes in two words
// and the arena offset in 4, and would be padded to 24 anyway: its last 4
// bytes hold 3 more key bytes and the key's length code (see sortKey) for
// free. 19 bytes fit a key of two short strings, such as daily-plays'
// (artist, user) pairs; the length code lets two equal keys of up to 19
// bytes compare without reading their lengths from the arena. With 16
// bytes in line, such pairs compared their tails in the arena (a cache miss
// each), the largest sorting cost in a profile of daily-plays' map tasks.
const sortPrefix = 19

// sortKey is what the sort moves: small, and enough to order most records
// without following off.
// Keys are kept and sorted per partition slot, so a key holds no slot.
//
// p0, p1 and p2 compare as one number, the radix key: the key's first
// sortPrefix bytes, zero padded, then its length code, min(length,
// sortPrefix+1). Of two keys whose padded prefixes are equal, the shorter
// is a prefix of the longer (extended by zero bytes), so ordering by length
// is right unless both are longer than sortPrefix: only then does a
// comparison go to the arena. Equal radix keys with a length code up to
// sortPrefix are equal keys.
type sortKey struct {
	p0, p1 uint64 // the key's bytes 0 to 15, big-endian, zero padded
	p2     uint32 // bytes 16 to 18, likewise, then the length code
	// off is where the record's framing starts in the arena. The arena is
	// in insertion order, so ties broken by off keep insertion order.
	off uint32
}

// setPrefix loads k's radix key from key.
func (k *sortKey) setPrefix(key []byte) {
	var p [sortPrefix + 1]byte
	copy(p[:sortPrefix], key)
	p[sortPrefix] = byte(min(len(key), sortPrefix+1))
	k.p0 = binary.BigEndian.Uint64(p[:8])
	k.p1 = binary.BigEndian.Uint64(p[8:16])
	k.p2 = binary.BigEndian.Uint32(p[16:])
}

// complete reports whether k's key ends within its radix key.
func (k *sortKey) complete() bool { return byte(k.p2) <= sortPrefix }

// Sorter buffers records, sorts them by (partition slot, key, insertion
// order) and writes sorted runs to Dir, spilling whenever the buffer reaches
// Limit bytes.
type Sorter struct {
	dir    string
	prefix string
	slots  int
	limit  int64

	arena []byte      // the records, framed as in a run file, in insertion order
	keys  [][]sortKey // by partition slot, each in insertion order
	n     int         // keys buffered, over all slots
	// longest is the longest slot's key count: the radix sort's second
	// buffer must hold that many.
	longest int
	tmp     []sortKey // the radix sort's second buffer
	runs    []Run
	// depth is, during a sort, how many leading key bytes the keys being
	// compared share: their radix keys start at key byte depth.
	depth int
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
		s.arena, s.tmp = b.arena[:0], b.tmp
		// The slot count may differ from the last sorter's: slots it had
		// over are dropped, new ones start empty.
		clear(b.keys[min(slots, len(b.keys)):])
		s.keys = b.keys[:min(slots, len(b.keys))]
	}
	for len(s.keys) < slots {
		s.keys = append(s.keys, nil)
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
	keys  [][]sortKey // by slot, each empty
	tmp   []sortKey   // the radix sort's second buffer
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
	longest := max(s.longest, len(s.keys[slot])+1)
	if s.n > 0 && int64(len(s.arena))+size+int64(s.n+1+longest)*keyBytes > s.limit {
		if err := s.Spill(); err != nil {
			return err
		}
	}
	if need := int64(len(s.arena)) + size; need > int64(cap(s.arena)) {
		// Grow towards the limit in steps, never past it: a full-size arena
		// up front would charge tiny tasks the whole budget.
		c := max(need, int64(s.grown(cap(s.arena), len(s.arena), 64<<10, int(s.limit))))
		a := make([]byte, len(s.arena), c)
		copy(a, s.arena)
		s.arena = a
	}
	ks := s.keys[slot]
	if len(ks) == cap(ks) {
		// One slot holds at most as many keys as fit the limit together
		// with their second buffer.
		k := make([]sortKey, len(ks), s.grown(cap(ks), len(ks), minSlotKeys, int(s.limit/(2*keyBytes))+1))
		copy(k, ks)
		ks = k
	}
	k := sortKey{off: uint32(len(s.arena))}
	k.setPrefix(key)
	ks = append(ks, k)
	s.keys[slot] = ks
	s.n++
	s.longest = max(s.longest, len(ks))
	s.arena = AppendRecord(s.arena, key, value)
	s.Records++
	s.Bytes += int64(len(key) + len(value))
	return nil
}

// grown is the capacity a full buffer of capacity c and length l grows to,
// between least and most. It doubles (where append would grow a large slice
// by a quarter and copy it over and over) until the sorter holds an eighth
// of its limit; from then on it takes the buffer's share of a full sorter,
// its length scaled by how full the sorter is, with an eighth to spare. A
// buffer thus reaches the size a spill fills in a few steps, where doubling
// all the way would leave garbage as large as the buffer itself (in a
// worker's first task, fresh memory: see gcpace.WarmUp) and capacity up to
// twice what it needs. It grows by half at least, so that a slot whose
// records come late (its share underestimated) is not copied over and over.
func (s *Sorter) grown(c, l, least, most int) int {
	n := max(2*c, least)
	if used := int64(len(s.arena)) + int64(s.n+s.longest)*keyBytes; used >= s.limit/8 {
		n = max(int(int64(l)*s.limit/used*9/8), l+l/2+1)
	}
	return min(n, most)
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

// less orders sort keys by (key, insertion order): by radix key, then
// (only for two keys longer than it) by the tails in the arena, then by
// arena offset.
func (s *Sorter) less(a, b *sortKey) bool {
	if a.p0 != b.p0 {
		return a.p0 < b.p0
	}
	if a.p1 != b.p1 {
		return a.p1 < b.p1
	}
	if a.p2 != b.p2 {
		return a.p2 < b.p2
	}
	return s.lessTail(a, b)
}

// lessTail orders two sort keys with equal radix keys.
func (s *Sorter) lessTail(a, b *sortKey) bool {
	if !a.complete() {
		end := s.depth + sortPrefix
		if c := bytes.Compare(s.keyAt(a.off)[end:], s.keyAt(b.off)[end:]); c != 0 {
			return c < 0
		}
	}
	return a.off < b.off
}

// sortKeys sorts a by less. Small inputs go straight to an introsort
// specialised to sortKey, since slices.SortFunc's calls through a func value,
// with the elements passed by value, cost more than the comparisons; larger
// ones to msdSort. No two keys are equal (off breaks ties), which keeps the
// partition simple.
func (s *Sorter) sortKeys(a []sortKey) {
	s.depth = 0
	if len(a) < 1024 {
		s.quickSort(a, 2*bits.Len(uint(len(a))))
		return
	}
	if cap(s.tmp) < len(a) {
		// As large as the keys' capacity, not their count: allocated once
		// per growth of the longest slot (and kept for the worker's next
		// sorter), not at every spill or task holding a few more records
		// than the last one.
		s.tmp = make([]sortKey, max(len(a), cap(a)))
	}
	s.msdSort(a, s.tmp[:len(a)], 0)
	s.depth = 0
}

// msdCutoff is the bucket size below which msdSort hands over to quickSort.
const msdCutoff = 64

// msdSort sorts a, whose keys share their first depth bytes (so their
// radix keys start at key byte depth), by (key, off) with a most
// significant digit first radix sort over the radix key p0, p1, p2. It
// skips the leading bytes all of a's keys share, so a pass is spent only on
// bytes that tell keys apart, and recurses into each bucket; small buckets
// are left to quickSort. Distribution passes are stable, so a bucket stays
// in insertion order (arena offset order) until quickSort takes it.
//
// When all of a's keys share their radix key, either they are equal keys,
// already in insertion order, or all are longer than it: then they get
// their next sortPrefix key bytes loaded from the arena and are sorted
// sortPrefix bytes deeper, so long shared prefixes cost one arena read per
// sortPrefix bytes and record rather than tail comparisons.
func (s *Sorter) msdSort(a, tmp []sortKey, depth int) {
	for {
		if len(a) < msdCutoff {
			if len(a) > 1 {
				s.depth = depth
				s.quickSort(a, 2*bits.Len(uint(len(a))))
			}
			return
		}
		// Which bits differ anywhere in a.
		first := a[0]
		var x0, x1 uint64
		var x2 uint32
		for i := range a {
			x0 |= a[i].p0 ^ first.p0
			x1 |= a[i].p1 ^ first.p1
			x2 |= a[i].p2 ^ first.p2
		}
		var field int
		var shift uint
		switch {
		case x0 != 0:
			field, shift = 0, uint(56-bits.LeadingZeros64(x0)&^7)
		case x1 != 0:
			field, shift = 1, uint(56-bits.LeadingZeros64(x1)&^7)
		case x2 != 0:
			field, shift = 2, uint(24-bits.LeadingZeros32(x2)&^7)
		default:
			if first.complete() {
				return
			}
			depth += sortPrefix
			for i := range a {
				a[i].setPrefix(s.keyAt(a[i].off)[depth:])
			}
			continue
		}
		var counts [256]uint32
		for i := range a {
			counts[digit(&a[i], field, shift)]++
		}
		var next [256]uint32
		var sum uint32
		for b := range 256 {
			next[b] = sum
			sum += counts[b]
		}
		for i := range a {
			b := digit(&a[i], field, shift)
			tmp[next[b]] = a[i]
			next[b]++
		}
		copy(a, tmp)
		var lo uint32
		for _, c := range counts {
			if c > 1 {
				s.msdSort(a[lo:lo+c], tmp[lo:lo+c], depth)
			}
			lo += c
		}
		return
	}
}

// digit returns the byte at shift of the sort key's field: 0 p0, 1 p1,
// 2 p2.
func digit(k *sortKey, field int, shift uint) uint8 {
	switch field {
	case 0:
		return uint8(k.p0 >> shift)
	case 1:
		return uint8(k.p1 >> shift)
	}
	return uint8(k.p2 >> shift)
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

// spillAhead is how many records ahead of its copy Spill prefetches.
const spillAhead = 8

// Spill sorts the buffered records and writes them as one run. It does
// nothing when the buffer is empty.
func (s *Sorter) Spill() error {
	if s.n == 0 {
		return nil
	}
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
	// Prefetching the record spillAhead keys on starts its cache miss
	// early, so that several overlap instead of each stalling the copy. (A
	// load used as a prefetch, as this was, stalled in its own right: a
	// profile put nearly all of Spill's own time on it. With PREFETCHT0,
	// BenchmarkShuffle took 170 against 192 ms.)
	for slot, ks := range s.keys {
		run.Offsets[slot] = off
		s.sortKeys(ks)
		for i := range ks {
			if j := i + spillAhead; j < len(ks) {
				prefetch(&s.arena[ks[j].off])
			}
			b := s.recordAt(ks[i].off)
			s.wbuf.Write(b)
			off += int64(len(b))
		}
		// A slot keeps its keys' capacity for the next run only if this
		// run used half of it: the limit counts keys, not capacity, and
		// records that come a slot at a time (a range partition of sorted
		// input) would otherwise leave every slot holding a full run's
		// keys, the limit many times over.
		if cap(ks) > max(minSlotKeys, 2*len(ks)) {
			s.keys[slot] = nil
		} else {
			s.keys[slot] = ks[:0]
		}
	}
	run.Offsets[s.slots] = off
	err = s.wbuf.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("shuffle: spilling: %w", err)
	}
	s.runs = append(s.runs, run)
	s.arena = s.arena[:0]
	s.n, s.longest = 0, 0
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
