package parquetio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"reflect"
	"unsafe"

	"github.com/crunchgo/crunchgo/internal/fileformat"
	"github.com/crunchgo/crunchgo/internal/hivepart"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// ReadStats counts what a Reader did.
type ReadStats struct {
	RowGroups        int   // row groups in the reader's byte range
	RowGroupsPruned  int   // of those, skipped because the filter excluded them
	CorruptRowGroups int   // skipped as corrupt (Lenient only)
	Rows             int64 // rows returned
}

// Reader reads rows of type T from one Parquet file. Only the columns that T
// names are read: a column of the file that T does not name is never fetched
// nor decoded. The file must fit T (see Schema matching in the package
// doc): a column T requires that the file lacks, or whose type does not
// convert to T's without loss, fails NewReader, and a null that T cannot
// hold fails Read, each with a *SchemaError.
//
// A Reader is not safe for concurrent use.
type Reader[T any] struct {
	path   string
	src    *trackingReaderAt
	file   *parquet.File
	schema *parquet.Schema // of T
	conv   parquet.Conversion
	direct bool // the file's columns decode directly into T's schema
	nulls  *valueChecks

	cfg    readConfig
	groups []int // row groups left to read, in order
	cur    *parquet.GenericReader[T]
	rats   *ratReader                  // T has big.Rat fields: rows are read through its shadow
	rcur   *parquet.GenericReader[any] // the row group being read by rats
	curRG  int
	// groupRows counts the rows read from row group curRG.
	groupRows int64
	fast      *fastPlan  // nil: rows are read by the row path
	fcur      *fastGroup // the row group being read on the fast path
	fbuf      []parquet.Value
	part      *hivepart.Setter // fills the fields whose values are in the file's path
	stats     ReadStats
}

// NewReader opens the Parquet file at path (used in errors), of size bytes,
// read through r. It reads the footer; errors in it match ErrCorrupt. The
// fields of T that the file lacks and path's key=value directories name
// are filled from path (see Partitioned tables in the package doc).
func NewReader[T any](path string, r io.ReaderAt, size int64, opts ...ReadOption) (*Reader[T], error) {
	rd := &Reader[T]{
		path: path,
		src:  &trackingReaderAt{r: r, size: size},
		cfg:  newReadConfig(opts),
	}
	if err := rd.open(size); err != nil {
		return nil, err
	}
	return rd, nil
}

// checkEnvelope validates the magic bytes and the footer length itself, so
// that errors name the exact offset and no allocation exceeds the file size.
func checkEnvelope(path string, src *trackingReaderAt, size int64) (footerOffset int64, err error) {
	corrupt := func(off int64, format string, args ...any) error {
		return src.wrap(path, -1, off, fmt.Errorf(format, args...))
	}
	if size < 12 {
		return 0, corrupt(0, "file of %d bytes is too small for parquet", size)
	}
	var head [4]byte
	if _, err := src.ReadAt(head[:], 0); err != nil {
		return 0, corrupt(0, "reading header magic: %w", err)
	}
	if !bytes.Equal(head[:], []byte("PAR1")) {
		if is := fileformat.Of(head[:], src, size); is != fileformat.Unknown {
			return 0, src.wrap(path, -1, 0, fileformat.Mismatch("Parquet", is, nil))
		}
		return 0, corrupt(0, "bad header magic %q", head[:])
	}
	var tail [8]byte
	if _, err := src.ReadAt(tail[:], size-8); err != nil {
		return 0, corrupt(size-8, "reading footer magic: %w", err)
	}
	if !bytes.Equal(tail[4:], []byte("PAR1")) {
		return 0, corrupt(size-4, "bad footer magic %q", tail[4:])
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > size-12 {
		return 0, corrupt(size-8, "footer length %d exceeds file size %d", n, size)
	}
	return size - 8 - n, nil
}

// openFile opens and validates the footer of a Parquet file, which starts at
// offset footer.
func openFile(path string, src *trackingReaderAt, size int64) (f *parquet.File, footer int64, err error) {
	footer, err = checkEnvelope(path, src, size)
	if err != nil {
		return nil, 0, err
	}
	defer func() {
		if v := recover(); v != nil {
			f, err = nil, src.wrap(path, -1, footer, recovered(v))
		}
	}()
	f, err = parquet.OpenFile(src, size,
		parquet.SkipPageIndex(true),
		parquet.SkipBloomFilters(true),
	)
	if err != nil {
		return nil, footer, src.wrap(path, -1, footer, err)
	}
	if err := validateMetadata(f, footer); err != nil {
		return nil, footer, src.wrap(path, -1, footer, err)
	}
	return f, footer, nil
}

func (r *Reader[T]) open(size int64) (err error) {
	f, _, err := openFile(r.path, r.src, size)
	if err != nil {
		return err
	}
	if err := readableType[T](); err != nil {
		return err
	}
	defer func() {
		if v := recover(); v != nil {
			err = r.src.wrap(r.path, -1, 0, fmt.Errorf("matching the file's schema: %w", recovered(v)))
		}
	}()
	r.file = f
	if r.schema, r.rats, r.nulls, err = checkFile[T](r.path, f, &r.cfg); err != nil {
		return err
	}
	conv, err := parquet.Convert(r.schema, f.Schema())
	if err != nil {
		return fmt.Errorf("parquetio: %s: %w: %T: %w", r.path, ErrSchemaMismatch, *new(T), err)
	}
	r.conv = conv
	r.direct = directlyReadable(r.schema, f.Schema())
	t := reflect.TypeFor[T]()
	if r.part, err = partitionSetter(r.path, t, f.Schema()); err != nil {
		return err
	}
	if !r.cfg.rowPath && r.rats == nil {
		r.fast = planFast(t, r.schema, f.Schema(), fromPath(r.path, t, f.Schema()))
	}
	part, err := partitionValues(r.path, t, inSchema(f.Schema()))
	if err != nil {
		return err
	}
	r.groups, err = selectRowGroups(r.path, f, part, &r.cfg, &r.stats)
	return err
}

// selectRowGroups returns the row groups of f that cfg's byte range and
// filter select, in file order, counting them in st. part holds the values
// of partition columns from f's path (see partitionValues).
func selectRowGroups(path string, f *parquet.File, part map[string]any, cfg *readConfig, st *ReadStats) ([]int, error) {
	var filter boundFilter
	if cfg.hasFilter {
		bf, err := cfg.filter.bind(f.Schema(), part)
		if err != nil {
			return nil, fmt.Errorf("parquetio: %s: %w", path, err)
		}
		filter = bf
	}
	var groups []int
	for i, rg := range f.Metadata().RowGroups {
		if cfg.hasRange {
			off := rowGroupOffset(&rg)
			if off < cfg.offset || off >= cfg.offset+cfg.length {
				continue
			}
		}
		st.RowGroups++
		if cfg.hasFilter && !filter.keep(f.RowGroups()[i]) {
			st.RowGroupsPruned++
			continue
		}
		groups = append(groups, i)
	}
	return groups, nil
}

// validateMetadata rejects footers whose row groups point outside the data
// region, so page reads cannot run past the footer or allocate more than the
// file holds.
func validateMetadata(f *parquet.File, footer int64) error {
	md := f.Metadata()
	ncols := len(f.Schema().Columns())
	for i := range md.RowGroups {
		rg := &md.RowGroups[i]
		if len(rg.Columns) != ncols {
			return fmt.Errorf("row group %d has %d columns, schema has %d", i, len(rg.Columns), ncols)
		}
		if rg.NumRows < 0 {
			return fmt.Errorf("row group %d has %d rows", i, rg.NumRows)
		}
		for j := range rg.Columns {
			cm := &rg.Columns[j].MetaData
			start := cm.DataPageOffset
			if cm.DictionaryPageOffset > 0 && cm.DictionaryPageOffset < start {
				start = cm.DictionaryPageOffset
			}
			if start < 4 || cm.TotalCompressedSize < 0 || start+cm.TotalCompressedSize > footer {
				return fmt.Errorf("row group %d column %d: chunk [%d, +%d) outside data region [4, %d)",
					i, j, start, cm.TotalCompressedSize, footer)
			}
		}
	}
	return nil
}

// rowGroupOffset is the byte offset where a row group's first page starts.
func rowGroupOffset(rg *format.RowGroup) int64 {
	off := int64(-1)
	for j := range rg.Columns {
		cm := &rg.Columns[j].MetaData
		start := cm.DataPageOffset
		if cm.DictionaryPageOffset > 0 && cm.DictionaryPageOffset < start {
			start = cm.DictionaryPageOffset
		}
		if off < 0 || start < off {
			off = start
		}
	}
	if off < 0 {
		off = rg.FileOffset
	}
	return off
}

// directlyReadable reports whether every leaf column of want can be decoded
// from the same-path column of have without value conversion: same physical
// kind, same repetition and definition levels, and compatible time units.
// Then the reader hands parquet-go only the projected column chunks; else it
// falls back to parquet-go's row conversion, which reads all columns.
func directlyReadable(want, have *parquet.Schema) bool {
	for _, path := range want.Columns() {
		w, _ := want.Lookup(path...)
		h, ok := have.Lookup(path...)
		if !ok {
			continue // read as nulls / zero values
		}
		wt, ht := w.Node.Type(), h.Node.Type()
		if wt.Kind() != ht.Kind() || w.MaxRepetitionLevel != h.MaxRepetitionLevel ||
			w.MaxDefinitionLevel != h.MaxDefinitionLevel {
			return false
		}
		if !sameTimeUnit(wt, ht) {
			return false
		}
	}
	return true
}

func sameTimeUnit(a, b parquet.Type) bool {
	ua, oka := timestampUnit(a)
	ub, okb := timestampUnit(b)
	return oka == okb && ua == ub && isDate(a) == isDate(b)
}

// projected is a converted row group whose rows are read from its own
// (projected) column chunks, rather than from all columns of the original row
// group followed by a row conversion.
type projected struct{ parquet.RowGroup }

func (p projected) Rows() parquet.Rows { return parquet.NewRowGroupRowReader(p.RowGroup) }

// Read reads up to len(rows) rows into rows. At the end of the selected row
// groups it returns 0, io.EOF. Rows are overwritten, not appended, with
// fresh values: rows read earlier into the same slice keep their maps,
// slices and pointers.
func (r *Reader[T]) Read(rows []T) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	// parquet-go decodes into what a row already holds: it would add to an
	// earlier row's map, and overwrite the slices and pointers that row
	// still shares with whoever it was handed to.
	clear(rows)
	for {
		if r.cur == nil && r.fcur == nil && r.rcur == nil {
			if len(r.groups) == 0 {
				return 0, io.EOF
			}
			if err := r.openGroup(r.groups[0]); err != nil {
				if r.cfg.lenient && errors.Is(err, ErrCorrupt) {
					r.stats.CorruptRowGroups++
					r.groups = r.groups[1:]
					continue
				}
				return 0, err
			}
			r.groups = r.groups[1:]
		}
		n, err := r.readGroup(rows)
		r.groupRows += int64(n)
		if err == io.EOF {
			r.closeGroup()
			err = r.checkGroupRows()
		}
		if err != nil {
			r.closeGroup()
			if r.cfg.lenient && errors.Is(err, ErrCorrupt) {
				r.stats.CorruptRowGroups++
				continue
			}
			return 0, err
		}
		if n > 0 {
			r.stats.Rows += int64(n)
			if r.part != nil {
				r.part.SetAll(unsafe.Pointer(unsafe.SliceData(rows)), n, unsafe.Sizeof(rows[0]))
			}
			return n, nil
		}
	}
}

// checkGroupRows fails a row group that ended after more or fewer rows
// than the footer says it holds: a file whose columns do not add up (one
// that parquet-go itself wrote from a slice of pointers holding a nil read
// as no rows at all, silently).
func (r *Reader[T]) checkGroupRows() error {
	md := &r.file.Metadata().RowGroups[r.curRG]
	if r.groupRows == md.NumRows {
		return nil
	}
	return r.src.wrap(r.path, r.curRG, rowGroupOffset(md), fmt.Errorf("read %d rows, the footer says %d", r.groupRows, md.NumRows))
}

func (r *Reader[T]) openGroup(i int) (err error) {
	r.groupRows = 0
	off := rowGroupOffset(&r.file.Metadata().RowGroups[i])
	defer func() {
		if v := recover(); v != nil {
			err = r.src.wrap(r.path, i, off, recovered(v))
		}
	}()
	rg := newCheckedRowGroup(r.file, r.src, i, r.cfg.maxPage, r.nulls)
	if r.fast != nil {
		r.fcur = newFastGroup(r.fast, rg, r.fbuf, r.cfg.shared)
		r.curRG = i
		return nil
	}
	if r.direct {
		rg = projected{parquet.ConvertRowGroup(rg, r.conv)}
	} else {
		rg = parquet.ConvertRowGroup(rg, r.conv)
	}
	if r.rats != nil {
		r.rcur = parquet.NewGenericRowGroupReader[any](rg, r.schema)
	} else {
		r.cur = parquet.NewGenericRowGroupReader[T](rg, r.schema)
	}
	r.curRG = i
	return nil
}

func (r *Reader[T]) readGroup(rows []T) (n int, err error) {
	defer func() {
		if v := recover(); v != nil {
			n, err = 0, recovered(v)
		}
		if err != nil && err != io.EOF {
			if se := schemaError(err); se != nil {
				err = se // a null T cannot hold: the file is not corrupt
			} else {
				off := rowGroupOffset(&r.file.Metadata().RowGroups[r.curRG])
				err = r.src.wrap(r.path, r.curRG, off, err)
			}
		}
	}()
	if r.fcur != nil {
		return r.fcur.read(unsafe.Pointer(unsafe.SliceData(rows)), len(rows))
	}
	if r.rcur != nil {
		return r.rats.read(r.rcur, reflect.ValueOf(rows))
	}
	return r.cur.Read(rows)
}

// schemaError returns the *SchemaError in err's chain, or nil.
func schemaError(err error) *SchemaError {
	var se *SchemaError
	if errors.As(err, &se) {
		return se
	}
	return nil
}

func (r *Reader[T]) closeGroup() {
	if r.fcur != nil {
		func() {
			defer func() { recover() }()
			r.fbuf = r.fcur.buf
			r.fcur.close()
		}()
		r.fcur = nil
	}
	if r.cur != nil {
		func() {
			defer func() { recover() }()
			r.cur.Close()
		}()
		r.cur = nil
	}
	if r.rcur != nil {
		func() {
			defer func() { recover() }()
			r.rcur.Close()
		}()
		r.rcur = nil
	}
}

// Stats returns what the reader has done so far.
func (r *Reader[T]) Stats() ReadStats { return r.stats }

// NumRowGroups returns the number of row groups in the file.
func (r *Reader[T]) NumRowGroups() int { return len(r.file.Metadata().RowGroups) }

// NumRows returns the number of rows in the file.
func (r *Reader[T]) NumRows() int64 { return r.file.NumRows() }

// BytesRead returns the number of bytes read from the underlying reader.
func (r *Reader[T]) BytesRead() int64 { return r.src.nbytes }

// Close releases the reader; it does not close the io.ReaderAt.
func (r *Reader[T]) Close() error {
	r.closeGroup()
	r.groups = nil
	return nil
}

// schemaOf returns the Parquet schema of T.
func schemaOf[T any]() (s *parquet.Schema, err error) {
	defer func() {
		if v := recover(); v != nil {
			s, err = nil, fmt.Errorf("parquetio: no parquet schema for %T: %v", *new(T), v)
		}
	}()
	return parquet.SchemaOf(*new(T)), nil
}
