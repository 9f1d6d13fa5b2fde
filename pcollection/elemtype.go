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
	if t.err != nil || !changeable(reflect.TypeFor[T](), map[reflect.Type]bool{}) {
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
func changeable(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	if recursive(t, map[reflect.Type]bool{}, map[reflect.Type]bool{}) {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Map:
		return false
	case reflect.Slice, reflect.Pointer:
		return !holdsMap(t.Elem(), map[reflect.Type]bool{})
	case reflect.Array:
		return changeable(t.Elem(), seen)
	case reflect.Struct:
		if holdsMap(t, map[reflect.Type]bool{}) {
			return false
		}
		for i := range t.NumField() {
			if changeable(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// recursive reports whether a value of type t may hold a value of some
// type that can hold a value of its own type: a cycle of types, through
// which the values may form a cycle. onPath holds the types being visited
// above t; done, those found free of cycles.
func recursive(t reflect.Type, onPath, done map[reflect.Type]bool) bool {
	if onPath[t] {
		return true
	}
	if done[t] {
		return false
	}
	onPath[t] = true
	defer delete(onPath, t)
	var next []reflect.Type
	switch t.Kind() {
	case reflect.Map:
		next = append(next, t.Key(), t.Elem())
	case reflect.Slice, reflect.Pointer, reflect.Array:
		next = append(next, t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			next = append(next, t.Field(i).Type)
		}
	}
	for _, n := range next {
		if recursive(n, onPath, done) {
			return true
		}
	}
	done[t] = true
	return false
}

// holdsMap reports whether a value of type t may contain a map.
func holdsMap(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Map:
		return true
	case reflect.Slice, reflect.Pointer, reflect.Array:
		return holdsMap(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsMap(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
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
