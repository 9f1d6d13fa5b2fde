package codec

import (
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"
)

type priced struct {
	SKU   string
	Price *big.Rat
	Cost  big.Rat
	Parts []*big.Rat
}

func rat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("bad rational %q", s)
	}
	return r
}

func sameRat(a, b *big.Rat) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Cmp(b) == 0
}

func TestRatRoundTrip(t *testing.T) {
	for _, s := range []string{"0", "1", "-1", "12.34", "-0.005", "1/3", "-22/7",
		"12345678901234567890123456789012345678", "-0.000000000000000001", "255", "-256", "128/255"} {
		r := rat(t, s)
		roundTrip(t, MustFor[big.Rat](), *r, func(a, b big.Rat) bool { return a.Cmp(&b) == 0 })
		roundTrip(t, MustFor[*big.Rat](), r, sameRat)
	}
	roundTrip(t, MustFor[big.Rat](), big.Rat{}, func(a, b big.Rat) bool { return a.Sign() == 0 && b.Sign() == 0 })
	roundTrip(t, MustFor[*big.Rat](), nil, sameRat)

	v := priced{SKU: "a", Price: rat(t, "19.99"), Cost: *rat(t, "-7/3"), Parts: []*big.Rat{rat(t, "1.5"), nil, rat(t, "0")}}
	roundTrip(t, MustFor[priced](), v, func(a, b priced) bool {
		if a.SKU != b.SKU || !sameRat(a.Price, b.Price) || a.Cost.Cmp(&b.Cost) != 0 || len(a.Parts) != len(b.Parts) {
			return false
		}
		for i := range a.Parts {
			if !sameRat(a.Parts[i], b.Parts[i]) {
				return false
			}
		}
		return true
	})
}

// A decoded big.Rat is a copy: src may be reused afterwards.
func TestRatDecodeCopies(t *testing.T) {
	c := MustFor[priced]()
	src := c.Append(nil, priced{Price: rat(t, "123456789012345678901234567890.5"), Cost: *rat(t, "-99999999999999999999999.25")})
	got, _, err := c.Decode(src)
	if err != nil {
		t.Fatal(err)
	}
	for i := range src {
		src[i] = 0x7f
	}
	if got.Price.Cmp(rat(t, "123456789012345678901234567890.5")) != 0 || got.Cost.Cmp(rat(t, "-99999999999999999999999.25")) != 0 {
		t.Errorf("overwriting the input changed the decoded value: %v, %v", got.Price, &got.Cost)
	}
}

func TestRatAppendDoesNotAllocate(t *testing.T) {
	c := MustFor[priced]()
	v := priced{SKU: "a", Price: rat(t, "19.99"), Cost: *rat(t, "1234567890123456789012345")}
	buf := c.Append(nil, v)
	if got := testing.AllocsPerRun(100, func() { buf = c.Append(buf[:0], v) }); got != 0 {
		t.Errorf("%v allocations per Append, want 0", got)
	}
	zero := MustFor[big.Rat]()
	if got := testing.AllocsPerRun(100, func() { buf = zero.Append(buf[:0], big.Rat{}) }); got != 0 {
		t.Errorf("zero big.Rat: %v allocations per Append, want 0", got)
	}
}

func TestRatDecodeErrors(t *testing.T) {
	c := MustFor[big.Rat]()
	for name, src := range map[string][]byte{
		"negative zero":    {1, 1, 1},
		"zero denominator": {2, 5, 1, 0},
		"no denominator":   {2, 5, 0},
		"long numerator":   {20, 1},
		"long denominator": {2, 5, 9, 1},
	} {
		if _, _, err := c.Decode(src); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Decode(%x) = %v, want ErrCorrupt", name, src, err)
		}
	}
}

func TestRatIsNotAKey(t *testing.T) {
	_, err := KeyFor[priced]()
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "field Price has type big.Rat") ||
		!strings.Contains(err.Error(), "big.Rat has no key encoding") {
		t.Errorf("KeyFor of a struct holding *big.Rat: %v", err)
	}
	if d := Dropped(reflect.TypeFor[priced]()); d != "" {
		t.Errorf("Dropped says the value encoding leaves out %s", d)
	}
}
