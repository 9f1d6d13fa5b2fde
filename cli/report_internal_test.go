package cli

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReportPaths checks which --report paths are one file, written once,
// and which are refused as one inside another.
func TestReportPaths(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, tc := range []struct {
		given []string
		want  []string
		err   string // in the error, if refused
	}{
		{given: nil, want: nil},
		{given: []string{""}, want: nil}, // --report "$UNSET"
		{given: []string{"r.json", "r.html"}, want: []string{"r.json", "r.html"}},
		{given: []string{"r.html", "", "r.json"}, want: []string{"r.html", "r.json"}},
		{given: []string{"r.json", "./r.json", "d/../r.json"}, want: []string{"r.json"}},
		{given: []string{"/tmp/r.json", "file:///tmp/r.json", "file://localhost/tmp//r.json"}, want: []string{"/tmp/r.json"}},
		{given: []string{"hdfs://nn/r.json", "hdfs://nn/./r.json", "r.json"}, want: []string{"hdfs://nn/r.json", "r.json"}},
		{given: []string{"hdfs://nn/r.json", "hdfs://other/r.json"}, want: []string{"hdfs://nn/r.json", "hdfs://other/r.json"}},
		{given: []string{"r.json", "r.json.html"}, want: []string{"r.json", "r.json.html"}},
		{given: []string{"r", "r/x.json"}, err: "r/x.json is inside r, another report"},
		{given: []string{"r/x.json", "./r"}, err: "r/x.json is inside ./r, another report"},
	} {
		got, err := reportPaths(tc.given)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("reportPaths(%q): %v, want an error with %q", tc.given, err, tc.err)
		case tc.err == "" && (err != nil || !slices.Equal(got, tc.want)):
			t.Errorf("reportPaths(%q) = %q, %v; want %q", tc.given, got, err, tc.want)
		}
	}
}

// TestWriteReportRemovesEarlierOnFailure checks that a report that cannot
// be encoded leaves no earlier run's report at its path to be read as this
// run's: runJob relies on it, removing no report after a failed write.
func TestWriteReportRemovesEarlierOnFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(path, []byte(`{"status": "succeeded"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// JSON has no infinity: encoding fails.
	rep := &Report{Plan: &ReportPlan{Nodes: []ReportNode{{EstimatedBytes: math.Inf(1)}}}}
	if err := writeReport(context.Background(), path, rep); err == nil || !strings.Contains(err.Error(), "encoding report") {
		t.Fatalf("writeReport: %v, want an encoding error", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the earlier report is still at %s: %v", path, err)
	}
}
