package shuffle

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MaxRecord bounds a key or value length a reader accepts, so a corrupt
// length cannot make it allocate without limit.
const MaxRecord = 1 << 30

// AppendRecord appends the framing of one (key, value) record to b.
func AppendRecord(b, key, value []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(key)))
	b = append(b, key...)
	b = binary.AppendUvarint(b, uint64(len(value)))
	return append(b, value...)
}

// AppendFrame appends one length-prefixed blob to b (the framing of
// intermediate and materialized record files).
func AppendFrame(b, rec []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(rec)))
	return append(b, rec...)
}

// CorruptError reports malformed framing, with where it was found.
type CorruptError struct {
	Name   string // the file or segment
	Offset int64  // byte offset of the bad record within the stream
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("corrupt shuffle data in %s at offset %d: %s", e.Name, e.Offset, e.Reason)
}

// Reader reads framed blobs from a buffered stream. The slices it returns
// are valid until the next call.
type Reader struct {
	r    *bufio.Reader
	name string
	off  int64
	buf  []byte
	// win is the part of r's buffer that Record parses whole records from,
	// and used how many of its bytes it has returned: r learns of them (one
	// Discard) only when win runs out, not at every record.
	win  []byte
	used int
}

// sync discards from r what Record has returned from win, before anything
// else reads r.
func (r *Reader) sync() {
	if r.used > 0 {
		r.r.Discard(r.used)
		r.used = 0
	}
	r.win = nil
}

// NewReader reads frames from r; name is used in errors.
func NewReader(r *bufio.Reader, name string) *Reader { return &Reader{r: r, name: name} }

// Frame reads the next blob. It returns io.EOF at a clean end of stream.
func (r *Reader) Frame() ([]byte, error) {
	r.sync()
	start := r.off
	n, err := r.uvarint()
	if err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, r.corrupt(start, "length", err)
	}
	b, err := r.read(n, &r.buf)
	if err != nil {
		return nil, r.corrupt(start, "blob", err)
	}
	return b, nil
}

// Frames calls fn with every remaining blob, in order, until the end of the
// stream (nil), a corrupt frame or fn's first error. The blob is valid only
// during the call.
func (r *Reader) Frames(fn func([]byte) error) error {
	for {
		b, err := r.Frame()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
	}
}

// Record reads the next (key, value) record and returns it as slices valid
// until the next call: into the reader's buffer when the record is whole in
// it, else into the caller's buffers, which it grows as needed. It returns
// io.EOF at a clean end of stream.
func (r *Reader) Record(kbuf, vbuf *[]byte) (key, value []byte, err error) {
	if key, value, ok := r.bufferedRecord(); ok {
		return key, value, nil
	}
	r.sync()
	start := r.off
	n, err := r.uvarint()
	if err != nil {
		if err == io.EOF {
			return nil, nil, io.EOF
		}
		return nil, nil, r.corrupt(start, "key length", err)
	}
	if key, err = r.read(n, kbuf); err != nil {
		return nil, nil, r.corrupt(start, "key", err)
	}
	if n, err = r.uvarint(); err != nil {
		return nil, nil, r.corrupt(start, "value length", noEOF(err))
	}
	if value, err = r.read(n, vbuf); err != nil {
		return nil, nil, r.corrupt(start, "value", err)
	}
	return key, value, nil
}

// bufferedRecord reads the next record if it is whole in the reader's
// buffer and well formed, parsing it in place; otherwise it consumes
// nothing and Record takes the byte-by-byte path, which reports errors.
// The slices it returns point into the buffer, which the bufio.Reader
// leaves as it is until the next read (a merge holds one record per run
// and reads a run's next only when its record is used up, so copying each
// key and value out, as this did, only cost time).
func (r *Reader) bufferedRecord() (key, value []byte, ok bool) {
	if key, value, ok = r.parse(); !ok {
		r.sync()
		r.win, _ = r.r.Peek(r.r.Buffered())
		key, value, ok = r.parse()
	}
	return key, value, ok
}

// parse returns the next record of win if it is whole there and well
// formed.
func (r *Reader) parse() (key, value []byte, ok bool) {
	b := r.win[r.used:]
	kl, n := binary.Uvarint(b)
	if n <= 0 || kl > MaxRecord || kl > uint64(len(b)-n) {
		return nil, nil, false
	}
	kend := n + int(kl)
	vl, m := binary.Uvarint(b[kend:])
	if m <= 0 || vl > MaxRecord || vl > uint64(len(b)-kend-m) {
		return nil, nil, false
	}
	vstart := kend + m
	end := vstart + int(vl)
	key, value = b[n:kend:kend], b[vstart:end:end]
	r.used += end
	r.off += int64(end)
	return key, value, true
}

func (r *Reader) corrupt(off int64, what string, err error) error {
	return &CorruptError{Name: r.name, Offset: off, Reason: fmt.Sprintf("reading %s: %v", what, err)}
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

var errTooLong = errors.New("length exceeds the record limit")

func (r *Reader) uvarint() (uint64, error) {
	var x uint64
	var s uint
	for i := 0; ; i++ {
		c, err := r.r.ReadByte()
		if err != nil {
			if i > 0 {
				return 0, noEOF(err)
			}
			return 0, err
		}
		r.off++
		if i == binary.MaxVarintLen64 {
			return 0, errors.New("varint overflows 64 bits")
		}
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				return 0, errors.New("varint overflows 64 bits")
			}
			return x | uint64(c)<<s, nil
		}
		x |= uint64(c&0x7f) << s
		s += 7
	}
}

func (r *Reader) read(n uint64, buf *[]byte) ([]byte, error) {
	if n > MaxRecord {
		return nil, errTooLong
	}
	if uint64(cap(*buf)) < n {
		*buf = make([]byte, n, max(n, 64))
	}
	b := (*buf)[:n]
	if _, err := io.ReadFull(r.r, b); err != nil {
		return nil, noEOF(err)
	}
	r.off += int64(n)
	return b, nil
}
