package textio

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
)

// WriteOption configures writing, for both Writer and Write.
type WriteOption func(*writeConfig)

type writeConfig struct{ gzip bool }

// Gzip compresses the output (and Write names part files *.txt.gz).
func Gzip() WriteOption { return func(c *writeConfig) { c.gzip = true } }

// Writer writes lines to an io.Writer, each followed by "\n". Close flushes
// (and ends the gzip stream); it does not close the io.Writer.
type Writer struct {
	bw  *bufio.Writer
	gz  *gzip.Writer
	err error
	// started is set once a line is written: only the first can begin
	// with what readers take for a byte order mark.
	started bool
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer, opts ...WriteOption) *Writer {
	var cfg writeConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.gzip {
		gz := gzip.NewWriter(w)
		return &Writer{bw: bufio.NewWriterSize(gz, 64<<10), gz: gz}
	}
	return &Writer{bw: bufio.NewWriterSize(w, 64<<10)}
}

// WriteLine writes line and a newline. A line containing "\n" is an error,
// since it would read back as several lines, and so is one ending in "\r",
// which would read back without it. A first line starting with U+FEFF is
// written after one more, which readers drop as a byte order mark. After
// an error the writer is unusable.
func (w *Writer) WriteLine(line string) error {
	if w.err != nil {
		return w.err
	}
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		w.err = fmt.Errorf("textio: line %.40q contains a newline at byte %d", line, i)
		return w.err
	}
	if strings.HasSuffix(line, "\r") {
		// Readers take "\r\n" for a line end.
		w.err = fmt.Errorf("textio: line %.40q ends with a carriage return, which would read back without it", line)
		return w.err
	}
	if !w.started && strings.HasPrefix(line, "\ufeff") {
		w.bw.WriteString("\ufeff") // for readers to drop, keeping the line's own
	}
	w.started = true
	w.bw.WriteString(line)
	if err := w.bw.WriteByte('\n'); err != nil {
		w.err = fmt.Errorf("textio: write: %w", err)
	}
	return w.err
}

// Close flushes buffered lines; the output is complete only if it returns nil.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("textio: write: %w", err)
		return w.err
	}
	if w.gz != nil {
		if err := w.gz.Close(); err != nil {
			w.err = fmt.Errorf("textio: write: %w", err)
			return w.err
		}
	}
	w.err = fmt.Errorf("textio: writer closed")
	return nil
}
