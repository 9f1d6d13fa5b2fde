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
// when its first argument is "jar") and the job binary the simulator runs
// as mapper, combiner and reducer.
func TestMain(m *testing.M) {
	hadoop.MaybeTask()
	local.WorkerMain()
	if len(os.Args) > 1 && os.Args[1] == "jar" {
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

// TestConformance runs the conformance suite both ways, with several
// reducers so that steered channels are exercised.
func TestConformance(t *testing.T) {
	for _, rn := range runners {
		for _, reducers := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/%d-reducers", rn.name, reducers), func(t *testing.T) {
				runnertest.Run(t, rn.new(t), runner.Options{Partitions: reducers})
			})
		}
	}
}

// TestRandomPipelines runs runnertest.RandomPipeline both ways and checks
// each result against the mem runner's unplanned run.
func TestRandomPipelines(t *testing.T) {
	// Seed 7 is the first whose plan has a reducer read a side input its
	// own stage's maps wrote, which Hadoop must not plan (the job commits
	// map and reduce files together).
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			runnertest.RunRandom(t, rn.new(t), func(seed int) runner.Options {
				return runner.Options{Partitions: seed%3 + 1}
			}, mem.Runner{}, runner.Options{Unoptimized: true}, seeds)
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
