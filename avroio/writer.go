package avroio

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"unsafe"

	"github.com/hamba/avro/v2"
	"github.com/modern-go/reflect2"
)

// DefaultBlockSize is the default target of uncompressed bytes per block
// (Avro's Java writer uses 64000).
const DefaultBlockSize = 64 << 10

// WriteOption configures writing, per file (NewFileWriter) and in pipelines (Write).
type WriteOption func(*writeConfig)

type writeConfig struct {
	codec       Codec
	level       int
	blockSize   int
	schema      string
	sync        *[syncSize]byte
	meta        map[string][]byte
	partitionBy []string // PartitionBy: fields
	maxOpen     int      // MaxOpenPartitions
}

func newWriteConfig(opts []WriteOption) writeConfig {
	c := writeConfig{codec: CodecNull, level: -1, blockSize: DefaultBlockSize}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithCodec sets the block codec (default CodecNull).
func WithCodec(c Codec) WriteOption {
	return func(cfg *writeConfig) { cfg.codec = c }
}

// WithCompressionLevel sets the deflate level (compress/flate levels; default -1, flate.DefaultCompression).
func WithCompressionLevel(level int) WriteOption {
	return func(cfg *writeConfig) { cfg.level = level }
}

// WithBlockSize sets how many uncompressed bytes of records to gather before
// a block is written (default DefaultBlockSize). Smaller blocks mean finer
// splits; larger ones compress better.
func WithBlockSize(n int) WriteOption {
	return func(cfg *writeConfig) {
		if n > 0 {
			cfg.blockSize = n
		}
	}
}

// WithWriterSchema writes with the given schema (.avsc JSON) instead of the
// one derived from T; it is required for T = map[string]any.
func WithWriterSchema(avsc string) WriteOption {
	return func(cfg *writeConfig) { cfg.schema = avsc }
}

// PartitionBy writes a Hive-style partitioned table, as Spark's
// partitionBy does: Write puts each record in the directory its values of
// the top-level fields named here spell, in order
// (dir/dt=2026-11-26/country=SE/part-m-00000.avro), and those fields are
// left out of the files' schema, since Read fills them back from the path.
// A per-file FileWriter leaves them out too. Values are escaped as Spark
// escapes them; a nil pointer, or an empty string, is written as
// __HIVE_DEFAULT_PARTITION__ (read back as null); a time.Time as a date
// when it is midnight UTC, else as a UTC timestamp. Other than those,
// strings, integers, floats and bools, fields cannot partition.
func PartitionBy(fields ...string) WriteOption {
	return func(cfg *writeConfig) { cfg.partitionBy = fields }
}

// MaxOpenPartitions bounds how many partitions' files a task of a
// partitioned Write keeps open (default 32): meeting one more finishes the
// least recently written, and if that partition comes again the task
// starts another file in it (part-m-00000-1.avro).
func MaxOpenPartitions(n int) WriteOption { return func(cfg *writeConfig) { cfg.maxOpen = n } }

// WithSyncMarker fixes the sync marker (default: random), for reproducible
// files. Data that holds the marker breaks a reader that starts mid-file
// (see the package doc), so do not fix it where records may hold Avro files.
func WithSyncMarker(sync [16]byte) WriteOption {
	return func(cfg *writeConfig) { cfg.sync = &sync }
}

// WithMetadata adds a key to the header's metadata; keys starting with
// "avro." are reserved and rejected.
func WithMetadata(key string, value []byte) WriteOption {
	return func(cfg *writeConfig) {
		if cfg.meta == nil {
			cfg.meta = map[string][]byte{}
		}
		cfg.meta[key] = value
	}
}

// FileWriter writes values of T as one Avro object container file to an
// io.Writer. It is not safe for concurrent use.
type FileWriter[T any] struct {
	w         io.Writer
	schema    avro.Schema
	enc       avro.ValEncoder
	likePtr   bool
	v         *T           // the record being encoded: a local would escape per record
	dates     []dateField  // v's times written as Avro dates
	rec       *avro.Writer // one encoded record
	buf       []byte       // the current block's records
	count     int64
	blockSize int
	comp      blockCompressor
	sync      [syncSize]byte
	scratch   []byte
	err       error
	closed    bool

	// decimals checks v's *big.Rat values before they are encoded (nil if
	// T has none); records counts the records written, for its errors.
	decimals func(rec unsafe.Pointer) error
	records  int64
}

// NewFileWriter writes the container header to w and returns a writer for
// T's records. Close writes the last block; it does not close w.
func NewFileWriter[T any](w io.Writer, opts ...WriteOption) (*FileWriter[T], error) {
	cfg := newWriteConfig(opts)
	if err := cfg.codec.writable(); err != nil {
		return nil, err
	}
	t := reflect.TypeFor[T]()
	var schema avro.Schema
	var err error
	switch {
	case cfg.schema != "":
		schema, err = avro.ParseWithCache(cfg.schema, "", &avro.SchemaCache{})
		if err != nil {
			return nil, fmt.Errorf("avroio: writer schema: %w", err)
		}
		if why := decimalProblem(t); why != "" { // as deriveSchema does
			return nil, fmt.Errorf("avroio: writing %s: %s", t, why)
		}
	case isGeneric(t):
		return nil, fmt.Errorf("avroio: writing %s needs WithWriterSchema", t)
	default:
		if w := uncheckedNarrow(t); w != "" {
			// Written, it could not be read back into T: the read refuses it.
			return nil, fmt.Errorf("avroio: writing %s: field %s is a narrower integer than Avro's int or long, inside a record, array or map, which avroio could not read back into it (it cannot check there that a file's numbers fit): declare it int32 or int64", t, w)
		}
		schema, err = deriveSchema(t, nil, false)
		if err != nil {
			return nil, err
		}
	}
	if len(cfg.partitionBy) > 0 {
		_, fields, err := partitionDirs(t, cfg.partitionBy)
		if err != nil {
			return nil, err
		}
		if schema, err = withoutFields(schema, fields); err != nil {
			return nil, err
		}
	}
	if cfg.maxOpen < 0 {
		return nil, fmt.Errorf("avroio: %d open partitions: must be positive", cfg.maxOpen)
	}
	fw := &FileWriter[T]{
		w:         w,
		schema:    schema,
		blockSize: cfg.blockSize,
		comp:      blockCompressor{codec: cfg.codec, level: cfg.level},
		v:         new(T),
	}
	if !isGeneric(t) {
		if fw.dates, err = datesOf(t, schema); err != nil {
			return nil, err
		}
		if fw.decimals, err = decimalChecker(t, schema); err != nil {
			return nil, fmt.Errorf("avroio: writing %s: %w", t, err)
		}
	}
	rt := reflect2.Type2(t)
	api := apiFor(DefaultMaxBlockSize)
	fw.enc = api.EncoderOf(schema, rt)
	fw.likePtr = rt.LikePtr()
	fw.rec = avro.NewWriter(nil, 512, avro.WithWriterConfig(api))
	if cfg.sync != nil {
		fw.sync = *cfg.sync
	} else if _, err := rand.Read(fw.sync[:]); err != nil {
		return nil, fmt.Errorf("avroio: sync marker: %w", err)
	}

	meta := map[string][]byte{}
	for k, v := range cfg.meta {
		if strings.HasPrefix(k, "avro.") {
			return nil, fmt.Errorf("avroio: metadata key %q is reserved", k)
		}
		meta[k] = v
	}
	// The full JSON, not String()'s canonical form, which drops defaults,
	// aliases, docs and properties that readers resolve with.
	full, err := json.Marshal(schema)
	if err != nil {
		return nil, fmt.Errorf("avroio: writer schema: %w", err)
	}
	meta["avro.schema"] = full
	meta["avro.codec"] = []byte(cfg.codec)
	h := append([]byte(nil), magic[:]...)
	h = appendLong(h, int64(len(meta)))
	for _, k := range slices.Sorted(maps.Keys(meta)) {
		h = appendLong(h, int64(len(k)))
		h = append(h, k...)
		h = appendLong(h, int64(len(meta[k])))
		h = append(h, meta[k]...)
	}
	h = appendLong(h, 0)
	h = append(h, fw.sync[:]...)
	if _, err := w.Write(h); err != nil {
		return nil, fmt.Errorf("avroio: writing header: %w", err)
	}
	return fw, nil
}

// Schema returns the schema the file is written with.
func (fw *FileWriter[T]) Schema() avro.Schema { return fw.schema }

// Write appends v to the current block, writing the block out once it holds
// the configured block size.
func (fw *FileWriter[T]) Write(v T) error {
	if fw.err != nil {
		return fw.err
	}
	if fw.closed {
		return errors.New("avroio: write after close")
	}
	*fw.v = v
	if fw.decimals != nil {
		if err := fw.decimals(unsafe.Pointer(fw.v)); err != nil {
			// Refused before hamba/avro writes it truncated.
			return fmt.Errorf("avroio: writing %T, record %d: %w", v, fw.records, err)
		}
	}
	for _, d := range fw.dates {
		d.toDay(unsafe.Pointer(fw.v))
	}
	p := unsafe.Pointer(fw.v)
	if fw.likePtr {
		p = *(*unsafe.Pointer)(p)
	}
	fw.enc.Encode(p, fw.rec)
	if err := fw.rec.Error; err != nil {
		fw.rec.Error = nil
		fw.rec.Reset(nil)
		return fmt.Errorf("avroio: encoding %T: %w", v, err)
	}
	rec := fw.rec.Buffer()
	if len(rec) > DefaultMaxBlockSize {
		// A block holds whole records, and readers refuse blocks over
		// DefaultMaxBlockSize unless told otherwise: refused, not written
		// into a file that no reader takes by default.
		fw.rec.Reset(nil)
		return fmt.Errorf("avroio: writing %T, record %d: %d bytes encoded, more than a block may hold (%d, DefaultMaxBlockSize, which readers refuse beyond)", v, fw.records, len(rec), DefaultMaxBlockSize)
	}
	if fw.count > 0 && len(fw.buf)+len(rec) > DefaultMaxBlockSize {
		if err := fw.Flush(); err != nil {
			fw.rec.Reset(nil)
			return err
		}
	}
	fw.buf = append(fw.buf, rec...)
	fw.rec.Reset(nil)
	fw.count++
	fw.records++
	if len(fw.buf) >= fw.blockSize {
		return fw.Flush()
	}
	return nil
}

// Flush writes the records written so far as a block (nothing if there are none).
func (fw *FileWriter[T]) Flush() error {
	if fw.err != nil || fw.count == 0 {
		return fw.err
	}
	data, err := fw.comp.compress(fw.buf)
	if err != nil {
		fw.err = fmt.Errorf("avroio: compressing block: %w", err)
		return fw.err
	}
	if len(data) > DefaultMaxBlockSize {
		// Incompressible records near the limit can grow (snappy by up to
		// a sixth): such a block would be refused when read.
		fw.err = fmt.Errorf("avroio: a block of %d records (%d bytes) compresses to %d bytes, more than readers take by default (DefaultMaxBlockSize, %d): write smaller records, or without compression", fw.count, len(fw.buf), len(data), DefaultMaxBlockSize)
		return fw.err
	}
	h := appendLong(fw.scratch[:0], fw.count)
	h = appendLong(h, int64(len(data)))
	fw.scratch = h
	for _, b := range [][]byte{h, data, fw.sync[:]} {
		if _, err := fw.w.Write(b); err != nil {
			fw.err = fmt.Errorf("avroio: writing block: %w", err)
			return fw.err
		}
	}
	fw.buf = fw.buf[:0]
	fw.count = 0
	return nil
}

// Close writes the last block and releases the compressor. It does not close
// the underlying writer; the file is complete only if Close returns nil.
func (fw *FileWriter[T]) Close() error {
	if fw.closed {
		return fw.err
	}
	err := fw.Flush()
	fw.closed = true
	if cerr := fw.comp.close(); err == nil && cerr != nil {
		err = fmt.Errorf("avroio: closing compressor: %w", cerr)
	}
	if fw.err == nil {
		fw.err = err
	}
	return err
}
