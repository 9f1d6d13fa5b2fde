package local

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
)

// memoryOverhead is what a worker may use beyond its heap's soft limit
// (heapLimit of its share): the Go runtime, the test binary's code and
// data, goroutine stacks and the GC's metadata. With a share of 8 MiB
// (limit 24 MiB) workers peak at 37.8-40.5 MiB by their own VmHWM (24 runs
// of the two tests below): the limit rose from the share when the soft
// limit left room above the sort buffers, and the test's bound, the share
// plus 32 MiB, did not follow. Peaks over a former allowance came from a
// measure that counted the test binary's own size (see maxRSS in
// proc_linux.go), which also grew run after run with -count. On
// 2026-11-29, with other tests loading the machine, they peaked at
// 40.0–44.4 MiB (18 runs of three tests, huge pages off), over the former
// allowance of 20 MiB: a collector short of CPU lets the heap overshoot
// its soft limit. A join that held the streamed side peaked at 64 MiB.
const memoryOverhead = 24 << 20

// runUnderBudget runs job with args on two workers under a 16 MiB budget
// and returns the pipeline, the run's result, and a check that every
// worker's peak RSS stayed under the heap limit of its share of the budget
// plus memoryOverhead. It skips where RSS counts more than the run's memory.
func runUnderBudget(t *testing.T, job *runner.Job, args ...string) (*pcollection.Pipeline, *runner.Result, func()) {
	t.Helper()
	if testing.Short() {
		t.Skip("shuffles 128 MiB")
	}
	if raceEnabled {
		t.Skip("the race detector's shadow memory counts in RSS")
	}
	const budget = 16 << 20
	const workers = 2
	var mu sync.Mutex
	var peak int64
	observePeakRSS = func(n int64) {
		mu.Lock()
		peak = max(peak, n)
		mu.Unlock()
	}
	defer func() { observePeakRSS = nil }()
	p := build(t, job, args...)
	res, err := Run(context.Background(), p, runner.Options{Workers: workers, Memory: budget, TmpDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	checkPeak := func() {
		t.Helper()
		if peak == 0 {
			t.Skip("no peak RSS available on this system")
		}
		heap := heapLimit(budget / workers)
		limit := heap + memoryOverhead
		t.Logf("peak worker RSS %.1f MiB; heap limit %d MiB + overhead %d MiB", float64(peak)/(1<<20), heap>>20, memoryOverhead>>20)
		if peak > limit {
			t.Errorf("peak worker RSS %d bytes exceeds the heap limit of its share of the budget plus overhead, %d", peak, limit)
		}
	}
	return p, res, checkPeak
}

// TestMemoryBound shuffles 8x the job's budget, with one group 2x the
// budget, and checks every worker's peak RSS stays under its heap limit plus
// memoryOverhead.
func TestMemoryBound(t *testing.T) {
	p, res, checkPeak := runUnderBudget(t, bigShuffleJob, "--records=131072", "--value=1024", "--splits=4")
	var shuffled int64
	for _, ev := range res.Stages {
		shuffled += ev.Shuffled
	}
	got, _ := bigResults[p].Values()
	if len(got) != 3751 { // k<j> for j%4 != 0, and hot
		t.Errorf("got %d groups, want 3751", len(got))
	}
	if shuffled != 131072 {
		t.Errorf("shuffled %d records, want 131072", shuffled)
	}
	t.Logf("spilled runs %d, merge passes %d", res.Counters.Get(CounterGroup, "spilled runs"), res.Counters.Get(CounterGroup, "merge passes"))
	checkPeak()
}

// TestJoinStreamsLeftSide joins a left side with a hot key of twice the
// budget against a small right side: Join holds only the right side's
// values of a key, so every worker stays under its heap limit plus
// memoryOverhead.
func TestJoinStreamsLeftSide(t *testing.T) {
	p, _, checkPeak := runUnderBudget(t, bigJoinJob, "--records=131072", "--value=1024", "--splits=4")
	got, _ := bigResults[p].Values()
	slices.Sort(got)
	// 32,768 hot records, each joined once; k1's 27 records twice each.
	if want := []string{"hot 32768", "k1 54"}; !slices.Equal(got, want) {
		t.Errorf("joined counts %q, want %q", got, want)
	}
	checkPeak()
}

// TestJoin3StreamsFirstTable is TestJoinStreamsLeftSide for Join3: it holds
// only the second and third tables' values of a key, so the hot key of the
// first does not have to fit in memory.
func TestJoin3StreamsFirstTable(t *testing.T) {
	p, _, checkPeak := runUnderBudget(t, bigJoinJob, "--records=131072", "--value=1024", "--splits=4", "--join3")
	got, _ := bigResults[p].Values()
	slices.Sort(got)
	// 32,768 hot records, each joined once; k1's 27 records twice each
	// (k2 is missing from the second table).
	if want := []string{"hot 32768", "k1 54"}; !slices.Equal(got, want) {
		t.Errorf("joined counts %q, want %q", got, want)
	}
	checkPeak()
}

// TestCombinerMemoryBound counts distinct users over 2,048 keys, each of
// which a map task sees with 768 distinct users: its combiner would hold
// 1.6M users (a peak of 117 MiB), several times a worker's share, if only
// its key count bounded it. It flushes by its estimated size instead, so
// every worker stays under its heap limit plus memoryOverhead, and the
// counts are exact.
func TestCombinerMemoryBound(t *testing.T) {
	const records, keys = 3 << 20, 2048
	p, res, checkPeak := runUnderBudget(t, bigDistinctJob, fmt.Sprint("--records=", records), fmt.Sprint("--keys=", keys), "--splits=2")
	got, _ := distinctResults[p].Values()
	if len(got) != keys {
		t.Errorf("got %d keys, want %d", len(got), keys)
	}
	for _, kv := range got {
		if kv.Value != records/keys {
			t.Errorf("key %s: %d distinct users, want %d", kv.Key, kv.Value, records/keys)
			break
		}
	}
	var shuffled int64
	for _, ev := range res.Stages {
		shuffled += ev.Shuffled
	}
	t.Logf("shuffled %d accumulators", shuffled)
	checkPeak()
}
