package codec

// Codec encodes and decodes values of one Go type. Codecs are derived once per
// type (For, KeyFor) and are safe for concurrent use.
type Codec[T any] interface {
	// Append appends the encoding of v to dst and returns the extended slice.
	Append(dst []byte, v T) []byte
	// Decode decodes one value from the front of src and reports how many
	// bytes it consumed. Malformed input returns an error wrapping ErrCorrupt;
	// it never panics and never allocates more than len(src) suggests.
	Decode(src []byte) (v T, n int, err error)
}
