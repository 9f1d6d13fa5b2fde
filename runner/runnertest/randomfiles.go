package runnertest

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/textio"
)

// randomRecord is a wide record, as RandomPipeline's file sources hold
// and as its wide map work makes: the planner's size estimate weighs its
// width against an int64's.
type randomRecord struct {
	ID   int64  `avro:"id" parquet:"id"`
	Key  int64  `avro:"key" parquet:"key"`
	Name string `avro:"name" parquet:"name"`
	Note string `avro:"note" parquet:"note"`
}

func widen(x int64) randomRecord {
	return randomRecord{ID: x, Key: x % 10, Name: "n" + strconv.FormatInt(x, 10), Note: "wide"}
}

// randomFiles are the contents of a seed's files: they depend on the seed
// alone, not on the pipeline's shape, so that a test can write them before
// building the pipeline.
type randomFiles struct {
	lines []string       // nums.txt
	recs  []randomRecord // recs.avro and recs.parquet
}

func randomFileData(seed uint64) randomFiles {
	r := rand.New(rand.NewPCG(seed, 7))
	var f randomFiles
	for range 20 + r.IntN(60) {
		f.lines = append(f.lines, strconv.FormatInt(r.Int64N(50), 10))
	}
	for range 5 + r.IntN(30) {
		f.recs = append(f.recs, widen(r.Int64N(50)))
	}
	return f
}

// WriteRandomFiles writes to dir the files RandomPipelineFiles(p, seed,
// dir) reads: Avro in small blocks and Parquet in small row groups, so
// that their sources have several splits.
func WriteRandomFiles(dir string, seed uint64) error {
	f := randomFileData(seed)
	if err := os.WriteFile(filepath.Join(dir, "nums.txt"), []byte(strings.Join(f.lines, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o644); err != nil {
		return err
	}
	if err := writeRecords(filepath.Join(dir, "empty.avro"), nil); err != nil {
		return err
	}
	if err := writeRecords(filepath.Join(dir, "empty.parquet"), nil); err != nil {
		return err
	}
	if err := writeRecords(filepath.Join(dir, "recs.avro"), f.recs); err != nil {
		return err
	}
	return writeRecords(filepath.Join(dir, "recs.parquet"), f.recs)
}

// writeRecords writes recs to the file at path, Avro in small blocks and
// Parquet in small row groups, by extension.
func writeRecords(path string, recs []randomRecord) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	if filepath.Ext(path) == ".avro" {
		w, err := avroio.NewFileWriter[randomRecord](out, avroio.WithBlockSize(64))
		if err != nil {
			return err
		}
		for _, x := range recs {
			if err := w.Write(x); err != nil {
				return err
			}
		}
		if err := w.Close(); err != nil {
			return err
		}
	} else {
		w, err := parquetio.NewWriter[randomRecord](out, parquetio.RowGroupRows(8))
		if err != nil {
			return err
		}
		if _, err := w.Write(recs); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
	return out.Close()
}

// recordSource reads the seed's records from an Avro or a Parquet file in
// dir, or from memory if dir is empty.
func recordSource(p *pcollection.Pipeline, r *rand.Rand, dir string, f randomFiles) pcollection.PCollection[randomRecord] {
	avro := r.IntN(2) == 0
	switch {
	case dir == "":
		return pcollection.Of(p, f.recs...)
	case avro:
		return avroio.Read[randomRecord](p, filepath.Join(dir, "recs.avro"), avroio.WithSplitSize(128))
	default:
		return parquetio.Read[randomRecord](p, filepath.Join(dir, "recs.parquet"))
	}
}

// emptyFile reads an empty text, Avro or Parquet file in dir (no splits,
// or splits without records), or an empty in-memory source if dir is
// empty.
func emptyFile(p *pcollection.Pipeline, r *rand.Rand, dir string) pcollection.PCollection[int64] {
	kind := r.IntN(3)
	id := func(x randomRecord) int64 { return x.ID }
	switch {
	case dir == "":
		return pcollection.Of[int64](p)
	case kind == 0:
		return pcollection.Map(textio.Read(p, filepath.Join(dir, "empty.txt")), func(s string) int64 { return int64(len(s)) })
	case kind == 1:
		return pcollection.Map(avroio.Read[randomRecord](p, filepath.Join(dir, "empty.avro")), id)
	default:
		return pcollection.Map(parquetio.Read[randomRecord](p, filepath.Join(dir, "empty.parquet")), id)
	}
}
