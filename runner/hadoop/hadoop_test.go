package hadoop_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/hadoop"
	"github.com/crunchgo/crunchgo/runner/hadoop/streamsim"
	"github.com/crunchgo/crunchgo/runner/local"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/runner/runnertest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestMain lets the test binary be both the hadoop command (the simulator,
// when its first argument is "jar" or "job") and the job binary the simulator runs
// as mapper, combiner and reducer.
func TestMain(m *testing.M) {
	hadoop.MaybeTask()
	local.WorkerMain()
	if len(os.Args) > 1 && (os.Args[1] == "jar" || os.Args[1] == "job") {
		os.Exit(streamsim.Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// simRunner returns a runner whose hadoop command is this test binary
// acting as the streaming simulator.
func simRunner(t *testing.T) hadoop.Runner {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	jar := filepath.Join(dir, "hadoop-streaming-3.3.6.jar")
	if err := os.WriteFile(jar, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	return hadoop.Runner{HadoopBin: exe, StreamingJar: jar, Binary: exe, TempDir: filepath.Join(dir, "hdfs"), MapTasks: 2}
}

// runners are the two ways the runner runs a stage: as a job (through the
// streaming simulator) and in the client (clientRunner).
var runners = []struct {
	name string
	new  func(*testing.T) hadoop.Runner
}{{"jobs", simRunner}, {"client", clientRunner}}

// full runs what the default run leaves to other tests: the conformance
// suite as jobs with one reducer, and every random pipeline as jobs.
var full = flag.Bool("full", false, "also run the conformance suite as jobs with one reducer, and all random pipelines as jobs")

// TestConformance runs the conformance suite in the client with one and
// with three reducers, and as jobs through the simulator with three (and
// one, with -full), so that steered channels are exercised both ways. Jobs
// with one reducer add little these miss: the client runs the same plans,
// steering and task code, three reducers put every channel kind through
// the simulator (cases ask for 1 to 4 partitions), and random pipelines
// run jobs with one. A job's tasks are processes that mostly start up, one
// or two at a time, so the runs, and each case as jobs, go in parallel:
// they share nothing, every run having its own temp dir.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, rn := range runners {
		for _, reducers := range []int{1, 3} {
			if rn.name == "jobs" && reducers == 1 && !*full {
				continue
			}
			t.Run(fmt.Sprintf("%s/%d-reducers", rn.name, reducers), func(t *testing.T) {
				t.Parallel()
				r, opts := rn.new(t), runner.Options{Partitions: reducers}
				if rn.name == "client" {
					runnertest.Run(t, r, opts)
					return
				}
				for _, c := range runnertest.Cases {
					t.Run(c.Name, func(t *testing.T) {
						t.Parallel()
						runnertest.RunCase(t, r, opts, c)
					})
				}
			})
		}
	}
}

// TestRandomPipelines runs runnertest.RandomPipeline both ways and checks
// each result against the mem runner's unplanned run. As jobs it runs the
// first 10 seeds (40 with -full): each starts some fifty processes, and the
// client runs all 40 on the same plans, steering, partitioning and task
// code, as the mem and local suites run the generator with many more
// seeds. Jobs add the process boundary and the simulator's partitioner,
// combiner and commit, which a few shapes exercise.
func TestRandomPipelines(t *testing.T) {
	t.Parallel()
	// Seed 7 is the first whose plan has a reducer read a side input its
	// own stage's maps wrote, which Hadoop must not plan (the job commits
	// map and reduce files together): keep it among the seeds run as jobs.
	seeds := map[string]int{"client": 40, "jobs": 10}
	if *full {
		seeds["jobs"] = 40
	}
	if testing.Short() {
		seeds = map[string]int{"client": 8, "jobs": 8}
	}
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			t.Parallel()
			runnertest.RunRandom(t, rn.new(t), func(seed int) runner.Options {
				return runner.Options{Partitions: seed%3 + 1}
			}, mem.Runner{}, runner.Options{Unoptimized: true}, seeds[rn.name])
		})
	}
}

// TestUnfinishedStageTasks checks that a failed stage counts the tasks
// that succeeded, both ways, not those the job was planned with.
func TestUnfinishedStageTasks(t *testing.T) {
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			runnertest.CheckUnfinishedTasks(t, rn.new(t), runner.Options{Partitions: 4})
		})
	}
}

// TestPartitionedWrite checks that partitioned tables written by Hadoop
// tasks, whose committer merges their partition directories, and in the
// client, are those the in-memory runner writes.
func TestPartitionedWrite(t *testing.T) {
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			runnertest.CheckPartitioned(t, rn.new(t), runner.Options{Partitions: 2}, t.TempDir())
		})
	}
}

// TestPartitionOverwrite checks that replacing some partitions of a table
// keeps the others.
func TestPartitionOverwrite(t *testing.T) {
	runnertest.CheckPartitionOverwrite(t, runners[0].new(t), runner.Options{Partitions: 2}, t.TempDir())
}

// TestPartitionAppend checks that appending to a partitioned table adds
// the files Hadoop's tasks wrote into its partition directories.
func TestPartitionAppend(t *testing.T) {
	runnertest.CheckPartitionAppend(t, runners[0].new(t), runner.Options{Partitions: 2}, t.TempDir())
}
