package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/textio"
)

// TestOutputInsideInputGlobRefused checks that an output directory that a
// source's glob matches (in/* and in/out) is refused like one inside an
// input directory: the next run would read the output as input.
func TestOutputInsideInputGlobRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		glob, out string
		refused   bool
	}{
		{dir + "/*", dir + "/out", true},
		{dir + "/*.txt", dir + "/out", false},
		{dir + "/*", dir + "/_out", false},
		{dir + "/{a,o}*", dir + "/out/day", true},
		{dir + "/[!o]*", dir + "/out", false},
	} {
		p := pcollection.NewPipeline("t")
		textio.Write(textio.Read(p, tc.glob), tc.out)
		s, err := runner.OpenSinks(context.Background(), p.Graph(), runner.WriteFail, "run1")
		if err == nil {
			s.AbortJob()
		}
		if refused := err != nil && strings.Contains(err.Error(), "reads as an input"); refused != tc.refused {
			t.Errorf("input %s, output %s: refused = %v (err %v), want %v", tc.glob, tc.out, refused, err, tc.refused)
		}
	}
}
