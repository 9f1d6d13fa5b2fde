package runner_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
)

// table is a graph writing one sink at out: text part files, or CSV ones
// if csv is set, partitioned by keys (none: not partitioned).
func table(out string, csv bool, keys ...string) *plan.Graph {
	var sink plan.SinkPayload = dirSink(out)
	switch {
	case len(keys) > 0 && csv:
		sink = csvPartSink{partSink{dirSink(out), keys}}
	case len(keys) > 0:
		sink = partSink{dirSink(out), keys}
	case csv:
		sink = csvSink{dirSink(out)}
	}
	g := &plan.Graph{}
	src := g.Add(&plan.Node{Op: plan.OpSource, Name: "Src"})
	g.Add(&plan.Node{Op: plan.OpSink, Name: "Out", Inputs: []plan.NodeID{src}, Payload: sink})
	return g
}

type csvSink struct{ dirSink }

func (csvSink) Ext() string { return ".csv" }

type csvPartSink struct{ partSink }

func (csvPartSink) Ext() string { return ".csv" }

// partFile is a part file of a run of a table partitioned by keys, in
// the format of ext.
func partFile(ext string, keys ...string) string {
	var p string
	for _, k := range keys {
		p += k + "=1/"
	}
	return p + "part-r-00000" + ext
}

// TestCommitRechecksLayout checks that a run appending to an output, or
// replacing partitions of it, refuses at its commit, moving nothing, an
// output that another run overwrote since this one opened it with another
// layout or format: adding this run's files would leave a mixed table that
// every later read refuses. Its abort leaves the other run's output as that
// run wrote it.
func TestCommitRechecksLayout(t *testing.T) {
	for _, tc := range []struct {
		name       string
		keys, now  []string // the run's partition keys, the output's once overwritten
		csvNow     bool     // the output holds CSV once overwritten
		modes      []runner.WriteMode
		wantErrHas string
	}{
		{"flat now partitioned", nil, []string{"dt"}, false, []runner.WriteMode{runner.WriteAppend},
			"it is now partitioned by dt (it holds flaky://layout/out/dt=1); this run's files are not partitioned"},
		{"partitioned now flat", []string{"dt"}, nil, false, nil,
			"it is now not partitioned (it holds flaky://layout/out/part-r-00000.txt); this run's files are partitioned by dt"},
		{"partitioned now by more keys", []string{"dt"}, []string{"dt", "country"}, false, nil,
			"it is now partitioned by dt, country (it holds flaky://layout/out/dt=1/country=1); this run's files are partitioned by dt"},
		{"partitioned now by fewer keys", []string{"dt", "country"}, []string{"dt"}, false, nil,
			"it is now partitioned by dt (it holds flaky://layout/out/dt=1/part-r-00000.txt); this run's files are partitioned by dt, country"},
		{"partitioned now by other keys", []string{"dt", "country"}, []string{"country", "dt"}, false, nil,
			"it is now partitioned by country, dt (it holds flaky://layout/out/country=1); this run's files are partitioned by dt, country"},
		{"flat now another format", nil, nil, true, []runner.WriteMode{runner.WriteAppend},
			"another run changed its format since this run began: it now holds flaky://layout/out/part-r-00000.csv; this run wrote .txt part files"},
		{"partitioned now another format", []string{"dt", "country"}, []string{"dt", "country"}, true, nil,
			"it now holds flaky://layout/out/dt=1/country=1/part-r-00000.csv; this run wrote .txt part files"},
	} {
		modes := tc.modes
		if modes == nil {
			modes = []runner.WriteMode{runner.WriteAppend, runner.WriteOverwritePartitions}
		}
		for _, mode := range modes {
			t.Run(tc.name+"/"+mode.String(), func(t *testing.T) {
				ctx := context.Background()
				mountFlaky(t, "layout")
				const out = "flaky://layout/out"
				if err := commitParts(t, table(out, false, tc.keys...), runner.WriteFail, "run1", "first", partFile(".txt", tc.keys...)); err != nil {
					t.Fatal(err)
				}
				s, err := runner.OpenSinks(ctx, table(out, false, tc.keys...), mode, "run2")
				if err != nil {
					t.Fatal(err)
				}
				writePart(t, s, partFile(".txt", tc.keys...), "second")
				ext := map[bool]string{false: ".txt", true: ".csv"}[tc.csvNow]
				if err := commitParts(t, table(out, tc.csvNow, tc.now...), runner.WriteOverwrite, "run3", "third", partFile(ext, tc.now...)); err != nil {
					t.Fatal(err)
				}
				want := withoutTemporary(files(t, out))
				_, err = s.CommitJob(ctx)
				if err == nil {
					t.Fatal("the run added its files to an output of another layout")
				}
				if !strings.Contains(err.Error(), "committing output "+out+": another run changed its") || !strings.Contains(err.Error(), tc.wantErrHas) {
					t.Errorf("CommitJob: %v\nwant it to say %q", err, tc.wantErrHas)
				}
				s.AbortJob()
				if got := files(t, out); !maps.Equal(got, want) {
					t.Errorf("after the refused commit: got %v, want the other run's output %v", got, want)
				}
			})
		}
	}
}

// TestCommitRechecksLayoutAllOrNothing checks that a run whose second
// output another run gave another layout since it opened it commits
// neither output.
func TestCommitRechecksLayoutAllOrNothing(t *testing.T) {
	ctx := context.Background()
	mountFlaky(t, "both")
	g := twoSinks("flaky://both")
	commitOld(t, g)
	s := openWritten(t, g, runner.WriteAppend, "run2", "new")
	if err := commitParts(t, table("flaky://both/b", false, "dt"), runner.WriteOverwrite, "run3", "other", "dt=1/part-r-00000.txt"); err != nil {
		t.Fatal(err)
	}
	want := withoutTemporary(files(t, "flaky://both"))
	if _, err := s.CommitJob(ctx); err == nil || !strings.Contains(err.Error(), "committing output flaky://both/b: another run changed its layout") {
		t.Fatalf("CommitJob: %v, want output b's layout change refused", err)
	}
	s.AbortJob()
	if got := files(t, "flaky://both"); !maps.Equal(got, want) {
		t.Errorf("after the refused commit: got %v, want %v", got, want)
	}
}

// TestCommitAcceptsSameLayout checks that an output overwritten since the
// run opened it, in the same layout and format, is appended to.
func TestCommitAcceptsSameLayout(t *testing.T) {
	for _, keys := range [][]string{nil, {"dt", "country"}} {
		ctx := context.Background()
		mountFlaky(t, "same")
		const out = "flaky://same/out"
		if err := commitParts(t, table(out, false, keys...), runner.WriteFail, "run1", "first", partFile(".txt", keys...)); err != nil {
			t.Fatal(err)
		}
		s, err := runner.OpenSinks(ctx, table(out, false, keys...), runner.WriteAppend, "run2")
		if err != nil {
			t.Fatal(err)
		}
		writePart(t, s, partFile(".txt", keys...), "second")
		if err := commitParts(t, table(out, false, keys...), runner.WriteOverwrite, "run3", "third", partFile(".txt", keys...)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CommitJob(ctx); err != nil {
			t.Fatalf("partitioned by %v: %v", keys, err)
		}
		dir := strings.TrimSuffix(partFile("", keys...), "part-r-00000")
		want := map[string]string{"/_SUCCESS": "", "/" + dir + "part-r-00000.txt": "third", "/" + dir + "part-r-00000-run2.txt": "second"}
		if got := files(t, out); !maps.Equal(got, want) {
			t.Errorf("partitioned by %v: got %v, want %v", keys, got, want)
		}
	}
}

// withoutTemporary is the files of a tree but those of runs under way.
func withoutTemporary(files map[string]string) map[string]string {
	maps.DeleteFunc(files, func(name, _ string) bool { return strings.Contains(name, "/_temporary/") })
	return files
}

// TestConcurrentCreateOfAnotherLayoutRefused checks that a run that found
// its output missing refuses at its commit an output another run has
// created since in another layout or format (checkAppend, from
// planPublish), leaving that run's output as it was.
func TestConcurrentCreateOfAnotherLayoutRefused(t *testing.T) {
	for _, tc := range []struct {
		name       string
		keys, now  []string // the run's partition keys, the other run's
		csvNow     bool     // the other run writes CSV
		modes      []runner.WriteMode
		wantErrHas string
	}{
		{"flat, created partitioned", nil, []string{"dt"}, false, []runner.WriteMode{runner.WriteAppend},
			"output flaky://created/out is partitioned (it holds dt=1)"},
		{"partitioned, created by more keys", []string{"dt"}, []string{"dt", "country"}, false, nil,
			"holds flaky://created/out/dt=1/country=1, so"},
		{"partitioned, created by fewer keys", []string{"dt", "country"}, []string{"dt"}, false, nil,
			"holds flaky://created/out/dt=1/part-r-00000.txt where"},
		{"partitioned, created by other keys", []string{"dt", "country"}, []string{"country", "dt"}, false, nil,
			"holds flaky://created/out/country=1 where"},
		{"flat, created in another format", nil, nil, true, []runner.WriteMode{runner.WriteAppend},
			"holds part-r-00000.csv, so appending .txt part files would mix formats"},
		{"partitioned, created in another format", []string{"dt"}, []string{"dt"}, true, nil,
			"holds flaky://created/out/dt=1/part-r-00000.csv, so"},
	} {
		modes := tc.modes
		if modes == nil {
			modes = []runner.WriteMode{runner.WriteAppend, runner.WriteOverwritePartitions}
		}
		for _, mode := range modes {
			t.Run(tc.name+"/"+mode.String(), func(t *testing.T) {
				ctx := context.Background()
				faults := mountFlaky(t, "created")
				const out = "flaky://created/out"
				faults.missing = true
				s, err := runner.OpenSinks(ctx, table(out, false, tc.keys...), mode, "run2")
				faults.missing = false
				if err != nil {
					t.Fatal(err)
				}
				writePart(t, s, partFile(".txt", tc.keys...), "second")
				ext := map[bool]string{false: ".txt", true: ".csv"}[tc.csvNow]
				if err := commitParts(t, table(out, tc.csvNow, tc.now...), runner.WriteAppend, "run1", "first", partFile(ext, tc.now...)); err != nil {
					t.Fatal(err)
				}
				want := withoutTemporary(files(t, out))
				if _, err := s.CommitJob(ctx); err == nil || !strings.Contains(err.Error(), tc.wantErrHas) {
					t.Errorf("CommitJob: %v\nwant it to say %q", err, tc.wantErrHas)
				}
				s.AbortJob()
				if got := files(t, out); !maps.Equal(got, want) {
					t.Errorf("after the refused commit: got %v, want the other run's output %v", got, want)
				}
			})
		}
	}
}
