package cli_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/cli"
	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/examples/listening"
	_ "github.com/crunchgo/crunchgo/examples/wordcount"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
)

var update = flag.Bool("update", false, "rewrite the expected outputs in testdata/*.txt")

// mainEnv makes this test binary run the command line (cli.Main) on its
// arguments instead of the tests, for tests that need a crunchgo process.
const mainEnv = "CRUNCHGO_CLI_TEST_MAIN"

// TestMain lets the local runner re-execute this test binary as a worker,
// and tests run it as crunchgo (mainEnv).
func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) != "" {
		cli.Main()
	}
	crunchtest.Main(m)
}

// testArgs are the flags of the test job.
type testArgs struct {
	Output string `flag:"output" help:"directory to write Avro records to"`
	N      int    `flag:"n" default:"10" help:"count the numbers 1..n"`
	Fail   bool   `flag:"fail" help:"fail in a map function"`
	// FailOnce names a directory: the first attempt to map 2 fails and
	// leaves a marker there, so that the retry succeeds.
	FailOnce string `flag:"fail-once" help:"fail the first attempt only (a marker directory)"`
}

type residue struct {
	Mod   int64 `avro:"mod"`
	Count int64 `avro:"count"`
}

// The test job counts the numbers 1..n by their residue mod 3.
var _ = runner.Register("cli-test", "count 1..n by residue mod 3 (a test job)", func(p *pcollection.Pipeline, a *testArgs) error {
	nums := make([]int64, a.N)
	for i := range nums {
		nums[i] = int64(i + 1)
	}
	fail, once := a.Fail, a.FailOnce
	mods := pcollection.Map(pcollection.Of(p, nums...), func(n int64) int64 {
		if fail && n == 2 {
			panic(fmt.Errorf("number %d is not welcome", n))
		}
		if once != "" && n == 2 {
			if f, err := os.OpenFile(filepath.Join(once, "failed"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
				f.Close()
				panic(fmt.Errorf("number %d is not welcome this time", n))
			}
		}
		return n % 3
	}, pcollection.Name("Mod3"))
	out := pcollection.Map(ptable.Count(mods), func(kv ptable.Pair[int64, int64]) residue {
		return residue{kv.Key, kv.Value}
	}, pcollection.Name("ToRecord"))
	return avroio.TryWrite(out, a.Output)
})

// TestCommands runs the cases of testdata/*.txt. A case is a line
// "$ crunchgo ARGS..." followed by its expected result: "exit N", then
// "--- stdout" and "--- stderr" sections. Lines starting with "#" before a
// command are comments. ARGS are split on spaces; $TMP is a directory shared
// by the cases of one file and $TESTDATA the testdata directory. Durations
// in the output read as <dur>. go test -update rewrites the expectations.
// The root has the commands of cmd/crunchgo: NewRoot's and the listening
// example's ("gen", "demo").
func TestCommands(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.txt")
	}
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			tmp := t.TempDir()
			writeFixtures(t, tmp)
			cases := parseCases(t, file)
			var out strings.Builder
			for _, c := range cases {
				args := strings.Fields(strings.NewReplacer("$TMP", tmp, "$TESTDATA", testdata).Replace(c.cmd))
				var stdout, stderr bytes.Buffer
				code := cli.Execute(context.Background(), cli.NewRoot(listening.Commands()...), args, &stdout, &stderr)
				got := formatResult(code, normalize(stdout.String(), tmp, testdata), normalize(stderr.String(), tmp, testdata))
				if !*update && got != c.want {
					t.Errorf("%s:%d: crunchgo %s\ngot:\n%s\nwant:\n%s", file, c.line, c.cmd, got, c.want)
				}
				out.WriteString(c.comments)
				fmt.Fprintf(&out, "$ crunchgo %s\n%s", c.cmd, got)
			}
			if *update {
				if err := os.WriteFile(file, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

type testCase struct {
	comments string // comment lines before the command, kept on -update
	cmd      string
	line     int
	want     string
}

func parseCases(t *testing.T, file string) []testCase {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cases []testCase
	var comments strings.Builder
	var cur *testCase
	for i, l := range strings.SplitAfter(string(data), "\n") {
		switch {
		case strings.HasPrefix(l, "$ crunchgo"):
			cases = append(cases, testCase{comments: comments.String(), cmd: strings.TrimSpace(strings.TrimPrefix(l, "$ crunchgo")), line: i + 1})
			cur = &cases[len(cases)-1]
			comments.Reset()
		case cur == nil || (strings.HasPrefix(l, "#") && strings.HasSuffix(cur.want, "\n\n")):
			comments.WriteString(l)
		default:
			cur.want += l
		}
	}
	if comments.Len() > 0 && len(cases) > 0 {
		t.Fatalf("%s: comments after the last case", file)
	}
	return cases
}

func formatResult(code int, stdout, stderr string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "exit %d\n", code)
	for _, s := range [][2]string{{"stdout", stdout}, {"stderr", stderr}} {
		if s[1] == "" {
			continue
		}
		fmt.Fprintf(&b, "--- %s\n%s", s[0], s[1])
		if !strings.HasSuffix(s[1], "\n") {
			b.WriteString("\\ no newline\n")
		}
	}
	return b.String() + "\n"
}

var (
	durationRE = regexp.MustCompile(`\b(\d+h)?(\d+m)?\d+(\.\d+)?(ns|µs|ms|s)\b`)
	startedRE  = regexp.MustCompile(`"started": "[^"]*"`)
	dateRE     = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d`)
)

// normalize makes output independent of the machine and the clock.
func normalize(s, tmp, testdata string) string {
	s = strings.ReplaceAll(s, tmp, "$TMP")
	s = strings.ReplaceAll(s, testdata, "$TESTDATA")
	s = durationRE.ReplaceAllString(s, "<dur>")
	s = dateRE.ReplaceAllString(s, "<date>")
	return startedRE.ReplaceAllString(s, `"started": <time>`)
}

type blockArgs struct {
	Output string `flag:"output"`
	Dir    string `flag:"block-dir" help:"the map task of 1 writes its pid to DIR/blocked, then waits for DIR/release"`
}

// cli-test-block is cli-test with one map task that stops halfway, so a
// test can act on a run whose workers, temp dir and output attempts exist.
var _ = runner.Register("cli-test-block", "count 1..100 by residue mod 3, pausing in one task (a test job)", func(p *pcollection.Pipeline, a *blockArgs) error {
	nums := make([]int64, 100)
	for i := range nums {
		nums[i] = int64(i + 1)
	}
	dir := a.Dir
	mods := pcollection.Map(pcollection.Of(p, nums...), func(n int64) int64 {
		if n == 1 {
			pid := []byte(strconv.Itoa(os.Getpid()))
			if err := os.WriteFile(filepath.Join(dir, "blocked.tmp"), pid, 0o644); err != nil {
				panic(err)
			}
			if err := os.Rename(filepath.Join(dir, "blocked.tmp"), filepath.Join(dir, "blocked")); err != nil {
				panic(err)
			}
			for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				if _, err := os.Stat(filepath.Join(dir, "release")); err == nil {
					break
				}
			}
		}
		return n % 3
	}, pcollection.Name("Mod3"))
	out := pcollection.Map(ptable.Count(mods), func(kv ptable.Pair[int64, int64]) residue {
		return residue{kv.Key, kv.Value}
	}, pcollection.Name("ToRecord"))
	return avroio.TryWrite(out, a.Output)
})

type requiredArgs struct {
	Input string `flag:"input" required:"true" help:"anything"`
}

var _ = runner.Register("cli-test-required", "a test job with a required flag", func(p *pcollection.Pipeline, a *requiredArgs) error {
	pcollection.Materialize(pcollection.Of(p, a.Input))
	return nil
})

// The nothing job forgets to write what it computes.
var _ = runner.Register("cli-test-nothing", "computes and writes nothing (a test job)", func(p *pcollection.Pipeline, a *struct{}) error {
	pcollection.Map(pcollection.Of(p, 1, 2, 3), func(n int) int { return n * 2 }, pcollection.Name("Double"))
	return nil
})

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"jobs"}, cli.ExitOK},
		{[]string{"jobs", "extra"}, cli.ExitUsage},
		{[]string{"nosuchcommand"}, cli.ExitUsage},
		{[]string{"run", "cli-test", "--n", "x"}, cli.ExitUsage},
		{[]string{"run", "cli-test", "--runner", "mem", "--fail", "--output", t.TempDir() + "/o"}, cli.ExitFailed},
		{[]string{"run", "cli-test", "--runner", "mem", "-q", "--output", t.TempDir() + "/o"}, cli.ExitOK},
		{[]string{"explain"}, cli.ExitUsage},
		{[]string{"run", "cli-test-required", "--runner", "mem"}, cli.ExitUsage},
		{[]string{"explain", "cli-test-required"}, cli.ExitUsage},
		{[]string{"explain", "cli-test-required", "--input", "x"}, cli.ExitOK},
		{[]string{"explain", "cli-test", "--output", "x", "--dot", "--", "stray"}, cli.ExitUsage},
	} {
		var stdout, stderr bytes.Buffer
		if got := cli.Execute(context.Background(), cli.NewRoot(), tc.args, &stdout, &stderr); got != tc.want {
			t.Errorf("crunchgo %s: exit %d, want %d; stderr:\n%s", strings.Join(tc.args, " "), got, tc.want, stderr.String())
		}
		if tc.want != cli.ExitOK {
			first, _, _ := strings.Cut(stderr.String(), "\n")
			if !strings.HasPrefix(first, "crunchgo: ") {
				t.Errorf("crunchgo %s: first stderr line %q does not start with \"crunchgo: \"", strings.Join(tc.args, " "), first)
			}
		}
	}
}
