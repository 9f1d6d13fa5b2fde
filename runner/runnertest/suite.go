package runnertest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/crunchgo/crunchgo/internal/multiset"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
)

func diff[E any](got, want []E) string { return multiset.Diff(got, want) }

// checks maps a pipeline built by a suite job to its check. Workers of
// multi-process runners build the same jobs and ignore their checks.
var checks sync.Map // *pcollection.Pipeline -> Check

// JobName is the registered job name of a case.
func JobName(c Case) string { return "runnertest/" + c.Name }

func init() {
	for _, c := range Cases {
		runner.Register(JobName(c), "conformance case "+c.Name, func(p *pcollection.Pipeline, _ *struct{}) error {
			checks.Store(p, c.Build(p))
			return nil
		})
	}
}

// Run runs every case on r with opts, each as a subtest.
func Run(t *testing.T, r runner.Runner, opts runner.Options) {
	for _, c := range Cases {
		t.Run(c.Name, func(t *testing.T) { RunCase(t, r, opts, c) })
	}
}

// RunCase runs one case on r.
func RunCase(t *testing.T, r runner.Runner, opts runner.Options, c Case) {
	t.Helper()
	job, ok := runner.Lookup(JobName(c))
	if !ok {
		t.Fatalf("case %s is not registered", c.Name)
	}
	p, err := job.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	check, _ := checks.LoadAndDelete(p)
	res, err := r.Run(context.Background(), p, opts)
	o := Outcome{Err: err, Counters: func(string, string) int64 { return 0 }, Planned: !opts.Unoptimized}
	if res != nil {
		o.Counters = res.Counters.Get
		o.Plan = res.Plan
		checkFinishedTotals(t, res)
	}
	check.(Check)(t, o)
}

// checkFinishedTotals checks that every finished stage of res ran all the
// tasks it was to run (runner.StageResult's totals).
func checkFinishedTotals(t *testing.T, res *runner.Result) {
	t.Helper()
	for _, st := range res.Stages {
		if !st.Unfinished && (st.MapTasksTotal != st.MapTasks || st.ReduceTasksTotal != st.ReduceTasks) {
			t.Errorf("finished stage %d ran %d of %d map and %d of %d reduce tasks, want all", st.Stage,
				st.MapTasks, st.MapTasksTotal, st.ReduceTasks, st.ReduceTasksTotal)
		}
	}
}

func expectMean(m *pcollection.Materialized[ptable.Pair[string, float64]], want map[string]float64) Check {
	return func(t T, o Outcome) {
		t.Helper()
		if o.Err != nil {
			t.Fatalf("run failed: %v", o.Err)
		}
		got, _ := m.Values()
		if len(got) != len(want) {
			t.Errorf("got %d means, want %d", len(got), len(want))
		}
		for _, g := range got {
			w, ok := want[g.Key]
			// Sums of integers below 2^53 are exact in any order; the
			// division is the same operation on both sides.
			if !ok || g.Value != w {
				t.Errorf("mean of %s = %v, want %v", g.Key, g.Value, w)
			}
		}
	}
}

// expectCogroup checks the cogroup of joinSides, worked out by hand.
func expectCogroup(m *pcollection.Materialized[ptable.Pair[string, ptable.Cogrouped[int, string]]]) Check {
	type lists = ptable.Cogrouped[int, string]
	return expectGroupLists("cogroup", m, func(l *lists) { slices.Sort(l.A); slices.Sort(l.B) }, []ptable.Pair[string, lists]{
		ptable.KV("a", lists{A: []int{1, 2}, B: []string{"x"}}),
		ptable.KV("b", lists{A: []int{3}, B: []string{"y", "z"}}),
		ptable.KV("c", lists{A: []int{4}}),
		ptable.KV("d", lists{B: []string{"w"}}),
	})
}

// expectCogroup3 checks the three-way cogroup of joinSides and a third
// side of a 0.5, c 1.5, c 2.5 and e 3.5, worked out by hand.
func expectCogroup3(m *pcollection.Materialized[ptable.Pair[string, ptable.Cogrouped3[int, string, float64]]]) Check {
	type lists = ptable.Cogrouped3[int, string, float64]
	return expectGroupLists("three-way cogroup", m, func(l *lists) { slices.Sort(l.A); slices.Sort(l.B); slices.Sort(l.C) }, []ptable.Pair[string, lists]{
		ptable.KV("a", lists{A: []int{1, 2}, B: []string{"x"}, C: []float64{0.5}}),
		ptable.KV("b", lists{A: []int{3}, B: []string{"y", "z"}}),
		ptable.KV("c", lists{A: []int{4}, C: []float64{1.5, 2.5}}),
		ptable.KV("d", lists{B: []string{"w"}}),
		ptable.KV("e", lists{C: []float64{3.5}}),
	})
}

// expectGroupLists checks that m holds want, once sortLists has sorted the
// value lists of each group: their order is not specified.
func expectGroupLists[L any](what string, m *pcollection.Materialized[ptable.Pair[string, L]], sortLists func(*L), want []ptable.Pair[string, L]) Check {
	return func(t T, o Outcome) {
		t.Helper()
		if o.Err != nil {
			t.Fatalf("run failed: %v", o.Err)
		}
		got, _ := m.Values()
		for i := range got {
			sortLists(&got[i].Value)
		}
		if d := diff(got, want); d != "" {
			t.Errorf("%s differs (-missing +extra):\n%s", what, d)
		}
	}
}

// orderedCheck checks that m's elements arrived in exactly the order of want
// (one partition, so the shuffle's key order shows).
func orderedCheck[E comparable](m *pcollection.Materialized[E], want []E) Check {
	return func(t T, o Outcome) {
		t.Helper()
		if o.Err != nil {
			return
		}
		got, _ := m.Values()
		if !slices.Equal(got, want) {
			t.Errorf("keys arrived in order %v, want %v", got, want)
		}
	}
}

// sortedCheck checks that m's elements arrive in an order where compare
// never finds one greater than the next.
func sortedCheck[E any](m *pcollection.Materialized[E], compare func(a, b E) int) Check {
	return func(t T, o Outcome) {
		t.Helper()
		if o.Err != nil {
			return
		}
		got, _ := m.Values()
		for i := 1; i < len(got); i++ {
			if compare(got[i-1], got[i]) > 0 {
				t.Errorf("element %d (%v) arrived after element %d (%v), which sorts after it", i, got[i], i-1, got[i-1])
				return
			}
		}
	}
}

func expectTransformError(transform, msg string, panicked bool) Check {
	return func(t T, o Outcome) {
		t.Helper()
		if o.Err == nil {
			t.Fatalf("run succeeded, want an error from %s", transform)
		}
		var te *plan.TransformError
		if !errors.As(o.Err, &te) {
			// Multi-process runners carry the error as text.
			if !strings.Contains(o.Err.Error(), transform) || !strings.Contains(o.Err.Error(), msg) {
				t.Errorf("error %q does not name transform %s and say %q", o.Err, transform, msg)
			}
			return
		}
		if te.Transform != transform {
			t.Errorf("error names transform %q, want %q", te.Transform, transform)
		}
		if te.Caller == "" || !strings.Contains(te.Caller, ".go:") {
			t.Errorf("error caller = %q, want file:line", te.Caller)
		}
		if panicked != (te.Err == nil) {
			t.Errorf("error %v: panicked = %v, want %v", te, te.Err == nil, panicked)
		}
		if !strings.Contains(o.Err.Error(), msg) {
			t.Errorf("error %q does not say %q", o.Err, msg)
		}
	}
}

// unfinishedCase fails in one of its stage's reduce tasks.
const unfinishedCase = "reduce-error-in-one-task"

// CheckUnfinishedTasks runs a case that fails in one of several reduce
// tasks on r, with opts (whose Partitions should be several), and checks
// that the failed stage's result counts the tasks that succeeded and the
// tasks it was to run (runner.StageResult): all of its map tasks, and
// fewer reduce tasks than its opts.Partitions, since one never succeeded.
func CheckUnfinishedTasks(t *testing.T, r runner.Runner, opts runner.Options) {
	t.Helper()
	job, ok := runner.Lookup(JobName(Case{Name: unfinishedCase}))
	if !ok {
		t.Fatalf("case %s is not registered", unfinishedCase)
	}
	p, err := job.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	checks.Delete(p)
	res, err := r.Run(context.Background(), p, opts)
	if err == nil {
		t.Fatal("run succeeded, want a reduce task's failure")
	}
	if !res.Started() {
		t.Fatalf("failed run's result %+v, want its unfinished stage, started", res)
	}
	checkFinishedTotals(t, res)
	st := res.Stages[len(res.Stages)-1]
	if !st.Unfinished || st.MapTasks < 1 || st.MapTasks != st.MapTasksTotal ||
		st.ReduceTasksTotal != opts.Partitions || st.ReduceTasks >= st.ReduceTasksTotal {
		t.Errorf("failed stage %+v: want it unfinished, with all its map tasks and fewer than all %d reduce tasks done", st, opts.Partitions)
	}
}
