package textio

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// benchLines is 100k log-like lines (about 6 MB).
func benchLines() string {
	var sb strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&sb, "2026-11-26T10:00:%02d user=u%d track=t%d country=SE ms=%d\n", i%60, i%997, i%10007, i*31%300000)
	}
	return sb.String()
}

// BenchmarkLineReader reads benchLines in one split.
func BenchmarkLineReader(b *testing.B) {
	text := benchLines()
	benchRead(b, "bench", []byte(text), len(text))
}

// BenchmarkCompressedLineReader reads benchLines compressed with each
// codec textio reads; bytes/s count the decompressed text. Hadoop's
// framings are cut as its codecs write by default: blocks of about 200
// KiB (a 256 KiB buffer less the codec's overhead), one chunk each.
func BenchmarkCompressedLineReader(b *testing.B) {
	text := benchLines()
	var blocks []string
	for rest := text; len(rest) > 0; {
		n := min(len(rest), 200<<10)
		blocks = append(blocks, rest[:n])
		rest = rest[n:]
	}
	for _, c := range readCodecs {
		if c.name == "bzip2" {
			continue // no Go writer
		}
		b.Run(c.name, func(b *testing.B) {
			var data []byte
			if c.name == "snappy" || c.name == "lz4" {
				data = hadoopFramed(b, c.name, 200<<10, blocks...)
			} else {
				data = compress(b, c.name, []byte(text))
			}
			benchRead(b, "bench"+c.ext, data, len(text))
		})
	}
}

func benchRead(b *testing.B, name string, data []byte, textLen int) {
	b.SetBytes(int64(textLen))
	for b.Loop() {
		r, err := NewLineReader(name, bytes.NewReader(data), int64(len(data)), 0, int64(len(data)))
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
