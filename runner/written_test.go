package runner_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
)

// commitLookups commits a run in mode that writes n partitions into day
// 1, which the table has, and n into day 9, which it lacks, and returns
// how many Stat and List calls the job commit made.
func commitLookups(t *testing.T, mode runner.WriteMode, n int) int {
	t.Helper()
	faults := mountFlaky(t, "count")
	g := dayTable("", "flaky://count/out")
	old := []string{"dt=2/k=a/part-r-00000.txt"}
	for i := range n {
		old = append(old, fmt.Sprintf("dt=1/k=%03d/part-r-00000.txt", i))
	}
	if err := commitParts(t, g, runner.WriteFail, "run1", "old", old...); err != nil {
		t.Fatal(err)
	}
	s, err := runner.OpenSinks(context.Background(), g, mode, "run2")
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		writePart(t, s, fmt.Sprintf("dt=1/k=%03d/part-r-00000.txt", i), "new")
		writePart(t, s, fmt.Sprintf("dt=9/k=%03d/part-r-00000.txt", i), "new")
	}
	before := faults.lookupCount()
	var res runner.Result
	if err := s.CommitInto(context.Background(), &res, nil); err != nil {
		t.Fatal(err)
	}
	lookups := faults.lookupCount() - before
	if got := len(res.Partitions["flaky://count/out"]); got < 2*n {
		t.Fatalf("%d partitions reported, want at least %d", got, 2*n)
	}
	want := map[string]string{"/_SUCCESS": ""}
	if mode != runner.WriteOverwrite {
		want["/dt=2/k=a/part-r-00000.txt"] = "old"
	}
	for i := range n {
		day1 := fmt.Sprintf("/dt=1/k=%03d/", i)
		if mode == runner.WriteAppend {
			want[day1+"part-r-00000.txt"] = "old"
			want[day1+"part-r-00000-run2.txt"] = "new"
		} else {
			want[day1+"part-r-00000.txt"] = "new"
		}
		want[fmt.Sprintf("/dt=9/k=%03d/part-r-00000.txt", i)] = "new"
	}
	if got := files(t, "flaky://count/out"); !maps.Equal(got, want) {
		t.Errorf("%s of %d partitions: got %v, want %v", mode, 2*n, got, want)
	}
	return lookups
}

// TestCommitLookupsDoNotGrowWithPartitions checks that the job commit of
// a partitioned output looks up the output per directory it lists, not
// per partition it writes, and the run's committed files not at all (it
// knows them from its task commits), also those it appends to partitions
// the output has: on HDFS each lookup is a namenode call, and a backfill
// writes thousands of partitions.
func TestCommitLookupsDoNotGrowWithPartitions(t *testing.T) {
	for _, mode := range []runner.WriteMode{runner.WriteOverwritePartitions, runner.WriteAppend, runner.WriteOverwrite} {
		t.Run(mode.String(), func(t *testing.T) {
			few, many := commitLookups(t, mode, 2), commitLookups(t, mode, 32)
			t.Logf("lookups: %d for 4 partitions, %d for 64", few, many)
			if few != many {
				t.Errorf("a commit of 64 partitions made %d lookups, one of 4 made %d: want as many", many, few)
			}
		})
	}
}

// TestCommitReportsPartitionsOfConcurrentCreate checks two runs that both
// found the table missing when they opened it: the second to commit
// reports the partitions the first wrote as replaced, appended to or
// removed, not as new, since they were there when it committed.
func TestCommitReportsPartitionsOfConcurrentCreate(t *testing.T) {
	for _, tc := range []struct {
		mode runner.WriteMode
		want []runner.PartitionWrite
	}{
		{runner.WriteOverwritePartitions, []runner.PartitionWrite{{"dt=1/k=a", runner.PartitionReplaced}, {"dt=3/k=a", runner.PartitionNew}}},
		{runner.WriteAppend, []runner.PartitionWrite{{"dt=1/k=a", runner.PartitionAppended}, {"dt=3/k=a", runner.PartitionNew}}},
		{runner.WriteOverwrite, []runner.PartitionWrite{{"dt=1/k=a", runner.PartitionReplaced}, {"dt=2/k=a", runner.PartitionRemoved}, {"dt=3/k=a", runner.PartitionNew}}},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			ctx := context.Background()
			first, second := openBothMissing(t, "created", tc.mode)
			writePart(t, first, "dt=1/k=a/part-r-00000.txt", "first")
			writePart(t, first, "dt=2/k=a/part-r-00000.txt", "first")
			writePart(t, second, "dt=1/k=a/part-r-00001.txt", "second")
			writePart(t, second, "dt=3/k=a/part-r-00001.txt", "second")
			var res1, res2 runner.Result
			if err := first.CommitInto(ctx, &res1, nil); err != nil {
				t.Fatal(err)
			}
			if err := second.CommitInto(ctx, &res2, nil); err != nil {
				t.Fatal(err)
			}
			if got := res2.Partitions["flaky://created/out"]; !slices.Equal(got, tc.want) {
				t.Errorf("second run's partitions: got %v, want %v", got, tc.want)
			}
			// A run killed from here on, whose Leftovers a recovery
			// reads, did not create the output.
			if l := second.Leftovers()[0]; l.Created {
				t.Errorf("second run's leftover %+v: want the output not created by it", l)
			}
		})
	}
}

// flatTable is a graph writing one text sink at out, not partitioned.
func flatTable(out string) *plan.Graph {
	g := &plan.Graph{}
	src := g.Add(&plan.Node{Op: plan.OpSource, Name: "Src"})
	g.Add(&plan.Node{Op: plan.OpSink, Name: "Out", Inputs: []plan.NodeID{src}, Payload: dirSink(out)})
	return g
}

// openBothMissing opens the sinks of two runs of a table partitioned by
// dt and k at flaky://<host>/out, both finding it missing: the second
// looked before the first created it.
func openBothMissing(t *testing.T, host string, mode runner.WriteMode) (first, second runner.Sinks) {
	t.Helper()
	faults := mountFlaky(t, host)
	g := dayTable("", "flaky://"+host+"/out")
	first, err := runner.OpenSinks(context.Background(), g, mode, "run1")
	if err != nil {
		t.Fatal(err)
	}
	faults.missing = true
	second, err = runner.OpenSinks(context.Background(), g, mode, "run2")
	faults.missing = false
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range append(first.Leftovers(), second.Leftovers()...) {
		if !l.Created {
			t.Fatalf("%+v: want both runs to have found the output missing", l)
		}
	}
	return first, second
}

// TestConcurrentCreateChecksLayoutAtCommit checks that a run that found
// the output missing, and so checked no layout when it opened it, checks
// it at its commit if another run has created the output since: adding
// partitions beside another run's unpartitioned part files would leave a
// table readers refuse. The refused run's abort leaves the other run's
// output as it was, though it thought it had created the directory.
func TestConcurrentCreateChecksLayoutAtCommit(t *testing.T) {
	for _, mode := range []runner.WriteMode{runner.WriteAppend, runner.WriteOverwritePartitions} {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.Background()
			faults := mountFlaky(t, "layout")
			first, err := runner.OpenSinks(ctx, flatTable("flaky://layout/out"), mode, "run1")
			if err != nil {
				t.Fatal(err)
			}
			faults.missing = true
			second, err := runner.OpenSinks(ctx, dayTable("", "flaky://layout/out"), mode, "run2")
			faults.missing = false
			if err != nil {
				t.Fatal(err)
			}
			writePart(t, first, "part-r-00000.txt", "first")
			writePart(t, second, "dt=1/k=a/part-r-00000.txt", "second")
			if _, err := first.CommitJob(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := second.CommitJob(ctx); err == nil {
				t.Fatal("the second run added partitions beside the first's part files")
			} else if !strings.Contains(err.Error(), "holds flaky://layout/out/part-r-00000.txt where") || !strings.Contains(err.Error(), "expects a directory dt=<value>") {
				t.Errorf("second CommitJob: %v, want the mixed layouts refused", err)
			}
			second.AbortJob()
			want := map[string]string{"/_SUCCESS": "", "/part-r-00000.txt": "first"}
			if got := files(t, "flaky://layout/out"); !maps.Equal(got, want) {
				t.Errorf("after the refused run: got %v, want the first run's output %v", got, want)
			}
		})
	}
}

// TestOverwriteReportsWhatItRemovesOutsidePartitions checks that an
// overwrite of an output of another layout, by a partitioned run, lists
// as removed what the output held outside partitions of the run's depth:
// an unpartitioned table's part files, other directories, the part files
// of a table partitioned by fewer keys. The overwrite removes them all.
func TestOverwriteReportsWhatItRemovesOutsidePartitions(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("layouts")
	for _, f := range []string{"_SUCCESS", "part-r-00000.txt", "part-r-00001.txt", "notes/readme.txt", "dt=2/part-r-00000.txt", "dt=3/k=b/part-r-00000.txt"} {
		if err := storage.WriteFile(ctx, "mem://layouts/out/"+f, []byte("old")); err != nil {
			t.Fatal(err)
		}
	}
	s, err := runner.OpenSinks(ctx, dayTable("", "mem://layouts/out"), runner.WriteOverwrite, "run2")
	if err != nil {
		t.Fatal(err)
	}
	writePart(t, s, "dt=1/k=a/part-r-00000.txt", "new")
	var res runner.Result
	if err := s.CommitInto(ctx, &res, nil); err != nil {
		t.Fatal(err)
	}
	want := []runner.PartitionWrite{
		{"dt=1/k=a", runner.PartitionNew},
		{"dt=2/part-r-00000.txt", runner.PartitionRemoved},
		{"dt=3/k=b", runner.PartitionRemoved},
		{"notes", runner.PartitionRemoved},
		{"part-r-00000.txt", runner.PartitionRemoved},
		{"part-r-00001.txt", runner.PartitionRemoved},
	}
	if got := res.Partitions["mem://layouts/out"]; !slices.Equal(got, want) {
		t.Errorf("partitions: got %v, want %v", got, want)
	}
	if got, want := files(t, "mem://layouts/out"), map[string]string{"/_SUCCESS": "", "/dt=1/k=a/part-r-00000.txt": "new"}; !maps.Equal(got, want) {
		t.Errorf("output: got %v, want %v", got, want)
	}
}

// TestAbortedAttemptWritesNoPartition checks that a partition only an
// aborted attempt wrote is neither published nor reported: its abort
// removes its files but may leave their directories in the run's
// committed set, which the job commit takes from the task commits rather
// than from listing it.
func TestAbortedAttemptWritesNoPartition(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("aborted")
	g := dayTable("", "mem://aborted/out")
	writeOldDays(t, g)
	s, err := runner.OpenSinks(ctx, g, runner.WriteAppend, "run2")
	if err != nil {
		t.Fatal(err)
	}
	writePart(t, s, "dt=1/k=a/part-r-00000.txt", "new")
	commitThenAbort(t, s, "attempt_m_1", "dt=5/k=a/part-m-00001.txt")
	var res runner.Result
	if err := s.CommitInto(ctx, &res, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := res.Partitions["mem://aborted/out"], []runner.PartitionWrite{{"dt=1/k=a", runner.PartitionAppended}}; !slices.Equal(got, want) {
		t.Errorf("partitions: got %v, want %v", got, want)
	}
	want := maps.Clone(oldDays)
	want["/dt=1/k=a/part-r-00000-run2.txt"] = "new"
	for _, dir := range []string{"/dt=1/", "/dt=1/k=a/", "/dt=1/k=b/", "/dt=2/", "/dt=2/k=a/"} {
		want[dir] = ""
	}
	if got := filesAndDirs(t, "mem://aborted/out"); !maps.Equal(got, want) {
		t.Errorf("output: got %v, want %v", got, want)
	}
}

// TestAbortedAttemptLeavesNoEmptyPartitionInside checks that a partition
// only an aborted attempt wrote is not published inside a partition
// directory that moves into the output whole (one the output lacks, or
// any when overwriting): its abort removes the directories only its parts
// were in, not only the parts.
func TestAbortedAttemptLeavesNoEmptyPartitionInside(t *testing.T) {
	for _, mode := range []runner.WriteMode{runner.WriteAppend, runner.WriteOverwrite} {
		ctx := context.Background()
		storage.ResetMem("inside")
		g := dayTable("", "mem://inside/out")
		writeOldDays(t, g)
		s, err := runner.OpenSinks(ctx, g, mode, "run2")
		if err != nil {
			t.Fatal(err)
		}
		writePart(t, s, "dt=5/k=b/part-r-00000.txt", "new")
		commitThenAbort(t, s, "attempt_m_1", "dt=5/k=a/part-m-00001.txt", "dt=5/k=b/part-m-00001.txt", "dt=9/k=a/part-m-00001.txt")
		var res runner.Result
		if err := s.CommitInto(ctx, &res, nil); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"/_SUCCESS": "", "/dt=5/": "", "/dt=5/k=b/": "", "/dt=5/k=b/part-r-00000.txt": "new"}
		if mode == runner.WriteAppend {
			for name := range oldDays {
				want[name] = "old"
			}
			want["/_SUCCESS"] = ""
			for _, dir := range []string{"/dt=1/", "/dt=1/k=a/", "/dt=1/k=b/", "/dt=2/", "/dt=2/k=a/"} {
				want[dir] = ""
			}
		}
		if got := filesAndDirs(t, "mem://inside/out"); !maps.Equal(got, want) {
			t.Errorf("%s: output: got %v, want %v", mode, got, want)
		}
	}
}

// commitThenAbort writes names as attempt's files in every sink of s,
// commits the attempt, then aborts it, as a task that failed after
// committing its parts in one sink does.
func commitThenAbort(t *testing.T, s runner.Sinks, attempt string, names ...string) {
	t.Helper()
	ctx := context.Background()
	for _, c := range s {
		for _, name := range names {
			if err := storage.WriteFile(ctx, c.TaskFile(attempt, name), []byte("lost")); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.CommitTask(ctx, attempt); err != nil {
			t.Fatal(err)
		}
		if err := c.AbortTask(ctx, attempt); err != nil {
			t.Fatal(err)
		}
	}
}
