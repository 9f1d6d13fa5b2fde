package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/cli"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
)

// clashArgs has a flag named like one of run's (--workers) and a short one.
type clashArgs struct {
	Output  string `flag:"output"`
	Workers int    `flag:"workers" help:"a job flag named like run's"`
	Verbose bool   `flag:"verbose"`
}

var seenWorkers = map[string]int{}

var _ = runner.Register("cli-test-clash", "a job whose flag is named like run's (a test job)", func(p *pcollection.Pipeline, a *clashArgs) error {
	seenWorkers[a.Output] = a.Workers
	c := ptable.Count(pcollection.Of(p, "x"))
	pcollection.Materialize(c)
	return nil
})

// TestJobArgs checks how run splits its own flags from the job's: by name,
// in any order after the job name, values separate or after "=", and
// everything after "--" for the job.
func TestJobArgs(t *testing.T) {
	for _, tc := range []struct {
		name        string
		args        []string
		wantCode    int
		wantWorkers int // the job's --workers
	}{
		{"run flags after job flags", []string{"--output", "a", "--runner", "mem", "-q"}, 0, 0},
		{"equals forms", []string{"--output=b", "--runner=mem", "--quiet", "--workers=3"}, 0, 0},
		{"job flag after --", []string{"--output", "c", "--runner", "mem", "-q", "--", "--workers", "7"}, 0, 7},
		{"job bool flag", []string{"--verbose", "--output", "d", "--runner", "mem", "-q"}, 0, 0},
		{"bad run flag value", []string{"--output", "e", "--workers", "many"}, cli.ExitUsage, 0},
		{"job flag before the job", nil, cli.ExitUsage, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"run", "cli-test-clash"}, tc.args...)
			if tc.args == nil {
				args = []string{"run", "--verbose", "cli-test-clash"}
			}
			var stdout, stderr bytes.Buffer
			code := cli.Execute(context.Background(), cli.NewRoot(), args, &stdout, &stderr)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.wantCode, stderr.String())
			}
			if code != 0 {
				return
			}
			out := ""
			for i, a := range args {
				if a == "--output" {
					out = args[i+1]
				} else if strings.HasPrefix(a, "--output=") {
					out = strings.TrimPrefix(a, "--output=")
				}
			}
			if got, ok := seenWorkers[out]; !ok || got != tc.wantWorkers {
				t.Errorf("job saw --workers %d (built: %v), want %d", got, ok, tc.wantWorkers)
			}
		})
	}
}
