package parquetio

// ReadOption configures reading, for both the per-file Reader and Read.
type ReadOption func(*readConfig)

type readConfig struct {
	filter    Filter
	hasFilter bool
	lenient   bool
	hasRange  bool
	offset    int64
	length    int64
	batch     int
	maxPage   int
	rowPath   bool     // never take the columnar fast path (tests, benchmarks)
	shared    bool     // SharedStrings
	zeroFill  bool     // ZeroFillMissing
	required  []string // Require: dotted column paths
}

// WithFilter prunes row groups whose statistics exclude f (see Filter),
// and in Read, files whose partition values exclude it.
func WithFilter(f Filter) ReadOption {
	return func(c *readConfig) { c.filter, c.hasFilter = f, true }
}

// Lenient makes the reader skip a row group that turns out to be corrupt
// instead of failing, counting it in ReadStats.CorruptRowGroups (and in the
// pipeline counter "parquetio"/"corrupt row groups skipped"). Rows of that
// row group returned before the corruption was found stay returned. A corrupt
// footer still fails: without it nothing in the file can be located.
func Lenient() ReadOption { return func(c *readConfig) { c.lenient = true } }

// ByteRange restricts a Reader to the row groups that start at a byte offset
// in [offset, offset+length). Ranges that tile a file give every row group to
// exactly one range, which is how files are split.
func ByteRange(offset, length int64) ReadOption {
	return func(c *readConfig) { c.hasRange, c.offset, c.length = true, offset, length }
}

// BatchSize sets how many rows the pipeline-level source decodes at a time
// (default 1024).
func BatchSize(n int) ReadOption { return func(c *readConfig) { c.batch = n } }

// MaxPageSize caps the uncompressed size of a page (default
// DefaultMaxPageSize); a page claiming more is reported as corrupt, so a
// damaged header cannot make the reader allocate without bound.
func MaxPageSize(n int) ReadOption { return func(c *readConfig) { c.maxPage = n } }

// SharedStrings makes the columnar fast path copy the strings of each
// column of a batch of rows into one allocation (one per page the batch
// spans) instead of one per value, which saves most of the cost of reading
// string columns (0.69× the time of an 8-column read with 4 strings). The catch: a string
// kept after its row is done with (in a DoFn's state, a map, an
// accumulator) keeps that allocation alive, the column's bytes for the
// whole batch (BatchSize rows, a few tens of KiB for short strings). Use it
// when rows are consumed as they come: mapped, filtered, keyed and shuffled
// (shuffles and map-side combiners copy keys and values into their own
// encoding). Without the fast path (nested or unusual types) it does
// nothing.
func SharedStrings() ReadOption { return func(c *readConfig) { c.shared = true } }

// ZeroFillMissing makes a column that T requires but the file lacks read
// as zero values instead of failing with a *SchemaError. T requires a
// column unless its field, or a struct, list or map field above it, is a
// pointer, a slice (not []byte), a map or tagged optional; those read as
// nil, empty or the zero value when missing, with or without this option.
// Use it only where zero is a correct default (files written before the
// column was added): a misnamed column (names are case-sensitive) then
// reads as zeros too. Nulls and lossy conversions fail whatever the
// options.
func ZeroFillMissing() ReadOption { return func(c *readConfig) { c.zeroFill = true } }

// Require makes a file that lacks one of the named columns (dotted paths
// of T's columns, such as "title" or "address.city") fail to open with a
// *SchemaError, though T's field could read it as nil or zero: for a
// column that may hold nulls but must be there, where a file without it
// is the wrong file, not an older one. A name that is not a column of T
// fails every open.
func Require(columns ...string) ReadOption {
	return func(c *readConfig) { c.required = append(c.required, columns...) }
}

// rowPath makes the Reader decode through parquet-go's row reconstruction
// even where the columnar fast path applies, to compare the two.
func rowPath() ReadOption { return func(c *readConfig) { c.rowPath = true } }

func newReadConfig(opts []ReadOption) readConfig {
	c := readConfig{batch: 1024, maxPage: DefaultMaxPageSize}
	for _, o := range opts {
		o(&c)
	}
	if c.batch <= 0 {
		c.batch = 1024
	}
	return c
}
