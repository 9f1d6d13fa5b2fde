package csvio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crunchgo/crunchgo/textio"
)

// lineParser parses one line at a time as a CSV record. A line without
// '"' is split at the delimiter directly, as encoding/csv would split it;
// any other goes to one csv.Reader fed line by line (it reads on after an
// io.EOF).
type lineParser struct {
	in          lineInput
	r           *csv.Reader
	comma       []byte
	commaString string
	split       bool // by splitLine when it can; not with a delimiter r refuses, for its error
	trimLeading bool // as r does (TrimLeadingSpace)
	trim        bool
	rec         []string // splitLine's, reused
}

// lineInput is the line being parsed, then io.EOF.
type lineInput struct{ line []byte }

func (in *lineInput) Read(p []byte) (int, error) {
	if len(in.line) == 0 {
		return 0, io.EOF
	}
	n := copy(p, in.line)
	in.line = in.line[n:]
	return n, nil
}

func newLineParser(cfg config) *lineParser {
	p := &lineParser{comma: utf8.AppendRune(nil, cfg.comma), trim: cfg.trimSpace, split: cfg.comma != 0}
	p.commaString = string(p.comma)
	p.r = newCSVReader(&p.in, cfg)
	p.trimLeading = p.r.TrimLeadingSpace
	return p
}

func newCSVReader(r io.Reader, cfg config) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = cfg.comma
	cr.FieldsPerRecord = -1 // checked against the header, with a clearer error
	cr.ReuseRecord = true
	// Skipping spaces before a field lets a quote follow them (a, "b");
	// not with a space or tab delimiter, whose empty fields it would eat.
	cr.TrimLeadingSpace = cfg.trimSpace && !unicode.IsSpace(cfg.comma)
	return cr
}

// trimFields drops the spaces and tabs around each of rec's values.
func trimFields(rec []string) {
	for i, v := range rec {
		rec[i] = strings.Trim(v, " \t")
	}
}

// parse returns the fields of line, nil for a blank line (skipped, as
// encoding/csv skips them). The slice is reused by the next call.
func (p *lineParser) parse(line []byte) ([]string, error) {
	if len(line) == 0 {
		return nil, nil
	}
	if p.split && bytes.IndexByte(line, '"') < 0 {
		return p.splitLine(line), nil
	}
	p.in.line = line
	rec, err := p.r.Read()
	if err == io.EOF {
		return nil, nil
	}
	p.in.line = nil
	if err != nil {
		if openQuote(line, p.comma) {
			return nil, ErrQuotedNewline
		}
		return nil, parseErr(err)
	}
	if p.trim {
		trimFields(rec)
	}
	return rec, nil
}

// splitLine returns the fields of line, which holds no '"' (and, being a
// line, no "\n"), exactly as the csv.Reader would parse it, in one string
// as it makes them: a "\r" ending the line is dropped (it takes one before
// io.EOF for half a "\r\n"), leaving perhaps a blank line; every delimiter
// ends a field, so that "" after the last is one too.
func (p *lineParser) splitLine(line []byte) []string {
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 {
		return nil
	}
	s := string(line)
	p.rec = p.rec[:0]
	for {
		f := s
		end := p.nextComma(s)
		if end >= 0 {
			f = s[:end]
		}
		if p.trimLeading {
			f = strings.TrimLeftFunc(f, unicode.IsSpace)
		}
		if p.trim {
			f = strings.Trim(f, " \t")
		}
		p.rec = append(p.rec, f)
		if end < 0 {
			return p.rec
		}
		s = s[end+len(p.comma):]
	}
}

// nextComma returns where the first delimiter in s starts, or -1; by
// IndexByte for a one-byte delimiter, which costs half of strings.Cut's
// time on short fields.
func (p *lineParser) nextComma(s string) int {
	if len(p.comma) == 1 {
		return strings.IndexByte(s, p.comma[0])
	}
	return strings.Index(s, p.commaString)
}

// parseErr strips the line numbers of a csv.ParseError, which count in
// what it was fed, keeping the byte column.
func parseErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%w (at byte %d of the line)", pe.Err, pe.Column)
	}
	return err
}

// openQuote reports whether line ends inside a quoted field.
func openQuote(line, comma []byte) bool {
	inQuote, fieldStart := false, true
	for i := 0; i < len(line); {
		switch {
		case inQuote && line[i] == '"' && i+1 < len(line) && line[i+1] == '"':
			i += 2
			continue
		case inQuote:
			inQuote = line[i] != '"'
		case fieldStart && line[i] == '"':
			inQuote, fieldStart = true, false
		case bytes.HasPrefix(line[i:], comma):
			fieldStart = true
			i += len(comma)
			continue
		default:
			fieldStart = false
		}
		i++
	}
	return inQuote
}

// fileStream is a whole file's lines, each followed by "\n", for a
// csv.Reader to parse across lines; it remembers where the lines it gave
// start in the file, by their number, for the records' errors.
type fileStream struct {
	io.Reader         // textio.LineStream
	offsets   []int64 // of lines first..first+len-1
	first     int     // line number of offsets[0]
}

func newFileStream(r *textio.LineReader) *fileStream {
	s := &fileStream{}
	s.Reader = textio.LineStream(r, func(offset int64) { s.offsets = append(s.offsets, offset) })
	return s
}

// offset returns where line (1-based) starts, and forgets the lines before
// it: records come in order.
func (s *fileStream) offset(line int) int64 {
	if s.first == 0 {
		s.first = 1
	}
	if k := line - s.first; k > 0 && k < len(s.offsets) {
		s.offsets = s.offsets[k:]
		s.first = line
	}
	if line-s.first < len(s.offsets) && line >= s.first {
		return s.offsets[line-s.first]
	}
	return -1
}
