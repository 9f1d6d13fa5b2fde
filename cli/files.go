package cli

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"path"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/crunchgo/crunchgo/internal/fileformat"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/textio"
)

// dataFile is one opened data file of a known format, as the file tools see
// it. Implementations wrap the per-file readers of avroio, parquetio and
// textio; none decodes a format itself.
type dataFile interface {
	Format() string
	// Schema describes the file's schema as text.
	Schema() (string, error)
	// Records passes each record, as one line of JSON, to emit, in file
	// order, until emit returns an error (errStop ends early without error).
	Records(ctx context.Context, emit func(json []byte) error) error
	// Count counts the records, decoding no more than it must.
	Count(ctx context.Context) (int64, error)
	// Meta describes the file's layout. all lists every block or row group.
	Meta(ctx context.Context, w io.Writer, all bool) error
	Close() error
}

// errStop stops Records early.
var errStop = errors.New("stop")

// errOutputClosed ends cat and head when their stdout is a pipe whose
// reader has exited ("crunchgo cat ... | head -1"): the reader has had
// enough, so Execute exits 1 without a message.
var errOutputClosed = errors.New("output closed")

// Formats, as detected.
const (
	formatAvro    = "avro"
	formatParquet = "parquet"
	formatText    = "text"
	// formatCompressed is an Avro or Parquet file compressed whole
	// (x.avro.gz, x.parquet.zst), which no reader here reads: both formats
	// compress inside the file; or a file of a compression textio refuses
	// (x.txt.xz).
	formatCompressed = "compressed"
)

// detectFormat names the format of a file: by extension (.avro, .parquet;
// .txt, .csv, .tsv, .json, .jsonl, .log and the extensions of the
// compressions textio reads (.gz, .bz2, .zst, .deflate, .snappy, .lz4) as
// text, but .avro.gz, .parquet.bz2 and so on, and files of compressions
// textio refuses (.xz, .lzo, .br), as compressed), else by its magic
// bytes (fileformat: Avro's or Parquet's), else text.
func detectFormat(name string, f storage.File) string {
	if codec, readable := textio.CompressionOf(name); codec != "" {
		if _, whole := dataCompressedWhole(name); whole || !readable {
			return formatCompressed
		}
		return formatText
	}
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".avro":
		return formatAvro
	case ".parquet", ".parq":
		return formatParquet
	}
	// Content before a text extension: an Avro file named .txt printed as
	// text would be garbage, which jobs (textio) refuse.
	if f != nil {
		switch fileformat.Sniff(f, f.Size()) {
		case fileformat.Avro:
			return formatAvro
		case fileformat.Parquet:
			return formatParquet
		}
	}
	switch ext {
	case ".txt", ".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".log", ".text":
		return formatText
	}
	if f == nil {
		return ""
	}
	return formatText
}

// dataCompressedWhole reports whether name, a compressed file's name, is
// that of an Avro or Parquet file compressed whole (x.avro.gz), and the
// extension under the compression's, without its dot ("avro", "parq").
func dataCompressedWhole(name string) (string, bool) {
	switch ext := dataExt(name); ext {
	case ".avro", ".parquet", ".parq":
		return strings.TrimPrefix(ext, "."), true
	}
	return "", false
}

// openData opens the data file fi with the reader of its format.
func openData(ctx context.Context, fi storage.FileInfo) (dataFile, error) {
	f, err := storage.Open(ctx, fi.URL)
	if err != nil {
		return nil, err
	}
	var df dataFile
	switch detectFormat(fi.Name, f) {
	case formatAvro:
		df, err = openAvro(fi.URL, f)
		err = otherFormat(fi.URL, f, "Avro", err)
	case formatParquet:
		df, err = openParquet(fi.URL, f)
		err = otherFormat(fi.URL, f, "Parquet", err)
	case formatCompressed:
		format, whole := dataCompressedWhole(fi.Name)
		if !whole {
			df, err = openText(fi.URL, f) // which refuses it, naming its compression
			break
		}
		codec, _ := textio.CompressionOf(fi.Name)
		err = fmt.Errorf("%s: a whole file compressed with %s, which crunchgo does not read as %s: decompress it first (Avro and Parquet files are compressed inside, by their codecs)", fi.URL, codec, format)
	default:
		df, err = openText(fi.URL, f)
		if err == nil {
			switch textFormat(fi.URL, fi.Name, f) {
			case formatCSV, formatTSV:
				df = openCSV(fi.Name, df.(*textFile))
			case formatJSONL:
				df = &jsonlFile{df.(*textFile)}
			}
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return withPathColumns(fi.URL, df), nil
}

// otherFormat replaces err, the error of opening the file at url as format
// (named so by its extension), by one saying what format the file is, if
// its magic bytes say.
func otherFormat(url string, f storage.File, format string, err error) error {
	if err == nil {
		return nil
	}
	is := fileformat.Sniff(f, f.Size())
	if is == fileformat.Unknown || is.String() == format {
		return err
	}
	mismatch := &fileformat.MismatchError{Want: format, Is: is}
	if is != fileformat.Gzip {
		mismatch.Advice = "name it " + is.Ext() + ", or give it no extension: crunchgo picks the format by extension, else by content"
	}
	return fmt.Errorf("%s: %w", url, mismatch)
}

// eachFile opens every data file matching the patterns, in order, and calls
// fn with it. The file is closed after fn returns.
func eachFile(ctx context.Context, patterns []string, fn func(fi storage.FileInfo, df dataFile) error) error {
	args, err := dataFiles(ctx, patterns)
	if err != nil {
		return err
	}
	for _, files := range args {
		if err := readFiles(ctx, files, fn); err != nil {
			return err
		}
	}
	return nil
}

// dataFiles expands each pattern to its data files, all before any is
// read, so that a typo in the last pattern fails before the first prints.
func dataFiles(ctx context.Context, patterns []string) ([][]storage.FileInfo, error) {
	args := make([][]storage.FileInfo, len(patterns))
	for i, p := range patterns {
		files, err := storage.DataFiles(ctx, p)
		if err != nil {
			return nil, err
		}
		args[i] = files
	}
	return args, nil
}

// readFiles opens each file, in order, and calls fn with it. The file is
// closed after fn returns.
func readFiles(ctx context.Context, files []storage.FileInfo, fn func(fi storage.FileInfo, df dataFile) error) error {
	for _, fi := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		df, err := openData(ctx, fi)
		if err != nil {
			return err
		}
		err = fn(fi, df)
		cerr := df.Close()
		if err != nil {
			return err
		}
		if cerr != nil {
			return fmt.Errorf("%s: %w", fi.URL, cerr)
		}
	}
	return nil
}

// fileCommands returns the file tools.
func fileCommands() []*cobra.Command {
	return []*cobra.Command{newLsCmd(), newCatCmd(), newHeadCmd(), newSchemaCmd(), newCountCmd(), newMetaCmd()}
}

// jsonHelp describes the JSON of records, for cat and head.
const jsonHelp = `Floats that JSON cannot express print as the strings "NaN", "Infinity" and
"-Infinity". Bytes print as base64. A string that is not valid UTF-8 prints
with U+FFFD in place of each invalid byte, as JSON holds only Unicode text.
A value that still does not print as JSON stops the command with an error
naming the file and the record's index (with its Avro block or Parquet row
group).`

const patternHelp = `PATTERN is a file, a directory (the files directly inside it; names starting
with "_" or "." are skipped, and a subdirectory is an error: DIR/* reads the
files in DIR and in its subdirectories; those of a partitioned table, named
key=value, are read through) or a glob, on any storage URL: a local path,
file://, hdfs://nn/... A comma is part of a name: give several inputs as
separate patterns or as '{a,b}'. The format is Avro, Parquet or text
(CSV, TSV, JSON lines), by extension or else by content; a .json file is
JSON lines if its first non-blank line is a whole JSON object, else text.`

// partitionHelp describes the columns of a partitioned table's paths, for
// cat, head and schema.
const partitionHelp = `The records of an Avro, Parquet or CSV file under key=value directories
(events/dt=2026-11-26/country=SE/part-0.parquet, or such a file named
directly) get the partition columns of its path after their own, as the
typed reads of avroio, parquetio and csvio fill them: as strings (the CLI
has no type to parse them into), __HIVE_DEFAULT_PARTITION__ as null, %XX
escapes undone, a column the file holds winning; schema lists them as
"dt: string (partition)". JSON lines get none: a line may hold the key.`

func needPatterns(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return Usagef("%s needs at least one PATTERN", cmd.Name())
	}
	return nil
}

func newLsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "ls PATTERN...",
		Short: "list files with their format and size",
		Long:  "ls lists the files matching each pattern (a directory's entries, all of them)\nwith size, modification time and format.\n\n" + patternHelp,
		Args:  needPatterns,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			for _, p := range args {
				matches, err := storage.Glob(ctx, p)
				if err != nil {
					return err
				}
				if len(matches) == 0 && !strings.ContainsAny(p, "*?[{") {
					fi, err := storage.Stat(ctx, p)
					if errors.Is(err, fs.ErrNotExist) {
						return storage.NoMatch("ls", p)
					}
					if err != nil {
						return err
					}
					matches = []storage.FileInfo{fi}
				}
				if len(matches) == 0 {
					return storage.NoMatch("ls", p)
				}
				for _, m := range matches {
					entries := []storage.FileInfo{m}
					if m.IsDir {
						if entries, err = storage.List(ctx, m.URL); err != nil {
							return err
						}
					}
					for _, e := range entries {
						format := "dir"
						if !e.IsDir {
							format, err = sniff(ctx, e)
							if err != nil {
								return err
							}
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", humanBytes(e.Size), e.ModTime.UTC().Format("2006-01-02 15:04"), format, e.URL)
					}
				}
			}
			return tw.Flush()
		},
	}
}

// sniff detects a file's format, opening it only when its name does not say.
func sniff(ctx context.Context, fi storage.FileInfo) (string, error) {
	if strings.HasPrefix(fi.Name, "_") || strings.HasPrefix(fi.Name, ".") {
		return "-", nil // not data: _SUCCESS, in-progress files
	}
	format := detectFormat(fi.Name, nil)
	if format == "" {
		f, err := storage.Open(ctx, fi.URL)
		if err != nil {
			return "", err
		}
		defer f.Close()
		format = detectFormat(fi.Name, f)
	}
	if format != formatText {
		return format, nil
	}
	if tabularFormat(fi.Name) != formatJSON {
		return tabularFormat(fi.Name), nil
	}
	f, err := storage.Open(ctx, fi.URL)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return textFormat(fi.URL, fi.Name, f), nil
}

// textFormat names the format a text file is read as: tabularFormat's,
// with a .json file JSON lines or text by its content (jsonLines).
func textFormat(url, name string, f storage.File) string {
	format := tabularFormat(name)
	if format != formatJSON {
		return format
	}
	if jsonLines(url, f) {
		return formatJSONL
	}
	return formatText
}

func newCatCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "cat PATTERN...",
		Short: "print records as JSON lines",
		Long:  "cat prints every record of the matching files as one JSON value per line\n(text files: each line as a JSON string; CSV and TSV files: each record after\nthe header as an object of its names to the values, as strings; JSON lines:\neach value, compacted). The records of several patterns follow each other,\nas cat(1) concatenates files.\n\n" + jsonHelp + "\n\n" + patternHelp + "\n\n" + partitionHelp,
		Args:  needPatterns,
		RunE: func(cmd *cobra.Command, args []string) error {
			return printRecords(cmd, args, -1, false)
		},
	}
}

func newHeadCmd() *cobra.Command {
	var n int
	var quiet bool
	cmd := &cobra.Command{
		Use:   "head [-n N] [-q] PATTERN...",
		Short: "print the first records as JSON lines",
		Long: `head prints the first N records of each PATTERN as JSON lines. A pattern is
one dataset, its files read in path order: N records in all, as Spark's show
and SQL's LIMIT take them, not N of each file, and of a partitioned table not
N of each partition but the first N in partition order, each with its
partition columns (count gives the records of each partition). With several
patterns, as head(1) does, each pattern's records come after a line
"==> PATTERN <==" and a blank line separates them, unless -q leaves those
lines out.

` + jsonHelp + "\n\n" + patternHelp + "\n\n" + partitionHelp,
		Args: needPatterns,
		RunE: func(cmd *cobra.Command, args []string) error {
			if n < 0 {
				return Usagef("-n %d is negative", n)
			}
			return printRecords(cmd, args, int64(n), len(args) > 1 && !quiet)
		},
	}
	cmd.Flags().IntVarP(&n, "lines", "n", 10, "records to print of each pattern, in all over its files")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print no \"==> PATTERN <==\" lines")
	return cmd
}

// printRecords writes the records of the files of each pattern as JSON
// lines, at most limit of each pattern (limit < 0: all), each pattern's
// after a header line naming it if headers is set.
func printRecords(cmd *cobra.Command, patterns []string, limit int64, headers bool) error {
	ctx := cmd.Context()
	args, err := dataFiles(ctx, patterns)
	if err != nil {
		return err
	}
	// Buffered: a write per record made cat's system time half its time.
	w := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
	for i, files := range args {
		if headers {
			if i > 0 {
				w.WriteByte('\n')
			}
			fmt.Fprintf(w, "==> %s <==\n", patterns[i])
		}
		var n int64
		err = readFiles(ctx, files, func(fi storage.FileInfo, df dataFile) error {
			if limit == 0 {
				return nil // opened (and so checked), as head -n 0 does
			}
			return df.Records(ctx, func(line []byte) error {
				w.Write(line)
				if err := w.WriteByte('\n'); err != nil {
					return outputError(err)
				}
				n++
				if limit > 0 && n >= limit {
					return errStop
				}
				return nil
			})
		})
		if err != nil && !errors.Is(err, errStop) {
			break
		}
		err = nil
	}
	if ferr := w.Flush(); err == nil {
		err = outputError(ferr)
	}
	return err
}

// outputError is the error of a failed write to stdout: errOutputClosed
// for a reader gone away (EPIPE), which ends the command quietly.
func outputError(err error) error {
	if errors.Is(err, syscall.EPIPE) {
		return errOutputClosed
	}
	return err
}

func newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema PATTERN...",
		Short: "print the schema of files",
		Long:  "schema prints each file's schema: Avro's writer schema as JSON, Parquet's\nmessage type; CSV and TSV files their header's column names; other text files\nhave none. Files with the same schema as the file before them are listed\nunder it.\n\n" + patternHelp + "\n\n" + partitionHelp,
		Args:  needPatterns,
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			last := ""
			var same []string
			flush := func() {
				if last == "" {
					return
				}
				for _, u := range same {
					fmt.Fprintf(w, "# %s\n", u)
				}
				fmt.Fprint(w, last)
				if !strings.HasSuffix(last, "\n") {
					fmt.Fprintln(w)
				}
			}
			err := eachFile(cmd.Context(), args, func(fi storage.FileInfo, df dataFile) error {
				s, err := df.Schema()
				if err != nil {
					return err
				}
				s = df.Format() + ": " + s
				if s != last {
					flush()
					last, same = s, nil
				}
				same = append(same, fi.URL)
				return nil
			})
			flush()
			return err
		},
	}
}

func newCountCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "count PATTERN...",
		Short: "count records per file, per partition and in total",
		Long: `count prints the number of records of each matching file and, for several
files or a partitioned table, the total. Avro counts come from block headers
and Parquet counts from the footer, without decoding records.

Files of a partitioned table (events/dt=2026-11-26/country=SE/part-0.parquet),
of any format, are also counted by partition, as GROUP BY dt, country would:
one line for each partition directory holding files, its path under the table
(dt=2026-11-26/country=SE) and its files' records, sorted by that path, before
the total. A partition directory with no data files has no records to count
and no line.

` + patternHelp,
		Args: needPatterns,
		RunE: func(cmd *cobra.Command, args []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', tabwriter.AlignRight)
			var total int64
			files := 0
			parts := partitionCounts{}
			err := eachFile(cmd.Context(), args, func(fi storage.FileInfo, df dataFile) error {
				n, err := df.Count(cmd.Context())
				if err != nil {
					return err
				}
				fmt.Fprintf(tw, "%d\t %s\n", n, fi.URL)
				total += n
				files++
				parts.add(fi.URL, n)
				return nil
			})
			if err != nil {
				tw.Flush()
				return err
			}
			parts.write(tw)
			// A table of one file still gets its partition and total
			// lines: a script reading them should not lose them then.
			if files > 1 || len(parts) > 0 {
				fmt.Fprintf(tw, "%d\t total (%s)\n", total, plural(int64(files), "file"))
			}
			return tw.Flush()
		},
	}
}

// partitionCounts are the records and files of each partition counted,
// by table root and partition path (partitionOf).
type partitionCounts map[[2]string]*partitionCount

type partitionCount struct{ records, files int64 }

// add counts n records of the file at url to its partition, if it is in one.
func (pc partitionCounts) add(url string, n int64) {
	root, part := partitionOf(url)
	if part == "" {
		return
	}
	c := pc[[2]string{root, part}]
	if c == nil {
		c = &partitionCount{}
		pc[[2]string{root, part}] = c
	}
	c.records += n
	c.files++
}

// write prints a line for each partition, sorted by root and path: the
// path alone when all are of one table, else its whole URL, so that the
// same partition of two tables does not read as one.
func (pc partitionCounts) write(w io.Writer) {
	keys := slices.SortedFunc(maps.Keys(pc), func(a, b [2]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	oneTable := len(keys) == 0 || keys[0][0] == keys[len(keys)-1][0]
	for _, k := range keys {
		name := k[1]
		if !oneTable && k[0] != "" {
			name = k[0] + "/" + k[1]
		}
		c := pc[k]
		fmt.Fprintf(w, "%d\t partition %s (%s)\n", c.records, name, plural(c.files, "file"))
	}
}

// plural is "1 file", "2 files".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func newMetaCmd() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "meta PATTERN...",
		Short: "describe the layout of files: Avro blocks, Parquet row groups and columns",
		Long: `meta describes each file: for Avro the codec, metadata and blocks (records,
bytes and offset of each); for Parquet the row groups and, per column chunk,
type, encodings, compression, sizes and min/max statistics; for text the
size, lines and compression.

` + patternHelp,
		Args: needPatterns,
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			first := true
			return eachFile(cmd.Context(), args, func(fi storage.FileInfo, df dataFile) error {
				if !first {
					fmt.Fprintln(w)
				}
				first = false
				fmt.Fprintf(w, "%s\nformat: %s\nsize: %s (%d bytes)\n", fi.URL, df.Format(), humanBytes(fi.Size), fi.Size)
				return df.Meta(cmd.Context(), w, all)
			})
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "list every block or row group (default: the first 20)")
	return cmd
}

// maxListed is how many blocks or row groups meta lists without --all.
const maxListed = 20

// jsonValue marshals a decoded value as one line of JSON, like jsonLine,
// but writes the floats JSON cannot express as strings: "NaN", "Infinity"
// and "-Infinity" (the spelling of Jackson and of protobuf's JSON mapping),
// so that a valid file holding them can still be printed.
func jsonValue(v any) ([]byte, error) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	default:
		return jsonLine(v)
	}
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Infinity"`), nil
	}
	return jsonLine(v)
}

// fieldError names the field, dotted from the record, whose value did not
// print as JSON: in a wide record the error's own words (a time.Time out
// of range) do not say which column holds it.
type fieldError struct {
	path string
	err  error
}

func (e *fieldError) Error() string { return "field " + e.path + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// inField is err, from the value of field name, named by it (prefixed to
// the path of a nested field's error).
func inField(name string, err error) error {
	if fe, ok := err.(*fieldError); ok {
		return &fieldError{name + "." + fe.path, fe.err}
	}
	return &fieldError{name, err}
}

// localDateTime formats a date and time of day that is no instant (a
// timestamp not adjusted to UTC): as RFC 3339 without the zone, which would
// claim one.
const localDateTime = "2006-01-02T15:04:05.999999999"

// timeOfDay renders d since midnight as hh:mm:ss with the fraction it has;
// a duration outside a day, which no valid time of day is, as itself.
func timeOfDay(d time.Duration) string {
	if d < 0 || d >= 24*time.Hour {
		return d.String()
	}
	return time.Time{}.Add(d).Format("15:04:05.999999999")
}

// jsonLine marshals v as one line of JSON.
func jsonLine(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
