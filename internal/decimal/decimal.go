package decimal

import (
	"math/big"
	"reflect"
)

// Decimal is a fixed-point decimal type: Precision digits, Scale of them
// after the point, as SQL's DECIMAL(Precision, Scale).
type Decimal struct {
	Precision, Scale int
	pow, limit       *big.Int // 10^Scale, 10^Precision
}

// Of returns the decimal type of precision digits, scale after the point.
// The caller has checked 0 <= scale <= precision.
func Of(precision, scale int) Decimal {
	return Decimal{Precision: precision, Scale: scale, pow: Pow10(scale), limit: Pow10(precision)}
}

// Fit is whether a value fits a Decimal, and if not, why.
type Fit int

const (
	Fits          Fit = iota
	Inexact           // more digits after the point than the scale
	TooManyDigits     // more digits than the precision
)

// Unscale sets q to r×10^Scale, the integer d stores for r, and reports
// whether r fits d. rem is scratch space; callers that check many values
// pass the same q and rem each time, so that nothing is allocated.
func (d Decimal) Unscale(q, rem *big.Int, r *big.Rat) Fit {
	q.Mul(r.Num(), d.pow)
	q.QuoRem(q, r.Denom(), rem)
	switch {
	case rem.Sign() != 0:
		return Inexact
	case q.CmpAbs(d.limit) >= 0:
		return TooManyDigits
	}
	return Fits
}

// Pow10 returns 10^n.
func Pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

var ratType = reflect.TypeFor[big.Rat]()

// Holds reports whether a value of t can hold a big.Rat: t is one, or
// leads to one through pointers, slices, arrays, maps (keys or values) or
// the struct fields that field accepts (every field if field is nil).
func Holds(t reflect.Type, field func(reflect.StructField) bool) bool {
	seen := map[reflect.Type]bool{}
	var holds func(t reflect.Type) bool
	holds = func(t reflect.Type) bool {
		if t == ratType {
			return true
		}
		if seen[t] {
			return false
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			return holds(t.Elem())
		case reflect.Map:
			return holds(t.Key()) || holds(t.Elem())
		case reflect.Struct:
			for i := range t.NumField() {
				if f := t.Field(i); (field == nil || field(f)) && holds(f.Type) {
					return true
				}
			}
		}
		return false
	}
	return holds(t)
}
