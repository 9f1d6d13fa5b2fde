package shuffle

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"

	"github.com/crunchgo/crunchgo/internal/progress"
)

// Segment is a byte range of a run file holding sorted records.
type Segment struct {
	Path   string `json:"path"`
	Offset int64  `json:"offset"`
	Length int64  `json:"length"`
}

// MergeConfig bounds a merge's memory.
type MergeConfig struct {
	FanIn   int // segments open at once; at least 2
	BufSize int // read buffer per open segment, at most
	// Memory, when positive, caps the read buffers of a pass's open
	// segments together: the more segments, the smaller each buffer (down
	// to minBufSize), so that a merge of many runs costs no more memory than
	// a merge of few.
	Memory int64
	TmpDir string // where intermediate passes write their runs
}

// minBufSize is the smallest read buffer Memory shrinks a segment's to:
// smaller ones would cost a system call per few records.
const minBufSize = 16 << 10

// bufSize is the read buffer for each of n segments open at once.
func (cfg MergeConfig) bufSize(n int) int {
	if cfg.Memory <= 0 || n <= 0 {
		return cfg.BufSize
	}
	return int(min(int64(cfg.BufSize), max(minBufSize, cfg.Memory/int64(n))))
}

type cursor struct {
	idx int // position in the merge's segment list: ties go to the lower
	// rk holds the current key's radix key, as the Sorter's sort keys do
	// (its off is unused), so that most comparisons stay in line.
	rk         sortKey
	f          *os.File
	r          *Reader
	length     int64 // the segment's, which a clean end must reach
	key, value []byte
	kbuf, vbuf []byte
}

func (c *cursor) next() (bool, error) {
	k, v, err := c.r.Record(&c.kbuf, &c.vbuf)
	if err == io.EOF {
		if c.r.off != c.length {
			// The file is shorter than its writer said: records are lost.
			return false, &CorruptError{Name: c.r.name, Offset: c.r.off,
				Reason: fmt.Sprintf("the segment ends after %d of its %d bytes: the run file was truncated", c.r.off, c.length)}
		}
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c.key, c.value = k, v
	c.rk.setPrefix(k)
	return true, nil
}

// cursorHeap is a min-heap of cursors by (key, idx), specialised (no
// container/heap interface calls per record).
type cursorHeap []*cursor

// less compares like the Sorter's less: the radix keys first, then (only
// for two keys longer than them) the tails, then the segment order.
func (h cursorHeap) less(i, j int) bool {
	a, b := &h[i].rk, &h[j].rk
	if a.p0 != b.p0 {
		return a.p0 < b.p0
	}
	if a.p1 != b.p1 {
		return a.p1 < b.p1
	}
	if a.p2 != b.p2 {
		return a.p2 < b.p2
	}
	if !a.complete() {
		if c := bytes.Compare(h[i].key[sortPrefix:], h[j].key[sortPrefix:]); c != 0 {
			return c < 0
		}
	}
	return h[i].idx < h[j].idx
}

func (h cursorHeap) down(i int) {
	n := len(h)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if c+1 < n && h.less(c+1, c) {
			c++
		}
		if !h.less(c, i) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

func (h cursorHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// pop removes the least cursor.
func (h *cursorHeap) pop() {
	old := *h
	n := len(old) - 1
	old[0] = old[n]
	old[n] = nil
	*h = old[:n]
	h.down(0)
}

// Merger streams the records of several sorted segments in (key, segment
// order) order.
type Merger struct {
	h     cursorHeap
	all   []*cursor
	temps map[string]bool // the temporary runs not yet removed
	err   error
	// Passes counts the intermediate merge passes that were needed.
	Passes int
	// BytesRead counts the bytes of the final pass's segments.
	BytesRead int64
}

// Merge opens a merge of segs, in that order. If there are more segments
// than cfg.FanIn, it first merges consecutive groups of them into temporary
// runs (which keeps the tie order) until FanIn remain. Close the merger when
// done.
func Merge(segs []Segment, cfg MergeConfig) (*Merger, error) {
	takeSpare() // a sorter's kept buffers: the merge needs the memory
	cfg.FanIn = max(2, cfg.FanIn)
	cfg.BufSize = max(4<<10, cfg.BufSize)
	m := &Merger{}
	var live []Segment
	for _, s := range segs {
		if s.Length > 0 {
			live = append(live, s)
		}
	}
	for len(live) > cfg.FanIn {
		m.Passes++
		var next []Segment
		for i := 0; i < len(live); i += cfg.FanIn {
			group := live[i:min(i+cfg.FanIn, len(live))]
			if len(group) == 1 {
				next = append(next, group[0])
				continue
			}
			s, err := m.mergeToFile(group, cfg)
			if err != nil {
				m.Close()
				return nil, err
			}
			next = append(next, s)
			m.removeMerged(group)
		}
		live = next
	}
	buf := cfg.bufSize(len(live))
	for i, s := range live {
		c, err := openCursor(i, s, buf)
		if err != nil {
			m.Close()
			return nil, err
		}
		m.all = append(m.all, c)
		m.BytesRead += s.Length
		ok, err := c.next()
		if err != nil {
			m.Close()
			return nil, err
		}
		if ok {
			m.h = append(m.h, c)
		}
	}
	m.h.init()
	return m, nil
}

func openCursor(idx int, s Segment, bufSize int) (*cursor, error) {
	f, err := os.Open(s.Path)
	if err != nil {
		return nil, fmt.Errorf("shuffle: %w", err)
	}
	// The whole path: every map task's runs have the same file names.
	name := fmt.Sprintf("%s[%d:+%d]", s.Path, s.Offset, s.Length)
	br := bufio.NewReaderSize(io.NewSectionReader(f, s.Offset, s.Length), bufSize)
	return &cursor{idx: idx, f: f, r: NewReader(br, name), length: s.Length}, nil
}

// mergeToFile merges group into one new temporary run and returns it as a segment.
func (m *Merger) mergeToFile(group []Segment, cfg MergeConfig) (Segment, error) {
	sub, err := Merge(group, cfg)
	if err != nil {
		return Segment{}, err
	}
	defer sub.Close()
	f, err := os.CreateTemp(cfg.TmpDir, "merge-*")
	if err != nil {
		return Segment{}, fmt.Errorf("shuffle: merge pass: %w", err)
	}
	if m.temps == nil {
		m.temps = map[string]bool{}
	}
	m.temps[f.Name()] = true
	w := bufio.NewWriterSize(f, cfg.BufSize)
	var n int64
	var frame []byte
	for key, value := range sub.Records() {
		frame = AppendRecord(frame[:0], key, value)
		w.Write(frame)
		n += int64(len(frame))
		progress.Mark() // a pass over many runs can take minutes with no group done
	}
	err = errors.Join(sub.Err(), w.Flush(), f.Close())
	if err != nil {
		return Segment{}, fmt.Errorf("shuffle: merge pass: %w", err)
	}
	return Segment{Path: f.Name(), Length: n}, nil
}

// removeMerged removes the temporary runs among group, which a pass has
// merged into a new one: a merge of several passes then holds one pass's
// runs on disk, not every pass's. One that cannot be removed is left to
// Close, which reports the error.
func (m *Merger) removeMerged(group []Segment) {
	for _, s := range group {
		if m.temps[s.Path] && os.Remove(s.Path) == nil {
			delete(m.temps, s.Path)
		}
	}
}

// valid reports whether there is a current record.
func (m *Merger) valid() bool { return m.err == nil && len(m.h) > 0 }

// advance moves past the current record.
func (m *Merger) advance() {
	c := m.h[0]
	ok, err := c.next()
	switch {
	case err != nil:
		m.err = err
	case ok:
		m.h.down(0)
	default:
		m.h.pop()
	}
}

// Records yields every record in merge order. The slices are valid only
// until the iteration continues.
func (m *Merger) Records() iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		for m.valid() {
			c := m.h[0]
			if !yield(c.key, c.value) {
				return
			}
			m.advance()
		}
	}
}

// Groups calls fn once per distinct key, in key order, with the key and an
// iterator over its values in merge order. The values are streamed from the
// segments, not buffered; values fn leaves unread are skipped. The key is
// valid only during the call. Groups stops at fn's first error.
func (m *Merger) Groups(fn func(key []byte, values iter.Seq[[]byte]) error) error {
	return m.GroupsBy(nil, fn)
}

// GroupsBy is Groups where records group by prefix(key) rather than the
// whole key (a secondary sort: records sort by their whole keys, and a
// group's values come in that order); fn gets the prefix as the group's key.
// A nil prefix groups by whole keys.
func (m *Merger) GroupsBy(prefix func(key []byte) []byte, fn func(key []byte, values iter.Seq[[]byte]) error) error {
	var key []byte
	// groupOf is what the current record groups by; the common case, a
	// whole key, costs no call.
	groupOf := func() []byte {
		if prefix == nil {
			return m.h[0].key
		}
		return prefix(m.h[0].key)
	}
	// One iterator serves every group (it reads the current key), so a
	// group costs no allocation.
	values := func(yield func([]byte) bool) {
		for m.valid() && bytes.Equal(groupOf(), key) {
			if !yield(m.h[0].value) {
				return
			}
			m.advance()
		}
	}
	for m.valid() {
		key = append(key[:0], groupOf()...)
		if err := fn(key, values); err != nil {
			return err
		}
		for m.valid() && bytes.Equal(groupOf(), key) {
			m.advance()
		}
	}
	return m.err
}

// Err returns the first read error.
func (m *Merger) Err() error { return m.err }

// Close closes the segments and removes the temporary runs.
func (m *Merger) Close() error {
	var errs []error
	for _, c := range m.all {
		errs = append(errs, c.f.Close())
	}
	m.all, m.h = nil, nil
	for t := range m.temps {
		errs = append(errs, os.Remove(t))
	}
	m.temps = nil
	return errors.Join(errs...)
}
