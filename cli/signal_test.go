//go:build unix

package cli_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/cli"
)

// blockedRun starts "crunchgo run cli-test-block" on the local runner as a
// subprocess (this test binary, running cli.Main) and returns once a worker
// is blocked in the job, with that worker's pid.
func blockedRun(t *testing.T, cmd *exec.Cmd, block string) int {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		b, err := os.ReadFile(filepath.Join(block, "blocked"))
		if err == nil {
			pid, err := strconv.Atoi(string(b))
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatal("no task reached the blocking record within a minute")
		}
	}
}

func blockCmd(t *testing.T) (cmd *exec.Cmd, tmp, out, block string) {
	dir := t.TempDir()
	tmp, out, block = filepath.Join(dir, "tmp"), filepath.Join(dir, "out"), filepath.Join(dir, "block")
	for _, d := range []string{tmp, block} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd = exec.Command(os.Args[0], "run", "cli-test-block", "--workers", "2", "--tmp", tmp, "--output", out, "--block-dir", block)
	cmd.Env = append(os.Environ(), mainEnv+"=1")
	return cmd, tmp, out, block
}

// checkCleanedUp fails unless the run left nothing behind: an empty --tmp,
// no output attempts, no live worker.
func checkCleanedUp(t *testing.T, tmp, out string, worker int) {
	t.Helper()
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("--tmp still holds %s", left[0].Name())
	}
	filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "_temporary" {
			t.Errorf("%s is left", path)
		}
		return nil
	})
	if err := syscall.Kill(worker, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("worker %d outlived the driver (kill -0: %v)", worker, err)
	}
}

// SIGHUP (a closed terminal or ssh session) cancels a run like SIGTERM:
// workers killed, temp dir and output attempts removed, exit 1 with the
// reason.
func TestHangupCancelsRun(t *testing.T) {
	cmd, tmp, out, block := blockCmd(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	worker := blockedRun(t, cmd, block)
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("after SIGHUP: %v, want exit status 1; stderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), ": job cli-test-block was interrupted") || !strings.Contains(stderr.String(), "hangup") {
		t.Errorf("stderr does not report the hangup:\n%s", stderr.String())
	}
	checkCleanedUp(t, tmp, out, worker)
}

// A reader of stdout and stderr that goes away ("crunchgo run ... 2>&1 |
// head -1") must not kill the run: it finishes, commits and exits 0.
func TestClosedPipeDoesNotStopRun(t *testing.T) {
	cmd, tmp, out, block := blockCmd(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	worker := blockedRun(t, cmd, block)
	w.Close()
	r.Close() // later writes to fd 1 and 2 fail with EPIPE
	if err := os.WriteFile(filepath.Join(block, "release"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("with stdout and stderr closed: %v, want exit status 0", err)
	}
	if _, err := os.Stat(filepath.Join(out, "_SUCCESS")); err != nil {
		t.Errorf("output not committed: %v", err)
	}
	checkCleanedUp(t, tmp, out, worker)
}

// Under nohup, which starts crunchgo with SIGHUP ignored, a hangup does not
// stop the run.
func TestNohupIgnoresHangup(t *testing.T) {
	nohup, err := exec.LookPath("nohup")
	if err != nil {
		t.Skip("no nohup:", err)
	}
	cmd, tmp, out, block := blockCmd(t)
	cmd.Args = append([]string{nohup}, cmd.Args...)
	cmd.Path = nohup
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	worker := blockedRun(t, cmd, block)
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // time to act on it, if it were caught
	if err := os.WriteFile(filepath.Join(block, "release"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("nohup, SIGHUP: %v, want exit status 0; output:\n%s", err, stderr.String())
	}
	checkCleanedUp(t, tmp, out, worker)
}

// cat whose reader has gone ("crunchgo cat ... | head -1") stops quietly
// with exit 1, neither killed by SIGPIPE nor complaining about it.
func TestCatToClosedPipe(t *testing.T) {
	dir := t.TempDir()
	writeFixtures(t, dir)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // the first write fails with EPIPE
	cmd := exec.Command(os.Args[0], "cat", filepath.Join(dir, "events.avro"))
	cmd.Env = append(os.Environ(), mainEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	err = cmd.Run()
	w.Close()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || stderr.Len() > 0 {
		t.Errorf("cat to a closed pipe: %v, stderr %q; want exit status 1 and no message", err, stderr.String())
	}
}

// epipeWriter fails every write as a pipe whose reader has exited does.
type epipeWriter struct{}

func (epipeWriter) Write([]byte) (int, error) {
	return 0, &fs.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}
}

// TestClosedStdoutIsQuiet checks that a command whose stdout reader has
// exited ("crunchgo jobs | head -0") exits 1 without a message.
func TestClosedStdoutIsQuiet(t *testing.T) {
	var stderr bytes.Buffer
	code := cli.Execute(context.Background(), cli.NewRoot(), []string{"jobs"}, epipeWriter{}, &stderr)
	if code != cli.ExitFailed || stderr.Len() != 0 {
		t.Errorf("exit %d, stderr %q; want exit %d and no message", code, stderr.String(), cli.ExitFailed)
	}
}

// A second signal exits at once, saying so, where the first only cancels.
func TestSecondSignalExits(t *testing.T) {
	ch := make(chan os.Signal, 2)
	ctx, cancel := context.WithCancelCause(context.Background())
	var stderr bytes.Buffer
	exited := make(chan int, 1)
	go cli.CancelOnSignal(ch, cancel, &stderr, func(code int) { exited <- code })
	ch <- syscall.SIGINT
	<-ctx.Done()
	if got := context.Cause(ctx).Error(); got != "interrupt signal received" {
		t.Errorf("cause %q, want interrupt signal received", got)
	}
	select {
	case code := <-exited:
		t.Fatalf("exited with %d after one signal", code)
	case <-time.After(20 * time.Millisecond):
	}
	ch <- syscall.SIGTERM
	if code := <-exited; code != cli.ExitFailed || stderr.String() != "terminated signal received again: exiting without cleaning up\n" {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// An interrupted run still writes its report, marked interrupted, with
// the stage it stopped.
func TestInterruptedRunReport(t *testing.T) {
	cmd, tmp, out, block := blockCmd(t)
	rep := filepath.Join(t.TempDir(), "r.json")
	cmd.Args = append(cmd.Args, "-q", "--report", rep)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	worker := blockedRun(t, cmd, block)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var ee *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("after SIGINT: %v, want exit status 1; stderr:\n%s", err, stderr.String())
	}
	if first, _, _ := strings.Cut(stderr.String(), "\n"); !strings.Contains(first, ": job cli-test-block was interrupted on the local runner after ") {
		t.Errorf("first line of stderr %q, want the job interrupted", first)
	}
	r := readReport(t, rep)
	if r.Status != cli.RunInterrupted || !strings.Contains(r.Error, "interrupt signal received") {
		t.Errorf("status %q, error %q; want interrupted, by the signal", r.Status, r.Error)
	}
	if len(r.Stages) != 1 || r.Stages[0].Status != cli.StageUnfinished {
		t.Errorf("stages %+v, want the one stage unfinished", r.Stages)
	}
	checkCleanedUp(t, tmp, out, worker)
}

// A report that cannot be written when the run ends (a directory put at
// its path during the run) keeps neither the run's other report from being
// written nor changes the run's outcome: a run that succeeded says so and
// exits 1 naming the report not written; an interrupted one is reported
// as interrupted.
func TestOneOfTwoReportsNotWritten(t *testing.T) {
	for _, interrupt := range []bool{false, true} {
		t.Run(map[bool]string{false: "succeeded", true: "interrupted"}[interrupt], func(t *testing.T) {
			cmd, tmp, out, block := blockCmd(t)
			dir := t.TempDir()
			bad, good := filepath.Join(dir, "r.html"), filepath.Join(dir, "r.json")
			// The one not written first: the other is written all the same.
			cmd.Args = append(cmd.Args, "--report", bad, "--report", good)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			worker := blockedRun(t, cmd, block)
			if err := os.Mkdir(bad, 0o755); err != nil {
				t.Fatal(err)
			}
			if interrupt {
				if err := cmd.Process.Signal(os.Interrupt); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(filepath.Join(block, "release"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			var ee *exec.ExitError
			if err := cmd.Wait(); !errors.As(err, &ee) || ee.ExitCode() != cli.ExitFailed {
				t.Fatalf("%v, want exit status %d; stderr:\n%s", err, cli.ExitFailed, stderr.String())
			}
			_, msg, _ := strings.Cut(stderr.String(), filepath.Base(os.Args[0])+": ") // after the progress
			first, rest, _ := strings.Cut(msg, "\n")
			wantFirst, wantStatus, notWritten := "job cli-test-block succeeded but its report "+bad+" was not written: ", cli.RunSucceeded, ""
			if interrupt {
				wantFirst, wantStatus, notWritten = "job cli-test-block was interrupted on the local runner", cli.RunInterrupted, "(and its report "+bad+" was not written: "
			}
			if !strings.HasPrefix(first, wantFirst) || !strings.Contains(rest, notWritten) || !strings.Contains(msg, bad+" is a directory") {
				t.Errorf("stderr:\n%s\nwant its first line to contain %q, naming %s as not written", stderr.String(), wantFirst, bad)
			}
			if !strings.Contains(rest, "(the run's report: "+good+")\n") {
				t.Errorf("stderr:\n%s\ndoes not name the report written, %s", stderr.String(), good)
			}
			if r := readReport(t, good); r.Status != wantStatus {
				t.Errorf("report %s says %q, want %q", good, r.Status, wantStatus)
			}
			if !interrupt {
				if s := stdout.String(); !strings.Contains(s, "\nreport: "+good+"\n") || strings.Contains(s, bad) {
					t.Errorf("summary:\n%s\nwant it to name %s as the report, not %s", s, good, bad)
				}
				if _, err := os.Stat(filepath.Join(out, "_SUCCESS")); err != nil {
					t.Errorf("output not committed: %v", err)
				}
			}
			checkCleanedUp(t, tmp, out, worker)
		})
	}
}
