package mem_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

type event struct {
	ID   int64  `avro:"id" parquet:"id"`
	Kind string `avro:"kind" parquet:"kind"`
}

// eventV2 adds an optional field: old files read as it with nil there.
type eventV2 struct {
	ID   int64   `avro:"id" parquet:"id"`
	Kind string  `avro:"kind" parquet:"kind"`
	Note *string `avro:"note" parquet:"note,optional"`
}

type kindCount struct {
	Kind  string `avro:"kind" parquet:"kind"`
	Count int64  `avro:"count" parquet:"count"`
}

// TestAppendChecksSchema checks that appending to an Avro or Parquet
// output refuses records that cannot be read together with its files
// (another record type), and allows the same type and one that adds an
// optional field.
func TestAppendChecksSchema(t *testing.T) {
	ctx := context.Background()
	formats := map[string]func(dir string) []func(p *pcollection.Pipeline){
		"avro": func(dir string) []func(p *pcollection.Pipeline) {
			return []func(p *pcollection.Pipeline){
				func(p *pcollection.Pipeline) { avroio.Write(pcollection.Of(p, event{1, "a"}), dir) },
				func(p *pcollection.Pipeline) { avroio.Write(pcollection.Of(p, eventV2{2, "b", nil}), dir) },
				func(p *pcollection.Pipeline) { avroio.Write(pcollection.Of(p, kindCount{"a", 1}), dir) },
			}
		},
		"parquet": func(dir string) []func(p *pcollection.Pipeline) {
			return []func(p *pcollection.Pipeline){
				func(p *pcollection.Pipeline) { parquetio.Write(pcollection.Of(p, event{1, "a"}), dir) },
				func(p *pcollection.Pipeline) { parquetio.Write(pcollection.Of(p, eventV2{2, "b", nil}), dir) },
				func(p *pcollection.Pipeline) { parquetio.Write(pcollection.Of(p, kindCount{"a", 1}), dir) },
			}
		},
	}
	for name, writes := range formats {
		dir := filepath.Join(t.TempDir(), "out")
		w := writes(dir)
		for i, build := range []func(*pcollection.Pipeline){w[0], w[0], w[1]} {
			p := pcollection.NewPipeline("append")
			build(p)
			if _, err := mem.Run(ctx, p, runner.Options{WriteMode: runner.WriteAppend}); err != nil {
				t.Fatalf("%s: append %d: %v", name, i, err)
			}
		}
		p := pcollection.NewPipeline("append")
		w[2](p)
		_, err := mem.Run(ctx, p, runner.Options{WriteMode: runner.WriteAppend})
		if err == nil || !strings.Contains(err.Error(), "cannot be read with") || !strings.Contains(err.Error(), dir) {
			t.Errorf("%s: appending another record type: %v, want it refused", name, err)
		} else {
			t.Logf("%s: %v", name, err)
		}
		parts, _ := filepath.Glob(filepath.Join(dir, "part-*"))
		if len(parts) != 3 {
			t.Errorf("%s: %d part files after the refused append, want 3", name, len(parts))
		}
	}
}
