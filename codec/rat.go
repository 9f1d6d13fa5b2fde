package codec

import (
	"encoding/binary"
	"errors"
	"math/big"
	"reflect"
	"slices"
)

// ratType is math/big's exact rational, the Go type of decimals read from
// Avro and Parquet files. Its fields are unexported, so it gets a coder of
// its own rather than a struct's.
var ratType = reflect.TypeFor[big.Rat]()

var errRat = errors.New("invalid big.Rat encoding")

// appendRat encodes r as its numerator's sign and magnitude, then its
// denominator: uvarint(2*len(|num|) + negative), |num| big-endian,
// uvarint(len(denom)), denom big-endian. A big.Rat is always in lowest
// terms, so equal values encode alike.
func appendRat(dst []byte, r big.Rat) []byte {
	num := r.Num()
	numLen := (num.BitLen() + 7) / 8 // of |num|; 0 has no bytes
	head := uint64(numLen) * 2
	if num.Sign() < 0 {
		head++
	}
	dst = appendMagnitude(binary.AppendUvarint(dst, head), num, numLen)
	if r.IsInt() {
		// Denom would allocate a 1 for a zero big.Rat.
		return append(dst, 1, 1)
	}
	den := r.Denom()
	denLen := (den.BitLen() + 7) / 8
	return appendMagnitude(binary.AppendUvarint(dst, uint64(denLen)), den, denLen)
}

// appendMagnitude appends |x|'s n big-endian bytes, allocating only to grow
// dst.
func appendMagnitude(dst []byte, x *big.Int, n int) []byte {
	dst = slices.Grow(dst, n)
	dst = dst[:len(dst)+n]
	x.FillBytes(dst[len(dst)-n:])
	return dst
}

// decodeRat decodes appendRat's encoding into a new big.Rat, whose digits
// share nothing with any value decoded before.
func decodeRat(src []byte) (big.Rat, int, error) {
	var r big.Rat
	head, n, err := decodeUvarint(src)
	if err != nil {
		return r, 0, err
	}
	numLen, negative := head/2, head%2 == 1
	if numLen > uint64(len(src)-n) {
		return r, 0, errLength
	}
	num := new(big.Int).SetBytes(src[n : n+int(numLen)])
	n += int(numLen)
	if negative {
		if num.Sign() == 0 {
			return r, 0, errRat // -0
		}
		num.Neg(num)
	}
	denLen, m, err := decodeUvarint(src[n:])
	if err != nil {
		return r, 0, err
	}
	n += m
	if denLen > uint64(len(src)-n) {
		return r, 0, errLength
	}
	den := new(big.Int).SetBytes(src[n : n+int(denLen)])
	n += int(denLen)
	if den.Sign() == 0 {
		return r, 0, errRat // a zero denominator
	}
	r.SetFrac(num, den)
	return r, n, nil
}
