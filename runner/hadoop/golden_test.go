package hadoop_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/examples/wordcount"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/hadoop"
	"github.com/crunchgo/crunchgo/runner/runnertest"
)

// TestDryRunGolden checks the exact commands and manifests of example jobs
// against testdata/*.golden (rewrite them with -update).
func TestDryRunGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		job    string
		args   []string
		opts   runner.Options
	}{
		{"wordcount", wordcount.Job.Name, []string{"--output", "hdfs://nn/user/me/wc"}, runner.Options{TaskTimeout: 20 * time.Minute}},
		{"suite-aggregators", suiteJob("aggregators"), nil, runner.Options{Partitions: 3}},
		{"suite-join-then-group", suiteJob("join-then-group-and-shared-intermediate"), nil, runner.Options{Partitions: 2}},
		{"suite-negative-and-float-keys", suiteJob("negative-and-float-keys"), nil, runner.Options{Partitions: 3}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			job, ok := runner.Lookup(tc.job)
			if !ok {
				t.Fatalf("job %s is not registered", tc.job)
			}
			p, err := job.Build(tc.args)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			r := hadoop.Runner{
				HadoopBin:    "/opt/hadoop/bin/hadoop",
				StreamingJar: "/opt/hadoop/share/hadoop/tools/lib/hadoop-streaming-3.3.6.jar",
				Binary:       "/opt/jobs/crunchgo",
				TaskArgs:     []string{"hadoop-task"},
				TempDir:      "hdfs://nn/tmp/crunchgo",
				RunID:        "golden",
				Queue:        "etl",
				User:         "me",
				Defines:      []string{"mapreduce.map.memory.mb=2048"},
				MapTasks:     2,
				DryRun:       true,
				Out:          &out,
			}
			res, err := r.Run(context.Background(), p, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Plan == nil || len(res.Stages) != 0 {
				t.Errorf("dry run: got plan %v and %d executed stages, want a plan and none", res.Plan != nil, len(res.Stages))
			}
			// The fingerprint hashes the file:line of every transform, so it
			// changes with any edit above them; the golden holds its place.
			got := strings.ReplaceAll(out.String(), p.Graph().Fingerprint(), "<fingerprint of the job's graph>")
			got = strings.ReplaceAll(got, res.Plan.Fingerprint(), "<fingerprint of the plan>")
			path := filepath.Join("testdata", tc.golden+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o666); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("dry run output differs from %s (run with -update if intended):\ngot:\n%s", path, got)
			}
		})
	}
}

func suiteJob(name string) string { return runnertest.JobName(runnertest.Case{Name: name}) }

// suitePipeline builds the conformance suite's job called name.
func suitePipeline(t *testing.T, name string) *pcollection.Pipeline {
	t.Helper()
	job, ok := runner.Lookup(suiteJob(name))
	if !ok {
		t.Fatalf("suite job %s is not registered", name)
	}
	p, err := job.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDryRunSaysStagesMayRunInClient checks that a dry run with
// ClientStageMax set says which stages will not be jobs.
func TestDryRunSaysStagesMayRunInClient(t *testing.T) {
	job, _ := runner.Lookup(wordcount.Job.Name)
	p, err := job.Build([]string{"--output", "hdfs://nn/user/me/wc"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r := hadoop.Runner{HadoopBin: "/opt/hadoop/bin/hadoop", StreamingJar: "/opt/hadoop/hadoop-streaming.jar", Binary: "/opt/jobs/crunchgo",
		TempDir: "hdfs://nn/tmp/crunchgo", DryRun: true, Out: &out, ClientStageMax: 32 << 20}
	if _, err := r.Run(context.Background(), p, runner.Options{}); err != nil {
		t.Fatal(err)
	}
	if want := "# a stage that reads at most 32MiB runs in this process instead of as its job below"; !strings.HasPrefix(out.String(), want) {
		t.Errorf("dry run does not begin with %q:\n%s", want, out.String())
	}
}
