package fileformat

import (
	"bytes"
	"io"
	"strings"
)

// Format is a data format known by its magic bytes.
type Format int

const (
	Unknown Format = iota
	Avro           // an Avro object container file
	Parquet
	Gzip
)

// HeadLen is how many leading bytes Of needs to tell every format apart.
const HeadLen = 5

var (
	avroMagic    = []byte("Obj\x01")
	parquetMagic = []byte("PAR1")
	gzipMagic    = []byte{0x1f, 0x8b}
)

// Of names the format of the file of size bytes in r whose first bytes
// are head. It reads the file's last bytes only for a head that starts
// with "PAR1" but goes on as text; with r nil, or if that read fails, such
// a file is Unknown (the caller's own reads report failures).
func Of(head []byte, r io.ReaderAt, size int64) Format {
	switch {
	case bytes.HasPrefix(head, avroMagic):
		return Avro
	case bytes.HasPrefix(head, gzipMagic):
		return Gzip
	case !bytes.HasPrefix(head, parquetMagic):
		return Unknown
	case len(head) > len(parquetMagic) && binary(head[len(parquetMagic)]):
		return Parquet
	case r != nil && size >= 2*int64(len(parquetMagic)):
		tail := make([]byte, len(parquetMagic))
		if n, _ := r.ReadAt(tail, size-int64(len(tail))); n == len(tail) && bytes.Equal(tail, parquetMagic) {
			return Parquet
		}
	}
	return Unknown
}

// Sniff is Of, reading the head from r too.
func Sniff(r io.ReaderAt, size int64) Format {
	head := make([]byte, min(size, HeadLen))
	n, _ := r.ReadAt(head, 0)
	return Of(head[:n], r, size)
}

// binary reports whether b is a control byte that text does not hold.
func binary(b byte) bool {
	return b < 0x20 && !strings.ContainsRune("\t\n\v\f\r", rune(b)) || b == 0x7f
}

func (f Format) String() string {
	switch f {
	case Avro:
		return "Avro"
	case Parquet:
		return "Parquet"
	case Gzip:
		return "gzip"
	}
	return "unknown"
}

// Ext is the extension of f's files, by which crunchgo's tools and fileio
// pick a reader.
func (f Format) Ext() string {
	switch f {
	case Avro:
		return ".avro"
	case Parquet:
		return ".parquet"
	case Gzip:
		return ".gz"
	}
	return ""
}

// Evidence says what f was known by: "it starts with PAR1, the magic of a
// Parquet file".
func (f Format) Evidence() string {
	switch f {
	case Avro:
		return `it starts with Obj\x01, the magic of an Avro file`
	case Parquet:
		return "it starts with PAR1, the magic of a Parquet file"
	case Gzip:
		return "it starts with 1f 8b, the magic of gzip data"
	}
	return ""
}

// Advice says what reads a file of format f, in a pipeline.
func (f Format) Advice() string {
	switch f {
	case Avro, Parquet:
		return "read it with " + strings.ToLower(f.String()) + "io, or name it " + f.Ext() + " for fileio.Read, which picks the format by extension"
	case Gzip:
		return "gunzip it first (Avro and Parquet compress inside the file)"
	}
	return ""
}

// MismatchError is the error for a file read as one format (Want, "Avro")
// that is recognisably another (Is). Its message says what the file is and
// what reads it; the reader adds the file's path.
type MismatchError struct {
	Want   string
	Is     Format
	Kind   error  // the reader's sentinel (its ErrCorrupt), matched but not shown
	Advice string // what to do instead; "" for Is.Advice()
}

// Mismatch returns the *MismatchError for a file read as want that is
// format is, matching kind; nil if is is Unknown.
func Mismatch(want string, is Format, kind error) error {
	if is == Unknown {
		return nil
	}
	return &MismatchError{Want: want, Is: is, Kind: kind}
}

func (e *MismatchError) Error() string {
	article := "a "
	if strings.ContainsRune("AEIOU", rune(e.Want[0])) {
		article = "an "
	}
	advice := e.Advice
	if advice == "" {
		advice = e.Is.Advice()
	}
	return "not " + article + e.Want + " file: " + e.Is.Evidence() + "; " + advice
}

func (e *MismatchError) Unwrap() error { return e.Kind }
