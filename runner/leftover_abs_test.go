package runner

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestLeftoversAbortedFromAnotherDirectory checks that the leftovers a run
// records for a relative output name that output, not a directory of the
// same relative name where the sweeping process runs: another run's sweep
// (in the same scratch directory) or a worker of this run may abort it.
func TestLeftoversAbortedFromAnotherDirectory(t *testing.T) {
	root := t.TempDir()
	runDir, otherDir := filepath.Join(root, "a"), filepath.Join(root, "b")
	for _, d := range []string{runDir, filepath.Join(otherDir, "out", "x")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(runDir)
	ctx := context.Background()
	c, err := NewCommitter(ctx, "out/x", WriteFail, "run1")
	if err != nil {
		t.Fatal(err)
	}
	ls := Sinks{0: c}.Leftovers()
	t.Chdir(otherDir) // the sweeper's working directory
	if err := RecoverCommit(ls, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(runDir, "out")); !os.IsNotExist(err) {
		t.Errorf("the run's output %s was not aborted (stat: %v)", filepath.Join(runDir, "out"), err)
	}
	if _, err := os.Stat(filepath.Join(otherDir, "out", "x")); err != nil {
		t.Errorf("the sweeper removed %s, a directory of the same relative name in its own working directory: %v", filepath.Join(otherDir, "out", "x"), err)
	}
}
