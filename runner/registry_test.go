package runner_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
)

type regArgs struct {
	In    string   `flag:"in" required:"true" help:"input"`
	Mode  string   `flag:"mode" required:"true" default:"fast" help:"a required flag with a default"`
	N     int      `flag:"n" default:"3"`
	Names []string `flag:"names"`
}

var regJob = runner.Register("runner-test/registry", "a test job", func(p *pcollection.Pipeline, a *regArgs) error {
	switch {
	case a.N < 0:
		return runner.InvalidArgs(fmt.Errorf("--n %d is negative", a.N))
	case a.In == "missing":
		return fmt.Errorf("input %s: %w", a.In, os.ErrNotExist) // not about the arguments
	}
	pcollection.Materialize(pcollection.Of(p, a.In))
	return nil
})

type requiredKinds struct {
	Inputs []string      `flag:"inputs" required:"true"`
	N      int           `flag:"n" required:"true"`
	Wait   time.Duration `flag:"wait" required:"true"`
}

var requiredKindsJob = runner.Register("runner-test/required-kinds", "required flags of every kind",
	func(p *pcollection.Pipeline, a *requiredKinds) error {
		pcollection.Materialize(pcollection.Of(p, a.Inputs...))
		return nil
	})

// TestRequiredFlagKinds checks that required flags that are not strings
// must be given too: a list's unset value is "[]" and an int's "0", so only
// string flags were ever found missing, and a job ran without its inputs.
func TestRequiredFlagKinds(t *testing.T) {
	ok := []string{"--inputs", "a", "--n", "0", "--wait", "0s"}
	if _, err := requiredKindsJob.Build(ok); err != nil {
		t.Fatalf("Build(%q): %v", ok, err)
	}
	for _, tc := range []struct {
		argv []string
		msg  string
	}{
		{nil, "missing required flag(s) --inputs, --n, --wait"},
		{[]string{"--n", "1", "--wait", "1s"}, "missing required flag(s) --inputs"},
		{[]string{"--inputs", "a", "--wait", "1s"}, "missing required flag(s) --n"},
		{[]string{"--inputs=", "--n", "1", "--wait", "1s"}, "required flag(s) --inputs given empty"},
		{[]string{"--inputs", " , ", "--n", "1", "--wait", "1s"}, "required flag(s) --inputs given empty"},
	} {
		_, err := requiredKindsJob.Build(tc.argv)
		var ae *runner.ArgsError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Build(%q) error = %v, want an *ArgsError saying %q", tc.argv, err, tc.msg)
		}
	}
}

func TestJobBuild(t *testing.T) {
	p, err := regJob.Build([]string{"--in", "x", "--names", "a,b"})
	if err != nil {
		t.Fatal(err)
	}
	if r := p.Recipe(); r == nil || r.Job != "runner-test/registry" || strings.Join(r.Args, " ") != "--in x --names a,b" {
		t.Errorf("recipe = %+v, want the job and its argv", r)
	}
	for _, tc := range []struct {
		argv []string
		msg  string
	}{
		{nil, "missing required flag(s) --in"},
		{[]string{"--in="}, "required flag(s) --in given empty"},
		{[]string{"--in", ""}, "required flag(s) --in given empty"},
		{[]string{"--in", " "}, "required flag(s) --in given empty"},
		{[]string{"--in", "x", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"--in", "x", "stray"}, "unexpected arguments"},
		{[]string{"--in", "x", "--n", "three"}, "invalid argument"},
		{[]string{"--in", "x", "--n", "-1"}, "--n -1 is negative"}, // runner.InvalidArgs
	} {
		_, err := regJob.Build(tc.argv)
		var ae *runner.ArgsError
		if !errors.As(err, &ae) || ae.Job != "runner-test/registry" {
			t.Errorf("Build(%q) error = %v, want an *ArgsError", tc.argv, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.msg) || strings.Count(err.Error(), "job ") != 1 {
			t.Errorf("Build(%q) error = %q, want it to say %q, naming the job once", tc.argv, err, tc.msg)
		}
	}
	// A build error not marked as InvalidArgs is the job's failure.
	_, err = regJob.Build([]string{"--in", "missing"})
	var ae *runner.ArgsError
	if err == nil || errors.As(err, &ae) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Build(--in missing) error = %v, want a wrapped os.ErrNotExist that is no *ArgsError", err)
	}
}

// TestJobHelpMarksRequired checks that the help of a job's flags says which
// are required, and only those.
func TestJobHelpMarksRequired(t *testing.T) {
	fs, _ := regJob.FlagSet()
	for name, want := range map[string]bool{"in": true, "mode": true, "n": false, "names": false} {
		if got := strings.HasSuffix(fs.Lookup(name).Usage, " (required)"); got != want {
			t.Errorf("--%s usage %q: marked required %v, want %v", name, fs.Lookup(name).Usage, got, want)
		}
	}
}

func TestRegisterRefusesBadArgs(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "unsupported flag type") {
			t.Errorf("panic = %v, want an unsupported flag type", r)
		}
	}()
	type bad struct {
		M map[string]int `flag:"m"`
	}
	runner.Register("runner-test/bad", "", func(*pcollection.Pipeline, *bad) error { return nil })
}

type panicArgs struct {
	Case string `flag:"case"`
}

var panicJob = runner.Register("runner-test/panics", "a job whose build panics", func(p *pcollection.Pipeline, a *panicArgs) error {
	in := pcollection.Of(p, 1, 2)
	switch a.Case {
	case "misuse": // a plain transform misused panics with a *BuildError
		pcollection.Must(in, pcollection.Build("Top", nil).Errorf("Top needs n > 0, got 0"))
	case "bug":
		var m map[string]int
		m["x"] = 1
	}
	return nil
})

// TestJobBuildPanics checks that a panic in a job's build function is
// returned as the job's error: a *pcollection.BuildError as it is, one
// line; anything else with its stack after the first line.
func TestJobBuildPanics(t *testing.T) {
	_, err := panicJob.Build([]string{"--case", "misuse"})
	if be := (*pcollection.BuildError)(nil); !errors.As(err, &be) || strings.Contains(err.Error(), "\n") ||
		!strings.HasPrefix(err.Error(), "job runner-test/panics: Top (") || !strings.Contains(err.Error(), "Top needs n > 0") {
		t.Errorf("misuse: %v, want the BuildError in one line", err)
	}
	_, err = panicJob.Build([]string{"--case", "bug"})
	if err == nil {
		t.Fatal("bug: no error")
	}
	first, rest, _ := strings.Cut(err.Error(), "\n")
	if first != "job runner-test/panics: building the pipeline panicked: assignment to entry in nil map" || !strings.Contains(rest, "registry_test.go") {
		t.Errorf("bug: %v, want the panic on the first line and its stack after", err)
	}
	if _, err := panicJob.Build(nil); err != nil {
		t.Errorf("no panic: %v", err)
	}
}
