package csvio_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/csvio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/local"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
)

func TestMain(m *testing.M) { crunchtest.Main(m) }

type Play struct {
	User    string     `csv:"user"`
	Track   string     `csv:"track"`
	Plays   int64      `csv:"plays"`
	Share   float64    `csv:"share"`
	Skipped bool       `csv:"skipped"`
	Small   uint8      `csv:"small"`
	Rating  *int32     `csv:"rating"`
	Note    *string    `csv:"note"`
	At      time.Time  `csv:"at"`
	Seen    *time.Time `csv:"seen"`
	secret  int
}

func put(t *testing.T, url string, data string) {
	t.Helper()
	if err := storage.WriteFile(context.Background(), url, []byte(data)); err != nil {
		t.Fatal(err)
	}
}

func gz(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func plays(n int) []Play {
	var out []Play
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for i := range n {
		p := Play{User: fmt.Sprintf("u%d", i), Track: fmt.Sprintf("t,%d \"q\"", i%7), Plays: int64(i*1000 - 7), Share: float64(i) / 3,
			Skipped: i%2 == 0, Small: uint8(i), At: at.Add(time.Duration(i) * time.Minute)}
		if i%3 == 0 {
			r, note, seen := int32(-i), fmt.Sprintf("note %d", i), at.Add(time.Duration(i)*time.Second)
			p.Rating, p.Note, p.Seen = &r, &note, &seen
		}
		out = append(out, p)
	}
	return out
}

// Write then Read give back the same values, with and without gzip, a
// header and the default delimiter or not, read in small splits.
func TestRoundTrip(t *testing.T) {
	storage.ResetMem("csv-rt")
	want := plays(300)
	for i, opts := range [][]csvio.Option{
		nil,
		{csvio.Gzip()},
		{csvio.Delimiter(';'), csvio.NoHeader()},
		{csvio.Delimiter('\t'), csvio.WholeFiles()},
	} {
		out := fmt.Sprintf("mem://csv-rt/out%d", i)
		p := pcollection.NewPipeline("write")
		csvio.Write(pcollection.Of(p, want...), out, opts...)
		res := crunchtest.Run(t, p)
		if n := res.Counters.Get(csvio.CounterGroup, csvio.CounterRecordsWritten); n != int64(len(want)) {
			t.Errorf("%d: records written = %d, want %d", i, n, len(want))
		}
		p = pcollection.NewPipeline("read")
		got := pcollection.Materialize(csvio.Read[Play](p, out, append(opts, csvio.SplitSize(500))...))
		res = crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 3 })
		crunchtest.EqualUnordered(t, crunchtest.Values(t, got), want)
		if n := res.Counters.Get(csvio.CounterGroup, csvio.CounterRecordsRead); n != int64(len(want)) {
			t.Errorf("%d: records read = %d, want %d", i, n, len(want))
		}
	}
}

// Tab-separated part files are named .tsv, for crunchgo cat to read them
// as such, not as one column of a .csv.
func TestPartFileNames(t *testing.T) {
	storage.ResetMem("csv-names")
	for _, tc := range []struct {
		opts []csvio.Option
		want string
	}{
		{nil, ".csv"},
		{[]csvio.Option{csvio.Gzip(), csvio.Delimiter(';')}, ".csv.gz"},
		{[]csvio.Option{csvio.Delimiter('\t')}, ".tsv"},
		{[]csvio.Option{csvio.Delimiter('\t'), csvio.Gzip()}, ".tsv.gz"},
	} {
		out := "mem://csv-names/out" + tc.want
		p := pcollection.NewPipeline("write")
		csvio.Write(pcollection.Of(p, plays(3)...), out, tc.opts...)
		crunchtest.Run(t, p)
		files, err := storage.DataFiles(context.Background(), out)
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v, %v", out, files, err)
		}
		for _, f := range files {
			if ext := strings.TrimLeft(f.Name, "part-m0123456789"); ext != tc.want {
				t.Errorf("%s: wrote %s, want part files *%s", out, f.Name, tc.want)
			}
		}
	}
}

// Splits of every size that tile a file read each record once: the header
// (after a byte order mark and blank lines) is skipped by whichever split
// holds it, and only it, even where a record equals it.
func TestSplitsTile(t *testing.T) {
	storage.ResetMem("csv-tile")
	type Row struct {
		B string `csv:"b"`
		A string `csv:"a"`
	}
	var text strings.Builder
	var want []Row
	text.WriteString("\ufeff\n\r\na,b,extra\r\n")
	for i := range 40 {
		b := fmt.Sprintf("x %d, \"quoted\"", i)
		if i == 5 {
			text.WriteString("\n")
		}
		if i == 9 {
			text.WriteString("a,b,extra\n")
			want = append(want, Row{"b", "a"})
		}
		fmt.Fprintf(&text, "%d,\"%s\",e\n", i, strings.ReplaceAll(b, `"`, `""`))
		want = append(want, Row{b, fmt.Sprint(i)})
	}
	put(t, "mem://csv-tile/a.csv", text.String())
	for size := int64(1); size <= int64(text.Len())+1; size += 7 {
		p := pcollection.NewPipeline("tile")
		got := pcollection.Materialize(csvio.Read[Row](p, "mem://csv-tile/a.csv", csvio.SplitSize(size)))
		crunchtest.Run(t, p)
		if diff := crunchtest.DiffUnordered(crunchtest.Values(t, got), want); diff != "" {
			t.Fatalf("split size %d: (-missing +extra)\n%s", size, diff)
		}
	}
}

// A quoted field holding a newline fails a read in splits, naming the
// file, the line and what to do; WholeFiles reads it, from compressed
// files too, and its errors give line numbers.
func TestQuotedNewline(t *testing.T) {
	storage.ResetMem("csv-nl")
	type Row struct {
		ID   int    `csv:"id"`
		Text string `csv:"text"`
	}
	data := "id,text\n1,\"one\nline two\"\n2,\"x\"\"y\"\n"
	put(t, "mem://csv-nl/a.csv", data)
	put(t, "mem://csv-nl/gz/a.csv.gz", gz(t, data))
	p := pcollection.NewPipeline("split")
	pcollection.Materialize(csvio.Read[Row](p, "mem://csv-nl/a.csv"))
	_, err := mem.Run(context.Background(), p, runner.Options{})
	if !errors.Is(err, csvio.ErrQuotedNewline) || !plan.IsPermanent(err) || !strings.Contains(err.Error(), "csvio: mem://csv-nl/a.csv: line 2 (offset 8): quoted field continues") {
		t.Errorf("split read: got %v, want a permanent ErrQuotedNewline naming line 2 of a.csv", err)
	}
	for _, in := range []string{"mem://csv-nl/a.csv", "mem://csv-nl/gz"} {
		p = pcollection.NewPipeline("whole")
		got := pcollection.Materialize(csvio.Read[Row](p, in, csvio.WholeFiles(), csvio.SplitSize(3)))
		crunchtest.Run(t, p)
		crunchtest.EqualUnordered(t, crunchtest.Values(t, got), []Row{{1, "one\nline two"}, {2, `x"y`}})
	}
	put(t, "mem://csv-nl/bad.csv", "id,text\n1,\"one\nline two\"\n\nthree,x\n")
	p = pcollection.NewPipeline("whole-bad")
	pcollection.Materialize(csvio.Read[Row](p, "mem://csv-nl/bad.csv", csvio.WholeFiles()))
	_, err = mem.Run(context.Background(), p, runner.Options{})
	if want := `csvio: mem://csv-nl/bad.csv: line 5 (offset 26): column 1 (id): parse "three" as int: invalid syntax`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("whole-file read: got %v, want %q", err, want)
	}
}

// Bad input fails the job with an error naming the file, the line and the
// column; nothing is skipped.
func TestBadInput(t *testing.T) {
	type Row struct {
		User  string `csv:"user"`
		Track string `csv:"track"`
		Plays int64  `csv:"plays"`
		Ok    bool   `csv:"ok"`
	}
	for _, tc := range []struct {
		name, data string
		opts       []csvio.Option
		want       string
	}{
		{"int", "user,track,plays,ok\nu,t,1,true\n\nu,t,2,false\nu,t,abc,true\n", nil,
			`csvio: mem://csv-bad/int.csv: line 5 (offset 44): column 3 (plays): parse "abc" as int64: invalid syntax`},
		{"range", "user,track,plays,ok\nu,t,99999999999999999999,true\n", nil,
			`line 2 (offset 20): column 3 (plays): parse "99999999999999999999" as int64: value out of range`},
		{"bool", "u,t,1,yes\n", []csvio.Option{csvio.NoHeader()},
			`line 1 (offset 0): column 4 (ok): parse "yes" as bool: invalid syntax`},
		{"empty", "user,track,plays,ok\nu,t,,true\n", nil,
			`line 2 (offset 20): column 3 (plays): empty value for int64`},
		{"short", "user,track,plays,ok\nu,t,1,true\nu,t,1\n", nil,
			`line 3 (offset 31): 3 columns, want 4 (the header's): wrong columns`},
		{"long", "u,t,1,true,x\n", []csvio.Option{csvio.NoHeader()},
			`line 1 (offset 0): 5 columns, want 4 (the struct's fields): wrong columns`},
		{"missing", "user,plays,ok\nu,1,true\n", nil,
			`header ["user" "plays" "ok"] has no column "track" for field Track (string): wrong columns`},
		{"twice", "user,track,plays,ok,user\n", nil,
			`column 5 (user): header names column "user" twice`},
		{"quote", "user,track,plays,ok\nu,t\"x,1,true\n", nil,
			`line 2 (offset 20): bare " in non-quoted-field (at byte 4 of the line)`},
		{"gzip", gz(t, "user,track,plays,ok\nu,t,1,true\nu,t,x,true\n"), nil,
			`csvio: mem://csv-bad/gzip.csv.gz: line 3 (offset 31): column 3 (plays): parse "x" as int64`},
	} {
		storage.ResetMem("csv-bad")
		url := "mem://csv-bad/" + tc.name + ".csv"
		if tc.name == "gzip" {
			url += ".gz"
		}
		put(t, url, tc.data)
		p := pcollection.NewPipeline("bad")
		pcollection.Materialize(csvio.Read[Row](p, url, tc.opts...))
		_, err := mem.Run(context.Background(), p, runner.Options{})
		var ce *csvio.Error
		if !errors.As(err, &ce) || !plan.IsPermanent(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want a permanent *csvio.Error saying %q", tc.name, err, tc.want)
		}
	}
}

// A Go field without a tag names its column after itself ("UserID"): the
// error points at the header's column it likely meant ("user_id").
func TestUntaggedFieldHint(t *testing.T) {
	type Row struct {
		UserID string
		Plays  int64
	}
	storage.ResetMem("csv-untagged")
	put(t, "mem://csv-untagged/a.csv", "user_id,plays\nu1,3\n")
	p := pcollection.NewPipeline("untagged")
	pcollection.Materialize(csvio.Read[Row](p, "mem://csv-untagged/a.csv"))
	want := `a.csv: line 1 (offset 0): header ["user_id" "plays"] has no column "UserID" for field UserID (string) (it has "user_id": name it in the field's tag, csv:"user_id"): wrong columns`
	if _, err := mem.Run(context.Background(), p, runner.Options{}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %q", err, want)
	}
}

// A header that does not fit T fails while splits are planned, before any
// task runs, naming the file and the column; files whose headers fit, a
// header holding a newline read whole, and raw records plan.
func TestHeaderCheckedWhilePlanning(t *testing.T) {
	storage.ResetMem("csv-plan")
	type Row struct {
		User  string `csv:"user"`
		Plays int64  `csv:"plays"`
	}
	put(t, "mem://csv-plan/good/a.csv", "user,plays\nu,1\n")
	put(t, "mem://csv-plan/good/b.csv", "\n\"plays\",User,\"extra\ncolumn\"\n1,u,x\n")
	put(t, "mem://csv-plan/good/c.csv", "")
	put(t, "mem://csv-plan/bad/a.csv", "user,plays\nu,1\n")
	put(t, "mem://csv-plan/bad/b.csv", "user,plays\nu,2\n")
	put(t, "mem://csv-plan/bad/c.csv", "user,plays,user\nu,3,v\n")
	p := pcollection.NewPipeline("plan")
	err := splits(csvio.Read[Row](p, "mem://csv-plan/bad", csvio.SplitSize(4)))
	var ce *csvio.Error
	want := `csvio: mem://csv-plan/bad/c.csv: line 1 (offset 0): column 3 (user): header names column "user" twice`
	if !errors.As(err, &ce) || !errors.Is(err, csvio.ErrColumns) || !strings.Contains(err.Error(), want) {
		t.Errorf("bad header: got %v, want a *csvio.Error saying %q", err, want)
	}
	if err := splits(csvio.Read[Row](p, "mem://csv-plan/good/*", csvio.WholeFiles())); err != nil {
		t.Errorf("fitting headers, whole files: %v", err)
	}
	if err := splits(csvio.Read[Row](p, "mem://csv-plan/good/a.csv")); err != nil {
		t.Errorf("fitting header: %v", err)
	}
	type Wide struct {
		Plays int64  `csv:"plays"`
		Track string `csv:"track"`
	}
	err = splits(csvio.Read[Wide](p, "mem://csv-plan/good/a.csv"))
	if want := `csvio: mem://csv-plan/good/a.csv: line 1 (offset 0): header ["user" "plays"] has no column "track" for field Track (string): wrong columns`; err == nil || err.Error() != want {
		t.Errorf("missing column: got %v, want %q", err, want)
	}
	if err := splits(csvio.Read[[]string](p, "mem://csv-plan/bad")); err != nil {
		t.Errorf("raw records: %v", err)
	}
}

// splits plans the splits of c's source, as a runner does before its tasks.
func splits[T any](c pcollection.PCollection[T]) error {
	_, err := c.Pipeline().Graph().Nodes()[c.ID()].Payload.(plan.SourcePayload).Splits(context.Background(), 4)
	return err
}

// A split not starting its file knows the columns from the file's header
// and gives the record's line number too, counted on failure.
func TestBadInputLaterSplit(t *testing.T) {
	storage.ResetMem("csv-later")
	type Row struct {
		A int `csv:"a"`
		B int `csv:"b"`
	}
	var text strings.Builder
	text.WriteString("b,a\n")
	for i := range 100 {
		fmt.Fprintf(&text, "%d,%d\n", i, i)
	}
	off := text.Len()
	text.WriteString("1,x\n")
	put(t, "mem://csv-later/a.csv", text.String())
	p := pcollection.NewPipeline("later")
	pcollection.Materialize(csvio.Read[Row](p, "mem://csv-later/a.csv", csvio.SplitSize(64)))
	_, err := mem.Run(context.Background(), p, runner.Options{})
	if want := fmt.Sprintf(`csvio: mem://csv-later/a.csv: line 102 (offset %d): column 2 (a): parse "x" as int`, off); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %q", err, want)
	}
}

// Raw records: []string, with the header skipped and the width checked.
func TestRawRecords(t *testing.T) {
	storage.ResetMem("csv-raw")
	put(t, "mem://csv-raw/a.csv", "x;y\n1;\"2;3\"\n\n4;5\n")
	p := pcollection.NewPipeline("raw")
	got := pcollection.Materialize(csvio.Read[[]string](p, "mem://csv-raw/a.csv", csvio.Delimiter(';')))
	csvio.Write(pcollection.Of(p, []string{"a", "b"}, []string{""}), "mem://csv-raw/out")
	crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), [][]string{{"1", "2;3"}, {"4", "5"}})
	p = pcollection.NewPipeline("raw-back")
	back := pcollection.Materialize(csvio.Read[[]string](p, "mem://csv-raw/out", csvio.NoHeader()))
	crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, back), [][]string{{"a", "b"}, {""}})
}

func TestEmptyIsZero(t *testing.T) {
	storage.ResetMem("csv-zero")
	type Row struct {
		N int     `csv:"n"`
		F float64 `csv:"f"`
		P *int    `csv:"p"`
		S string  `csv:"s"`
	}
	put(t, "mem://csv-zero/a.csv", "n,f,p,s\n,,,\n1,2.5,3,x\n")
	p := pcollection.NewPipeline("zero")
	got := pcollection.Materialize(csvio.Read[Row](p, "mem://csv-zero/a.csv", csvio.EmptyIsZero()))
	crunchtest.Run(t, p)
	three := 3
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), []Row{{}, {1, 2.5, &three, "x"}})
}

func TestHeaderCase(t *testing.T) {
	storage.ResetMem("csv-case")
	type Row struct {
		User    string `csv:"user_id"`
		Country string `csv:"country"`
		Ms      int64  `csv:"ms"`
	}
	// A name that differs only in case matches when no column matches
	// exactly; an exact match wins over one in another case.
	put(t, "mem://csv-case/a.csv", "User_ID,COUNTRY,MS\nu1,SE,10\n")
	put(t, "mem://csv-case/b.csv", "user_id,Country,country,ms\nu2,XX,NO,20\n")
	p := pcollection.NewPipeline("case")
	got := pcollection.Materialize(csvio.Read[Row](p, "mem://csv-case/[ab].csv"))
	crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), []Row{{"u1", "SE", 10}, {"u2", "NO", 20}})
	// Two columns that only case tells apart, neither exact, are refused.
	put(t, "mem://csv-case/c.csv", "user_id,Country,COUNTRY,ms\nu3,SE,NO,30\n")
	p = pcollection.NewPipeline("ambiguous")
	pcollection.Materialize(csvio.Read[Row](p, "mem://csv-case/c.csv"))
	want := `c.csv: line 1 (offset 0): column 3 (country): header names columns "Country" and "COUNTRY", which differ only in case, for field Country (string)`
	if _, err := mem.Run(context.Background(), p, runner.Options{}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestTrimSpace(t *testing.T) {
	storage.ResetMem("csv-trim")
	type Row struct {
		Country string  `csv:"country"`
		Ms      float64 `csv:"ms"`
		Note    *string `csv:"note"`
	}
	put(t, "mem://csv-trim/a.csv", " country , ms ,note\nSE, 10.5 , \"a, b\"\n  US,\t7,\n")
	// A tab-delimited file keeps its empty fields: leading spaces are not
	// skipped by encoding/csv when the delimiter is one.
	put(t, "mem://csv-trim/b.tsv", "country\tms\tnote\n DE \t\t x\n")
	ab := "a, b"
	x := "x"
	for _, opts := range [][]csvio.Option{{csvio.SplitSize(16)}, {csvio.WholeFiles()}} {
		p := pcollection.NewPipeline("trim")
		comma := pcollection.Materialize(csvio.Read[Row](p, "mem://csv-trim/a.csv", append(opts, csvio.TrimSpace())...))
		tab := pcollection.Materialize(csvio.Read[Row](p, "mem://csv-trim/b.tsv", append(opts, csvio.TrimSpace(), csvio.Delimiter('\t'), csvio.EmptyIsZero())...))
		crunchtest.Run(t, p)
		crunchtest.EqualUnordered(t, crunchtest.Values(t, comma), []Row{{"SE", 10.5, &ab}, {"US", 7, nil}})
		crunchtest.EqualUnordered(t, crunchtest.Values(t, tab), []Row{{"DE", 0, &x}})
	}
	// Without it the header's names do not match and a spaced number fails.
	p := pcollection.NewPipeline("no-trim")
	pcollection.Materialize(csvio.Read[Row](p, "mem://csv-trim/a.csv"))
	if _, err := mem.Run(context.Background(), p, runner.Options{}); err == nil || !strings.Contains(err.Error(), `a.csv: line 1 (offset 0): header [" country " " ms " "note"] has no column "country"`) {
		t.Errorf("untrimmed header: got %v", err)
	}
}

func TestBuildErrors(t *testing.T) {
	type Bad struct{ C chan int }
	p := pcollection.NewPipeline("build")
	if _, err := csvio.TryRead[Bad](p, "x"); err == nil || !strings.Contains(err.Error(), "field C: type chan int is not supported") {
		t.Errorf("chan field: got %v", err)
	}
	if _, err := csvio.TryRead[int](p, "x"); err == nil || !strings.Contains(err.Error(), "int is neither a struct nor []string") {
		t.Errorf("int: got %v", err)
	}
	if _, err := csvio.TryRead[Play](p, "x", csvio.Delimiter('"')); err == nil || !strings.Contains(err.Error(), "invalid delimiter") {
		t.Errorf("quote delimiter: got %v", err)
	}
}

// The same round trip through files on disk on the local runner, whose
// workers rebuild the pipeline from a registered job.
var roundTripJob = runner.Register("csvio-test/copy", "copies CSV files", func(p *pcollection.Pipeline, a *struct {
	In  string `flag:"in"`
	Out string `flag:"out"`
}) error {
	rows := csvio.Read[Play](p, a.In, csvio.SplitSize(300))
	csvio.Write(pcollection.Filter(rows, func(x Play) bool { return x.Plays >= 0 }), a.Out, csvio.Gzip())
	return nil
})

func TestLocalRunner(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	ctx := context.Background()
	dir := t.TempDir()
	var want []Play
	for _, p := range plays(200) {
		if p.Plays >= 0 {
			want = append(want, p)
		}
	}
	in := filepath.Join(dir, "in")
	p := pcollection.NewPipeline("write")
	csvio.Write(pcollection.Of(p, plays(200)...), in)
	crunchtest.Run(t, p)
	out := filepath.Join(dir, "out")
	p, err := roundTripJob.Build([]string{"--in", in, "--out", out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := local.Run(ctx, p, runner.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	p = pcollection.NewPipeline("read")
	got := pcollection.Materialize(csvio.Read[Play](p, out))
	crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), want)
}
