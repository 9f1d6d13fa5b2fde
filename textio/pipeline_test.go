package textio_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

	// So does a 0-byte file of every codec.
	for _, name := range []string{"e.txt.bz2", "e.log.zst", "e.ZSTD"} {
		url := "mem://textio-bad/empty-" + name + "/" + name
		put(t, url, nil)
		p = pcollection.NewPipeline("textio-empty-compressed")
		pcollection.Materialize(textio.Read(p, url))
		_, err = mem.Run(context.Background(), p, runner.Options{})
		if !errors.Is(err, textio.ErrCorrupt) || !strings.Contains(err.Error(), url+": offset 0: empty file is not ") {
			t.Errorf("empty %s: got %v, want ErrCorrupt saying it is empty", name, err)
		}
	}

	// A damaged stream of any codec fails the task for good, naming the
	// file, the codec and where.
	for _, c := range []struct{ name, ext, where string }{
		{"bzip2", ".bz2", "near"}, {"zstd", ".zst", "near"}, {"deflate", ".deflate", "near"}, {"snappy", ".snappy", "block at"},
	} {
		data := textio.Compress(t, c.name, []byte("hello\nworld\n"))
		url := "mem://textio-bad/cut" + c.ext + "/t.txt" + c.ext
		put(t, url, data[:len(data)-3])
		p = pcollection.NewPipeline("textio-cut")
		pcollection.Materialize(textio.Read(p, url))
		_, err := mem.Run(context.Background(), p, runner.Options{})
		if !errors.Is(err, textio.ErrCorrupt) || !plan.IsPermanent(err) || !strings.Contains(err.Error(), url+": offset ") ||
			!strings.Contains(err.Error(), c.name+" stream, "+c.where+" compressed offset ") {
			t.Errorf("truncated %s: got %v, want a permanent ErrCorrupt naming the file and the codec", c.name, err)
		}
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
		{"magic/part-00000", "PAR1\x15\x00\x15", "it starts with PAR1, the magic of a Parquet file; read it with parquetio"},
		{"magic/events.txt", "Obj\x01\x04\x14avro", `it starts with Obj\x01, the magic of an Avro file; read it with avroio`},
		{"text/paris.txt", "PARIS\nObj\n", ""},
		{"text/par1.csv", "PAR1,PAR2\n1,2\n", ""},
		{"text/short", "PA", ""},
		{"text/lines.gz", string(fixture(t, "lines.txt.gz")), ""},
		{"ext/events.avro.gz", string(fixture(t, "lines.txt.gz")), "it is Avro gzipped whole (extension .avro.gz); gunzip it and read it with avroio.Read"},
		{"ext/events.avro.bz2", string(textio.Compress(t, "bzip2", []byte("hello\nworld\n"))), "it is Avro bzip2-compressed whole (extension .avro.bz2); bunzip2 it and read it with avroio.Read"},
		{"ext/plays.parquet.XZ", "", "it is xz-compressed (extension .XZ), which textio cannot read"},
		{"ext/plays.Parquet.zst", "x", "it is Parquet zstd-compressed whole (extension .Parquet.zst); unzstd it and read it with parquetio.Read"},
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

// TestPipelineReadsCompressed reads text compressed with each codec textio
// reads, named by extension in any case, each file one split, alongside
// plain text cut into many splits.
func TestPipelineReadsCompressed(t *testing.T) {
	storage.ResetMem("textio-compressed")
	dir := "mem://textio-compressed/in/"
	var want []string
	for i, c := range []struct{ codec, name string }{
		{"gzip", "a.txt.gz"}, {"gzip", "b.GZ"}, {"zstd", "d.zst"}, {"zstd", "e.csv.ZSTD"}, {"snappy", "f.snappy"},
	} {
		var text strings.Builder
		for j := range 300 {
			line := fmt.Sprintf("%s line %d", c.name, j)
			if i == 0 && j == 0 {
				text.WriteString("\ufeff") // a byte order mark, dropped
			}
			text.WriteString(line + "\r\n")
			want = append(want, line)
		}
		put(t, dir+c.name, textio.Compress(t, c.codec, []byte(text.String())))
	}
	put(t, dir+"f.txt.bz2", textio.Compress(t, "bzip2", []byte("hello\nworld\n")))
	bz2 := textio.Compress(t, "bzip2", []byte("hello\nworld\n"))
	put(t, dir+"g.BZ2", append(bz2, bz2...)) // two streams
	put(t, dir+"plain.txt", []byte("plain one\nplain two\nplain three\n"))
	want = append(want, "hello", "world", "hello", "world", "hello", "world", "plain one", "plain two", "plain three")
	// Hadoop's DefaultCodec, SnappyCodec and Lz4Codec.
	for _, c := range []struct{ codec, name string }{{"deflate", "h.txt.deflate"}, {"snappy", "part-r-00000.snappy"}, {"lz4", "i.LZ4"}} {
		put(t, dir+c.name, textio.Compress(t, c.codec, []byte("hadoop "+c.codec+"\n")))
		want = append(want, "hadoop "+c.codec)
	}

	p := pcollection.NewPipeline("textio-compressed")
	lines := pcollection.Materialize(textio.Read(p, dir, textio.SplitSize(10)))
	res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 3 })
	crunchtest.EqualUnordered(t, crunchtest.Values(t, lines), want)
	if n := res.Counters.Get(textio.CounterGroup, textio.CounterLinesRead); n != int64(len(want)) {
		t.Errorf("lines read counter = %d, want %d", n, len(want))
	}
}

// TestPipelineRefusesUnreadableCompression checks that files compressed
// with a codec textio cannot read, or compressed data whose name does not
// say so, fail the read in the driver, naming the file, the codec and what
// to do, rather than give the job their compressed bytes as lines (a .bz2
// file used to read as one line of garbage and the job to succeed). Text
// that merely starts like a compressed stream is read.
func TestPipelineRefusesUnreadableCompression(t *testing.T) {
	storage.ResetMem("textio-unreadable")
	hello := []byte("hello\nworld\n")
	lz4 := []byte("\x04\x22\x4d\x18\x64\x40\xa7\x0c\x00\x00\x80hello\nworld\n\x00\x00\x00\x00\x30\x30\xf8\x06")
	for _, tc := range []struct {
		name string
		data []byte
		want string // "" for a text file
	}{
		{"a.txt.lz4", lz4, "it is in lz4's frame format (starts with 04 22 4d 18, or 02 21 4c 18), which textio cannot read (it reads gzip, bzip2, zstd, and Hadoop's .deflate, .snappy and .lz4): decompress it first"},
		{"a.log.xz", textio.Compress(t, "xz", hello), "it is xz-compressed (extension .xz), which textio cannot read"},
		{"a.txt.LZO", hello, "it is lzo-compressed (extension .LZO)"},
		{"a.txt.br", hello, "it is brotli-compressed (extension .br)"},
		{"events.avro.lz4", hello, "it is Avro lz4-compressed whole (extension .avro.lz4); decompress it and read it with avroio.Read"},
		{"events.avro.deflate", hello, "it is Avro deflate-compressed whole (extension .avro.deflate)"},
		{"renamed.csv", lz4, "it is in lz4's frame format (starts with 04 22 4d 18, or 02 21 4c 18), which textio cannot read"},
		{"renamed.txt", textio.Compress(t, "bzip2", []byte("hello\nworld\n")), `it is bzip2 data (starts with "BZh" and a bzip2 block) but not named .bz2, which decides how it is read: rename it`},
		{"renamed.log", textio.Compress(t, "xz", hello), "it is xz-compressed (starts with fd 37 7a 58 5a 00), which textio cannot read"},
		{"renamed", textio.Compress(t, "zstd", hello), "it is zstd data (starts with 28 b5 2f fd, or a skippable frame) but not named .zst"},
		{"misnamed.gz", textio.Compress(t, "zstd", hello), "it is zstd data (starts with 28 b5 2f fd, or a skippable frame) but not named .zst"},
		{"misnamed.bz2", fixture(t, "lines.txt.gz"), "it is gzip data (starts with 1f 8b) but not named .gz"},
		{"bz.txt", []byte("BZh9 is a bzip2 header\n"), ""},
		{"bz1.txt", []byte("BZh91AY&S\n"), ""},
	} {
		url := "mem://textio-unreadable/" + tc.name
		put(t, url, tc.data)
		p := pcollection.NewPipeline("textio-unreadable")
		lines := pcollection.Materialize(textio.Read(p, url))
		_, err := mem.Run(context.Background(), p, runner.Options{})
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v, want it read as text", tc.name, err)
			} else if got := crunchtest.Values(t, lines); len(got) != 1 {
				t.Errorf("%s: got %q, want one line", tc.name, got)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: read as %q, want an error matching ErrNotText", tc.name, crunchtest.Values(t, lines))
			continue
		}
		if !errors.Is(err, textio.ErrNotText) || !strings.Contains(err.Error(), url+": ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want ErrNotText naming the file and saying %q", tc.name, err, tc.want)
		}
	}
}

// TestPipelineWriteReadsBack checks that what Write writes, Read reads back
// unaltered, or Write fails: a line ending in "\r" used to be written as
// "...\r\n" and read back without its "\r", so that copying a file with
// "\r\r\n" line ends dropped a byte from every line; and a first line
// starting with U+FEFF reads back whole although readers drop a byte order
// mark starting a file.
func TestPipelineWriteReadsBack(t *testing.T) {
	storage.ResetMem("textio-roundtrip")
	in := "mem://textio-roundtrip/in/a.txt"
	put(t, in, []byte("x\r\r\ny\r\r\n"))
	p := pcollection.NewPipeline("copy")
	textio.Write(textio.Read(p, in), "mem://textio-roundtrip/out")
	if _, err := mem.Run(context.Background(), p, runner.Options{}); err == nil || !strings.Contains(err.Error(), "carriage return") {
		t.Errorf("writing lines ending in \\r: got %v, want an error saying they end with a carriage return", err)
	}

	for _, gz := range []bool{false, true} {
		var opts []textio.WriteOption
		if gz {
			opts = append(opts, textio.Gzip())
		}
		want := []string{"\ufeffid,name", "\ufeffsecond"}
		out := fmt.Sprintf("mem://textio-roundtrip/bom-gz=%v", gz)
		p := pcollection.NewPipeline("bom")
		textio.Write(pcollection.Of(p, want...), out, opts...)
		crunchtest.Run(t, p)
		p2 := pcollection.NewPipeline("readback")
		back := pcollection.Materialize(textio.Read(p2, out))
		crunchtest.Run(t, p2)
		crunchtest.EqualUnordered(t, crunchtest.Values(t, back), want)
	}
}

// TestReadLines reads lines with their files and offsets, from a plain
// file cut into many splits and from a gzip file: every line comes once,
// and its file's bytes at its offset are the line.
func TestReadLines(t *testing.T) {
	storage.ResetMem("textio-lines")
	var plain strings.Builder
	plain.WriteString("\ufeff")
	for i := range 500 {
		fmt.Fprintf(&plain, "line %d%s\n", i, strings.Repeat("x", i%13))
		if i%7 == 0 {
			plain.WriteString("\r\n") // an empty line, CRLF
		}
	}
	files := map[string]string{ // URL -> the text its offsets count in
		"mem://textio-lines/in/a.txt":    plain.String(),
		"mem://textio-lines/in/b.txt.gz": "first\nsecond\n\nfourth",
	}
	put(t, "mem://textio-lines/in/a.txt", []byte(files["mem://textio-lines/in/a.txt"]))
	put(t, "mem://textio-lines/in/b.txt.gz", textio.Compress(t, "gzip", []byte(files["mem://textio-lines/in/b.txt.gz"])))

	p := pcollection.NewPipeline("lines")
	got := pcollection.Materialize(textio.ReadLines(p, "mem://textio-lines/in", textio.SplitSize(100)))
	crunchtest.Run(t, p)
	var want []textio.Line
	for url, text := range files {
		off := 0
		for _, l := range strings.SplitAfter(text, "\n") {
			if l != "" {
				want = append(want, textio.Line{Path: url, Offset: int64(off),
					Text: strings.TrimPrefix(strings.TrimSuffix(strings.TrimSuffix(l, "\n"), "\r"), "\ufeff")})
			}
			off += len(l)
		}
	}
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), want)
}

func TestLineNumber(t *testing.T) {
	// Lines end at "\n" ("\r\n" included), as the reader cuts them; a
	// line of 2 MiB makes the count cross the reading buffer.
	text := "a\r\nb\n\n" + strings.Repeat("x", 2<<20) + "\nlast\n"
	ctx := context.Background()
	for _, tc := range []struct {
		offset int64
		want   int
	}{{0, 1}, {3, 2}, {5, 3}, {6, 4}, {int64(strings.Index(text, "last")), 5}} {
		// A split from the file's start counts as it reads; one from
		// byte 1 (which skips the line it starts inside) counts the line
		// ends before the line. Both must say the same.
		for _, start := range []int64{0, 1} {
			if tc.offset < start {
				continue
			}
			r, err := textio.NewLineReader("a.txt", strings.NewReader(text), int64(len(text)), start, int64(len(text))-start,
				textio.MaxLineLength(4<<20))
			if err != nil {
				t.Fatal(err)
			}
			for {
				if _, err := r.Next(); err != nil {
					t.Fatalf("split from %d: no line at %d: %v", start, tc.offset, err)
				}
				if r.Offset() == tc.offset {
					break
				}
			}
			if got, err := r.Line(ctx); err != nil || got != tc.want {
				t.Errorf("split from %d: Line at %d = %d, %v; want %d", start, tc.offset, got, err, tc.want)
			}
		}
	}
}

// TestPipelineRefusesPipe checks that a FIFO given as input fails the job,
// named: it stats as an empty file, which gets no split, so it used to
// read as no lines and the job succeeded on nothing.
func TestPipelineRefusesPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "lines.txt")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	p := pcollection.NewPipeline("textio-pipe")
	lines := pcollection.Materialize(textio.Read(p, fifo))
	_, err := mem.Run(context.Background(), p, runner.Options{})
	if err == nil {
		t.Fatalf("read %q from a FIFO, want it refused", crunchtest.Values(t, lines))
	}
	if !strings.Contains(err.Error(), fifo+": not a regular file") {
		t.Errorf("got %v, want the FIFO named as not a regular file", err)
	}
}
