package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/crunchgo/crunchgo/csvio"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/textio"
)

// Formats of text files read as records, by extension (tabularFormat).
const (
	formatCSV   = "csv"
	formatTSV   = "tsv"
	formatJSONL = "jsonl"
	// formatJSON is a .json file, which is as often one document as JSON
	// lines (Spark's part-*.json): its content decides (jsonLines).
	formatJSON = "json"
)

// tabularFormat names the record format of a text file by its extension,
// under a compression's (x.csv.gz): CSV (.csv), TSV (.tsv) or JSON lines
// (.jsonl, .ndjson), as csvio and jsonio write them; JSON (.json), to be
// told apart by jsonLines; else text.
func tabularFormat(name string) string {
	switch dataExt(name) {
	case ".csv":
		return formatCSV
	case ".tsv":
		return formatTSV
	case ".jsonl", ".ndjson":
		return formatJSONL
	case ".json":
		return formatJSON
	}
	return formatText
}

// jsonLines reports whether the text file at path (f, decompressed as its
// name says) holds JSON lines: whether its first non-blank line is a whole
// JSON object on its own, as every line of Spark's JSON output is, while
// the first line of a document spread over lines ("{" or "[") is not. A
// file it cannot read is not: read as text, it fails with the reason.
func jsonLines(path string, f storage.File) bool {
	lr, err := textio.NewLineReader(path, f, f.Size(), 0, f.Size())
	if err != nil {
		return false
	}
	defer lr.Close()
	for {
		line, err := lr.Next()
		if err != nil {
			return false
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		return line[0] == '{' && json.Valid(line)
	}
}

// dataExt is a file's extension in lower case, under a compression's.
func dataExt(name string) string {
	if codec, _ := textio.CompressionOf(name); codec != "" {
		name = strings.TrimSuffix(name, path.Ext(name))
	}
	return strings.ToLower(path.Ext(name))
}

// csvFile reads a CSV file (TSV for .tsv) as csvio does with a header: its
// first record names the columns, and each later record prints as a JSON
// object of those names, in order, to the values as strings (Spark reads
// CSV without a schema so). Quoted fields may hold newlines.
type csvFile struct {
	*textFile
	comma rune
}

func openCSV(name string, t *textFile) *csvFile {
	if tabularFormat(name) == formatTSV {
		return &csvFile{textFile: t, comma: '\t'}
	}
	return &csvFile{textFile: t, comma: ','}
}

func (c *csvFile) Format() string {
	if c.comma == '\t' {
		return formatTSV
	}
	return formatCSV
}

// records calls fn with the header, then with each record, read as csvio
// reads a whole file: a record's width is checked against the header's,
// and a bad one is the error a job's read of the file would fail with.
func (c *csvFile) records(ctx context.Context, fn func(rec []string, header bool) error) error {
	return csvio.EachRecord(ctx, c.path, c.lr, fn, csvio.Delimiter(c.comma))
}

// Columns names the columns of the file's header (columnar), read by a
// reader of its own, as Records reads the file from its start after.
func (c *csvFile) Columns() ([]string, bool) {
	lr, err := textio.NewLineReader(c.path, c.f, c.f.Size(), 0, c.f.Size())
	if err != nil {
		return nil, false
	}
	defer lr.Close()
	var cols []string
	// errStop once it has the header; any other error, before it.
	_ = csvio.EachRecord(context.Background(), c.path, lr, func(rec []string, _ bool) error {
		cols = columnNames(rec)
		return errStop
	}, csvio.Delimiter(c.comma))
	return cols, cols != nil // no header: Records emits no objects to add to
}

func (c *csvFile) Schema() (string, error) {
	var cols []string
	err := c.records(context.Background(), func(rec []string, header bool) error {
		cols = columnNames(rec)
		return errStop
	})
	if err != nil && err != errStop {
		return "", err
	}
	if cols == nil {
		return "no header (an empty file)", nil
	}
	return "columns (from its header): " + strings.Join(cols, ", "), nil
}

func (c *csvFile) Records(ctx context.Context, emit func([]byte) error) error {
	var names [][]byte
	var b bytes.Buffer
	return c.records(ctx, func(rec []string, header bool) error {
		if header {
			for _, name := range columnNames(rec) {
				j, err := jsonLine(name)
				if err != nil {
					return err
				}
				names = append(names, j)
			}
			return nil
		}
		b.Reset()
		b.WriteByte('{')
		for i, v := range rec {
			j, err := jsonLine(v)
			if err != nil {
				return err
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(names[i])
			b.WriteByte(':')
			b.Write(j)
		}
		b.WriteByte('}')
		return emit(b.Bytes())
	})
}

func (c *csvFile) Count(ctx context.Context) (int64, error) {
	var n int64
	err := c.records(ctx, func(_ []string, header bool) error {
		if !header {
			n++
		}
		return nil
	})
	return n, err
}

// columnNames makes a header's names the keys of a JSON object, unique and
// not empty, as Spark names a CSV file's columns: an empty name is _c and
// its column's index, and every instance of a repeated name gets its
// column's index after it (a, a: a0, a1).
func columnNames(header []string) []string {
	seen := map[string]int{}
	for _, name := range header {
		seen[name]++
	}
	names := make([]string, len(header))
	for i, name := range header {
		switch {
		case name == "":
			names[i] = fmt.Sprintf("_c%d", i)
		case seen[name] > 1:
			names[i] = fmt.Sprintf("%s%d", name, i)
		default:
			names[i] = name
		}
	}
	return names
}

// jsonlFile reads JSON lines as jsonio does: each line that is not blank
// (spaces and tabs) is one JSON value, printed compacted.
type jsonlFile struct{ *textFile }

func (j *jsonlFile) Format() string { return formatJSONL }

func (j *jsonlFile) Schema() (string, error) { return "one JSON value per line (no schema)", nil }

// values calls fn with each non-blank line.
func (j *jsonlFile) values(ctx context.Context, fn func(line []byte) error) error {
	return j.lines(ctx, func(line []byte) error {
		if len(bytes.Trim(line, " \t")) == 0 {
			return nil
		}
		return fn(line)
	})
}

func (j *jsonlFile) Records(ctx context.Context, emit func([]byte) error) error {
	var b bytes.Buffer
	return j.values(ctx, func(line []byte) error {
		b.Reset()
		if err := json.Compact(&b, line); err != nil {
			return j.notJSON(ctx, err)
		}
		return emit(b.Bytes())
	})
}

// Count checks each line, as count of a CSV file parses its records: a
// count that a read of the file would not reach is wrong.
func (j *jsonlFile) Count(ctx context.Context) (int64, error) {
	var n int64
	err := j.values(ctx, func(line []byte) error {
		if !json.Valid(line) {
			var v json.RawMessage
			return j.notJSON(ctx, json.Unmarshal(line, &v))
		}
		n++
		return nil
	})
	return n, err
}

// notJSON names the file, line and offset of a line that is not one JSON
// value.
func (j *jsonlFile) notJSON(ctx context.Context, err error) error {
	n, _ := j.lr.Line(ctx) // counted: the reader starts the file
	return fmt.Errorf("%s: line %d (offset %d) is not one JSON value: %w", j.path, n, j.lr.Offset(), err)
}
