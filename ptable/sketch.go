package ptable

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/crunchgo/crunchgo/codec"
)

// The sketch accumulators (HLL, QuantileSketch) are encoded as their
// library's binary form after a uvarint length; length 0 is no sketch yet.

// appendSized appends b after its uvarint length.
func appendSized(dst, b []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(b))), b...)
}

// decodeSized reads what appendSized wrote and decodes a non-empty body
// with decode (through decodeGuarded); an empty one gives the zero S.
func decodeSized[S any](src []byte, what string, decode func([]byte) (S, error)) (s S, n int, err error) {
	size, k := binary.Uvarint(src)
	if k <= 0 || size > uint64(len(src)-k) {
		return s, 0, fmt.Errorf("%s length: %w", what, codec.ErrCorrupt)
	}
	if size == 0 {
		return s, k, nil
	}
	if s, err = decodeGuarded(what, src[k:k+int(size)], decode); err != nil {
		return s, 0, err
	}
	return s, k + int(size), nil
}

// decodeGuarded decodes b with a library's decoder. Such decoders trust
// the lengths inside the data, so their errors and panics both become
// codec.ErrCorrupt: a corrupt sketch fails its task with an error instead
// of taking the process down.
func decodeGuarded[S any](what string, b []byte, decode func([]byte) (S, error)) (s S, err error) {
	defer func() {
		if r := recover(); r != nil {
			var zero S
			s, err = zero, fmt.Errorf("%s: %v: %w", what, r, codec.ErrCorrupt)
		}
	}()
	if s, err = decode(b); err != nil {
		var zero S
		return zero, fmt.Errorf("%s: %v: %w", what, err, codec.ErrCorrupt)
	}
	return s, nil
}

// keyBytes returns what a key is hashed by in sketches and filters: its key
// encoding, appended to dst, which is the same for equal keys in every
// process; for a string with crunchgo's own key codec, its own bytes (equal
// exactly when the encodings are), without a copy. A registered codec may
// encode different strings alike (folding case, say), so its keys hash by
// their encoding. The bytes returned must not be written to or kept.
func keyBytes[K any](kc codec.Codec[K]) func(dst []byte, k K) []byte {
	if reflect.TypeFor[K]().Kind() == reflect.String && derivedCodec(kc) {
		return func(_ []byte, k K) []byte {
			s := *(*string)(unsafe.Pointer(&k))
			return unsafe.Slice(unsafe.StringData(s), len(s))
		}
	}
	return kc.Append
}
