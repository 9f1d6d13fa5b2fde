package local

import (
	"testing"

	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/runnertest"
)

func TestConformance(t *testing.T) {
	for _, c := range []struct {
		name string
		opts runner.Options
	}{
		{"workers=1", runner.Options{Workers: 1}},
		{"workers=2", runner.Options{Workers: 2}},
		{"workers=4", runner.Options{Workers: 4}},
		{"workers=2,memory=64KiB", runner.Options{Workers: 2, Memory: 64 << 10}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.opts.TmpDir = t.TempDir()
			runnertest.Run(t, Runner{}, c.opts)
			assertEmpty(t, c.opts.TmpDir)
		})
	}
}

// TestUnfinishedStageTasks checks that a failed stage counts the tasks
// that succeeded, not those the scheduler created.
func TestUnfinishedStageTasks(t *testing.T) {
	runnertest.CheckUnfinishedTasks(t, Runner{}, runner.Options{Workers: 2, Partitions: 4, TmpDir: t.TempDir()})
}

// Partitioned tables written by worker processes are those the in-memory
// runner writes.
func TestPartitionedWrite(t *testing.T) {
	runnertest.CheckPartitioned(t, Runner{}, runner.Options{Workers: 2, TmpDir: t.TempDir()}, t.TempDir())
}

// Replacing some partitions of a table keeps the others.
func TestPartitionOverwrite(t *testing.T) {
	runnertest.CheckPartitionOverwrite(t, Runner{}, runner.Options{Workers: 2, TmpDir: t.TempDir()}, t.TempDir())
}

// Appending to a partitioned table adds the run's files, which worker
// processes wrote, into its partition directories.
func TestPartitionAppend(t *testing.T) {
	runnertest.CheckPartitionAppend(t, Runner{}, runner.Options{Workers: 2, TmpDir: t.TempDir()}, t.TempDir())
}
