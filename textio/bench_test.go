package textio

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// BenchmarkLineReader reads 100k log-like lines (about 6 MB) in one split.
func BenchmarkLineReader(b *testing.B) {
	var sb strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&sb, "2026-11-26T10:00:%02d user=u%d track=t%d country=SE ms=%d\n", i%60, i%997, i%10007, i*31%300000)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := NewLineReader("bench", bytes.NewReader(data), int64(len(data)), 0, int64(len(data)))
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 100_000 {
			b.Fatalf("read %d lines", n)
		}
	}
}
