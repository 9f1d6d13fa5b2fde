package csvio

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/crunchgo/crunchgo/internal/hivepart"
)

// decoder makes T of the records of one file, whose columns it knows.
type decoder[T any] struct {
	l           layout
	fieldOf     []int // for each column, its field in l.fields, or -1 if T has none
	width       int   // the columns a record has; 0: any (raw records without a header)
	widthFrom   string
	emptyIsZero bool
	fromPath    *hivepart.Setter // fills the fields the file's partition directories give; nil if none
	// whole, without a header and with fields from the path, is every
	// field in order: a first record that holds them all reads them so
	// (a key=value directory above the table named a field the file has).
	whole []int
	v     T // decode's, made in place and returned by value: not allocated per record
}

// columnError is a record's fault in one column (0: the whole record).
type columnError struct {
	column int // 1-based
	field  string
	err    error
}

func (e *columnError) Error() string { return e.err.Error() }

// newDecoder maps columns to l's fields, for the file at path: by the
// header's names when there is one (exactly, else ignoring case; columns T
// lacks are ignored, as encoding/json ignores unknown keys), else by
// position. A field without a column that a key=value directory of path
// names takes its value from there (partition.go).
func newDecoder[T any](l layout, header []string, path string, cfg config) (*decoder[T], error) {
	d := &decoder[T]{l: l, emptyIsZero: cfg.emptyIsZero}
	if header != nil {
		d.width, d.widthFrom = len(header), "the header's"
	}
	if l.raw {
		return d, nil
	}
	keys := hivepart.Keys(path)
	var fromPath []int // fields
	if header == nil {
		for i, f := range l.fields {
			if slices.Contains(keys, f.name) {
				fromPath = append(fromPath, i)
			} else {
				d.fieldOf = append(d.fieldOf, i)
			}
		}
		d.width, d.widthFrom = len(d.fieldOf), "the struct's fields"
		if len(fromPath) > 0 {
			d.widthFrom = "the struct's fields less the partition columns of the path"
			d.whole = make([]int, len(l.fields))
			for i := range d.whole {
				d.whole[i] = i
			}
		}
		return d, d.setPathFields(l, fromPath, path)
	}
	d.fieldOf = make([]int, len(header))
	for c, name := range header {
		d.fieldOf[c] = slices.IndexFunc(l.fields, func(f field) bool { return f.name == name })
		if i := d.fieldOf[c]; i >= 0 && slices.Index(header[:c], name) >= 0 {
			return nil, &columnError{column: c + 1, field: name, err: fmt.Errorf("header names column %q twice: %w", name, ErrColumns)}
		}
	}
	// A field no column names exactly takes the one column whose name
	// differs only in case, as encoding/json matches keys (and Spark
	// columns): "User_ID" for user_id.
	for i, f := range l.fields {
		if slices.Contains(d.fieldOf, i) {
			continue
		}
		match := -1
		for c, name := range header {
			if d.fieldOf[c] >= 0 || !strings.EqualFold(name, f.name) {
				continue
			}
			if match >= 0 {
				return nil, &columnError{column: c + 1, field: f.name, err: fmt.Errorf("header names columns %q and %q, which differ only in case, for field %s (%s): %w", header[match], name, goName[T](f), f.typeName, ErrColumns)}
			}
			match = c
		}
		if match < 0 && slices.Contains(keys, f.name) {
			fromPath = append(fromPath, i)
			continue
		}
		if match < 0 {
			return nil, &columnError{err: fmt.Errorf("header %q has no column %q for field %s (%s)%s: %w", header, f.name, goName[T](f), f.typeName, similarColumnHint(header, f.name), ErrColumns)}
		}
		d.fieldOf[match] = i
	}
	return d, d.setPathFields(l, fromPath, path)
}

// setPathFields makes decode fill the fields of l at indexes from path.
func (d *decoder[T]) setPathFields(l layout, indexes []int, path string) error {
	var err error
	d.fromPath, err = pathSetter(reflect.TypeFor[T](), l, indexes, path)
	return err
}

// goName is the name of f in T, for messages.
func goName[T any](f field) string { return reflect.TypeFor[T]().Field(f.index).Name }

// similarColumnHint names a column of header that the field's column name
// likely meant, differing in case and underscores, as a Go field without a
// tag ("UserID") differs from the column it stands for ("user_id"); or "".
func similarColumnHint(header []string, name string) string {
	loose := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	for _, h := range header {
		if loose(h) == loose(name) {
			return fmt.Sprintf(" (it has %q: name it in the field's tag, csv:%q)", h, h)
		}
	}
	return ""
}

// checkWidth checks that rec has the columns every record must have.
func (d *decoder[T]) checkWidth(rec []string) error {
	if d.whole != nil {
		if len(rec) == len(d.whole) {
			d.fieldOf, d.fromPath, d.width, d.widthFrom = d.whole, nil, len(d.whole), "the struct's fields"
		}
		d.whole = nil // decided by the first record
	}
	if d.width > 0 && len(rec) != d.width {
		return &columnError{err: fmt.Errorf("%d columns, want %d (%s): %w", len(rec), d.width, d.widthFrom, ErrColumns)}
	}
	return nil
}

// decode makes a T of rec, whose strings it keeps.
func (d *decoder[T]) decode(rec []string) (T, error) {
	var zero T
	if err := d.checkWidth(rec); err != nil {
		return zero, err
	}
	if d.l.raw {
		var v T
		*any(&v).(*[]string) = slices.Clone(rec)
		return v, nil
	}
	d.v = zero
	base := unsafe.Pointer(&d.v)
	for c, s := range rec {
		i := d.fieldOf[c]
		if i < 0 {
			continue
		}
		f := &d.l.fields[i]
		if s == "" && !f.isString && (f.nullable || d.emptyIsZero) {
			continue // nil or the zero value
		}
		if s == "" && !f.isString {
			return zero, &columnError{c + 1, f.name, fmt.Errorf("empty value for %s (a pointer field reads it as nil; csvio.EmptyIsZero as the zero value)", f.typeName)}
		}
		if err := f.parse(unsafe.Add(base, f.offset), s); err != nil {
			var ne *strconv.NumError
			if errors.As(err, &ne) {
				err = ne.Err
			}
			return zero, &columnError{c + 1, f.name, fmt.Errorf("parse %q as %s: %v", s, f.typeName, err)}
		}
	}
	if d.fromPath != nil {
		d.fromPath.Set(base)
	}
	return d.v, nil
}
