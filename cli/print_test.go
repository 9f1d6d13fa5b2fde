package cli_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/crunchgo/crunchgo/cli"
)

// runCLI runs crunchgo with args and returns its exit code, stdout and
// stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Execute(context.Background(), cli.NewRoot(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// A union of several types whose branches include logical types prints
// each value as {"type": value} with the value as the same logical type
// prints outside a union: a date as a date, a decimal as its digits, a
// time of day as a time. hamba/avro decodes such a union to {"int.date":
// value}, a key no branch's name matched, so the value was printed as Go
// would marshal it: a date as a midnight instant, a decimal as a fraction,
// a time of day as nanoseconds.
func TestCatAvroUnionLogicalBranches(t *testing.T) {
	schema := `{"type":"record","name":"U","fields":[{"name":"u","type":["null","string",
	 {"type":"int","logicalType":"date"},
	 {"type":"bytes","logicalType":"decimal","precision":9,"scale":2},
	 {"type":"int","logicalType":"time-millis"},
	 {"type":"record","name":"R","fields":[{"name":"x","type":"int"}]}]}]}`
	path := filepath.Join(t.TempDir(), "u.avro")
	if err := os.WriteFile(path, genericAvro(t, schema,
		map[string]any{"u": map[string]any{"int.date": time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)}},
		map[string]any{"u": map[string]any{"bytes.decimal": big.NewRat(12345, 100)}},
		map[string]any{"u": map[string]any{"int.time-millis": 1500 * time.Millisecond}},
		map[string]any{"u": map[string]any{"R": map[string]any{"x": 3}}},
	), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "cat", path)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := `{"u":{"int":"2020-01-02"}}
{"u":{"bytes":"123.45"}}
{"u":{"int":"00:00:01.5"}}
{"u":{"R":{"x":3}}}
`
	if out != want {
		t.Errorf("got\n%swant\n%s", out, want)
	}
}

// A local timestamp in a union of several types prints as a wall clock
// under its branch's name, as it does outside a union, not as the bare
// number it is read as (avroio.LocalTimestampsAsLongs).
func TestCatAvroUnionLocalTimestamp(t *testing.T) {
	schema := `{"type":"record","name":"L","fields":[{"name":"u","type":["null","string",
	 {"type":"long","logicalType":"local-timestamp-millis"}]}]}`
	path := filepath.Join(t.TempDir(), "l.avro")
	if err := os.WriteFile(path, genericAvro(t, schema,
		map[string]any{"u": map[string]any{"long.local-timestamp-millis": time.UnixMilli(1700000000123).UTC()}},
		map[string]any{"u": map[string]any{"string": "s"}},
	), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "cat", path)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := `{"u":{"long":"2023-11-14T22:13:20.123"}}
{"u":{"string":"s"}}
`
	if out != want {
		t.Errorf("got\n%swant\n%s", out, want)
	}
}

// An Avro duration prints as a Parquet INTERVAL does, with lower-case
// keys, not with the Go field names of hamba/avro's LogicalDuration.
func TestCatAvroDuration(t *testing.T) {
	schema := `{"type":"record","name":"D","fields":[{"name":"d","type":{"type":"fixed","name":"Dur","size":12,"logicalType":"duration"}},
	 {"name":"n","type":["null","Dur"]}]}`
	path := filepath.Join(t.TempDir(), "d.avro")
	if err := os.WriteFile(path, genericAvro(t, schema,
		map[string]any{"d": avro.LogicalDuration{Months: 1, Days: 2, Milliseconds: 3},
			"n": map[string]any{"Dur": avro.LogicalDuration{Months: 4, Days: 5, Milliseconds: 6}}},
	), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "cat", path)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := `{"d":{"months":1,"days":2,"milliseconds":3},"n":{"months":4,"days":5,"milliseconds":6}}` + "\n"
	if out != want {
		t.Errorf("got\n%swant\n%s", out, want)
	}
}

// meta shows a column chunk without statistics as having an unknown number
// of nulls, "-", not 0: the file says nothing about them.
func TestMetaParquetNullsWithoutStatistics(t *testing.T) {
	type row struct {
		ID  int64   `parquet:"id"`
		Opt *string `parquet:"opt,optional"`
	}
	b := parquetFile(t, []row{{1, nil}, {2, nil}})
	// Drop the column chunks' statistics, as a writer with statistics off
	// (pyarrow's write_statistics=False) does.
	n := int(binary.LittleEndian.Uint32(b[len(b)-8:]))
	var md format.FileMetaData
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), b[len(b)-8-n:len(b)-8], &md); err != nil {
		t.Fatal(err)
	}
	for i := range md.RowGroups {
		for j := range md.RowGroups[i].Columns {
			md.RowGroups[i].Columns[j].MetaData.Statistics = format.Statistics{}
		}
	}
	footer, err := thrift.Marshal(new(thrift.CompactProtocol), &md)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b[:len(b)-8-n:len(b)-8-n], footer...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(footer)))
	b = append(b, "PAR1"...)
	path := filepath.Join(t.TempDir(), "nostats.parquet")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "meta", path)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 10 && f[0] == "opt" && f[5] != "-" {
			t.Errorf("meta shows %s nulls for a chunk without statistics, want -:\n%s", f[5], out)
		}
	}
}

// Map keys of a TIMESTAMP not adjusted to UTC print as such timestamps'
// values do, without a zone, and keys of a TIME as times of day.
func TestCatParquetMapKeysAsValues(t *testing.T) {
	type row struct {
		Local map[int64]string `parquet:"local" parquet-key:",timestamp(millisecond:local)"`
		Clock map[int32]string `parquet:"clock" parquet-key:",time(millisecond)"`
	}
	path := filepath.Join(t.TempDir(), "keys.parquet")
	if err := os.WriteFile(path, parquetFile(t, []row{{
		Local: map[int64]string{1700000000123: "t"},
		Clock: map[int32]string{13*3600000 + 5: "c"},
	}}), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "cat", path)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := `{"local":{"2023-11-14T22:13:20.123":"t"},"clock":{"13:00:00.005":"c"}}` + "\n"
	if out != want {
		t.Errorf("got\n%swant\n%s", out, want)
	}
}

// A value that does not print as JSON is named by its field, dotted from
// the record: the error of time.Time's MarshalJSON alone does not say which
// of a wide record's columns holds it.
func TestCatUnprintableNamesField(t *testing.T) {
	schema := `{"type":"record","name":"Out","fields":[{"name":"id","type":"int"},
	 {"name":"in","type":{"type":"record","name":"In","fields":[{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}}]}}]}`
	path := filepath.Join(t.TempDir(), "far.avro")
	if err := os.WriteFile(path, genericAvro(t, schema,
		map[string]any{"id": 1, "in": map[string]any{"at": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
	), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "cat", path)
	if code != cli.ExitFailed || !strings.Contains(errOut, "field in.at: ") {
		t.Errorf("exit %d, stderr %q: want exit 1 and the field in.at named", code, errOut)
	}
}
