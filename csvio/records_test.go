package csvio

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/textio"
)

// Reading a whole file keeps the start offsets of one record's lines, not
// of every line read so far: a file of 100M lines would otherwise hold
// 800 MB of them.
func TestWholeFileForgetsOffsets(t *testing.T) {
	type Row struct {
		ID   int    `csv:"id"`
		Text string `csv:"text"`
	}
	var b strings.Builder
	b.WriteString("id,text\n")
	for i := range 10_000 {
		fmt.Fprintf(&b, "%d,\"two\nlines\"\n", i)
	}
	data := []byte(b.String())
	r, err := textio.NewLineReader("a.csv", bytes.NewReader(data), int64(len(data)), 0, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := newConfig([]Option{WholeFiles()})
	s := &source[Row]{pattern: "a.csv", cfg: cfg}
	in := newFileStream(r)
	n, most := 0, 0
	err = s.readRecords(context.Background(), "a.csv", in, func(Row) {
		n++
		most = max(most, len(in.offsets))
	})
	if err != nil || n != 10_000 {
		t.Fatalf("read %d records, %v; want 10000", n, err)
	}
	if most > 4 {
		t.Errorf("kept the offsets of %d lines, want those of one record (2) and what the csv.Reader read ahead", most)
	}
}
