package avroio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"

	"github.com/crunchgo/crunchgo/internal/filesplit"
	"github.com/crunchgo/crunchgo/internal/partprune"
	"github.com/crunchgo/crunchgo/internal/partwrite"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
)

// DefaultMinSplitSize is the smallest byte range Read cuts a file into
// when planning splits (see WithSplitSize).
const DefaultMinSplitSize = 1 << 20

// Counter names, in group "avroio".
const (
	CounterGroup          = "avroio"
	CounterRecordsRead    = "records read"
	CounterSkippedBlocks  = "corrupt blocks skipped"
	CounterSkippedBytes   = "corrupt bytes skipped"
	CounterRecordsWritten = "records written"
	CounterPartitionFiles = "partition files written"
	CounterFilesPruned    = "files pruned"
)

// WithSplitSize makes Read cut files into byte ranges of n bytes when
// planning splits, instead of sizing them from the runner's hint (at least
// DefaultMinSplitSize each).
func WithSplitSize(n int64) ReadOption {
	return func(c *readConfig) {
		if n > 0 {
			c.splitSize = n
		}
	}
}

// Read reads the Avro container files matching pattern (a file, a directory
// of data files or a glob; any storage URL) as a collection of T, resolving
// each file's schema against the one derived from T (or WithReaderSchema's).
// It panics with a build error if T has no Avro schema; see TryRead.
func Read[T any](p *pcollection.Pipeline, pattern string, opts ...ReadOption) pcollection.PCollection[T] {
	return pcollection.Must(TryRead[T](p, pattern, opts...))
}

// TryRead is Read returning the build error instead of panicking.
func TryRead[T any](p *pcollection.Pipeline, pattern string, opts ...ReadOption) (pcollection.PCollection[T], error) {
	cfg := newReadConfig(opts)
	if cfg.readerSchema == "" && !isGeneric(reflect.TypeFor[T]()) {
		if _, err := deriveSchema(reflect.TypeFor[T](), nil, true); err != nil {
			return pcollection.PCollection[T]{}, pcollection.Build("avroio.Read", nil).Errorf("%v", err)
		}
	}
	src := &source[T]{pattern: pattern, opts: opts, cfg: cfg}
	return pcollection.NewSource[T](p, "avroio.Read", src), nil
}

// ReadGeneric reads Avro files as maps from field name to value, with the
// writer's schema (or WithReaderSchema's): Avro long is int64, int is int,
// timestamp-millis is time.Time, a nested record is map[string]any.
func ReadGeneric(p *pcollection.Pipeline, pattern string, opts ...ReadOption) pcollection.PCollection[map[string]any] {
	return Read[map[string]any](p, pattern, opts...)
}

type source[T any] struct {
	pattern string
	opts    []ReadOption
	cfg     readConfig
}

func (s *source[T]) Describe() string {
	return fmt.Sprintf("avro %s as %s", s.pattern, reflect.TypeFor[T]())
}

// Pattern is the pattern of the files the source reads (plan.FileSource).
func (s *source[T]) Pattern() string { return s.pattern }

// ReadFiles lists the files the source reads, those WherePartition
// keeps (plan.PrunedFileSource).
func (s *source[T]) ReadFiles(ctx context.Context) ([]string, error) {
	return partprune.URLs(ctx, s.pattern, s.cfg.wherePartition)
}

var _ plan.PrunedFileSource = (*source[struct{}])(nil)

// EstimateSize is the size of the files WherePartition keeps.
func (s *source[T]) EstimateSize(ctx context.Context) int64 {
	return partprune.Size(ctx, s.pattern, s.cfg.wherePartition)
}

// Splits gives each file one split, or cuts large files into byte ranges so
// that there are about hint splits overall; a range reads the blocks whose
// preceding sync marker starts inside it. It first reads every file's
// header (several at once) and matches its schema to T's, so that a file T
// cannot be read from fails the job once, before any task runs, as
// parquetio does. Files that WherePartition leaves out are not opened.
func (s *source[T]) Splits(ctx context.Context, hint int) ([]plan.Split, error) {
	files, pruned, err := partprune.Files(ctx, s.pattern, s.cfg.wherePartition)
	if err != nil {
		return nil, fmt.Errorf("avroio: %w", err)
	}
	var mu sync.Mutex
	matched := map[[32]byte]bool{} // writer schemas' fingerprints
	// An empty file fails here with the header's error: ByteRanges gives
	// it no split, so no task would open it.
	err = filesplit.EachFile(files, func(_ int, fi storage.FileInfo) error {
		fr, close, err := s.open(ctx, fi.URL)
		if err != nil {
			return err
		}
		defer close()
		// Partition values differ between files of one schema.
		t := reflect.TypeFor[T]()
		fromPath := pathFields(fi.URL, t, fr.schema, &fr.cfg)
		if _, err := partitionSetter(fi.URL, t, fromPath); err != nil {
			return err
		}
		fp := fr.schema.Fingerprint()
		mu.Lock()
		done := matched[fp]
		mu.Unlock()
		if done {
			return nil
		}
		if _, _, _, err := resolveSchema[T](fr, fromPath); err != nil {
			return err
		}
		mu.Lock()
		matched[fp] = true
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	size := filesplit.RangeSize(files, hint, s.cfg.splitSize, DefaultMinSplitSize)
	out := filesplit.ByteRanges(files, size, nil)
	partprune.CountPruned(out, pruned)
	return out, nil
}

// open opens the file at url and reads its header; close closes both.
func (s *source[T]) open(ctx context.Context, url string) (fr *FileReader, close func(), err error) {
	f, err := storage.Open(ctx, url)
	if err != nil {
		return nil, nil, fmt.Errorf("avroio: %w", err)
	}
	if fr, err = NewFileReader(url, f, f.Size(), s.opts...); err != nil {
		f.Close()
		return nil, nil, err
	}
	return fr, func() { fr.Close(); f.Close() }, nil
}

func (s *source[T]) Read(ctx context.Context, tc plan.TaskContext, split plan.Split, out plan.Emitter) error {
	emit := out.(func(T))
	if split.Pruned > 0 {
		tc.Counter(CounterGroup, CounterFilesPruned).Inc(int64(split.Pruned))
	}
	fr, close, err := s.open(ctx, split.Path)
	if err != nil {
		return permanentIfData(err)
	}
	defer close()
	d, err := NewDecoder[T](fr)
	if err != nil {
		return plan.Permanent(err) // T does not fit the file's schema
	}
	var n int64
	err = d.ReadRange(ctx, split.Offset, split.Length, func(v T) { n++; emit(v) })
	tc.Counter(CounterGroup, CounterRecordsRead).Inc(n)
	if blocks, bytes := fr.Skipped(); blocks > 0 {
		tc.Counter(CounterGroup, CounterSkippedBlocks).Inc(blocks)
		tc.Counter(CounterGroup, CounterSkippedBytes).Inc(bytes)
	}
	return permanentIfData(err)
}

// permanentIfData marks an error in the data itself plan.Permanent: unlike
// an I/O error, reading the same bytes again fails the same way.
func permanentIfData(err error) error {
	if errors.Is(err, ErrCorrupt) || errors.As(err, new(*nullFieldError)) || errors.As(err, new(*rangeError)) {
		return plan.Permanent(err)
	}
	return err
}

// Write writes c as Avro container files in dir, one part file per task
// (part-m-00000.avro, ...), committed when the job succeeds. It panics with a
// build error if T has no Avro schema; see TryWrite.
func Write[T any](c pcollection.PCollection[T], dir string, opts ...WriteOption) {
	if err := TryWrite(c, dir, opts...); err != nil {
		panic(err)
	}
}

// TryWrite is Write returning the build error instead of panicking.
func TryWrite[T any](c pcollection.PCollection[T], dir string, opts ...WriteOption) error {
	// Make one writer now so that schema and option errors surface at build time.
	fw, err := NewFileWriter[T](io.Discard, opts...)
	if err != nil {
		return pcollection.Build("avroio.Write", nil).Errorf("%v", err)
	}
	_ = fw.Close()
	cfg := newWriteConfig(opts)
	pcollection.NewSink(c, "avroio.Write", &sink[T]{dir: dir, opts: opts, partitionBy: cfg.partitionBy, maxOpen: cfg.maxOpen})
	return nil
}

type sink[T any] struct {
	dir         string
	opts        []WriteOption
	partitionBy []string
	maxOpen     int
}

// PartitionKeys are the fields of PartitionBy (plan.PartitionedSinkPayload).
func (s *sink[T]) PartitionKeys() []string { return s.partitionBy }

// NewPartitionedWriter writes each record to its partition's part file
// (plan.PartitionedSinkPayload).
func (s *sink[T]) NewPartitionedWriter(ctx context.Context, tc plan.TaskContext, open plan.OpenPart) (plan.Emitter, func() error, error) {
	dirs, _, err := partitionDirs(reflect.TypeFor[T](), s.partitionBy)
	if err != nil {
		return nil, nil, err
	}
	emit, closeFn := partwrite.Sink[T](open, dirs,
		func(w io.Writer) (plan.Emitter, func() error, error) { return s.NewWriter(ctx, tc, w) },
		s.maxOpen, tc.Counter(CounterGroup, CounterPartitionFiles))
	return emit, closeFn, nil
}

func (s *sink[T]) URL() string { return s.dir }
func (s *sink[T]) Ext() string { return ".avro" }

// CheckAppend refuses files in the directory that T cannot read
// (plan.AppendChecker), as reading the directory as T would.
func (s *sink[T]) CheckAppend(ctx context.Context) error {
	if _, err := (&source[T]{pattern: s.dir, cfg: newReadConfig(nil)}).Splits(ctx, 1); err != nil {
		return fmt.Errorf("appending %s records would mix them with files they cannot be read with: %w", reflect.TypeFor[T](), err)
	}
	return nil
}

func (s *sink[T]) NewWriter(ctx context.Context, tc plan.TaskContext, w io.Writer) (plan.Emitter, func() error, error) {
	fw, err := NewFileWriter[T](w, s.opts...)
	if err != nil {
		return nil, nil, err
	}
	written := tc.Counter(CounterGroup, CounterRecordsWritten)
	emit := func(v T) {
		if err := fw.Write(v); err != nil {
			if errors.As(err, new(decimalValueError)) {
				err = plan.Permanent(err)
			}
			plan.Raise(err)
		}
		written.Inc(1)
	}
	return emit, fw.Close, nil
}
