package hadoop

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/examples/wordcount"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
)

// TestTaskRefusesAnotherPlan checks that a task whose plan of the job's
// graph differs from the driver's (its fingerprint in the job spec)
// refuses to run: it would run a phase of another plan by number.
func TestTaskRefusesAnotherPlan(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("hadoop-task-plan")
	p, err := wordcount.Job.Build([]string{"--input", "mem://hadoop-task-plan/in", "--output", "mem://hadoop-task-plan/out"})
	if err != nil {
		t.Fatal(err)
	}
	sg, err := plan.Optimize(ctx, p.Graph(), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(envAttempt, "attempt_1_0001_m_000000_0")
	t.Setenv(envOutputDir, t.TempDir())
	for i, tc := range []struct {
		fingerprint, want string // want "": the task is made
	}{
		{sg.Fingerprint(), ""},
		{"0123456789abcdef", "the task planned the pipeline differently from the driver"},
	} {
		spec := jobSpec{Recipe: *p.Recipe(), Fingerprint: p.Graph().Fingerprint(), PlanFingerprint: tc.fingerprint}
		b, err := json.Marshal(spec)
		if err != nil {
			t.Fatal(err)
		}
		url := fmt.Sprintf("mem://hadoop-task-plan/job-%d.json", i)
		if err := storage.WriteFile(ctx, url, b); err != nil {
			t.Fatal(err)
		}
		_, err = newTask(ctx, []string{url, "0", "map"})
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("plan fingerprint %s: got %v, want %q", tc.fingerprint, err, tc.want)
		}
	}
}
