package avroio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/hamba/avro/v2"

	"github.com/crunchgo/crunchgo/internal/fileformat"
)

// DefaultMaxBlockSize is the default limit on a block's size, compressed and
// decompressed. A block claiming more is corrupt (see WithMaxBlockSize).
const DefaultMaxBlockSize = 64 << 20

// maxHeaderSize limits the header (schema and metadata) a reader will buffer.
const maxHeaderSize = 16 << 20

// ReadOption configures reading, both per file (NewFileReader, NewDecoder)
// and in pipelines (Read, ReadGeneric).
type ReadOption func(*readConfig)

type readConfig struct {
	readerSchema string
	localAsLongs bool
	lenient      bool
	maxBlockSize int64
	splitSize    int64
	required     []string // RequireFields

	wherePartition func(Partition) bool // nil: every file
}

func newReadConfig(opts []ReadOption) readConfig {
	c := readConfig{maxBlockSize: DefaultMaxBlockSize}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithReaderSchema reads records with the given reader schema (an .avsc JSON
// text) instead of one derived from the Go type; data written with another
// schema is resolved against it (Avro schema resolution).
func WithReaderSchema(avsc string) ReadOption {
	return func(c *readConfig) { c.readerSchema = avsc }
}

// RequireFields makes a file whose schema lacks one of the named fields of
// the top-level record (or all of its aliases) fail to open, though the Go
// field could read it as nil or its default: for a field that may hold
// nulls but must be there, where a file without it is the wrong file, not
// an older one. A name that is not a field of the schema the file is read
// as fails every open.
func RequireFields(names ...string) ReadOption {
	return func(c *readConfig) { c.required = append(c.required, names...) }
}

// LocalTimestampsAsLongs makes generic reads (ReadGeneric, a Decoder of
// map[string]any or any) give local-timestamp-millis and -micros fields
// (wall clocks with no zone, Spark's TIMESTAMP_NTZ) as their int64 values:
// the wall clock's milliseconds or microseconds since 1970-01-01T00:00, as
// if in UTC. Otherwise hamba/avro gives a time.Time in time.Local, made by
// taking the zone's offset off an instant: in a zone with daylight saving
// time a wall clock near a change comes out an hour off, and some cannot be
// told apart. Typed reads are unaffected (read such a field into an int64).
func LocalTimestampsAsLongs() ReadOption {
	return func(c *readConfig) { c.localAsLongs = true }
}

// Lenient skips corrupt blocks instead of failing: reading resumes at the
// next sync marker. Skips are counted (FileReader.Skipped; counter "avroio",
// "corrupt blocks skipped" in pipelines). A block whose records fail to decode
// part way through has already delivered the records before the bad one.
func Lenient() ReadOption {
	return func(c *readConfig) { c.lenient = true }
}

// WithMaxBlockSize sets the largest block, compressed or decompressed, and so
// the largest string or bytes value, a reader accepts (default
// DefaultMaxBlockSize). Bigger claims are reported as corrupt, never allocated.
func WithMaxBlockSize(n int64) ReadOption {
	return func(c *readConfig) {
		if n > 0 {
			c.maxBlockSize = n
		}
	}
}

// FileReader reads the blocks of one Avro object container file. It is not
// safe for concurrent use; open one per task (the io.ReaderAt may be shared).
type FileReader struct {
	path   string
	r      io.ReaderAt
	size   int64
	cfg    readConfig
	h      *header
	schema avro.Schema // the writer's schema
	minRec int64       // lower bound on a record's encoded size

	raw          []byte // a block's bytes and trailing sync marker
	scan         []byte // buffer for sync marker search
	dec          blockDecompressor
	skipped      int64
	skippedBytes int64
	from         int64 // where the byte range being read starts, for errors
}

// NewFileReader reads the header of the container file at path (used in
// errors) from r, which holds size bytes.
func NewFileReader(path string, r io.ReaderAt, size int64, opts ...ReadOption) (*FileReader, error) {
	f := &FileReader{path: path, r: r, size: size, cfg: newReadConfig(opts)}
	n := min(size, 4096)
	for {
		buf := make([]byte, n)
		if err := f.readAt(buf, 0); err != nil {
			return nil, fmt.Errorf("avroio: %s: reading header: %w", path, err)
		}
		h, err := parseHeader(buf, size)
		if errors.Is(err, errShortHeader) {
			if n >= maxHeaderSize {
				return nil, f.corrupt(HeaderBlock, 0, corruptf("header exceeds %d bytes", maxHeaderSize))
			}
			n = min(size, n*4, maxHeaderSize)
			continue
		}
		if errors.Is(err, ErrCorrupt) {
			if is := fileformat.Of(buf, r, size); is != fileformat.Avro && is != fileformat.Unknown {
				err = fileformat.Mismatch("Avro", is, ErrCorrupt) // say what it is instead
			}
			return nil, f.corrupt(HeaderBlock, 0, err)
		}
		if err != nil {
			return nil, fmt.Errorf("avroio: %s: %w", path, err)
		}
		f.h = h
		break
	}
	schemaJSON, ok := f.h.meta["avro.schema"]
	if !ok {
		return nil, f.corrupt(HeaderBlock, 0, corruptf("header lacks avro.schema"))
	}
	s, err := avro.ParseBytesWithCache(schemaJSON, "", &avro.SchemaCache{})
	if err != nil {
		return nil, f.corrupt(HeaderBlock, 0, corruptf("writer schema: %v", err))
	}
	f.schema = s
	f.minRec = minEncodedSize(s)
	f.dec = blockDecompressor{codec: f.h.codec, max: f.cfg.maxBlockSize}
	return f, nil
}

// Path returns the path the reader was opened with.
func (f *FileReader) Path() string { return f.path }

// Schema returns the writer's schema, from the header.
func (f *FileReader) Schema() avro.Schema { return f.schema }

// Codec returns the file's block codec.
func (f *FileReader) Codec() Codec { return f.h.codec }

// Metadata returns the header's metadata map; callers must not modify it.
func (f *FileReader) Metadata() map[string][]byte { return f.h.meta }

// HeaderSize returns the length of the header, sync marker included: the
// offset of the first block.
func (f *FileReader) HeaderSize() int64 { return f.h.size }

// Skipped returns how many corrupt blocks a lenient reader skipped, and how
// many bytes it skipped doing so.
func (f *FileReader) Skipped() (blocks, bytes int64) { return f.skipped, f.skippedBytes }

// Close releases the decompressor; it does not close the io.ReaderAt.
func (f *FileReader) Close() error {
	f.dec.close()
	return nil
}

// Block is one data block of a container file.
type Block struct {
	Index  int   // blocks counted from the start of the range read
	Offset int64 // file offset of the block's record count
	Count  int64 // records in the block
	Size   int64 // bytes in the file: count, size, data and sync marker
	// Data holds the decompressed records, valid until the next block is read.
	Data []byte
}

// Blocks iterates over the blocks owned by the byte range [off, off+length)
// of the file; length < 0 means to the end of the file. A block is owned by
// the range in which the sync marker before it starts (the header's marker
// for the first block), so ranges that tile the file read every block exactly
// once. Errors are *CorruptError (errors.Is ErrCorrupt) or I/O errors; in
// lenient mode corrupt blocks are skipped and counted instead.
func (f *FileReader) Blocks(off, length int64) iter.Seq2[*Block, error] {
	return func(yield func(*Block, error) bool) {
		var b Block
		err := f.blocks(off, length, &b, func() bool { return yield(&b, nil) })
		if err != nil {
			yield(nil, err)
		}
	}
}

// blocks calls fn with b filled in for each block owned by [off, off+length).
// fn returns false to stop.
func (f *FileReader) blocks(off, length int64, b *Block, fn func() bool) error {
	if off < 0 {
		return fmt.Errorf("avroio: %s: negative offset %d", f.path, off)
	}
	f.from = off
	end := f.size
	if length >= 0 && off <= f.size-length {
		end = off + length
	}
	syncAt := f.h.size - syncSize
	if off > syncAt {
		p, ok, err := f.findSync(off, end)
		if err != nil || !ok {
			return err
		}
		syncAt = p
	}
	for index := 0; syncAt < end; index++ {
		at := syncAt + syncSize
		if at >= f.size {
			return nil
		}
		next, err := f.readBlock(at, index, b)
		if err != nil {
			if !f.cfg.lenient || !errors.Is(err, ErrCorrupt) {
				return err
			}
			p, ok, serr := f.findSync(at, end)
			if serr != nil {
				return serr
			}
			f.skipped++
			if !ok {
				f.skippedBytes += min(end+syncSize, f.size) - at
				return nil
			}
			f.skippedBytes += p - at
			syncAt = p
			continue
		}
		if !fn() {
			return nil
		}
		syncAt = next - syncSize
	}
	return nil
}

// at reports err, which is not about corrupt data (Lenient does not skip
// it), at a block of f.
func (f *FileReader) at(block int, off int64, err error) error {
	return fmt.Errorf("avroio: %s: %w", blockAt(f.path, block, off, f.from), err)
}

func (f *FileReader) corrupt(block int, off int64, err error) error {
	e := &CorruptError{Path: f.path, Block: block, Offset: off, Err: err}
	if block != HeaderBlock {
		e.From = f.from
	}
	return e
}

// readAt fills p from offset off, treating a short read as an error.
func (f *FileReader) readAt(p []byte, off int64) error {
	n, err := f.r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// readBlock reads the block at offset at into b and returns the offset just
// past its sync marker.
func (f *FileReader) readBlock(at int64, index int, b *Block) (int64, error) {
	var hdr [2 * maxVarint]byte
	n := int(min(int64(len(hdr)), f.size-at))
	if err := f.readAt(hdr[:n], at); err != nil {
		return 0, fmt.Errorf("avroio: %s: block %d at offset %d: %w", f.path, index, at, err)
	}
	count, n1 := readLong(hdr[:n])
	if n1 <= 0 {
		return 0, f.corrupt(index, at, corruptf("bad or truncated record count"))
	}
	size, n2 := readLong(hdr[n1:n])
	if n2 <= 0 {
		return 0, f.corrupt(index, at, corruptf("bad or truncated block size"))
	}
	if count < 0 {
		return 0, f.corrupt(index, at, corruptf("negative record count %d", count))
	}
	if size < 0 {
		return 0, f.corrupt(index, at, corruptf("negative block size %d", size))
	}
	if size > f.cfg.maxBlockSize {
		return 0, f.corrupt(index, at, corruptf("block size %d exceeds limit %d (WithMaxBlockSize raises it for files with larger blocks)", size, f.cfg.maxBlockSize))
	}
	data := at + int64(n1+n2)
	if left := f.size - data; size+syncSize > left {
		return 0, f.corrupt(index, at, corruptf("truncated block: %d bytes of data and sync marker, %d bytes left in file", size+syncSize, left))
	}
	if int64(cap(f.raw)) < size+syncSize {
		f.raw = make([]byte, size+syncSize)
	}
	raw := f.raw[:size+syncSize]
	if err := f.readAt(raw, data); err != nil {
		return 0, fmt.Errorf("avroio: %s: block %d at offset %d: %w", f.path, index, at, err)
	}
	if !bytes.Equal(raw[size:], f.h.sync[:]) {
		return 0, f.corrupt(index, at, corruptf("sync marker at offset %d does not match the header's", data+size))
	}
	out, err := f.dec.decompress(raw[:size])
	if err != nil {
		return 0, f.corrupt(index, at, corruptf("%v", err))
	}
	if f.minRec > 0 && count > int64(len(out))/f.minRec || f.minRec == 0 && count > f.cfg.maxBlockSize {
		return 0, f.corrupt(index, at, corruptf("block claims %d records in %d bytes", count, len(out)))
	}
	*b = Block{Index: index, Offset: at, Count: count, Size: data + size + syncSize - at, Data: out}
	return data + size + syncSize, nil
}

// findSync returns the offset of the first sync marker that starts in
// [from, limit).
func (f *FileReader) findSync(from, limit int64) (int64, bool, error) {
	const chunk = 64 << 10
	if f.scan == nil {
		f.scan = make([]byte, chunk)
	}
	for p := from; p < limit && p+syncSize <= f.size; {
		n := min(int64(chunk), f.size-p)
		buf := f.scan[:n]
		if err := f.readAt(buf, p); err != nil {
			return 0, false, fmt.Errorf("avroio: %s: searching for a sync marker at offset %d: %w", f.path, p, err)
		}
		if i := bytes.Index(buf, f.h.sync[:]); i >= 0 {
			return p + int64(i), p+int64(i) < limit, nil
		}
		if p+n >= f.size {
			break
		}
		p += n - (syncSize - 1)
	}
	return 0, false, nil
}
