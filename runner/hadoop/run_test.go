package hadoop_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/runner"
)

// TestRunReport checks what a successful run reports and leaves behind:
// stage results from the task counters, no temp directory.
func TestRunReport(t *testing.T) {
	r := simRunner(t)
	p := suitePipeline(t, "dofn-lifecycle-and-counters")
	res, err := r.Run(context.Background(), p, runner.Options{Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stages) != 1 {
		t.Fatalf("got %d stage results, want 1", len(res.Stages))
	}
	sr := res.Stages[0]
	if sr.MapTasks != 2 || sr.ReduceTasks != 2 || sr.RecordsIn != 1000 || sr.Shuffled == 0 || sr.RecordsOut != 1 {
		t.Errorf("stage result %+v: want 2 map and 2 reduce tasks, 1000 records in, some shuffled, 1 out", sr)
	}
	left, _ := os.ReadDir(r.TempDir)
	if len(left) != 0 {
		t.Errorf("temp dir %s still holds %d entries after the run", r.TempDir, len(left))
	}
}

// TestFailedJob checks that a failing task stops the chain with the job ID,
// the task's own error and the hadoop client's tail, and that
// -D settings reach Hadoop (one attempt instead of four).
func TestFailedJob(t *testing.T) {
	r := simRunner(t)
	r.Defines = []string{"mapreduce.map.maxattempts=1"}
	r.KeepTemp = true
	p := suitePipeline(t, "dofn-error-names-transform")
	_, err := r.Run(context.Background(), p, runner.Options{})
	if err == nil {
		t.Fatal("run succeeded, want a failure")
	}
	msg := err.Error()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`stage 0: hadoop job job_\d+_\d+ failed`),
		regexp.MustCompile(`task attempt_\d+_\d+_m_\d{6}_0: transform FailAtThree \(.*\.go:\d+\): three is right out`),
		regexp.MustCompile(`Streaming Command Failed!`),
	} {
		if !want.MatchString(msg) {
			t.Errorf("error does not match %s:\n%s", want, msg)
		}
	}
	errs, _ := filepath.Glob(filepath.Join(r.TempDir, "*", "errors", "stage-0-*.json"))
	if len(errs) != 1 {
		t.Errorf("got %d task error files, want 1 (one attempt): %v", len(errs), errs)
	}
	if strings.Count(msg, "Status : FAILED") != 1 {
		t.Errorf("want exactly one failed attempt in the client output:\n%s", msg)
	}
}
