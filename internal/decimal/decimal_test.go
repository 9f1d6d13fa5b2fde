package decimal

import (
	"math/big"
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
