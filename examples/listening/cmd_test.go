package listening

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/cli"
	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/fileio"
)

// TestMain lets the test binary serve as the local runner's worker.
func TestMain(m *testing.M) { crunchtest.Main(m) }

func execute(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Execute(context.Background(), cli.NewRoot(Commands()...), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestGenCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := execute(t, "gen", "listening-log", "--events", "1000", "--users", "10", "--tracks", "20",
		"--format", "avro", "--files", "3", "--out", dir)
	if code != cli.ExitOK {
		t.Fatalf("exit code %d, stderr %q", code, errs)
	}
	if !strings.Contains(out, "wrote 1000 events") {
		t.Errorf("stdout %q does not report the events", out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "events", "part-*.avro"))
	tracks, _ := filepath.Glob(filepath.Join(dir, "tracks", "part-*.avro"))
	if len(files) != 3 || len(tracks) != 1 {
		t.Errorf("got event files %v and catalogue %v; want 3 and 1", files, tracks)
	}
	var n int
	if err := fileio.ScanFiles(context.Background(), filepath.Join(dir, "events"), func(Event) { n++ }); err != nil || n != 1000 {
		t.Errorf("read back %d events, %v; want 1000", n, err)
	}
}

func TestGenCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"gen", "listening-log", "--events", "10"},                        // no --out
		{"gen", "listening-log", "--out", t.TempDir(), "--format", "csv"}, // bad format
		{"gen", "listening-log", "--out", t.TempDir(), "--users", "0"},    // no users
		{"gen", "listening-log", "--out", t.TempDir(), "--no-such-flag"},  // unknown flag
		{"demo", "--format", "orc"},                                       // bad format
	} {
		if code, _, errs := execute(t, args...); code != cli.ExitUsage {
			t.Errorf("%q: exit code %d (stderr %q), want %d", args, code, errs, cli.ExitUsage)
		}
	}
}

// TestDemoUsage checks that demo refuses bad flags before it generates
// anything: it used to generate the day, then fail running the job.
func TestDemoUsage(t *testing.T) {
	used := t.TempDir()
	if err := os.Mkdir(filepath.Join(used, "input"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--runner", "bogus"},
		{"--runner", "hadoop"},
		{"--workers", "-3"},
		{"--events", "-1"},
		{"--files", "0"},
		{"--dir", used},
	} {
		dir := t.TempDir()
		if args[0] != "--dir" {
			args = append(args, "--dir", dir)
		}
		code, _, errs := execute(t, append([]string{"demo", "--events", "100"}, args...)...)
		if code != cli.ExitUsage {
			t.Errorf("demo %q: exit code %d (stderr %q), want %d", args, code, errs, cli.ExitUsage)
		}
		if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) > 0 {
			t.Errorf("demo %q wrote %v before refusing its flags", args, m)
		}
	}
}

// TestDemo runs the demo on a small day on the local runner (this test
// binary's worker processes).
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	// Under a user's own binary, the command it shows is that binary's.
	root := cli.NewRoot(Commands()...)
	root.Use = "mybinary"
	var stdout, stderr bytes.Buffer
	code := cli.Execute(context.Background(), root, []string{"demo", "--dir", dir, "--events", "3000", "--users", "200", "--tracks", "300", "--workers", "2"}, &stdout, &stderr)
	out, errs := stdout.String(), stderr.String()
	if code != cli.ExitOK {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{"running: mybinary run daily-plays ", "top tracks in US:", "  1. ", "plan:    " + filepath.Join(dir, "plan.txt"),
		"report:  " + filepath.Join(dir, "report.html"), "output:  " + filepath.Join(dir, "output", TopTracksByCountryDir)} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"plan.txt", "report.html", "output/plays_by_country_track/_SUCCESS"} {
		if m, _ := filepath.Glob(filepath.Join(dir, f)); len(m) != 1 {
			t.Errorf("%s is missing", f)
		}
	}
	t.Logf("stdout:\n%s\nstderr:\n%s", out, errs)
	if !strings.Contains(errs, "stage") {
		t.Errorf("no progress on stderr: %q", errs)
	}
}
