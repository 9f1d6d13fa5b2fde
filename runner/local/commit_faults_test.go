package local

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/faultfs"
)

// faulty is the local file system as faulty://h/<absolute path>, mounted in
// the driver and, with no rules, in every worker (which run this binary).
var faulty = func() *faultfs.FS {
	inner, _, err := storage.Resolve(context.Background(), "file:///")
	if err != nil {
		panic(err)
	}
	f := faultfs.Wrap(inner)
	faultfs.Register("faulty", f)
	return f
}()

// TestRetryAfterTaskCommitFailed checks that a reduce task whose commit
// fails in its second sink, after its first sink's part was committed, is
// retried and commits: the output is then as a clean run's.
func TestRetryAfterTaskCommitFailed(t *testing.T) {
	base := t.TempDir()
	clean := filepath.Join(base, "clean")
	o := runner.Options{Workers: 2, TmpDir: t.TempDir()}
	if _, err := Run(context.Background(), build(t, wordCountJob, "--lines=3000", "--copy", "--out="+clean), o); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(base, "out")
	faulty.SetRules(faultfs.Rule{Op: faultfs.OpRename, Path: out + "-copy/_temporary/*/committed/part-r-00000.txt", Times: 1})
	defer faulty.SetRules()
	res, err := Run(context.Background(), build(t, wordCountJob, "--lines=3000", "--copy", "--out=faulty://h"+out), o)
	if err != nil {
		t.Fatalf("one failed task commit failed the job: %v", err)
	}
	if got := res.Counters[CounterGroup]["failed task attempts"]; got != 1 {
		t.Errorf("%d failed task attempts, want 1 (the rule did not fire?)", got)
	}
	for _, suffix := range []string{"", "-copy", "-lines"} {
		equalTrees(t, tree(t, out+suffix), tree(t, clean+suffix))
	}
}

// TestCleanupFailureAfterCommitWarns checks that a run whose outputs are
// committed succeeds, with a warning, when only removing its temporary
// files fails.
func TestCleanupFailureAfterCommitWarns(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	faulty.SetRules(faultfs.Rule{Op: faultfs.OpRemoveAll, Path: out + "/_temporary/*"})
	defer faulty.SetRules()
	p := build(t, wordCountJob, "--lines=3000", "--out=faulty://h"+out)
	res, err := Run(context.Background(), p, runner.Options{Workers: 2, TmpDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Run failed although only its cleanup did: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "_SUCCESS")); err != nil {
		t.Errorf("output not committed: %v", err)
	}
	if len(res.Outputs) != 2 {
		t.Errorf("outputs %v, want the two sinks", res.Outputs)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "removing their temporary files failed") {
		t.Errorf("warnings %q, want one about the temporary files", res.Warnings)
	}
}
