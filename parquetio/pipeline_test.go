package parquetio_test

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
)

// Event is a listening event; the DuckDB fixtures hold 2048 of them.
type Event struct {
	UserID   string `parquet:"user_id"`
	TrackID  string `parquet:"track_id"`
	ArtistID string `parquet:"artist_id"`
	Country  string `parquet:"country"`
	Platform string `parquet:"platform"`
	MsPlayed int64  `parquet:"ms_played"`
	Ts       int64  `parquet:"ts"`
	Skipped  bool   `parquet:"skipped"`
}

func putFixture(t *testing.T, url, name string) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := storage.WriteFile(context.Background(), url, b); err != nil {
		t.Fatal(err)
	}
}

func TestPipelineReadWrite(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("parquetio-rw")
	in, out := "mem://parquetio-rw/in", "mem://parquetio-rw/out"
	putFixture(t, in+"/a.parquet", "events_v1_snappy.parquet")
	putFixture(t, in+"/b.parquet", "events_v2_zstd.parquet")
	if err := storage.WriteFile(ctx, in+"/_SUCCESS", nil); err != nil {
		t.Fatal(err)
	}

	p := pcollection.NewPipeline("parquetio-rw")
	events := parquetio.Read[Event](p, in)
	played := pcollection.Filter(events, func(e Event) bool { return !e.Skipped })
	parquetio.Write(played, out, parquetio.Compression(parquetio.Zstd), parquetio.RowGroupRows(300))
	all := pcollection.Materialize(events)
	res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 3 })

	got := crunchtest.Values(t, all)
	if len(got) != 4096 {
		t.Fatalf("read %d events, want 4096", len(got))
	}
	var want []Event
	for _, e := range got {
		if !e.Skipped {
			want = append(want, e)
		}
	}
	if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterRowsRead); n != 4096 {
		t.Errorf("rows read counter = %d, want 4096", n)
	}
	if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterRowGroupsRead); n != 8 {
		t.Errorf("row groups read counter = %d, want 8", n)
	}
	if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterRowsWritten); n != int64(len(want)) {
		t.Errorf("rows written counter = %d, want %d", n, len(want))
	}

	// The output reads back through the pipeline.
	files, err := storage.DataFiles(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	for _, fi := range files {
		if !strings.HasSuffix(fi.Name, ".parquet") {
			t.Errorf("output file %s lacks the .parquet extension", fi.Name)
		}
	}
	p2 := pcollection.NewPipeline("parquetio-readback")
	back := pcollection.Materialize(parquetio.Read[Event](p2, out))
	crunchtest.Run(t, p2)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, back), want)
}

func TestPipelineSplitsAndPushdown(t *testing.T) {
	storage.ResetMem("parquetio-split")
	in := "mem://parquetio-split/in"
	putFixture(t, in+"/a.parquet", "events_v2_zstd.parquet")

	// Row groups are spread over the workers, and pruning is counted.
	p := pcollection.NewPipeline("parquetio-split")
	se := pcollection.Materialize(parquetio.Read[Event](p, in, parquetio.WithFilter(parquetio.Eq("country", "SE"))))
	all := pcollection.Materialize(parquetio.Read[Event](p, in))
	res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 4 })
	if got := len(crunchtest.Values(t, all)); got != 2048 {
		t.Errorf("read %d rows, want 2048", got)
	}
	rows := crunchtest.Values(t, se)
	if len(rows) != 512 {
		t.Errorf("with the filter: read %d rows (the first row group), want 512", len(rows))
	}
	if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterRowGroupsPruned); n != 3 {
		t.Errorf("row groups pruned counter = %d, want 3", n)
	}
	for _, st := range res.Stages {
		t.Logf("stage %+v", st)
	}
}

func TestPipelineCorrupt(t *testing.T) {
	storage.ResetMem("parquetio-bad")
	in := "mem://parquetio-bad/in"
	putFixture(t, in+"/bad.parquet", "corrupt_truncated_footer.parquet")
	p := pcollection.NewPipeline("parquetio-bad")
	pcollection.Materialize(parquetio.Read[Event](p, in))
	_, err := mem.Run(context.Background(), p, runner.Options{})
	if !errors.Is(err, parquetio.ErrCorrupt) || !strings.Contains(err.Error(), "bad.parquet") {
		t.Fatalf("got %v, want ErrCorrupt naming bad.parquet", err)
	}
}

// A null that T's field cannot hold is found when its page is read: the
// task fails, naming the row, and is not retried (plan.Permanent).
func TestPipelineNullInRequiredField(t *testing.T) {
	storage.ResetMem("parquetio-null")
	type optional struct {
		User  string  `parquet:"user"`
		Title *string `parquet:"title"`
	}
	title := "a"
	var b bytes.Buffer
	w, err := parquetio.NewWriter[optional](&b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]optional{{"u1", &title}, {"u2", nil}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := storage.WriteFile(context.Background(), "mem://parquetio-null/in/a.parquet", b.Bytes()); err != nil {
		t.Fatal(err)
	}
	type required struct {
		User  string `parquet:"user"`
		Title string `parquet:"title"`
	}
	p := pcollection.NewPipeline("parquetio-null")
	pcollection.Materialize(parquetio.Read[required](p, "mem://parquetio-null/in"))
	_, err = mem.Run(context.Background(), p, runner.Options{})
	if !errors.Is(err, parquetio.ErrSchemaMismatch) || !plan.IsPermanent(err) || !strings.Contains(err.Error(), "a.parquet: row group 0, row 1") {
		t.Fatalf("got %v, want a permanent schema mismatch naming row 1 of a.parquet", err)
	}
}

// A file the row type does not fit fails the job when its splits are
// planned, naming the file and the column.
func TestPipelineSchemaMismatch(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("parquetio-schema")
	in := "mem://parquetio-schema/in"
	putFixture(t, in+"/a.parquet", "events_v1_snappy.parquet")
	type noMs struct {
		UserID string `parquet:"user_id"`
	}
	var buf bytes.Buffer
	w, err := parquetio.NewWriter[noMs](&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]noMs{{"u1"}, {"u2"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := storage.WriteFile(ctx, in+"/b.parquet", buf.Bytes()); err != nil {
		t.Fatal(err)
	}

	p := pcollection.NewPipeline("parquetio-schema")
	pcollection.Materialize(parquetio.Read[Event](p, in))
	res, err := mem.Run(ctx, p, runner.Options{})
	var se *parquetio.SchemaError
	if !errors.As(err, &se) || !strings.HasSuffix(se.Path, "b.parquet") || se.Column != "track_id" {
		t.Fatalf("got %v, want a *SchemaError naming b.parquet and track_id", err)
	}
	if res != nil {
		if n := res.Counters.Get(parquetio.CounterGroup, parquetio.CounterRowsRead); n != 0 {
			t.Errorf("%d rows read before the mismatch was found, want none", n)
		}
	}

	// With ZeroFillMissing, b's rows read with zero values.
	p = pcollection.NewPipeline("parquetio-schema-zero")
	all := pcollection.Materialize(parquetio.Read[Event](p, in, parquetio.ZeroFillMissing()))
	crunchtest.Run(t, p)
	got := crunchtest.Values(t, all)
	var zeros int
	for _, e := range got {
		if e.TrackID == "" {
			zeros++
		}
	}
	if len(got) != 2050 || zeros != 2 {
		t.Errorf("with ZeroFillMissing: read %d rows, %d without a track, want 2050 and 2", len(got), zeros)
	}
}

func TestBuildErrors(t *testing.T) {
	p := pcollection.NewPipeline("parquetio-build")
	if _, err := parquetio.TryRead[chan int](p, "mem://x/y"); err == nil {
		t.Error("TryRead of a chan type: got no error")
	}
	c := pcollection.Of(p, 1, 2, 3)
	if err := parquetio.TryWrite(c, "mem://x/out"); err == nil {
		t.Error("TryWrite of ints: got no error")
	}
	type nestedRat struct {
		Prices [][]*big.Rat `parquet:"prices,list"`
	}
	if _, err := parquetio.TryRead[nestedRat](p, "mem://x/y"); err == nil || !strings.Contains(err.Error(), "field Prices") {
		t.Errorf("TryRead of a list of lists of *big.Rat: got %v, want an error naming field Prices", err)
	}
	type untaggedRat struct {
		Price *big.Rat `parquet:"price"`
	}
	if err := parquetio.TryWrite(pcollection.Of(p, untaggedRat{}), "mem://x/out"); err == nil || !strings.Contains(err.Error(), "decimal(scale:precision)") {
		t.Errorf("TryWrite of an untagged *big.Rat: got %v, want an error asking for the decimal tag", err)
	}
}

// Exact decimals read and written by a pipeline: the files are matched
// when splits are planned, each split reads its row groups, and the sink
// writes DECIMAL columns.
func TestPipelineDecimals(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("parquetio-dec")
	in, out := "mem://parquetio-dec/in", "mem://parquetio-dec/out"
	type sale struct {
		ID    int64    `parquet:"id"`
		Price *big.Rat `parquet:"price,decimal(4:20)"`
	}
	var buf bytes.Buffer
	w, err := parquetio.NewWriter[sale](&buf, parquetio.RowGroupRows(100))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{}
	var rows []sale
	for i := range int64(1000) {
		s := sale{ID: i}
		if i%10 != 3 {
			s.Price = new(big.Rat).SetFrac(new(big.Int).Lsh(big.NewInt(i-500), 40), big.NewInt(10000))
			want[i] = s.Price.RatString()
		}
		rows = append(rows, s)
	}
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := storage.WriteFile(ctx, in+"/a.parquet", buf.Bytes()); err != nil {
		t.Fatal(err)
	}

	p := pcollection.NewPipeline("parquetio-dec")
	sales := parquetio.Read[sale](p, in)
	parquetio.Write(sales, out)
	all := pcollection.Materialize(sales)
	crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 3 })
	check := func(what string, got []sale) {
		t.Helper()
		if len(got) != len(rows) {
			t.Fatalf("%s: %d rows, want %d", what, len(got), len(rows))
		}
		for _, s := range got {
			w, ok := want[s.ID]
			if s.Price == nil && ok || s.Price != nil && s.Price.RatString() != w {
				t.Errorf("%s: row %d: price %v, want %q", what, s.ID, s.Price, w)
			}
		}
	}
	check("read", crunchtest.Values(t, all))

	// The output reads back.
	p = pcollection.NewPipeline("parquetio-dec-back")
	back := pcollection.Materialize(parquetio.Read[sale](p, out))
	crunchtest.Run(t, p)
	check("written", crunchtest.Values(t, back))

	type notDecimal struct {
		ID *big.Rat `parquet:"id"`
	}
	p = pcollection.NewPipeline("parquetio-dec-bad")
	pcollection.Materialize(parquetio.Read[notDecimal](p, in))
	_, err = mem.Run(ctx, p, runner.Options{})
	var se *parquetio.SchemaError
	if !errors.As(err, &se) || !strings.HasSuffix(se.Path, "a.parquet") || se.Column != "id" {
		t.Fatalf("got %v, want a *SchemaError naming a.parquet and id", err)
	}

	// A value the column cannot hold fails the job for good.
	p = pcollection.NewPipeline("parquetio-dec-inexact")
	parquetio.Write(pcollection.Of(p, sale{ID: 1, Price: big.NewRat(1, 3)}), "mem://parquetio-dec/inexact")
	_, err = mem.Run(ctx, p, runner.Options{})
	if err == nil || !plan.IsPermanent(err) || !strings.Contains(err.Error(), "field Price: 1/3") {
		t.Fatalf("got %v, want a permanent error naming field Price and 1/3", err)
	}
}
