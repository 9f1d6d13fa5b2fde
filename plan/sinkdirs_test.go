package plan_test

import (
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/textio"
)

// TestSinkDirs checks that two sinks writing to one directory, or one
// inside the other's, are refused naming both, whatever form their URLs
// take, and that siblings (even sharing a name prefix) are not.
func TestSinkDirs(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want string // "" when valid
	}{
		{"out", "out", "both write to out"},
		{"mem://b/out/", "mem://b/out", "both write to mem://b/out"},
		{"hdfs://nn/data/out", "hdfs://nn/data/./x/../out", "both write to"},
		{"out", "out/sub", "writes inside the output of textio.Write"},
		{"hdfs://nn/out/sub", "hdfs://nn/out", "writes inside the output of"},
		{"out", "out-lines", ""},
		{"hdfs://nn/out", "hdfs://other/out", ""},
	} {
		p := pcollection.NewPipeline("sinks")
		lines := pcollection.Of(p, "a", "b")
		textio.Write(lines, tc.a)
		textio.Write(lines, tc.b)
		err := plan.Validate(p.Graph())
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s and %s: %v, want no error", tc.a, tc.b, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || strings.Count(err.Error(), "sinkdirs_test.go") != 2):
			t.Errorf("%s and %s: %v, want %q naming both sinks' callers", tc.a, tc.b, err, tc.want)
		}
	}
}
