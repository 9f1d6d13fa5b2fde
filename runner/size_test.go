package runner_test

import (
	"testing"

	"github.com/crunchgo/crunchgo/runner"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"512MiB", 512 << 20}, {"2GiB", 2 << 30}, {"2g", 2 << 30}, {"1.5K", 1536}, {"100", 100}, {"3MB", 3e6}, {"1TiB", 1 << 40}, {"64 MiB", 64 << 20},
	} {
		got, err := runner.ParseSize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "MiB", "12XB", "-1G", "0", "1e99G", "1.2.3M"} {
		if got, err := runner.ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, got)
		}
	}
}
