package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // the zone below, whatever the machine has

	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"

	"github.com/crunchgo/crunchgo/cli"
)

// TestCatLocalTimestampsAcrossDST prints local timestamps (wall clocks,
// no zone) on a machine whose zone has daylight saving time: a wall clock
// in the hour that zone skips, or repeats, prints as written. Decoded as
// hamba/avro decodes them, through time.Local, 02:30 on the morning New
// York springs forward came out as 03:30.
func TestCatLocalTimestampsAcrossDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	walls := []time.Time{
		time.Date(2024, 3, 10, 2, 30, 0, 0, time.UTC),    // skipped in New York
		time.Date(2024, 11, 3, 1, 30, 0, 0, time.UTC),    // repeated there
		time.Date(2024, 7, 1, 12, 0, 0, 500e6, time.UTC), // summer
	}
	var buf bytes.Buffer
	enc, err := ocf.NewEncoderWithSchema(avro.MustParse(`{"type": "record", "name": "r", "fields": [
		{"name": "ms", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
		{"name": "us", "type": ["null", {"type": "long", "logicalType": "local-timestamp-micros"}]},
		{"name": "all", "type": {"type": "array", "items": {"type": "long", "logicalType": "local-timestamp-millis"}}}]}`), &buf)
	if err != nil {
		t.Fatal(err)
	}
	// Written as plain numbers: the wall clock as if in UTC, as the
	// specification stores it.
	for _, w := range walls {
		ms, us := w.UnixMilli(), w.UnixMicro()
		if err := enc.Encode(map[string]any{"ms": ms, "us": map[string]any{"long.local-timestamp-micros": us}, "all": []any{ms, ms}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "wall.avro")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	local := time.Local
	time.Local = ny
	defer func() { time.Local = local }()
	var stdout, stderr bytes.Buffer
	if code := cli.Execute(context.Background(), cli.NewRoot(), []string{"cat", path}, &stdout, &stderr); code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := `{"ms":"2024-03-10T02:30:00","us":"2024-03-10T02:30:00","all":["2024-03-10T02:30:00","2024-03-10T02:30:00"]}
{"ms":"2024-11-03T01:30:00","us":"2024-11-03T01:30:00","all":["2024-11-03T01:30:00","2024-11-03T01:30:00"]}
{"ms":"2024-07-01T12:00:00.5","us":"2024-07-01T12:00:00.5","all":["2024-07-01T12:00:00.5","2024-07-01T12:00:00.5"]}
`
	if got := stdout.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
