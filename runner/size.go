package runner

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// ParseSize parses a byte size: a number with an optional unit B, K/KiB, M/MiB,
// G/GiB, T/TiB (powers of 1024) or KB, MB, GB, TB (powers of 1000), case
// insensitive, e.g. "512MiB", "2GiB", "1.5G", "100000".
func ParseSize(s string) (int64, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) && r != '.' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], strings.TrimSpace(s[i:])
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" {
		return 0, fmt.Errorf("bad size %q (want e.g. 512MiB or 2GiB)", s)
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gib": 1 << 30, "t": 1 << 40, "tib": 1 << 40,
		"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	}[strings.ToLower(unit)]
	if mult == 0 {
		return 0, fmt.Errorf("bad size %q: unknown unit %q (want B, KiB, MiB, GiB, TiB, KB, MB, GB or TB)", s, unit)
	}
	n := v * mult
	if n < 1 || n > 1<<62 {
		return 0, fmt.Errorf("bad size %q: out of range", s)
	}
	return int64(n), nil
}

// FormatSize formats a byte count for messages: 512 B, 1.5 KiB, 20.0 MiB.
func FormatSize(n int64) string {
	if n < 1<<10 {
		return fmt.Sprintf("%d B", n)
	}
	v, unit := float64(n)/(1<<10), 0
	for ; v >= 1<<10 && unit < 4; unit++ {
		v /= 1 << 10
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTP"[unit])
}
