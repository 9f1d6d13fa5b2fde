package hdfs

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/hdfs/hdfstest"
)

// BenchmarkReadAt compares the File's reader pool with the alternatives:
// opening a client reader per call, and one reader behind a mutex. Run with
// go test -bench ReadAt ./storage/hdfs.
func BenchmarkReadAt(b *testing.B) {
	c := hdfstest.Start(b)
	b.Cleanup(func() { Disconnect(c.Addr()) })
	ctx := context.Background()
	const size = 8 << 20
	url := c.URL("/bench")
	if err := storage.WriteFile(ctx, url, randomBytes(1, size)); err != nil {
		b.Fatal(err)
	}
	fsys, err := NewFS(ctx, mustParse(b, url))
	if err != nil {
		b.Fatal(err)
	}
	ce, err := fsys.conn(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	cl := ce.client

	sequential := func(b *testing.B, readAt func(p []byte, off int64) error) {
		buf := make([]byte, 64<<10)
		b.SetBytes(int64(len(buf)))
		off := int64(0)
		for b.Loop() {
			if err := readAt(buf, off); err != nil {
				b.Fatal(err)
			}
			off = (off + int64(len(buf))) % size
		}
	}
	parallel := func(b *testing.B, readAt func(p []byte, off int64) error) {
		b.SetBytes(4 << 10)
		b.RunParallel(func(pb *testing.PB) {
			r := rand.New(rand.NewPCG(rand.Uint64(), 1))
			buf := make([]byte, 4<<10)
			for pb.Next() {
				if err := readAt(buf, r.Int64N(size-int64(len(buf)))); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	pooled := func(b *testing.B) func(p []byte, off int64) error {
		f, err := fsys.Open(ctx, "/bench")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { f.Close() })
		return func(p []byte, off int64) error { _, err := f.ReadAt(p, off); return err }
	}
	reopen := func(p []byte, off int64) error {
		r, err := cl.Open("/bench")
		if err != nil {
			return err
		}
		defer r.Close()
		_, err = r.ReadAt(p, off)
		return err
	}
	locked := func(b *testing.B) func(p []byte, off int64) error {
		r, err := cl.Open("/bench")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { r.Close() })
		var mu sync.Mutex
		return func(p []byte, off int64) error {
			mu.Lock()
			defer mu.Unlock()
			_, err := r.ReadAt(p, off)
			return err
		}
	}
	b.Run("sequential-64KiB/pool", func(b *testing.B) { sequential(b, pooled(b)) })
	b.Run("sequential-64KiB/open-per-call", func(b *testing.B) { sequential(b, reopen) })
	b.Run("sequential-64KiB/mutex-one-reader", func(b *testing.B) { sequential(b, locked(b)) })
	b.Run("parallel-random-4KiB/pool", func(b *testing.B) { parallel(b, pooled(b)) })
	b.Run("parallel-random-4KiB/open-per-call", func(b *testing.B) { parallel(b, reopen) })
	b.Run("parallel-random-4KiB/mutex-one-reader", func(b *testing.B) { parallel(b, locked(b)) })
}
