package storage_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crunchgo/crunchgo/storage"
)

// BenchmarkWrite writes 8 MiB files in 4 KiB writes through Create/Close.
func BenchmarkWrite(b *testing.B) {
	roots := map[string]func(b *testing.B) string{
		"local": func(b *testing.B) string { return b.TempDir() },
		"mem":   func(b *testing.B) string { storage.ResetMem("bench-write"); return "mem://bench-write/" },
	}
	for _, name := range []string{"local", "mem"} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			root := roots[name](b)
			chunk := make([]byte, 4<<10)
			const size = 8 << 20
			b.SetBytes(size)
			i := 0
			for b.Loop() {
				url := storage.Join(root, fmt.Sprintf("f%d", i))
				i++
				w, err := storage.Create(ctx, url)
				if err != nil {
					b.Fatal(err)
				}
				for n := 0; n < size; n += len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				storage.Remove(ctx, url)
				b.StartTimer()
			}
		})
	}
}

// BenchmarkGlob matches out/*/part-* over 100 directories of 20 files.
func BenchmarkGlob(b *testing.B) {
	ctx := context.Background()
	storage.ResetMem("bench-glob")
	for d := range 100 {
		for f := range 20 {
			if err := storage.WriteFile(ctx, fmt.Sprintf("mem://bench-glob/out/d%03d/part-%05d", d, f), nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	for b.Loop() {
		got, err := storage.Glob(ctx, "mem://bench-glob/out/*/part-*")
		if err != nil || len(got) != 2000 {
			b.Fatalf("got %d, %v", len(got), err)
		}
	}
}
