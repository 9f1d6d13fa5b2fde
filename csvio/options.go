package csvio

import (
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/crunchgo/crunchgo/textio"
)

// Option configures reading or writing; each says which it applies to.
type Option func(*config)

type config struct {
	comma       rune
	header      bool
	emptyIsZero bool
	trimSpace   bool
	wholeFiles  bool
	splitSize   int64
	gzip        bool
	partitionBy []string // PartitionBy: columns
	maxOpen     int      // MaxOpenPartitions

	wherePartition func(Partition) bool // WherePartition; nil: every file
}

// Delimiter sets the field delimiter (default ','), reading and writing:
// ';' or '\t', say. It may not be '"', '\r', '\n' or U+FFFD.
func Delimiter(r rune) Option { return func(c *config) { c.comma = r } }

// NoHeader maps columns to fields by position, in the struct's field
// order, instead of by a header row; a file then has no header, and
// Write writes none.
func NoHeader() Option { return func(c *config) { c.header = false } }

// EmptyIsZero reads an empty value into a non-pointer field as its zero
// value (0, false, the zero time) instead of failing. Empty is always ""
// for a string field and nil for a pointer field.
func EmptyIsZero() Option { return func(c *config) { c.emptyIsZero = true } }

// TrimSpace drops the spaces and tabs around each value and header name
// when reading (Spark's ignoreLeadingWhiteSpace and
// ignoreTrailingWhiteSpace together), so that "SE, 10.5" reads as "SE" and
// 10.5, and a quoted value may follow spaces (a, "b"). It trims quoted
// values too: " b " reads as "b". Space after a closing quote is still an
// error, as encoding/csv has it.
func TrimSpace() Option { return func(c *config) { c.trimSpace = true } }

// WholeFiles reads each file whole, in one split, as Spark's multiLine
// does, so that a quoted field may hold a newline. By default files are
// cut into byte ranges at line ends, and a quoted field left open at the
// end of its line is an error matching ErrQuotedNewline.
func WholeFiles() Option { return func(c *config) { c.wholeFiles = true } }

// SplitSize cuts files into byte ranges of n bytes instead of sizing them
// from the runner's hint (textio.SplitSize).
func SplitSize(n int64) Option { return func(c *config) { c.splitSize = n } }

// Gzip compresses what Write writes (part files *.csv.gz, or *.tsv.gz).
func Gzip() Option { return func(c *config) { c.gzip = true } }

// PartitionBy writes a Hive-style partitioned table, as Spark's
// partitionBy does, writing: Write puts each record in the directory its
// values of the columns named here spell, in order
// (dir/dt=2026-11-26/country=SE/part-m-00000.csv), and leaves those
// columns out of the files (and their header), since Read fills them back
// from the path. A Writer leaves them out too. Directory values are
// written as avroio.PartitionBy writes them: escaped as Spark does, a nil
// pointer or empty string as __HIVE_DEFAULT_PARTITION__ (read back as
// null, which only a pointer field holds). Only string, integer, float,
// bool and time.Time fields, or pointers to them, partition.
func PartitionBy(columns ...string) Option { return func(c *config) { c.partitionBy = columns } }

// MaxOpenPartitions bounds how many partitions' files a task of a
// partitioned Write keeps open (default 32), writing: meeting one more
// finishes the least recently written, and if that partition comes again
// the task starts another file in it (part-m-00000-1.csv).
func MaxOpenPartitions(n int) Option { return func(c *config) { c.maxOpen = n } }

func newConfig(opts []Option) (config, error) {
	c := config{comma: ',', header: true}
	for _, o := range opts {
		o(&c)
	}
	if c.comma == '"' || c.comma == '\r' || c.comma == '\n' || c.comma == utf8.RuneError || !utf8.ValidRune(c.comma) {
		return c, fmt.Errorf("csvio: invalid delimiter %q", c.comma)
	}
	if c.maxOpen < 0 {
		return c, fmt.Errorf("csvio: %d open partitions: must be positive", c.maxOpen)
	}
	return c, nil
}

// textOptions are the options of the line reading underneath.
func (c config) textOptions() []textio.ReadOption {
	switch {
	case c.wholeFiles:
		return []textio.ReadOption{textio.SplitSize(math.MaxInt64)}
	case c.splitSize > 0:
		return []textio.ReadOption{textio.SplitSize(c.splitSize)}
	}
	return nil
}
