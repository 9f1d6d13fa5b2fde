package parquetio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"
)

// maxFuzzAlloc caps what reading one fuzzed file may allocate.
const maxFuzzAlloc = 64 << 20

// FuzzReader feeds mutated Parquet files through the footer and page paths
// of the typed Reader and of File (schema, row group descriptions, generic
// rows): it must never panic, every error must be a corruption (the input is
// in memory, so there are no I/O errors) or a schema mismatch, and
// allocation stays bounded.
func FuzzReader(f *testing.F) {
	for _, name := range []string{"types_v1_snappy.parquet", "types_v2_zstd.parquet", "events_v2_zstd.parquet",
		"corrupt_bad_magic.parquet", "corrupt_truncated_footer.parquet", "crunchgo_written.parquet"} {
		f.Add(readFixture(f, name))
	}
	f.Add(writeForeign(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		fuzzRead[duckTypes](t, data)
		fuzzRead[event](t, data)
		fuzzRead[flatTypes](t, data)
		fuzzRead[flatTypesOpt](t, data)
		fuzzRead[oursRow](t, data)
		fuzzRead[foreignRow](t, data)
		fuzzFile(t, data)
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > maxFuzzAlloc {
			t.Fatalf("reading %d bytes allocated %d bytes", len(data), n)
		}
	})
}

func fuzzRead[T any](t *testing.T, data []byte) {
	check := func(err error) {
		if err == nil || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrSchemaMismatch) {
			return
		}
		t.Fatalf("error is neither corruption nor schema mismatch: %v", err)
	}
	r, err := NewReader[T]("fuzz", bytes.NewReader(data), int64(len(data)), Lenient(), MaxPageSize(1<<20))
	if err != nil {
		check(err)
		return
	}
	buf := make([]T, 64)
	for {
		_, err := r.Read(buf)
		if err == io.EOF {
			return
		}
		if err != nil {
			check(err)
			return
		}
	}
}

// fuzzFile reads data through the untyped API: every error must be a
// corruption, and what Rows returns must agree with the footer.
func fuzzFile(t *testing.T, data []byte) {
	f, err := OpenFile("fuzz", bytes.NewReader(data), int64(len(data)), MaxPageSize(1<<20))
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("OpenFile: error is not corruption: %v", err)
		}
		return
	}
	_ = f.Schema()
	_ = f.Fields()
	var inGroups int64
	for _, rg := range f.RowGroups() {
		inGroups += rg.NumRows
	}
	var n int64
	for _, err := range f.Rows(context.Background()) {
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Rows: error is not corruption: %v", err)
			}
			return
		}
		n++
	}
	if n != inGroups {
		t.Fatalf("Rows returned %d rows without error, the row groups hold %d", n, inGroups)
	}
}

// TestMutatedFiles runs a fixed set of random byte mutations of the fixtures
// through the same checks as FuzzReader, so every test run covers some
// corrupt pages and headers without the fuzzing engine.
func TestMutatedFiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	seeds := [][]byte{readFixture(t, "types_v1_snappy.parquet"), readFixture(t, "types_v2_zstd.parquet"),
		readFixture(t, "crunchgo_written.parquet"), readFixture(t, "events_v2_zstd.parquet")}
	n := 600
	if testing.Short() {
		n = 100
	}
	for range n {
		d := bytes.Clone(seeds[rng.IntN(len(seeds))])
		for range 1 + rng.IntN(4) {
			d[rng.IntN(len(d))] = byte(rng.IntN(256))
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		fuzzRead[duckTypes](t, d)
		fuzzRead[oursRow](t, d)
		fuzzRead[event](t, d)        // the columnar fast path
		fuzzRead[flatTypes](t, d)    // the fast path failing at nulls
		fuzzRead[flatTypesOpt](t, d) // the fast path with nulls
		fuzzFile(t, d)
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > maxFuzzAlloc {
			t.Fatalf("reading %d bytes allocated %d bytes", len(d), n)
		}
	}
}
