package avroio_test

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/crunchgo/crunchgo/avroio"
)

// fuzzMaxBlock is the block size limit under fuzzing. The stated allocation
// cap: a whole read of one input allocates at most fuzzAllocCap bytes.
const (
	fuzzMaxBlock = 1 << 20
	fuzzAllocCap = 32 * fuzzMaxBlock
)

// FuzzReadBlocks feeds arbitrary bytes to the file reader: it must never
// panic, must report every problem as an error (a *CorruptError for bad data),
// and must not allocate past fuzzAllocCap however large the sizes and
// counts the input claims. Seeds are the fixtures, including the corrupt ones.
func FuzzReadBlocks(f *testing.F) {
	files, err := filepath.Glob("testdata/*.avro")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, int64(0), int64(-1))
		f.Add(b, int64(len(b)/2), int64(len(b)))
	}
	// Decimals, nullable and not, at the top and in nested records.
	var dec bytes.Buffer
	w, err := avroio.NewFileWriter[money](&dec, avroio.WithBlockSize(64))
	if err != nil {
		f.Fatal(err)
	}
	for i := range 20 {
		r := money{ID: int64(i), Price: big.NewRat(int64(i*i-150), 4), Line: moneyLine{big.NewRat(int64(i), 100)}}
		if i%3 == 0 {
			r.Big, r.Refund = big.NewRat(-int64(i), 1), &moneyLine{big.NewRat(int64(i), 2)}
		}
		if err := w.Write(r); err != nil {
			f.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	f.Add(dec.Bytes(), int64(0), int64(-1))
	// Decimals in arrays and maps.
	var inContainers bytes.Buffer
	bw, err := avroio.NewFileWriter[basket](&inContainers, avroio.WithBlockSize(64))
	if err != nil {
		f.Fatal(err)
	}
	for _, b := range append(baskets(), baskets()...) {
		if err := bw.Write(b); err != nil {
			f.Fatal(err)
		}
	}
	if err := bw.Close(); err != nil {
		f.Fatal(err)
	}
	f.Add(inContainers.Bytes(), int64(0), int64(-1))
	f.Fuzz(func(t *testing.T, data []byte, off, length int64) {
		off = max(off, 0) % (int64(len(data)) + 2)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)

		fr, err := avroio.NewFileReader("fuzz.avro", bytes.NewReader(data), int64(len(data)), avroio.WithMaxBlockSize(fuzzMaxBlock))
		if err != nil {
			return // header errors are checked by TestCorruptHeader; this fuzzes blocks
		}
		defer fr.Close()
		for _, err := range fr.Blocks(off, length) {
			checkFuzzErr(t, err)
		}
		// Decode with the writer's schema (generic) and, when it resolves, as
		// Event and as money.
		if d, err := avroio.NewDecoder[map[string]any](fr); err == nil {
			checkFuzzErr(t, d.ReadRange(context.Background(), off, length, func(map[string]any) {}))
		}
		if d, err := avroio.NewDecoder[Event](fr); err == nil {
			n := 0
			checkFuzzErr(t, d.ReadRange(context.Background(), off, length, func(Event) { n++ }))
		}
		if d, err := avroio.NewDecoder[money](fr); err == nil {
			checkFuzzErr(t, d.ReadRange(context.Background(), off, length, func(money) {}))
		}
		if d, err := avroio.NewDecoder[basket](fr); err == nil {
			checkFuzzErr(t, d.ReadRange(context.Background(), off, length, func(basket) {}))
		}

		runtime.ReadMemStats(&after)
		if got := after.TotalAlloc - before.TotalAlloc; got > fuzzAllocCap {
			t.Fatalf("reading %d bytes allocated %d bytes, cap %d", len(data), got, fuzzAllocCap)
		}
	})
}

func checkFuzzErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var ce *avroio.CorruptError
	if !errors.As(err, &ce) || !errors.Is(err, avroio.ErrCorrupt) {
		t.Fatalf("error %v (%T) is not a *CorruptError", err, err)
	}
}
