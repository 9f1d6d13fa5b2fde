// Package codec turns Go values into bytes and back, in two encodings.
//
// A Codec[T] is derived once per Go type, by For (values) or KeyFor (keys),
// and cached. Deriving walks the type with reflect and compiles it into
// encoder and decoder functions that work on unsafe pointers with field
// offsets precomputed; encoding and decoding a record then runs that compiled
// code, without reflection (maps are the exception, see below). When T is a
// basic type (string, int64, float64, []byte, time.Time, ...) the codec calls
// the primitive directly.
//
// # Value encoding (For)
//
// Compact and not ordered, used for values that are shuffled, spilled or
// shipped between processes:
//
//   - bool: one byte, 0 or 1.
//   - int8, uint8: one byte. Other integers: varints (signed zig-zag, as in
//     encoding/binary); decoding checks the range of the target type.
//   - float32, float64: 4 or 8 bytes little-endian IEEE 754, bit for bit
//     (NaN payloads and -0 survive). complex64/128: two floats.
//   - string: uvarint length, then the bytes (not validated as UTF-8).
//   - []byte and other slices: uvarint length+1, 0 meaning nil, then the
//     elements, so nil and empty slices stay distinct. [N]T: the N elements.
//   - map[K]V: uvarint length+1 (0 = nil), then key, value pairs in Go's
//     (random) iteration order, so equal maps may encode differently.
//     Decoding rejects duplicate keys. Keys holding a time.Time can be
//     distinct in Go and equal once encoded (one instant in two
//     locations): key such maps by t.UTC().Round(0).
//   - *T: 0 for nil, or 1 followed by the value. Pointer cycles are not
//     detected and would recurse forever: values must be trees.
//   - time.Time: Unix seconds (varint) and nanoseconds (uvarint). The instant
//     is preserved; the location is not: decoded times are in UTC, and the
//     monotonic clock reading is dropped.
//   - big.Rat (exact decimals read from Avro and Parquet): the numerator's
//     byte length times two plus its sign (uvarint), its magnitude
//     big-endian, then the denominator's length and bytes. Values are kept
//     exactly; decoded ones share no digits with the input.
//   - struct: its exported fields in declaration order. Unexported fields
//     are ignored (they decode as zero); a struct that has unexported fields
//     but no exported ones is refused, since encoding it as nothing would
//     silently lose data (register a codec for it instead). Embedded structs
//     are fields like any other; an embedded unexported type is ignored.
//     Generic structs such as Pair[K, V] are plain structs.
//
// Interfaces, funcs, channels and unsafe pointers are refused with a
// *TypeError naming the type and the path of the field (e.g. "field
// Meta[value] has type interface {}").
//
// # Key encoding (KeyFor)
//
// Order-preserving and self-delimiting, used for shuffle keys so that runners
// (and Hadoop) sort and group raw bytes with bytes.Compare: for all a, b of
// type T, sign(bytes.Compare(enc(a), enc(b))) = sign(compare(a, b)), where
// compare is the natural order below. Because no encoding is a proper prefix
// of another, encodings concatenate: structs and slices order field by field
// and element by element.
//
//   - bool: false < true (one byte, 0 or 1).
//   - signed integers: big-endian in their own width (int as 8 bytes) with the
//     sign bit flipped, so negatives sort before positives.
//   - unsigned integers: big-endian in their own width.
//   - floats: numeric order, matching cmp.Compare: NaN (every NaN) sorts
//     before -Inf and all NaNs are equal; -0 and +0 are equal and both
//     encode (and decode) as +0. Positive numbers are encoded with the sign
//     bit set, negative numbers with all bits flipped; NaN is all zero bytes.
//   - string and []byte: lexicographic by bytes, with "a" < "a\x00" < "ab".
//     Each 0x00 byte is written as 0x00 0xFF and the end as 0x00 0x01. An
//     empty []byte decodes as nil.
//   - time.Time: by instant (12 bytes: Unix seconds as a flipped int64, then
//     nanoseconds); decoded in UTC.
//   - struct: exported fields in declaration order, compared field by field;
//     unexported fields are ignored, so keys that differ only there group
//     together.
//   - [N]T: element by element.
//   - []T: element by element, then by length (a proper prefix sorts first):
//     each element is preceded by 0x01 and the end is 0x00. nil and empty
//     slices are equal and decode as nil.
//   - *T: nil sorts first (0x00), otherwise 0x01 and the value.
//
// Maps, interfaces, funcs, channels, complex numbers, big.Rat and unsafe
// pointers have no key encoding: KeyFor and CheckKey refuse them, and
// anything containing them, with an error such as "codec: key type
// map[string]int is not orderable".
// Key encodings are canonical: the decoder rejects bytes that the encoder
// would never produce (such as -0 or an invalid escape), so a decoded key
// re-encodes to exactly the bytes it came from.
//
// # Custom codecs
//
// Register and RegisterKey install a hand-written Codec[T]: For and KeyFor
// then return it for T and use it for every field, element or pointee of type
// T. Register from an init function, before any codec involving T is derived.
// A registered key codec must itself be order-preserving and self-delimiting.
//
// # Safety
//
// Decode never panics on malformed input. Every error wraps ErrCorrupt and is
// a *DecodeError that names the type, the field path and the byte offset,
// e.g. "codec: decoding field Country of main.Play at byte 17: length
// exceeds remaining input". Decode never allocates more than a bounded
// multiple of len(src): every length prefix is checked against the remaining
// input (a slice of n elements needs at least n times the element's minimum
// encoded size) before memory is allocated. Elements that may encode to zero
// bytes (struct{}, registered codecs) are allowed len(src)+65536 of them at
// most, which is also the largest such collection that decodes.
// Decode follows at most 10000 nested pointers, slices and maps, so hostile
// input for a recursive type (a linked list, a tree) cannot exhaust the
// stack; deeper values encode but do not decode. Decoded strings and byte
// slices are copies: src may be reused afterwards.
//
// # Costs
//
// Append allocates only to grow dst (maps with reflect fallback excepted).
// Decode allocates the strings, slices, maps and pointees of the value and
// nothing else. Maps whose key is string, int, int64, int32 or uint64 and
// whose element is string, int, int64, int32, float64, bool, []byte or
// []string (the map type itself may be named) have coders instantiated at
// compile time. Every other map is iterated and filled through reflect's map
// API on every record, since Go has no other way to work on a map whose type
// is only known at run time; avoid such maps in hot records. Codecs are safe
// for concurrent use.
package codec
