package decimal

import (
	"math/big"
	"reflect"
	"testing"
)

func TestUnscale(t *testing.T) {
	d := Of(5, 2) // -999.99 .. 999.99
	var q, rem big.Int
	for _, c := range []struct {
		r    string
		fit  Fit
		want string // q when it fits
	}{
		{"0", Fits, "0"},
		{"12.5", Fits, "1250"},
		{"-999.99", Fits, "-99999"},
		{"999.99", Fits, "99999"},
		{"1000", TooManyDigits, ""},
		{"-1000.00", TooManyDigits, ""},
		{"1/3", Inexact, ""},
		{"-0.001", Inexact, ""},
		{"1/8", Inexact, ""},
		{"1/4", Fits, "25"},
	} {
		r, _ := new(big.Rat).SetString(c.r)
		fit := d.Unscale(&q, &rem, r)
		if fit != c.fit || (fit == Fits && q.String() != c.want) {
			t.Errorf("Unscale(%s) at decimal(5,2) = %v, %s; want %v, %s", c.r, fit, &q, c.fit, c.want)
		}
	}
	if got := Pow10(20).String(); got != "100000000000000000000" {
		t.Errorf("Pow10(20) = %s", got)
	}
}

func TestUnscaleDoesNotAllocate(t *testing.T) {
	d := Of(38, 18)
	r, _ := new(big.Rat).SetString("-12345678901234567890.123456789012345678")
	var q, rem big.Int
	d.Unscale(&q, &rem, r) // grows q and rem once
	if n := testing.AllocsPerRun(100, func() { d.Unscale(&q, &rem, r) }); n != 0 {
		t.Errorf("%v allocations per Unscale, want 0", n)
	}
}

func TestHolds(t *testing.T) {
	type inner struct{ R *big.Rat }
	type skipped struct {
		R   *big.Rat `x:"-"`
		Not int
	}
	type tree struct {
		Kids []tree
		At   map[string]inner
	}
	skip := func(f reflect.StructField) bool { return f.Tag.Get("x") != "-" }
	for _, c := range []struct {
		t     reflect.Type
		field func(reflect.StructField) bool
		want  bool
	}{
		{reflect.TypeFor[big.Rat](), nil, true},
		{reflect.TypeFor[*big.Rat](), nil, true},
		{reflect.TypeFor[[]inner](), nil, true},
		{reflect.TypeFor[map[*big.Rat]int](), nil, true},
		{reflect.TypeFor[tree](), nil, true}, // recursive, through a map's values
		{reflect.TypeFor[skipped](), nil, true},
		{reflect.TypeFor[skipped](), skip, false},
		{reflect.TypeFor[struct{ N big.Int }](), nil, false},
		{reflect.TypeFor[[]string](), nil, false},
	} {
		if got := Holds(c.t, c.field); got != c.want {
			t.Errorf("Holds(%v) = %v, want %v", c.t, got, c.want)
		}
	}
}
