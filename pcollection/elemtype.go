package pcollection

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/internal/progress"
	"github.com/crunchgo/crunchgo/plan"
)

// elemType implements plan.ElemType for T. Its codec is derived once, when
// the first node of type T is built; a type without a codec (one holding an
// iter.Seq, say) is fine until a runner must encode it.
type elemType[T any] struct {
	name  string
	codec codec.Codec[T]
	err   error
}

// TypeOf returns the runner-facing description of T.
func TypeOf[T any]() plan.ElemType {
	c, err := codec.For[T]()
	return &elemType[T]{name: shortTypeName(reflect.TypeFor[T]().String()), codec: c, err: err}
}

// importPath matches the import-path part of qualified names inside type
// strings ("github.com/x/y/ptable.Pair" -> "ptable.Pair").
var importPath = regexp.MustCompile(`[A-Za-z0-9_.\-]+/`)

func shortTypeName(s string) string { return importPath.ReplaceAllString(s, "") }

func (t *elemType[T]) String() string { return t.name }

func (t *elemType[T]) Tee(outs []plan.Emitter) plan.Emitter {
	fs := make([]func(T), len(outs))
	for i, o := range outs {
		fs[i] = o.(func(T))
	}
	switch len(fs) {
	case 0:
		return func(T) {}
	case 1:
		return fs[0]
	case 2:
		a, b := fs[0], fs[1]
		return func(v T) { a(v); b(v) }
	}
	return func(v T) {
		for _, f := range fs {
			f(v)
		}
	}
}

func (t *elemType[T]) Discard() plan.Emitter { return func(T) {} }

func (t *elemType[T]) CheckUnmodified(in plan.Emitter, fn string) plan.Emitter {
	f := in.(func(T))
	if t.err != nil || !changeable(reflect.TypeFor[T]()) {
		return f
	}
	c := t.codec
	var before, after []byte
	return func(v T) {
		before = c.Append(before[:0], v)
		f(v)
		if after = c.Append(after[:0], v); !bytes.Equal(before, after) {
			plan.Raise(fmt.Errorf("%s, or a function after it in the same task (a combiner, say), changed an element it was given (a %s): a function must not modify its input, which the collection's other consumers may share; copy what it changes", fn, t.name))
		}
	}
}

// changeable reports whether a function given a value of type t can change
// what its caller holds, through a slice or a pointer, in a way the value's
// encoding shows. Strings are immutable, and other values are copied. A
// type holding a map is not checked: a map's encoding follows Go's random
// iteration order, so an unchanged map may encode differently. Nor is a
// recursive type (a tree whose nodes point to their parents): its values
// may hold cycles, which the codec would follow forever.
func changeable(t reflect.Type) bool {
	refs := false
	onPath, done := map[reflect.Type]bool{}, map[reflect.Type]bool{}
	// fits reports whether t holds neither a map nor a type that can hold
	// itself (one on the path from the root).
	var fits func(t reflect.Type) bool
	fits = func(t reflect.Type) bool {
		if onPath[t] {
			return false
		}
		if done[t] {
			return true
		}
		onPath[t] = true
		defer delete(onPath, t)
		switch t.Kind() {
		case reflect.Map:
			return false
		case reflect.Slice, reflect.Pointer:
			refs = true
			if !fits(t.Elem()) {
				return false
			}
		case reflect.Array:
			if !fits(t.Elem()) {
				return false
			}
		case reflect.Struct:
			for i := range t.NumField() {
				if !fits(t.Field(i).Type) {
					return false
				}
			}
		}
		done[t] = true
		return true
	}
	return fits(t) && refs
}

func (t *elemType[T]) Counted(out plan.Emitter, n *int64) plan.Emitter {
	f := out.(func(T))
	return func(v T) {
		*n++
		progress.Mark()
		f(v)
	}
}

func (t *elemType[T]) NewEncoder(write func([]byte)) plan.Emitter {
	if t.err != nil {
		plan.Raise(fmt.Errorf("cannot encode %s: %w", t.name, t.err))
	}
	var buf []byte
	c := t.codec
	return func(v T) {
		buf = c.Append(buf[:0], v)
		write(buf)
	}
}

func (t *elemType[T]) NewDecoder(out plan.Emitter) func([]byte) error {
	if t.err != nil {
		return func([]byte) error { return fmt.Errorf("cannot decode %s: %w", t.name, t.err) }
	}
	emit := out.(func(T))
	c := t.codec
	return func(b []byte) error {
		v, n, err := c.Decode(b)
		if err != nil {
			return err
		}
		if n != len(b) {
			return fmt.Errorf("decoding %s: %d trailing bytes: %w", t.name, len(b)-n, codec.ErrCorrupt)
		}
		emit(v)
		return nil
	}
}

// Codec returns T's value codec, or the error that prevented deriving it.
func Codec[T any]() (codec.Codec[T], error) { return codec.For[T]() }
