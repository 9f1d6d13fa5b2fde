package runner_test

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
)

// dayTable is a graph reading input (none if "") and writing one text
// sink at out partitioned by dt and k.
func dayTable(input, out string) *plan.Graph {
	g := &plan.Graph{}
	src := g.Add(&plan.Node{Op: plan.OpSource, Name: "Src"})
	if input != "" {
		g.Node(src).Payload = fileSource{input}
	}
	g.Add(&plan.Node{Op: plan.OpSink, Name: "Out", Inputs: []plan.NodeID{src}, Payload: partSink{dirSink(out), []string{"dt", "k"}}})
	return g
}

// commitParts runs g's sinks in mode, writing content into each of the
// part files names, and commits them.
func commitParts(t *testing.T, g *plan.Graph, mode runner.WriteMode, run, content string, names ...string) error {
	t.Helper()
	s, err := runner.OpenSinks(context.Background(), g, mode, run)
	if err != nil {
		return err
	}
	for _, n := range names {
		writePart(t, s, n, content)
	}
	if _, err := s.CommitJob(context.Background()); err != nil {
		s.AbortJob()
		return err
	}
	return nil
}

// oldDays is the table that TestOverwritePartitions' runs replace parts
// of: two partitions of day 1, one of day 2.
var oldDays = map[string]string{
	"/_SUCCESS":                  "",
	"/dt=1/k=a/part-r-00000.txt": "old",
	"/dt=1/k=a/part-r-00001.txt": "old",
	"/dt=1/k=b/part-r-00000.txt": "old",
	"/dt=2/k=a/part-r-00000.txt": "old",
}

func writeOldDays(t *testing.T, g *plan.Graph) {
	t.Helper()
	if err := commitParts(t, g, runner.WriteFail, "run1", "old", "dt=1/k=a/part-r-00000.txt", "dt=1/k=a/part-r-00001.txt", "dt=1/k=b/part-r-00000.txt", "dt=2/k=a/part-r-00000.txt"); err != nil {
		t.Fatal(err)
	}
}

// TestOverwritePartitions checks that WriteOverwritePartitions replaces
// each partition the run writes whole (none of its old part files stay),
// adds partitions the table lacks, at any depth, and keeps the rest.
func TestOverwritePartitions(t *testing.T) {
	storage.ResetMem("days")
	g := dayTable("", "mem://days/out")
	writeOldDays(t, g)
	if err := commitParts(t, g, runner.WriteOverwritePartitions, "run2", "new", "dt=1/k=a/part-r-00000.txt", "dt=1/k=c/part-r-00000.txt", "dt=3/k=a/part-r-00000.txt"); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"/_SUCCESS":                  "",
		"/dt=1/k=a/part-r-00000.txt": "new",
		"/dt=1/k=b/part-r-00000.txt": "old",
		"/dt=1/k=c/part-r-00000.txt": "new",
		"/dt=2/k=a/part-r-00000.txt": "old",
		"/dt=3/k=a/part-r-00000.txt": "new",
	}
	if got := files(t, "mem://days/out"); !maps.Equal(got, want) {
		t.Errorf("got\n%v\nwant\n%v", got, want)
	}

	// A run that writes no rows replaces nothing.
	if err := commitParts(t, g, runner.WriteOverwritePartitions, "run3", "none"); err != nil {
		t.Fatal(err)
	}
	if got := files(t, "mem://days/out"); !maps.Equal(got, want) {
		t.Errorf("after a run of no rows, got\n%v\nwant\n%v", got, want)
	}
}

// TestOverwritePartitionsAllOrNothing fails the commit at each rename of a
// partition and checks that the table is left as it was.
func TestOverwritePartitionsAllOrNothing(t *testing.T) {
	for _, failOn := range []string{
		"/out/_temporary/run2/replaced/dt=1/k=a", // moving the old partition aside
		"/out/dt=1/k=a",                          // moving the new one in
		"/out/dt=3",                              // a new day
		"/out/_SUCCESS",
	} {
		t.Run(failOn, func(t *testing.T) {
			faults := mountFlaky(t, "days")
			g := dayTable("", "flaky://days/out")
			writeOldDays(t, g)
			faults.failOn = failOn
			err := commitParts(t, g, runner.WriteOverwritePartitions, "run2", "new", "dt=1/k=a/part-r-00000.txt", "dt=3/k=a/part-r-00000.txt")
			if !errors.Is(err, errInjected) || !strings.Contains(err.Error(), "every output was left as it was") {
				t.Fatalf("commit: %v, want the injected failure and a rollback", err)
			}
			faults.failOn = ""
			if got := files(t, "flaky://days/out"); !maps.Equal(got, oldDays) {
				t.Errorf("after the failed commit:\n%v\nwant as before:\n%v", got, oldDays)
			}
		})
	}
}

// TestOverwritePartitionsRefusals checks what replacing partitions
// refuses: a table of another layout, before the run; replacing a
// partition the job read, at the commit, leaving the table as it was.
// Reading a partition the run keeps is fine, and a sink that is not
// partitioned is replaced whole, so reading from it is refused at once.
func TestOverwritePartitionsRefusals(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("refuse")
	if err := storage.WriteFile(ctx, "mem://refuse/other/city=x/part-r-00000.txt", []byte("x")); err != nil {
		t.Fatal(err)
	}
	_, err := runner.OpenSinks(ctx, dayTable("", "mem://refuse/other"), runner.WriteOverwritePartitions, "run1")
	if err == nil || !strings.Contains(err.Error(), "where replacing partitions with rows partitioned by dt, k expects a directory dt=<value>") {
		t.Errorf("OpenSinks over a table partitioned by city: %v, want the layout refused", err)
	}

	writeOldDays(t, dayTable("", "mem://refuse/out"))
	g := dayTable("mem://refuse/out/dt=1", "mem://refuse/out")
	err = commitParts(t, g, runner.WriteOverwritePartitions, "run2", "new", "dt=1/k=a/part-r-00000.txt")
	if err == nil || !strings.Contains(err.Error(), "replacing partition mem://refuse/out/dt=1/k=a would delete mem://refuse/out/dt=1/k=a/part-r-00000.txt, which the job read") {
		t.Errorf("replacing a partition the job read: %v, want it refused", err)
	}
	if got := files(t, "mem://refuse/out"); !maps.Equal(got, oldDays) {
		t.Errorf("after the refused commit:\n%v\nwant as before:\n%v", got, oldDays)
	}
	if err := commitParts(t, g, runner.WriteOverwritePartitions, "run3", "new", "dt=3/k=a/part-r-00000.txt"); err != nil {
		t.Errorf("reading day 1 and writing day 3: %v", err)
	}

	err = openCopy(ctx, "mem://refuse/out/dt=1", "mem://refuse/out", runner.WriteOverwritePartitions)
	if err == nil || !strings.Contains(err.Error(), "would delete") {
		t.Errorf("replacing an unpartitioned output the job reads: %v, want it refused", err)
	}
}

// TestOverwritePartitionsUnpartitioned checks that an output that is not
// partitioned is replaced whole.
func TestOverwritePartitionsUnpartitioned(t *testing.T) {
	storage.ResetMem("whole")
	g := twoSinks("mem://whole/out")
	commitOld(t, g)
	s := openWritten(t, g, runner.WriteOverwritePartitions, "run2", "new")
	commitTwo(context.Background(), t, s, "mem://whole/out", "new")
}

// prunedSource is a fileSource that reads only the files read of those
// its pattern matches (plan.PrunedFileSource).
type prunedSource struct {
	fileSource
	read []string
}

func (s prunedSource) ReadFiles(context.Context) ([]string, error) { return s.read, nil }

// TestOverwritePartitionsReadsPruned checks that a job reading its own
// table through a partition predicate may replace the partitions the
// predicate left out, and not those it read.
func TestOverwritePartitionsReadsPruned(t *testing.T) {
	storage.ResetMem("pruned")
	writeOldDays(t, dayTable("", "mem://pruned/out"))
	g := dayTable("", "mem://pruned/out")
	// The source, added first, reads day 2 of the whole table.
	g.Node(0).Payload = prunedSource{fileSource{"mem://pruned/out"}, []string{"mem://pruned/out/dt=2/k=a/part-r-00000.txt"}}
	if err := commitParts(t, g, runner.WriteOverwritePartitions, "run2", "new", "dt=1/k=a/part-r-00000.txt"); err != nil {
		t.Errorf("replacing a partition the predicate left out: %v", err)
	}
	err := commitParts(t, g, runner.WriteOverwritePartitions, "run3", "new", "dt=2/k=a/part-r-00000.txt")
	if err == nil || !strings.Contains(err.Error(), "would delete mem://pruned/out/dt=2/k=a/part-r-00000.txt, which the job read") {
		t.Errorf("replacing the partition the predicate kept: %v, want it refused", err)
	}
}

// TestCommitReportsPartitions checks that a commit of a partitioned
// output reports each partition of every key the run wrote and what
// became of the table's partition of that name, and what an overwrite
// removed: a daily job's summary says which days it replaced.
func TestCommitReportsPartitions(t *testing.T) {
	written := []string{"dt=1/k=a/part-r-00000.txt", "dt=1/k=c/part-r-00000.txt", "dt=3/k=a/part-r-00000.txt"}
	for _, tc := range []struct {
		mode runner.WriteMode
		old  bool
		want []runner.PartitionWrite
	}{
		{runner.WriteFail, false, []runner.PartitionWrite{
			{"dt=1/k=a", runner.PartitionNew}, {"dt=1/k=c", runner.PartitionNew}, {"dt=3/k=a", runner.PartitionNew}}},
		{runner.WriteOverwritePartitions, true, []runner.PartitionWrite{
			{"dt=1/k=a", runner.PartitionReplaced}, {"dt=1/k=c", runner.PartitionNew}, {"dt=3/k=a", runner.PartitionNew}}},
		{runner.WriteAppend, true, []runner.PartitionWrite{
			{"dt=1/k=a", runner.PartitionAppended}, {"dt=1/k=c", runner.PartitionNew}, {"dt=3/k=a", runner.PartitionNew}}},
		{runner.WriteOverwrite, true, []runner.PartitionWrite{
			{"dt=1/k=a", runner.PartitionReplaced}, {"dt=1/k=b", runner.PartitionRemoved}, {"dt=1/k=c", runner.PartitionNew},
			{"dt=2/k=a", runner.PartitionRemoved}, {"dt=3/k=a", runner.PartitionNew}}},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			storage.ResetMem("days")
			g := dayTable("", "mem://days/out")
			if tc.old {
				writeOldDays(t, g)
			}
			s, err := runner.OpenSinks(context.Background(), g, tc.mode, "run2")
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range written {
				writePart(t, s, n, "new")
			}
			var res runner.Result
			if err := s.CommitInto(context.Background(), &res, nil); err != nil {
				t.Fatal(err)
			}
			if got := res.Partitions["mem://days/out"]; !slices.Equal(got, tc.want) {
				t.Errorf("partitions: got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestWriteFailPartitionedHint checks that refusing an existing
// partitioned output points at overwrite-partitions, and says that
// overwrite would replace the whole table, not the run's days.
func TestWriteFailPartitionedHint(t *testing.T) {
	storage.ResetMem("days")
	g := dayTable("", "mem://days/out")
	writeOldDays(t, g)
	_, err := runner.OpenSinks(context.Background(), g, runner.WriteFail, "run2")
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("got %v, want fs.ErrExist", err)
	}
	for _, want := range []string{"overwrite-partitions replaces the partitions the run writes", "overwrite replaces the whole table"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestWriteFailUnpartitionedHint checks that refusing an existing output
// of part files outside partition directories, for a partitioned sink,
// does not point at overwrite-partitions or append, which would refuse to
// mix the layouts, but at overwrite.
func TestWriteFailUnpartitionedHint(t *testing.T) {
	storage.ResetMem("days")
	if err := storage.WriteFile(context.Background(), "mem://days/out/part-r-00000.txt", []byte("old")); err != nil {
		t.Fatal(err)
	}
	g := dayTable("", "mem://days/out")
	_, err := runner.OpenSinks(context.Background(), g, runner.WriteFail, "run2")
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("got %v, want fs.ErrExist", err)
	}
	if want := "only --write-mode overwrite, which replaces it, can write partitions there"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	// The modes the hint leaves out do refuse it.
	for _, mode := range []runner.WriteMode{runner.WriteOverwritePartitions, runner.WriteAppend} {
		if s, err := runner.OpenSinks(context.Background(), g, mode, "run3"); err == nil {
			s.AbortJob()
			t.Errorf("%v: opened an unpartitioned output for partitions", mode)
		}
	}
}
