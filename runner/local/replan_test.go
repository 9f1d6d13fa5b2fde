package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/textio"
)

type replanArgs struct {
	Big   string `flag:"big"`
	Small string `flag:"small"`
}

var replanOutputs = map[*pcollection.Pipeline]*pcollection.Materialized[string]{}

// local-test/replan: a union of a filtered branch of a big file (Scale 0.1)
// and a second file, used in stage 1 by a transform whose side input a
// stage-0 reducer writes. Whether delaySourceWork recomputes the union in
// stage 1 or writes it out in stage 0 depends on the two files' relative
// sizes.
var replanJob = runner.Register("local-test/replan", "a union whose placement depends on its sources' sizes",
	func(p *pcollection.Pipeline, a *replanArgs) error {
		big, small := textio.Read(p, a.Big), textio.Read(p, a.Small)
		bigCounts := ptable.Count(big)
		pcollection.Materialize(ptable.Count(small))
		kept := pcollection.Filter(big, func(s string) bool { return strings.HasSuffix(s, "0") }, pcollection.Scale(0.1))
		u := pcollection.Union(kept, small)
		out := pcollection.FlatMapWithSide(u, ptable.Keys(bigCounts), func(keys []string) (func(string, func(string)), error) {
			n := len(keys)
			return func(s string, emit func(string)) { emit(fmt.Sprintf("%s/%d", s, n)) }, nil
		})
		replanOutputs[p] = pcollection.Materialize(out)
		return nil
	})

// writeNumbered writes n numbered lines with prefix to path.
func writeNumbered(t *testing.T, path, prefix string, n int) {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s%05d\n", prefix, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replanPipeline builds local-test/replan over a big file of big lines and
// a small one of small lines, and returns the small file's path.
func replanPipeline(t *testing.T, big, small int) (*pcollection.Pipeline, string) {
	dir := t.TempDir()
	bigF, smallF := filepath.Join(dir, "big.txt"), filepath.Join(dir, "small.txt")
	writeNumbered(t, bigF, "b", big)
	writeNumbered(t, smallF, "s", small)
	return build(t, replanJob, "--big="+bigF, "--small="+smallF), smallF
}

// TestWorkerReplansAfterSourceGrew runs the job with the small file growing
// after the driver planned (as files landing in an input directory do):
// the first attempt of a stage-0 task is killed, and the retry's fresh
// worker plans again, with the grown file.
func TestWorkerReplansAfterSourceGrew(t *testing.T) {
	p, smallF := replanPipeline(t, 2000, 10)
	t.Setenv(KillEnv, "stage=0,role=map,task=0,attempt=0,after=1")
	var once sync.Once
	observeTask = func(m taskMsg) {
		once.Do(func() {
			// Grow the file only past the end the driver listed: the
			// driver's splits still cover exactly the first 10 lines.
			writeNumbered(t, smallF, "s", 20000)
		})
	}
	defer func() { observeTask = nil }()
	res, err := Run(context.Background(), p, runner.Options{Workers: 1, TmpDir: t.TempDir()})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	got, err := replanOutputs[p].Values()
	if err != nil {
		t.Fatal(err)
	}
	var wantN int
	for i := range 2000 {
		if strings.HasSuffix(fmt.Sprintf("b%05d", i), "0") {
			wantN++
		}
	}
	// The driver's splits of small.txt hold its first 10 lines (or, read
	// again from the grown file, as the source's splits say).
	slices.Sort(got)
	// A text split that ends at a line boundary also reads the line that
	// starts there (Hadoop's rule), so the grown file's 11th line is read too.
	if len(got) != wantN+10 && len(got) != wantN+11 {
		t.Errorf("got %d rows, want %d or %d (%d of big.txt and the 10 (+1) of small.txt the driver listed)\n%s", len(got), wantN+10, wantN+11, wantN, res.Plan.Explain())
	}
}

// TestWorkerRefusesAnotherPlan checks that a worker whose plan of the
// driver's graph differs from the driver's refuses to run its tasks: the
// phases it would run by number are another plan's.
func TestWorkerRefusesAnotherPlan(t *testing.T) {
	p, _ := replanPipeline(t, 100, 10)
	sg, err := plan.Optimize(context.Background(), p.Graph(), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := hello{Recipe: *p.Recipe(), Fingerprint: p.Graph().Fingerprint(), PlanFingerprint: sg.Fingerprint()}
	if _, err := newWorkerFor(context.Background(), p, h); err != nil {
		t.Fatalf("the same plan: %v", err)
	}
	h.PlanFingerprint = "0123456789abcdef"
	if _, err := newWorkerFor(context.Background(), p, h); err == nil || !strings.Contains(err.Error(), "planned the pipeline differently from the driver") {
		t.Errorf("another plan: got %v, want the worker to refuse it", err)
	}
}
