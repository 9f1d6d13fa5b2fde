package parquetio

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// DefaultMaxPageSize is the default of MaxPageSize.
const DefaultMaxPageSize = 256 << 20

// parquet-go sizes its page buffers from the page headers, before it reads
// the page, so a corrupt header of a few bytes can make it allocate
// gigabytes. Before parquet-go reads a column chunk, the reader walks the
// chunk's page headers (one small read per page) and rejects pages that
// overrun the chunk or exceed MaxPageSize.

// checkedRowGroup is a file row group whose column chunks check their page
// headers before their pages are read.
type checkedRowGroup struct {
	parquet.RowGroup
	cols []parquet.ColumnChunk
}

func (g *checkedRowGroup) ColumnChunks() []parquet.ColumnChunk { return g.cols }
func (g *checkedRowGroup) Rows() parquet.Rows                  { return parquet.NewRowGroupRowReader(g) }

type checkedChunk struct {
	parquet.ColumnChunk
	check func() error
	// nulls, if not nil, checks each page for nulls T cannot hold.
	nulls *checkedPages
}

func (c *checkedChunk) Pages() parquet.Pages {
	if err := c.check(); err != nil {
		return errPages{err}
	}
	if c.nulls != nil {
		p := *c.nulls
		p.Pages = c.ColumnChunk.Pages()
		return &p
	}
	return c.ColumnChunk.Pages()
}

type errPages struct{ err error }

func (p errPages) ReadPage() (parquet.Page, error) { return nil, p.err }
func (p errPages) SeekToRow(int64) error           { return p.err }
func (p errPages) Close() error                    { return nil }

// newCheckedRowGroup returns row group i of f, whose column chunks check
// their page headers (read through src, capped at maxPage) before parquet-go
// reads their pages, and the pages of the columns that nulls (if not nil)
// names for nulls. Both the typed Reader and File read through it.
func newCheckedRowGroup(f *parquet.File, src io.ReaderAt, i, maxPage int, nulls *valueChecks) parquet.RowGroup {
	rg := f.RowGroups()[i]
	chunks := rg.ColumnChunks()
	cols := make([]parquet.ColumnChunk, len(chunks))
	firstRow := int64(-1)
	for j, c := range chunks {
		cm := &f.Metadata().RowGroups[i].Columns[j].MetaData
		cc := &checkedChunk{ColumnChunk: c, check: func() error { return checkPages(src, cm, maxPage) }}
		if nulls != nil && j < len(nulls.cols) && nulls.cols[j] != nil {
			if firstRow < 0 {
				firstRow = 0
				for _, g := range f.Metadata().RowGroups[:i] {
					firstRow += g.NumRows
				}
			}
			cc.nulls = &checkedPages{check: nulls.cols[j], path: nulls.path, rowGroup: i, firstRow: firstRow}
		}
		cols[j] = cc
	}
	return &checkedRowGroup{rg, cols}
}

// checkPages walks the page headers of one column chunk.
func checkPages(r io.ReaderAt, cm *format.ColumnMetaData, maxPage int) error {
	start := cm.DataPageOffset
	if cm.DictionaryPageOffset > 0 && cm.DictionaryPageOffset < start {
		start = cm.DictionaryPageOffset
	}
	end := start + cm.TotalCompressedSize
	src := io.NewSectionReader(r, start, end-start)
	buf := bufio.NewReaderSize(src, 128)
	dec := thrift.NewDecoder(new(thrift.CompactProtocol).NewReader(buf))
	for pos := start; pos < end; {
		var h format.PageHeader
		if err := dec.Decode(&h); err != nil {
			return fmt.Errorf("page header at offset %d: %w", pos, err)
		}
		read, _ := src.Seek(0, io.SeekCurrent)
		body := start + read - int64(buf.Buffered())
		switch {
		case h.CompressedPageSize < 0 || int64(h.CompressedPageSize) > end-body:
			return fmt.Errorf("page at offset %d: compressed size %d overruns the column chunk ending at %d",
				pos, h.CompressedPageSize, end)
		case h.UncompressedPageSize < 0 || int(h.UncompressedPageSize) > maxPage:
			return fmt.Errorf("page at offset %d: uncompressed size %d exceeds the limit %d",
				pos, h.UncompressedPageSize, maxPage)
		case cm.Codec == format.Lz4Raw && int64(h.UncompressedPageSize) < 3*int64(h.CompressedPageSize):
			// parquet-go v0.32.0's LZ4_RAW decoder writes such a page into a
			// buffer of its own when the one it was given holds less than
			// three times the compressed size, and the page then keeps the
			// buffer it gave, unfilled: stale bytes read as the page.
			return fmt.Errorf("column %s: page at offset %d is compressed with LZ4_RAW less than 3 to 1 (%d bytes from %d), which the Parquet library (parquet-go v0.32.0) may decode wrongly: rewrite the file with ZSTD or SNAPPY: %w",
				strings.Join(cm.PathInSchema, "."), pos, h.CompressedPageSize, h.UncompressedPageSize, ErrUnsupported)
		}
		pos = body + int64(h.CompressedPageSize)
		if _, err := src.Seek(pos-start, io.SeekStart); err != nil {
			return fmt.Errorf("page at offset %d: %w", pos, err)
		}
		buf.Reset(src)
	}
	return nil
}
