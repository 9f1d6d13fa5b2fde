package mem_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/runner/runnertest"
	"github.com/crunchgo/crunchgo/textio"
)

type word struct {
	W string `avro:"w" parquet:"w"`
}

// TestEmptyInputWritesEmptyParts checks that outputs written straight from
// an input of no splits (an empty file runs no map task) get a part file of
// no records, so that the next job reads them back as empty: a directory
// of no data files is refused as a likely mistake.
func TestEmptyInputWritesEmptyParts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, opts := range []runner.Options{{}, {Unoptimized: true}} {
		out := t.TempDir()
		p := pcollection.NewPipeline("empty")
		lines := textio.Read(p, empty)
		words := pcollection.Map(lines, func(s string) word { return word{s} })
		textio.Write(lines, filepath.Join(out, "text"))
		avroio.Write(words, filepath.Join(out, "avro"))
		parquetio.Write(words, filepath.Join(out, "parquet"))
		if _, err := mem.Run(ctx, p, opts); err != nil {
			t.Fatal(err)
		}

		next := pcollection.NewPipeline("next")
		got := []*pcollection.Materialized[string]{
			pcollection.Materialize(textio.Read(next, filepath.Join(out, "text"))),
			pcollection.Materialize(pcollection.Map(avroio.Read[word](next, filepath.Join(out, "avro")), func(w word) string { return w.W })),
			pcollection.Materialize(pcollection.Map(parquetio.Read[word](next, filepath.Join(out, "parquet")), func(w word) string { return w.W })),
		}
		if _, err := mem.Run(ctx, next, runner.Options{}); err != nil {
			t.Fatalf("%+v: reading the outputs back: %v", opts.Unoptimized, err)
		}
		for i, m := range got {
			if vs, err := m.Values(); err != nil || len(vs) != 0 {
				t.Errorf("unoptimized %v: output %d read back as %q, %v; want no records", opts.Unoptimized, i, vs, err)
			}
		}
	}

	// Appending nothing to an output that has data files adds none.
	out := filepath.Join(t.TempDir(), "text")
	for _, mode := range []runner.WriteMode{runner.WriteFail, runner.WriteAppend} {
		p := pcollection.NewPipeline("append")
		textio.Write(textio.Read(p, empty), out)
		if _, err := mem.Run(ctx, p, runner.Options{WriteMode: mode}); err != nil {
			t.Fatal(err)
		}
	}
	if parts, _ := filepath.Glob(filepath.Join(out, "part-*")); len(parts) != 1 {
		t.Errorf("after appending an empty run: part files %q, want the first run's one", parts)
	}
}

// The in-memory runner writes partitioned tables as it writes them (a
// check of runnertest.CheckPartitioned itself, against its own output).
func TestPartitionedWrite(t *testing.T) {
	runnertest.CheckPartitioned(t, mem.Runner{}, runner.Options{Workers: 2}, t.TempDir())
}

// Run unoptimized, the in-memory runner writes partitioned tables too.
func TestPartitionedWriteUnoptimized(t *testing.T) {
	runnertest.CheckPartitioned(t, mem.Runner{}, runner.Options{Unoptimized: true}, t.TempDir())
}

// Replacing some partitions of a table keeps the others.
func TestPartitionOverwrite(t *testing.T) {
	runnertest.CheckPartitionOverwrite(t, mem.Runner{}, runner.Options{Workers: 2}, t.TempDir())
}

// Appending to a partitioned table adds the run's files into its
// partition directories.
func TestPartitionAppend(t *testing.T) {
	runnertest.CheckPartitionAppend(t, mem.Runner{}, runner.Options{Workers: 2}, t.TempDir())
}
