package fileio_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
)

type row struct {
	Name  string  `avro:"name" parquet:"name"`
	Count int64   `avro:"count" parquet:"count"`
	Note  *string `avro:"note" parquet:"note,optional"`
}

func rows() []row {
	note := "n"
	return []row{{"a", 1, &note}, {"b", 2, nil}, {"c", 3, nil}}
}

// TestPipelineRoundTrip writes rows with Write in each format and reads
// them back with Read (the format from the files' extensions) and with
// ScanFiles.
func TestPipelineRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, f := range []fileio.Format{fileio.Avro, fileio.Parquet} {
		dir := storage.Join(t.TempDir(), "out")
		p := pcollection.NewPipeline("write")
		if err := fileio.Write(pcollection.Of(p, rows()...), dir, f); err != nil {
			t.Fatal(err)
		}
		crunchtest.Run(t, p)
		if got, err := fileio.FormatOf(ctx, dir); err != nil || got != f {
			t.Errorf("%s: FormatOf(output) = %q, %v", f, got, err)
		}

		p = pcollection.NewPipeline("read")
		in, err := fileio.Read[row](ctx, p, dir)
		if err != nil {
			t.Fatal(err)
		}
		m := pcollection.Materialize(in)
		crunchtest.Run(t, p)
		crunchtest.EqualUnordered(t, crunchtest.Values(t, m), rows())

		var scanned []row
		if err := fileio.ScanFiles(ctx, dir, func(r row) { scanned = append(scanned, r) }); err != nil {
			t.Fatal(err)
		}
		crunchtest.EqualUnordered(t, scanned, rows())
	}
}

// TestWriteFileDeterministic checks that WriteFile writes the same rows
// to the same file name as the same bytes, in both formats, and that a
// name without a known extension is refused.
func TestWriteFileDeterministic(t *testing.T) {
	ctx := context.Background()
	for _, f := range []fileio.Format{fileio.Avro, fileio.Parquet} {
		var files [2][]byte
		for i := range files {
			url := storage.Join(t.TempDir(), "rows"+f.Ext())
			if err := fileio.WriteFile(ctx, url, slices.Values(rows())); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(url)
			if err != nil {
				t.Fatal(err)
			}
			files[i] = b
		}
		if !bytes.Equal(files[0], files[1]) {
			t.Errorf("%s: two writes of the same rows differ", f)
		}
	}
	if err := fileio.WriteFile(ctx, storage.Join(t.TempDir(), "rows.csv"), slices.Values(rows())); err == nil {
		t.Error("WriteFile to a .csv succeeded")
	}
}

func TestFormatOf(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"a/part-0.avro", "a/part-1.avro", "a/_SUCCESS", "p/x.parquet", "m/x.avro", "m/y.parquet", "n/x.csv"} {
		if err := storage.WriteFile(ctx, storage.Join(dir, name), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	m := storage.Join(dir, "m")
	if _, err := fileio.FormatOf(ctx, m); err == nil || err.Error() != m+": mixes avro and parquet files ("+storage.Join(m, "x.avro")+", "+storage.Join(m, "y.parquet")+")" {
		t.Errorf("mixed formats: %v, want one file of each named", err)
	}
	for _, tc := range []struct {
		pattern string
		want    fileio.Format
		wantErr bool
	}{
		{"whatever/*.avro", fileio.Avro, false},
		{"x.PARQUET", fileio.Parquet, false},
		{storage.Join(dir, "a"), fileio.Avro, false},
		{storage.Join(dir, "p"), fileio.Parquet, false},
		{storage.Join(dir, "m"), "", true},
		{storage.Join(dir, "n"), "", true},
		{storage.Join(dir, "empty*"), "", true},
	} {
		got, err := fileio.FormatOf(ctx, tc.pattern)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("FormatOf(%q) = %q, %v; want %q, error %v", tc.pattern, got, err, tc.want, tc.wantErr)
		}
	}
}

// TestFormatOfCompressedWhole checks that an Avro or Parquet file
// compressed whole is refused saying so, not for an unknown extension.
func TestFormatOfCompressedWhole(t *testing.T) {
	ctx := context.Background()
	url := storage.Join(t.TempDir(), "events/part-0.parquet.gz")
	if err := storage.WriteFile(ctx, url, []byte("x")); err != nil {
		t.Fatal(err)
	}
	want := url + ": a parquet file compressed whole (extension .gz), which crunchgo does not read: decompress it first"
	for _, pattern := range []string{url, storage.Dir(url)} {
		if _, err := fileio.FormatOf(ctx, pattern); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("FormatOf(%s): %v, want %q", pattern, err, want)
		}
	}
	if err := fileio.ScanFile(ctx, url, func(struct{}) {}); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("ScanFile: %v, want %q", err, want)
	}
	// An extension after .parquet that names no compression is not one.
	bak := storage.Join(t.TempDir(), "part-0.parquet.bak")
	if err := storage.WriteFile(ctx, bak, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := fileio.FormatOf(ctx, storage.Dir(bak)); err == nil || err.Error() != bak+": extension is neither .avro nor .parquet" {
		t.Errorf("FormatOf(%s): %v, want the extension refused", bak, err)
	}
}

// TestCallerIsTheUsers checks that the nodes fileio.Write adds are
// attributed to its caller, not to fileio, so that errors name the user's
// line.
func TestCallerIsTheUsers(t *testing.T) {
	for _, f := range []fileio.Format{fileio.Avro, fileio.Parquet} {
		p := pcollection.NewPipeline("caller")
		if err := fileio.Write(pcollection.Of(p, row{Name: "a"}), t.TempDir(), f); err != nil {
			t.Fatal(err)
		}
		for _, n := range p.Graph().Nodes() {
			if n.Op == plan.OpSink && !strings.HasPrefix(n.Caller, "fileio/fileio_test.go:") {
				t.Errorf("%s sink %s is attributed to %s, want this test", f, n.Label(), n.Caller)
			}
		}
	}
}

// TestScanFileKeepsMaps scans more rows than one read batch (1024), each
// with a map, and keeps them: Parquet rows used to share their maps with the
// batch after, and took on its keys.
func TestScanFileKeepsMaps(t *testing.T) {
	type tagged struct {
		ID   int64            `avro:"id" parquet:"id"`
		Tags map[string]int64 `avro:"tags" parquet:"tags"`
	}
	want := make([]tagged, 3000)
	for i := range want {
		want[i] = tagged{int64(i), map[string]int64{strings.Repeat("k", 1+i%5): int64(i)}}
	}
	ctx := context.Background()
	for _, name := range []string{"maps.avro", "maps.parquet"} {
		url := storage.Join(t.TempDir(), name)
		if err := fileio.WriteFile(ctx, url, slices.Values(want)); err != nil {
			t.Fatal(err)
		}
		var got []tagged
		if err := fileio.ScanFile(ctx, url, func(r tagged) { got = append(got, r) }); err != nil {
			t.Fatal(err)
		}
		if diff := crunchtest.DiffUnordered(got, want); diff != "" {
			t.Errorf("%s: %s", name, diff)
		}
	}
}
