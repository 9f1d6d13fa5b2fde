package csvio

import (
	"context"

	"github.com/crunchgo/crunchgo/textio"
)

// EachRecord reads one CSV file without a pipeline, as Read with
// WholeFiles reads it (quoted fields may hold newlines): lines is the
// file's text from its start, as textio.NewLineReader gives it, and path
// its name for errors. fn gets the header first (header true; none with
// NoHeader), then each record, whose number of columns must be the
// header's; rec is reused by the next call. A bad record is the *Error a
// pipeline's read of the file fails with, naming path and the line; an
// error fn returns ends the read and is returned as it is. Of the options,
// Delimiter, NoHeader and TrimSpace apply.
func EachRecord(ctx context.Context, path string, lines *textio.LineReader, fn func(rec []string, header bool) error, opts ...Option) error {
	cfg, err := newConfig(opts)
	if err != nil {
		return err
	}
	var dec *decoder[[]string] // checks a record's width; nil until the header is read
	if !cfg.header {
		dec = &decoder[[]string]{l: layout{raw: true}}
	}
	return eachRecord(ctx, path, newFileStream(lines), cfg, func(rec []string, line int, at int64) error {
		if dec == nil {
			var err error
			if dec, err = newDecoder[[]string](layout{raw: true}, rec, path, cfg); err != nil {
				return fail(path, line, at, err)
			}
			return fn(rec, true)
		}
		if err := dec.checkWidth(rec); err != nil {
			return fail(path, line, at, err)
		}
		return fn(rec, false)
	})
}
