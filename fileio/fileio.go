package fileio

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/textio"
)

// Format is a file format fileio reads and writes.
type Format string

// The formats, named as their file extensions.
const (
	Avro    Format = "avro"
	Parquet Format = "parquet"
)

// ParseFormat parses "avro" or "parquet".
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case Avro, Parquet:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want avro or parquet)", s)
}

// Ext returns the file extension of f, with its dot.
func (f Format) Ext() string { return "." + string(f) }

// FormatOf decides the format of the input pattern by file extension: the
// pattern's own when it ends in .avro or .parquet, otherwise that of the
// data files it matches, which must all agree.
func FormatOf(ctx context.Context, pattern string) (Format, error) {
	if f, ok := formatOfName(pattern); ok {
		return f, nil
	}
	files, err := storage.DataFiles(ctx, pattern)
	if err != nil {
		return "", err
	}
	if len(files) == 0 {
		return "", fmt.Errorf("%s: no data files", pattern)
	}
	var found Format
	var first string // a file of format found
	for _, fi := range files {
		f, ok := formatOfName(fi.Name)
		switch {
		case !ok:
			return "", errExtension(fi.URL)
		case found != "" && f != found:
			return "", fmt.Errorf("%s: mixes %s and %s files (%s, %s)", pattern, found, f, first, fi.URL)
		case found == "":
			found, first = f, fi.URL
		}
	}
	return found, nil
}

// errExtension refuses a file whose extension names neither format, and
// says what to do with an Avro or Parquet file compressed whole
// (x.parquet.gz), which no reader here reads. Only an extension that
// names a compression says so: x.parquet.bak or x.avro.tmp is not one.
func errExtension(url string) error {
	ext := path.Ext(url)
	codec, _ := textio.CompressionOf(url)
	if f, ok := formatOfName(strings.TrimSuffix(url, ext)); ok && codec != "" {
		return fmt.Errorf("%s: a %s file compressed whole (extension %s), which crunchgo does not read: decompress it first (Avro and Parquet files are compressed inside, by their codecs)", url, f, ext)
	}
	return fmt.Errorf("%s: extension is neither .avro nor .parquet", url)
}

func formatOfName(name string) (Format, bool) {
	switch strings.ToLower(path.Ext(name)) {
	case ".avro":
		return Avro, true
	case ".parquet":
		return Parquet, true
	}
	return "", false
}

// Read reads the files matching pattern as a collection of T, in the format
// their extension names (FormatOf), with parquetOpts for Parquet files. It
// lists the files when the pattern itself has no extension, so it can fail.
// A directory holding both Avro and Parquet files is refused: read each
// format with its own glob (DIR/*.avro, DIR/*.parquet) and
// pcollection.Union the two.
func Read[T any](ctx context.Context, p *pcollection.Pipeline, pattern string, parquetOpts ...parquetio.ReadOption) (pcollection.PCollection[T], error) {
	f, err := FormatOf(ctx, pattern)
	if err != nil {
		return pcollection.PCollection[T]{}, err
	}
	if f == Avro {
		return avroio.TryRead[T](p, pattern)
	}
	return parquetio.TryRead[T](p, pattern, parquetOpts...)
}

// Write writes c to dir in format f (part files and _SUCCESS).
func Write[T any](c pcollection.PCollection[T], dir string, f Format, opts ...WriteOption) error {
	var cfg writeConfig
	for _, o := range opts {
		o(&cfg)
	}
	if f == Avro {
		ao := partitionOptions(cfg, avroio.PartitionBy, avroio.MaxOpenPartitions)
		return avroio.TryWrite(c, dir, append(ao, avroio.WithCodec(avroio.CodecSnappy))...)
	}
	return parquetio.TryWrite(c, dir, partitionOptions(cfg, parquetio.PartitionBy, parquetio.MaxOpenPartitions)...)
}

// partitionOptions are cfg's settings as a format's write options, made
// by its PartitionBy and MaxOpenPartitions.
func partitionOptions[O any](cfg writeConfig, partitionBy func(...string) O, maxOpen func(int) O) []O {
	var opts []O
	if cfg.partitionBy != nil {
		opts = append(opts, partitionBy(cfg.partitionBy...))
	}
	if cfg.maxOpen != 0 {
		opts = append(opts, maxOpen(cfg.maxOpen))
	}
	return opts
}

// WriteOption sets how Write writes, in either format.
type WriteOption func(*writeConfig)

type writeConfig struct {
	partitionBy []string
	maxOpen     int
}

// PartitionBy writes a Hive-style partitioned table, a directory per
// value of the fields that columns name (dir/dt=2026-11-26/part-*),
// leaving them out of the files: see parquetio.PartitionBy and
// avroio.PartitionBy.
func PartitionBy(columns ...string) WriteOption {
	return func(cfg *writeConfig) { cfg.partitionBy = columns }
}

// MaxOpenPartitions bounds how many partitions' files a task of a
// partitioned Write keeps open (default 32): see
// parquetio.MaxOpenPartitions.
func MaxOpenPartitions(n int) WriteOption {
	return func(cfg *writeConfig) { cfg.maxOpen = n }
}

// RowWriter writes rows of T to one file.
type RowWriter[T any] interface {
	Write(v T) error
	// Close finishes the file; it does not close the underlying writer.
	Close() error
}

// NewRowWriter starts a file of format f on w.
func NewRowWriter[T any](w io.Writer, f Format) (RowWriter[T], error) {
	return newRowWriter[T](w, f)
}

func newRowWriter[T any](w io.Writer, f Format, avroOpts ...avroio.WriteOption) (RowWriter[T], error) {
	switch f {
	case Avro:
		fw, err := avroio.NewFileWriter[T](w, append([]avroio.WriteOption{avroio.WithCodec(avroio.CodecSnappy)}, avroOpts...)...)
		if err != nil {
			return nil, err
		}
		return fw, nil
	case Parquet:
		pw, err := parquetio.NewWriter[T](w)
		if err != nil {
			return nil, err
		}
		return &parquetRows[T]{w: pw, buf: make([]T, 0, 1024)}, nil
	}
	return nil, fmt.Errorf("unknown format %q", f)
}

type parquetRows[T any] struct {
	w   *parquetio.Writer[T]
	buf []T
}

func (p *parquetRows[T]) Write(v T) error {
	p.buf = append(p.buf, v)
	if len(p.buf) == cap(p.buf) {
		return p.flush()
	}
	return nil
}

func (p *parquetRows[T]) flush() error {
	_, err := p.w.Write(p.buf)
	clear(p.buf)
	p.buf = p.buf[:0]
	return err
}

func (p *parquetRows[T]) Close() error {
	return errors.Join(p.flush(), p.w.Close())
}

// WriteFile writes rows to the file at url (any storage URL) in the format
// its extension names; the file appears only if every write succeeds.
func WriteFile[T any](ctx context.Context, url string, rows func(yield func(T) bool)) (err error) {
	f, ok := formatOfName(url)
	if !ok {
		return errExtension(url)
	}
	out, err := storage.Create(ctx, url)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = out.Abort()
		}
	}()
	// An Avro file's sync marker is random unless given: derived from the
	// file's name, the same rows make the same bytes, as gen promises.
	sum := sha256.Sum256([]byte(path.Base(url)))
	w, err := newRowWriter[T](out, f, avroio.WithSyncMarker([16]byte(sum[:16])))
	if err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	for v := range rows {
		if err = w.Write(v); err != nil {
			return fmt.Errorf("%s: %w", url, err)
		}
	}
	if err = w.Close(); err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	return out.Close()
}

// ScanFile calls fn for every row of T in the file at url, read with the
// per-file reader of the format its extension names (with parquetOpts for
// a Parquet file).
func ScanFile[T any](ctx context.Context, url string, fn func(T), parquetOpts ...parquetio.ReadOption) error {
	f, ok := formatOfName(url)
	if !ok {
		return errExtension(url)
	}
	in, err := storage.Open(ctx, url)
	if err != nil {
		return err
	}
	defer in.Close()
	if f == Avro {
		fr, err := avroio.NewFileReader(url, in, in.Size())
		if err != nil {
			return err
		}
		defer fr.Close()
		d, err := avroio.NewDecoder[T](fr)
		if err != nil {
			return err
		}
		return d.ReadRange(ctx, 0, in.Size(), fn)
	}
	r, err := parquetio.NewReader[T](url, in, in.Size(), parquetOpts...)
	if err != nil {
		return err
	}
	defer r.Close()
	rows := make([]T, 1024)
	for {
		n, err := r.Read(rows)
		for _, v := range rows[:n] {
			fn(v)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// ScanFiles calls ScanFile for every data file pattern matches, in name order.
func ScanFiles[T any](ctx context.Context, pattern string, fn func(T)) error {
	files, err := storage.DataFiles(ctx, pattern)
	if err != nil {
		return err
	}
	for _, fi := range files {
		if err := ScanFile(ctx, fi.URL, fn); err != nil {
			return err
		}
	}
	return nil
}
