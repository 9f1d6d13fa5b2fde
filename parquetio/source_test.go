package parquetio

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
)

type fakeTC struct{ counters map[[2]string]*plan.Counter }

func (f *fakeTC) Counter(group, name string) *plan.Counter {
	k := [2]string{group, name}
	if f.counters[k] == nil {
		f.counters[k] = &plan.Counter{}
	}
	return f.counters[k]
}
func (f *fakeTC) Info() plan.TaskInfo { return plan.TaskInfo{} }

// TestSourceSplitsExact plans 1..7 splits of two 4-row-group files and
// reads each split on its own: every row is read exactly once.
func TestSourceSplitsExact(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("parquetio-src")
	for _, name := range []string{"events_v1_snappy.parquet", "events_v2_zstd.parquet"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if err := storage.WriteFile(ctx, "mem://parquetio-src/in/"+name, b); err != nil {
			t.Fatal(err)
		}
	}
	src := &source[event]{pattern: "mem://parquetio-src/in", cfg: newReadConfig(nil)}
	for hint := 1; hint <= 7; hint++ {
		splits, err := src.Splits(ctx, hint)
		if err != nil {
			t.Fatal(err)
		}
		seen := make([]int, 2*2048)
		tc := &fakeTC{counters: map[[2]string]*plan.Counter{}}
		for _, sp := range splits {
			file := 0
			if sp.Path == "mem://parquetio-src/in/events_v2_zstd.parquet" {
				file = 1
			}
			err := src.Read(ctx, tc, sp, func(e event) { seen[file*2048+int(e.Ts-eventTs0)/1000]++ })
			if err != nil {
				t.Fatal(err)
			}
		}
		for i, n := range seen {
			if n != 1 {
				t.Fatalf("hint %d (%d splits): row %d of file %d read %d times", hint, len(splits), i%2048, i/2048, n)
			}
		}
		// Row groups are grouped by bytes: at least one split per file, at
		// most one per row group.
		if len(splits) < 2 || len(splits) > 8 || (hint == 1 && len(splits) != 2) {
			t.Errorf("hint %d: %d splits", hint, len(splits))
		}
		t.Logf("hint %d: %d splits", hint, len(splits))
		if n := tc.Counter(CounterGroup, CounterRowsRead).Value; n != 4096 {
			t.Errorf("hint %d: rows read counter %d, want 4096", hint, n)
		}
	}
}

// Splits matches every file's schema to T's, so a mismatch fails planning.
func TestSourceSplitsCheckSchema(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("parquetio-src-schema")
	b, err := os.ReadFile("testdata/events_v1_snappy.parquet")
	if err != nil {
		t.Fatal(err)
	}
	url := "mem://parquetio-src-schema/in/events.parquet"
	if err := storage.WriteFile(ctx, url, b); err != nil {
		t.Fatal(err)
	}
	type withDevice struct {
		UserID string `parquet:"user_id"`
		Device string `parquet:"device"`
	}
	src := &source[withDevice]{pattern: "mem://parquetio-src-schema/in", cfg: newReadConfig(nil)}
	_, err = src.Splits(ctx, 2)
	var se *SchemaError
	if !errors.As(err, &se) || se.Path != url || se.Column != "device" {
		t.Fatalf("got %v, want a *SchemaError for column device of %s", err, url)
	}
	src = &source[withDevice]{pattern: "mem://parquetio-src-schema/in", cfg: newReadConfig([]ReadOption{ZeroFillMissing()})}
	if _, err := src.Splits(ctx, 2); err != nil {
		t.Fatalf("with ZeroFillMissing: %v", err)
	}
}
