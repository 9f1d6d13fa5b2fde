package ptable_test

import (
	"bytes"
	"testing"

	"github.com/crunchgo/crunchgo/csvio"
	"github.com/crunchgo/crunchgo/jsonio"
	"github.com/crunchgo/crunchgo/ptable"
)

// A PTable written as-is names its fields key and value in every format,
// not only in Avro and Parquet.
func TestPairFieldNamesInTextFormats(t *testing.T) {
	var js bytes.Buffer
	jw := jsonio.NewWriter[ptable.Pair[string, int64]](&js)
	if err := jw.Write(ptable.KV("SE", int64(3))); err != nil {
		t.Fatal(err)
	}
	if err := jw.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := js.String(), `{"key":"SE","value":3}`+"\n"; got != want {
		t.Errorf("JSON lines: got %q, want %q", got, want)
	}

	var cs bytes.Buffer
	cw, err := csvio.NewWriter[ptable.Pair[string, int64]](&cs)
	if err != nil {
		t.Fatal(err)
	}
	if err := cw.Write(ptable.KV("SE", int64(3))); err != nil {
		t.Fatal(err)
	}
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := cs.String(), "key,value\nSE,3\n"; got != want {
		t.Errorf("CSV: got %q, want %q", got, want)
	}
}

// A Join3's Triple names its fields a, b and c in the text formats too.
func TestTripleFieldNamesInTextFormats(t *testing.T) {
	var js bytes.Buffer
	jw := jsonio.NewWriter[ptable.Pair[string, ptable.Triple[int, string, bool]]](&js)
	if err := jw.Write(ptable.KV("t1", ptable.Triple[int, string, bool]{A: 3, B: "Song", C: true})); err != nil {
		t.Fatal(err)
	}
	if err := jw.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := js.String(), `{"key":"t1","value":{"a":3,"b":"Song","c":true}}`+"\n"; got != want {
		t.Errorf("JSON lines: got %q, want %q", got, want)
	}

	// CSV takes flat records: a Triple of scalars, not one nested in a Pair.
	var cs bytes.Buffer
	cw, err := csvio.NewWriter[ptable.Triple[int, string, bool]](&cs)
	if err != nil {
		t.Fatal(err)
	}
	if err := cw.Write(ptable.Triple[int, string, bool]{A: 3, B: "Song", C: true}); err != nil {
		t.Fatal(err)
	}
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := cs.String(), "a,b,c\n3,Song,true\n"; got != want {
		t.Errorf("CSV: got %q, want %q", got, want)
	}
}
