package textio_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/textio"
)

func put(t *testing.T, url string, data []byte) {
	t.Helper()
	if err := storage.WriteFile(context.Background(), url, data); err != nil {
		t.Fatal(err)
	}
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPipelineReadWrite(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("textio-rw")
	in := "mem://textio-rw/in"
	var big strings.Builder
	var want []string
	for i := range 500 {
		line := fmt.Sprintf("line %d %s", i, strings.Repeat("x", i%13))
		big.WriteString(line + "\n")
		want = append(want, line)
	}
	put(t, in+"/big.txt", []byte(big.String()))
	put(t, in+"/crlf.txt", fixture(t, "crlf.txt"))
	put(t, in+"/multi.txt.gz", fixture(t, "multimember.txt.gz"))
	put(t, in+"/empty.txt", nil)
	put(t, in+"/_SUCCESS", nil)
	want = append(want, "first line", "second line", "", "fourth, after an empty line", "last line without newline",
		"alpha", "beta", "gamma", "delta", "epsilon")

	for _, gz := range []bool{false, true} {
		out := fmt.Sprintf("mem://textio-rw/out-gz=%v", gz)
		var wopts []textio.WriteOption
		if gz {
			wopts = append(wopts, textio.Gzip())
		}
		p := pcollection.NewPipeline("textio-rw")
		lines := textio.Read(p, in, textio.SplitSize(100)) // many splits, most mid-line
		textio.Write(lines, out, wopts...)
		all := pcollection.Materialize(lines)
		res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 3 })
		crunchtest.EqualUnordered(t, crunchtest.Values(t, all), want)
		if n := res.Counters.Get(textio.CounterGroup, textio.CounterLinesRead); n != int64(len(want)) {
			t.Errorf("lines read counter = %d, want %d", n, len(want))
		}
		if n := res.Counters.Get(textio.CounterGroup, textio.CounterLinesWritten); n != int64(len(want)) {
			t.Errorf("lines written counter = %d, want %d", n, len(want))
		}
		files, err := storage.DataFiles(ctx, out)
		if err != nil {
			t.Fatal(err)
		}
		ext := ".txt"
		if gz {
			ext = ".txt.gz"
		}
		for _, f := range files {
			if !strings.HasSuffix(f.Name, ext) {
				t.Errorf("output %s lacks extension %s", f.Name, ext)
			}
		}
		p2 := pcollection.NewPipeline("textio-readback")
		back := pcollection.Materialize(textio.Read(p2, out))
		crunchtest.Run(t, p2)
		crunchtest.EqualUnordered(t, crunchtest.Values(t, back), want)
	}
}

func TestPipelineErrors(t *testing.T) {
	storage.ResetMem("textio-bad")
	put(t, "mem://textio-bad/in/t.txt.gz", fixture(t, "truncated.txt.gz"))
	p := pcollection.NewPipeline("textio-bad")
	pcollection.Materialize(textio.Read(p, "mem://textio-bad/in"))
	_, err := mem.Run(context.Background(), p, runner.Options{})
	if !errors.Is(err, textio.ErrCorrupt) || !plan.IsPermanent(err) || !strings.Contains(err.Error(), "t.txt.gz") {
		t.Errorf("corrupt gzip: got %v, want a permanent ErrCorrupt naming t.txt.gz", err)
	}

	// A 0-byte .gz file fails the read in the driver, before any task: split
	// listing skips empty files, so no task would ever open it.
	put(t, "mem://textio-bad/empty/ok.txt.gz", fixture(t, "lines.txt.gz"))
	put(t, "mem://textio-bad/empty/empty.txt", nil)
	put(t, "mem://textio-bad/empty/events.gz", nil)
	p = pcollection.NewPipeline("textio-empty-gz")
	pcollection.Materialize(textio.Read(p, "mem://textio-bad/empty"))
	_, err = mem.Run(context.Background(), p, runner.Options{})
	if !errors.Is(err, textio.ErrCorrupt) || !strings.Contains(err.Error(), "mem://textio-bad/empty/events.gz: offset 0: empty file is not gzip data") {
		t.Errorf("empty gzip file: got %v, want ErrCorrupt saying events.gz is empty", err)
	}

	put(t, "mem://textio-bad/long/l.txt", []byte("ok\n"+strings.Repeat("L", 100)+"\nok\n"))
	p = pcollection.NewPipeline("textio-long")
	pcollection.Materialize(textio.Read(p, "mem://textio-bad/long", textio.MaxLineLength(10)))
	if _, err := mem.Run(context.Background(), p, runner.Options{}); !errors.Is(err, textio.ErrLineTooLong) {
		t.Errorf("long line: got %v, want ErrLineTooLong", err)
	}
	p = pcollection.NewPipeline("textio-long-skip")
	ok := pcollection.Materialize(textio.Read(p, "mem://textio-bad/long", textio.MaxLineLength(10), textio.SkipLongLines()))
	res := crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, ok), []string{"ok", "ok"})
	if n := res.Counters.Get(textio.CounterGroup, textio.CounterLongSkipped); n != 1 {
		t.Errorf("long lines skipped counter = %d, want 1", n)
	}

	p = pcollection.NewPipeline("textio-newline")
	textio.Write(pcollection.Of(p, "fine", "not\nfine"), "mem://textio-bad/out")
	if _, err := mem.Run(context.Background(), p, runner.Options{}); err == nil {
		t.Error("writing a line with a newline: got no error")
	}
}

// Read refuses Avro and Parquet files, by extension or by their first
// bytes, naming the file and the reader to use; text (gzip too) that merely
// resembles them is read.
func TestPipelineRefusesAvroAndParquet(t *testing.T) {
	storage.ResetMem("textio-notext")
	dir := "mem://textio-notext/"
	for _, tc := range []struct {
		name string
		data string
		want string // "" for a text file
	}{
		{"ext/part-00000.parquet", "plain text\n", "it is Parquet (extension .parquet); read it with parquetio.Read"},
		{"ext/Part-00000.AVRO", "plain text\n", "it is Avro (extension .avro); read it with avroio.Read"},
		{"magic/part-00000", "PAR1\x15\x00\x15", `it is Parquet (starts with "PAR1"); read it with parquetio.Read`},
		{"magic/events.txt", "Obj\x01\x04\x14avro", `it is Avro (starts with "Obj\x01"); read it with avroio.Read`},
		{"text/paris.txt", "PARIS\nObj\n", ""},
		{"text/short", "PA", ""},
		{"text/lines.gz", string(fixture(t, "lines.txt.gz")), ""},
		{"ext/events.avro.gz", string(fixture(t, "lines.txt.gz")), "it is Avro gzipped whole (extension .avro.gz); gunzip it and read it with avroio.Read"},
	} {
		url := dir + tc.name
		put(t, url, []byte(tc.data))
		p := pcollection.NewPipeline("textio-notext")
		lines := pcollection.Materialize(textio.Read(p, url))
		_, err := mem.Run(context.Background(), p, runner.Options{})
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v, want it read as text", tc.name, err)
			} else if len(crunchtest.Values(t, lines)) == 0 {
				t.Errorf("%s: no lines read", tc.name)
			}
			continue
		}
		if !errors.Is(err, textio.ErrNotText) || !strings.Contains(err.Error(), url+": ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want ErrNotText naming the file and saying %q", tc.name, err, tc.want)
		}
	}
	// One such file among text files fails the whole read.
	p := pcollection.NewPipeline("textio-notext-dir")
	pcollection.Materialize(textio.Read(p, dir+"*/*"))
	if _, err := mem.Run(context.Background(), p, runner.Options{}); !errors.Is(err, textio.ErrNotText) {
		t.Errorf("a glob matching text and Parquet files: got %v, want ErrNotText", err)
	}
}
