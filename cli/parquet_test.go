package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/cli"
)

// TestCatParquetTypes prints DuckDB's fixture of every column type parquetio
// reads: nulls, timestamps and dates as text (DuckDB's TIMESTAMP, not
// adjusted to UTC, without a zone), bytes in base64, a list with a null
// element and maps (keys sorted), fields in schema order.
func TestCatParquetTypes(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := cli.Execute(context.Background(), cli.NewRoot(), []string{"cat", "../parquetio/testdata/types_v1_snappy.parquet"}, &stdout, &stderr)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := strings.Join([]string{
		`{"id":1,"name":"alpha","score":1.5,"ratio":0.25,"big":10,"flag":true,"payload":"AAE=","ts_us":"2026-11-26T10:00:00.123456","ts_ms":"2026-11-26T10:00:00.123","day":"2026-11-26","tags":["x","y"],"attrs":{"a":1,"b":2}}`,
		`{"id":2,"name":null,"score":null,"ratio":-1.5,"big":null,"flag":false,"payload":"","ts_us":null,"ts_ms":"1970-01-01T00:00:00","day":"1970-01-01","tags":[],"attrs":{}}`,
		`{"id":3,"name":"gamma","score":-2.25,"ratio":3,"big":-9000000000,"flag":true,"payload":"YWJj","ts_us":"1969-12-31T23:59:59.999999","ts_ms":"1999-12-31T23:59:59.999","day":"1969-12-31","tags":null,"attrs":null}`,
		`{"id":4,"name":"","score":0,"ratio":0,"big":0,"flag":false,"payload":null,"ts_us":"2000-02-29T12:34:56","ts_ms":"2000-02-29T12:34:56.789","day":"2000-02-29","tags":["z",null,"w"],"attrs":{"k":null}}`,
	}, "\n") + "\n"
	if got := stdout.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
