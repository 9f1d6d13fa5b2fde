package parquetio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sync/atomic"

	"github.com/crunchgo/crunchgo/internal/filesplit"
	"github.com/crunchgo/crunchgo/internal/partwrite"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/parquet-go/parquet-go"
)

// Counter names, in group "parquetio".
const (
	CounterGroup            = "parquetio"
	CounterRowsRead         = "rows read"
	CounterRowGroupsRead    = "row groups read"
	CounterRowGroupsPruned  = "row groups pruned"
	CounterFilesPruned      = "files pruned"
	CounterCorruptRowGroups = "corrupt row groups skipped"
	CounterRowsWritten      = "rows written"
	CounterPartitionFiles   = "partition files written"
)

// Read reads the Parquet files matching pattern (a file, a directory of
// data files or a glob; any storage URL) as a collection of T, reading only
// the columns T names. Splits are runs of whole row groups. Every file's
// schema is matched to T's when the splits are planned, so that a file T
// does not fit fails the job before any task runs (a *SchemaError); nulls T
// cannot hold fail the task that meets them. It panics with a build error
// if T has no Parquet schema; see TryRead.
func Read[T any](p *pcollection.Pipeline, pattern string, opts ...ReadOption) pcollection.PCollection[T] {
	return pcollection.Must(TryRead[T](p, pattern, opts...))
}

// TryRead is Read returning the build error instead of panicking.
func TryRead[T any](p *pcollection.Pipeline, pattern string, opts ...ReadOption) (pcollection.PCollection[T], error) {
	if err := readableType[T](); err != nil {
		return pcollection.PCollection[T]{}, pcollection.Build("parquetio.Read", nil).Errorf("%v", err)
	}
	src := &source[T]{pattern: pattern, opts: opts, cfg: newReadConfig(opts)}
	return pcollection.NewSource[T](p, "parquetio.Read", src), nil
}

type source[T any] struct {
	pattern string
	opts    []ReadOption
	cfg     readConfig
}

func (s *source[T]) Describe() string {
	d := fmt.Sprintf("parquet %s as %s", s.pattern, reflect.TypeFor[T]())
	if s.cfg.hasFilter {
		d += " where " + s.cfg.filter.String()
	}
	return d
}

// Pattern is the pattern of the files the source reads (plan.FileSource).
func (s *source[T]) Pattern() string { return s.pattern }

// ReadFiles lists the files the source reads, those the filter does not
// rule out by their paths (plan.PrunedFileSource). A file whose own
// column the filter judges, where its path names it too, is listed by its
// path.
func (s *source[T]) ReadFiles(ctx context.Context) ([]string, error) {
	files, err := storage.DataFiles(ctx, s.pattern)
	if err != nil {
		return nil, err
	}
	keep, err := s.keepByPath(files)
	if err != nil {
		return nil, err
	}
	var urls []string
	for i, f := range files {
		if keep[i] {
			urls = append(urls, f.URL)
		}
	}
	return urls, nil
}

var _ plan.PrunedFileSource = (*source[struct{}])(nil)

// EstimateSize is the size of the files the filter does not rule out by
// their paths.
func (s *source[T]) EstimateSize(ctx context.Context) int64 {
	if !s.cfg.hasFilter {
		return filesplit.Size(ctx, s.pattern)
	}
	files, err := storage.DataFiles(ctx, s.pattern)
	if err != nil {
		return -1
	}
	keep, err := s.keepByPath(files)
	if err != nil {
		return filesplit.Total(files) // Splits reports the error
	}
	var n int64
	for i, f := range files {
		if keep[i] {
			n += f.Size
		}
	}
	return n
}

// Splits reads every file's footer (several files at once), matches its
// schema to T's, and groups consecutive row groups into about hint splits
// overall (one row group at least). A split is the byte range from its
// first row group's start to the next split's; the ranges tile each file,
// so every row group is read exactly once. Files that a filter rules out
// by their partition values (see keepByPath) are left out unopened.
func (s *source[T]) Splits(ctx context.Context, hint int) ([]plan.Split, error) {
	files, err := storage.DataFiles(ctx, s.pattern)
	if err != nil {
		return nil, fmt.Errorf("parquetio: %w", err)
	}
	keep, err := s.keepByPath(files)
	if err != nil {
		return nil, err
	}
	all := make([][]int64, len(files))
	opened := make([]bool, len(files))
	var shadowed atomic.Bool // a file holds a column the filter judged from paths
	// open reads the footers of the files for which pick is true.
	open := func(pick func(i int) bool) error {
		var idx []int
		for i := range files {
			if !opened[i] && pick(i) {
				idx = append(idx, i)
				opened[i] = true
			}
		}
		picked := make([]storage.FileInfo, len(idx))
		for j, i := range idx {
			picked[j] = files[i]
		}
		return filesplit.EachFile(picked, func(j int, fi storage.FileInfo) error {
			i := idx[j]
			var err error
			all[i], err = rowGroupStarts(ctx, fi.URL, func(pf *parquet.File) error {
				if _, _, _, err := checkFile[T](fi.URL, pf, &s.cfg); err != nil {
					return err
				}
				if s.shadowsPath(fi.URL, pf.Schema()) {
					shadowed.Store(true)
				}
				if !keep[i] { // judged again, now that its columns are known
					keep[i], err = s.mayMatch(fi.URL, inSchema(pf.Schema()))
				}
				return err
			})
			return err
		})
	}
	if err := open(func(i int) bool { return keep[i] }); err != nil {
		return nil, err
	}
	if !slices.Contains(opened, true) && len(files) > 0 {
		// Every file was left out by its path: see in one whether the
		// table's files hold the columns the filter judged by paths.
		if err := open(func(i int) bool { return i == 0 }); err != nil {
			return nil, err
		}
	}
	if shadowed.Load() {
		// A column in a file wins over its path, so files left out by a
		// path value may still match: open them to see.
		if err := open(func(i int) bool { return !keep[i] }); err != nil {
			return nil, err
		}
	}
	var kept []storage.FileInfo
	for i, fi := range files {
		if keep[i] {
			kept = append(kept, fi)
		}
	}
	target := filesplit.RangeSize(kept, hint, 0, 1)
	var out []plan.Split
	for i, fi := range files {
		starts := all[i]
		if !keep[i] || len(starts) == 0 {
			continue
		}
		// k splits for this file, cut at the row group starts nearest to
		// equal byte shares.
		k := int(min(max((fi.Size+target/2)/target, 1), int64(len(starts))))
		cuts := []int{0}
		for j := 1; j < k; j++ {
			ideal := fi.Size * int64(j) / int64(k)
			lo, hi := cuts[len(cuts)-1]+1, len(starts)-(k-j)
			best := lo
			for c := lo; c <= hi; c++ {
				if abs(starts[c]-ideal) < abs(starts[best]-ideal) {
					best = c
				}
			}
			cuts = append(cuts, best)
		}
		for j, c := range cuts {
			lo, hi := starts[c], fi.Size
			if j == 0 {
				lo = 0
			}
			if j+1 < len(cuts) {
				hi = starts[cuts[j+1]]
			}
			out = append(out, plan.Split{Path: fi.URL, Offset: lo, Length: hi - lo})
		}
	}
	// The first split's task counts the files left out. When every file
	// was, no task runs to count them (a split of no file would be one
	// more kind of split for every runner to get right).
	if pruned := len(files) - len(kept); pruned > 0 && len(out) > 0 {
		out[0].Pruned = pruned
	}
	filesplit.Number(out)
	return out, nil
}

// rowGroupStarts returns the start offsets of a file's row groups, once
// check accepts the file.
func rowGroupStarts(ctx context.Context, url string, check func(*parquet.File) error) ([]int64, error) {
	f, err := storage.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("parquetio: %w", err)
	}
	defer f.Close()
	pf, _, err := openFile(url, &trackingReaderAt{r: f, size: f.Size()}, f.Size())
	if err != nil {
		return nil, err
	}
	if err := check(pf); err != nil {
		return nil, err
	}
	rgs := pf.Metadata().RowGroups
	starts := make([]int64, len(rgs))
	for i := range rgs {
		starts[i] = rowGroupOffset(&rgs[i])
	}
	slices.Sort(starts)
	return starts, nil
}

func (s *source[T]) Read(ctx context.Context, tc plan.TaskContext, split plan.Split, out plan.Emitter) error {
	emit := out.(func(T))
	if split.Pruned > 0 { // no "files pruned 0" in every read's counters
		tc.Counter(CounterGroup, CounterFilesPruned).Inc(int64(split.Pruned))
	}
	f, err := storage.Open(ctx, split.Path)
	if err != nil {
		return fmt.Errorf("parquetio: %w", err)
	}
	defer f.Close()
	opts := append(s.opts[:len(s.opts):len(s.opts)], ByteRange(split.Offset, split.Length))
	r, err := NewReader[T](split.Path, f, f.Size(), opts...)
	if err != nil {
		return permanentIfData(err)
	}
	defer r.Close()
	defer func() {
		st := r.Stats()
		tc.Counter(CounterGroup, CounterRowsRead).Inc(st.Rows)
		tc.Counter(CounterGroup, CounterRowGroupsRead).Inc(int64(st.RowGroups - st.RowGroupsPruned - st.CorruptRowGroups))
		// Counted only when some were: a summary line "corrupt row
		// groups skipped = 0" on every read reads as a warning.
		if st.RowGroupsPruned > 0 {
			tc.Counter(CounterGroup, CounterRowGroupsPruned).Inc(int64(st.RowGroupsPruned))
		}
		if st.CorruptRowGroups > 0 {
			tc.Counter(CounterGroup, CounterCorruptRowGroups).Inc(int64(st.CorruptRowGroups))
		}
	}()
	buf := make([]T, s.cfg.batch)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := r.Read(buf)
		for i := range n {
			emit(buf[i])
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return permanentIfData(err)
		}
	}
}

// permanentIfData marks an error in the data itself plan.Permanent: unlike
// an I/O error, reading the same bytes again fails the same way.
func permanentIfData(err error) error {
	if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrSchemaMismatch) || errors.Is(err, ErrUnsupported) {
		return plan.Permanent(err)
	}
	return err
}

// Write writes c as Parquet files in dir, one part file per task
// (part-m-00000.parquet, ...), committed when the job succeeds. It panics
// with a build error if T has no Parquet schema or an option is invalid;
// see TryWrite.
func Write[T any](c pcollection.PCollection[T], dir string, opts ...WriteOption) {
	if err := TryWrite(c, dir, opts...); err != nil {
		panic(err)
	}
}

// TryWrite is Write returning the build error instead of panicking.
func TryWrite[T any](c pcollection.PCollection[T], dir string, opts ...WriteOption) error {
	// Make one writer now so that schema and option errors surface at build time.
	if _, err := NewWriter[T](io.Discard, opts...); err != nil {
		return pcollection.Build("parquetio.Write", nil).Errorf("%v", err)
	}
	var cfg writeConfig
	for _, o := range opts {
		o(&cfg)
	}
	pcollection.NewSink(c, "parquetio.Write", &sink[T]{dir: dir, opts: opts, partitionBy: cfg.partitionBy, maxOpen: cfg.maxOpen})
	return nil
}

type sink[T any] struct {
	dir         string
	opts        []WriteOption
	partitionBy []string
	maxOpen     int
}

// PartitionKeys are the columns of PartitionBy (plan.PartitionedSinkPayload).
func (s *sink[T]) PartitionKeys() []string { return s.partitionBy }

// NewPartitionedWriter writes each row to its partition's part file
// (plan.PartitionedSinkPayload).
func (s *sink[T]) NewPartitionedWriter(ctx context.Context, tc plan.TaskContext, open plan.OpenPart) (plan.Emitter, func() error, error) {
	dirs, err := partitionDirs(reflect.TypeFor[T](), s.partitionBy)
	if err != nil {
		return nil, nil, err
	}
	emit, closeFn := partwrite.Sink[T](open, dirs,
		func(w io.Writer) (plan.Emitter, func() error, error) { return s.NewWriter(ctx, tc, w) },
		s.maxOpen, tc.Counter(CounterGroup, CounterPartitionFiles))
	return emit, closeFn, nil
}

func (s *sink[T]) URL() string { return s.dir }
func (s *sink[T]) Ext() string { return ".parquet" }

// CheckAppend refuses files in the directory that T cannot read
// (plan.AppendChecker), as reading the directory as T would.
func (s *sink[T]) CheckAppend(ctx context.Context) error {
	if _, err := (&source[T]{pattern: s.dir, cfg: newReadConfig(nil)}).Splits(ctx, 1); err != nil {
		return fmt.Errorf("appending %s rows would mix them with files they cannot be read with: %w", reflect.TypeFor[T](), err)
	}
	return nil
}

const writeBatch = 1024

func (s *sink[T]) NewWriter(ctx context.Context, tc plan.TaskContext, w io.Writer) (plan.Emitter, func() error, error) {
	fw, err := NewWriter[T](w, s.opts...)
	if err != nil {
		return nil, nil, err
	}
	written := tc.Counter(CounterGroup, CounterRowsWritten)
	batch := make([]T, 0, writeBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := fw.Write(batch)
		if errors.Is(err, errNanoRange) || errors.Is(err, errDecimalValue) {
			err = plan.Permanent(err)
		}
		written.Inc(int64(n))
		clear(batch)
		batch = batch[:0]
		return err
	}
	emit := func(v T) {
		batch = append(batch, v)
		if len(batch) == writeBatch {
			if err := flush(); err != nil {
				plan.Raise(err)
			}
		}
	}
	closeFn := func() error {
		if err := flush(); err != nil {
			return err
		}
		return fw.Close()
	}
	return emit, closeFn, nil
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
