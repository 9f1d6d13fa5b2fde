package jsonio_test

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
	"github.com/crunchgo/crunchgo/jsonio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/local"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
)

func TestMain(m *testing.M) { crunchtest.Main(m) }

type Play struct {
	User  string    `json:"user"`
	Plays int64     `json:"plays"`
	Text  string    `json:"text,omitempty"`
	Score *float64  `json:"score"`
	At    time.Time `json:"at"`
}

func plays(n int) []Play {
	var out []Play
	for i := range n {
		p := Play{User: fmt.Sprintf("u%d", i), Plays: int64(i - 3), Text: strings.Repeat("line\n\"<x>\" ", i%3),
			At: time.Date(2026, 11, 26, 0, i, 0, 0, time.UTC)}
		if i%2 == 0 {
			s := float64(i) / 7
			p.Score = &s
		}
		out = append(out, p)
	}
	return out
}

func put(t *testing.T, url, data string) {
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

func TestRoundTrip(t *testing.T) {
	storage.ResetMem("json-rt")
	want := plays(300)
	for i, opts := range [][]jsonio.Option{nil, {jsonio.Gzip()}} {
		out := fmt.Sprintf("mem://json-rt/out%d", i)
		p := pcollection.NewPipeline("write")
		jsonio.Write(pcollection.Of(p, want...), out, opts...)
		res := crunchtest.Run(t, p)
		if n := res.Counters.Get(jsonio.CounterGroup, jsonio.CounterRecordsWritten); n != int64(len(want)) {
			t.Errorf("records written = %d, want %d", n, len(want))
		}
		p = pcollection.NewPipeline("read")
		got := pcollection.Materialize(jsonio.Read[Play](p, out, jsonio.SplitSize(500)))
		res = crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 3 })
		crunchtest.EqualUnordered(t, crunchtest.Values(t, got), want)
		if n := res.Counters.Get(jsonio.CounterGroup, jsonio.CounterRecordsRead); n != int64(len(want)) {
			t.Errorf("records read = %d, want %d", n, len(want))
		}
	}
}

// Splits of every size that tile a file read each line once; blank lines
// and unknown keys are skipped.
func TestSplitsTile(t *testing.T) {
	storage.ResetMem("json-tile")
	var text strings.Builder
	var want []Play
	text.WriteString("\ufeff")
	for i := range 30 {
		fmt.Fprintf(&text, "{\"user\": \"u%d\", \"plays\": %d, \"extra\": [1, {\"a\": null}]}\r\n", i, i)
		if i%4 == 0 {
			text.WriteString(" \t\n\n")
		}
		want = append(want, Play{User: fmt.Sprintf("u%d", i), Plays: int64(i)})
	}
	put(t, "mem://json-tile/a.jsonl", text.String())
	put(t, "mem://json-tile/b.jsonl.gz", gz(t, text.String()))
	want = append(want, want...)
	for size := int64(1); size <= int64(text.Len())+1; size += 11 {
		p := pcollection.NewPipeline("tile")
		got := pcollection.Materialize(jsonio.Read[Play](p, "mem://json-tile", jsonio.SplitSize(size)))
		crunchtest.Run(t, p)
		if diff := crunchtest.DiffUnordered(crunchtest.Values(t, got), want); diff != "" {
			t.Fatalf("split size %d: (-missing +extra)\n%s", size, diff)
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		opts       []jsonio.Option
		want       string
	}{
		{"type", "{\"user\":\"a\"}\n\n{\"user\":\"b\",\"plays\":\"many\"}\n", nil,
			`jsonio: mem://json-bad/type.jsonl: line 3 (offset 14): json: cannot unmarshal string into Go struct field Play.plays of type int64`},
		{"syntax", "{\"user\":\"a\"}\n{\"user\": nope}\n", nil,
			`line 2 (offset 13): invalid character 'o' in literal null (expecting 'u') (at byte 11 of the line)`},
		{"truncated", "{\"user\":\"a\"\n", nil,
			`line 1 (offset 0): unexpected EOF: the line ends inside a JSON value`},
		{"two", "{\"user\":\"a\"} {\"user\":\"b\"}\n", nil,
			`line 1 (offset 0): more than one JSON value on the line (the first ends at byte 12)`},
		{"trailing", "{\"user\":\"a\"}}\n", nil,
			`line 1 (offset 0): invalid data after the JSON value, at byte 12 of 13`},
		{"unknown", "{\"user\":\"a\",\"plays\":1}\n{\"user\":\"a\",\"country\":\"SE\"}\n", []jsonio.Option{jsonio.DisallowUnknownFields()},
			`line 2 (offset 23): json: unknown field "country"`},
		{"null", "{\"user\":\"a\"}\n null \n", nil,
			`line 2 (offset 13): null, not a jsonio_test.Play (read *jsonio_test.Play to take null lines as nil)`},
		{"gzip", gz(t, "{\"user\":\"a\"}\n{\"plays\":1.5}\n"), nil,
			`jsonio: mem://json-bad/gzip.jsonl.gz: line 2 (offset 13): json: cannot unmarshal number 1.5 into Go struct field Play.plays of type int64`},
	} {
		storage.ResetMem("json-bad")
		url := "mem://json-bad/" + tc.name + ".jsonl"
		if tc.name == "gzip" {
			url += ".gz"
		}
		put(t, url, tc.data)
		p := pcollection.NewPipeline("bad")
		pcollection.Materialize(jsonio.Read[Play](p, url, tc.opts...))
		_, err := mem.Run(context.Background(), p, runner.Options{})
		var je *jsonio.Error
		if !errors.As(err, &je) || !plan.IsPermanent(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want a permanent *jsonio.Error saying %q", tc.name, err, tc.want)
		}
	}
	// A split not starting its file counts its line on failure.
	storage.ResetMem("json-bad")
	var text strings.Builder
	for range 50 {
		text.WriteString("{\"user\":\"a\"}\n")
	}
	off := text.Len()
	text.WriteString("[1]\n")
	put(t, "mem://json-bad/later.jsonl", text.String())
	p := pcollection.NewPipeline("later")
	pcollection.Materialize(jsonio.Read[Play](p, "mem://json-bad/later.jsonl", jsonio.SplitSize(100)))
	_, err := mem.Run(context.Background(), p, runner.Options{})
	if want := fmt.Sprintf("jsonio: mem://json-bad/later.jsonl: line 51 (offset %d): json: cannot unmarshal array", off); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("later split: got %v, want %q", err, want)
	}
}

// A null line is nil for a type that can be nil, as encoding/json has it.
func TestNullLines(t *testing.T) {
	storage.ResetMem("json-null")
	put(t, "mem://json-null/a.jsonl", "null\n{\"user\":\"a\"}\n")
	p := pcollection.NewPipeline("null")
	ptrs := pcollection.Materialize(jsonio.Read[*Play](p, "mem://json-null/a.jsonl"))
	maps := pcollection.Materialize(jsonio.Read[map[string]string](p, "mem://json-null/a.jsonl"))
	crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, ptrs), []*Play{nil, {User: "a"}})
	crunchtest.EqualUnordered(t, crunchtest.Values(t, maps), []map[string]string{nil, {"user": "a"}})
}

var copyJob = runner.Register("jsonio-test/copy", "copies JSON lines", func(p *pcollection.Pipeline, a *struct {
	In  string `flag:"in"`
	Out string `flag:"out"`
}) error {
	rows := jsonio.Read[Play](p, a.In, jsonio.SplitSize(300))
	jsonio.Write(pcollection.Filter(rows, func(x Play) bool { return x.Plays >= 0 }), a.Out, jsonio.Gzip())
	return nil
})

// The round trip through files on disk on the local runner, whose workers
// rebuild the pipeline from a registered job.
func TestLocalRunner(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	dir := t.TempDir()
	var want []Play
	for _, p := range plays(200) {
		if p.Plays >= 0 {
			want = append(want, p)
		}
	}
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	p := pcollection.NewPipeline("write")
	jsonio.Write(pcollection.Of(p, plays(200)...), in)
	crunchtest.Run(t, p)
	p, err := copyJob.Build([]string{"--in", in, "--out", out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := local.Run(context.Background(), p, runner.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	p = pcollection.NewPipeline("read")
	got := pcollection.Materialize(jsonio.Read[Play](p, out))
	crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, got), want)
}

// TestWriteBuildErrors checks that a T encoding/json never encodes is
// refused when the pipeline is built, naming the field, and that types
// it does encode, recursive ones and those with their own MarshalJSON
// included, are not.
func TestWriteBuildErrors(t *testing.T) {
	type withChan struct {
		Name string
		C    chan int
	}
	type nested struct{ Inner []map[string]withChan }
	type badKey struct{ M map[[2]int]string }
	type skipped struct {
		Name string
		C    chan int `json:"-"`
		f    func()
	}
	type tree struct {
		Name     string
		Children []*tree
	}
	p := pcollection.NewPipeline("build")
	for _, tc := range []struct {
		err  error
		want string // "" for none
	}{
		{jsonio.TryWrite(pcollection.Of(p, withChan{}), "mem://b/1"), "field C: chan int"},
		{jsonio.TryWrite(pcollection.Of(p, nested{}), "mem://b/2"), "field Inner: field C: chan int"},
		{jsonio.TryWrite(pcollection.Of(p, badKey{}), "mem://b/3"), "map[[2]int]string (JSON object keys"},
		{jsonio.TryWrite(pcollection.Of(p, complex(1, 2)), "mem://b/4"), "complex128"},
		{jsonio.TryWrite(pcollection.Of(p, skipped{}), "mem://b/5"), ""},
		{jsonio.TryWrite(pcollection.Of(p, tree{}), "mem://b/6"), ""},
		{jsonio.TryWrite(pcollection.Of(p, time.Time{}), "mem://b/7"), ""},
	} {
		switch {
		case tc.want == "" && tc.err != nil:
			t.Errorf("refused: %v", tc.err)
		case tc.want != "" && (tc.err == nil || !strings.Contains(tc.err.Error(), tc.want)):
			t.Errorf("error %v, want one with %q", tc.err, tc.want)
		}
	}
}

// TestReadBuildErrors checks that TryRead refuses a T encoding/json
// decodes no line but null into, and Read panics with that error, while
// types with fields it cannot decode (which fail only on lines holding
// them) are read.
func TestReadBuildErrors(t *testing.T) {
	type withChan struct {
		Name string
		C    chan int
	}
	p := pcollection.NewPipeline("build")
	_, errChan := jsonio.TryRead[chan int](p, "mem://b/1")
	_, errComplex := jsonio.TryRead[*complex128](p, "mem://b/2")
	_, errInterface := jsonio.TryRead[fmt.Stringer](p, "mem://b/3")
	_, errField := jsonio.TryRead[withChan](p, "mem://b/4")
	_, errAny := jsonio.TryRead[any](p, "mem://b/5")
	_, errTime := jsonio.TryRead[*time.Time](p, "mem://b/6")
	for _, tc := range []struct {
		err  error
		want string // "" for none
	}{
		{errChan, "chan int cannot be read from JSON"},
		{errComplex, "complex128"},
		{errInterface, "fmt.Stringer (an interface with methods)"},
		{errField, ""},
		{errAny, ""},
		{errTime, ""},
	} {
		switch {
		case tc.want == "" && tc.err != nil:
			t.Errorf("refused: %v", tc.err)
		case tc.want != "" && (tc.err == nil || !strings.Contains(tc.err.Error(), tc.want)):
			t.Errorf("error %v, want one with %q", tc.err, tc.want)
		}
	}
	defer func() {
		if err, _ := recover().(error); err == nil || !strings.Contains(err.Error(), "func() cannot be read from JSON") {
			t.Errorf("Read panicked with %v, want the build error", err)
		}
	}()
	jsonio.Read[func()](pcollection.NewPipeline("build"), "mem://b/7")
}
