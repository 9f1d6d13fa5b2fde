package hadoop_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/examples/wordcount"
	"github.com/crunchgo/crunchgo/jsonio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/hadoop"
	"github.com/crunchgo/crunchgo/textio"
)

type jsonWord struct {
	Word string `json:"word"`
}

var jsonWords = runner.Register("hadoop-test/json-words", "copies the words of a JSON-lines file",
	func(p *pcollection.Pipeline, a *struct {
		In  string `flag:"in"`
		Out string `flag:"out"`
	}) error {
		textio.Write(pcollection.Map(jsonio.Read[jsonWord](p, a.In), func(w jsonWord) string { return w.Word }), a.Out)
		return nil
	})

// taskErrors reads the error files tasks of stage 0 left in the kept temp
// dir of runner r.
func taskErrors(t *testing.T, r hadoop.Runner) map[string]map[string]any {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(r.TempDir, "*", "errors", "stage-0-*.json"))
	errs := map[string]map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		errs[filepath.Base(f)] = m
	}
	return errs
}

// TestBadDataNotRetried checks that a map task failing on its input's data
// (a JSON line that does not parse, plan.Permanent) is read once, not by
// each of the 4 attempts YARN allows: the driver kills the job when the
// client reports the failed attempt, and an attempt that starts before the
// kill lands fails at once with the first one's error. Which of the two
// ends the job depends on timing; neither reads the data again. When the
// kill fails, the job runs its 4 attempts, but the later ones fail at once.
func TestBadDataNotRetried(t *testing.T) {
	exe, err := os.Executable()
	if err != nil || runtime.GOOS != "linux" {
		t.Skip("needs a Linux test binary and /bin/sh")
	}
	for _, tc := range []struct {
		name       string
		killFails  bool
		want       string // the first line of the error, after the job ID
		errorFiles int    // 0: any
	}{
		{"killed", false, `(killed|failed \(.*\))`, 0},
		{"kill fails", true, `failed \(exit status 1\)`, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			in, out := filepath.Join(dir, "words.jsonl"), filepath.Join(dir, "out")
			if err := os.WriteFile(in, []byte("{\"word\":\"a\"}\n{\"word\":\n{\"word\":\"b\"}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := jsonWords.Build([]string{"--in", in, "--out", out})
			if err != nil {
				t.Fatal(err)
			}
			r := simRunner(t)
			r.KeepTemp = true
			if tc.killFails {
				r.HadoopBin = filepath.Join(dir, "hadoop")
				if err := os.WriteFile(r.HadoopBin, []byte(`#!/bin/sh
case "$1" in
jar) exec '`+exe+`' "$@";;
esac
echo "the resource manager is down" >&2
exit 1
`), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			_, err = r.Run(context.Background(), p, runner.Options{})
			if err == nil {
				t.Fatal("run succeeded, want the bad line's error")
			}
			if !plan.IsPermanent(err) {
				t.Errorf("error %v is not marked permanent", err)
			}
			first, _, _ := strings.Cut(err.Error(), "\n")
			want := regexp.MustCompile(`^stage 0: hadoop job job_\d+_\d+ ` + tc.want + `: task attempt_\d+_\d+_m_000000_0 failed on its input's data, which retrying cannot fix: jsonio: ` +
				regexp.QuoteMeta(in) + `: line 2 \(offset 13\): `)
			if !want.MatchString(first) {
				t.Errorf("first line of the error %q, want it to match %s", first, want)
			}
			if tc.killFails && !strings.Contains(err.Error(), "the job was not killed at that failure: '"+r.HadoopBin+" job -kill job_") {
				t.Errorf("error %v does not say the kill failed", err)
			}
			errs := taskErrors(t, r)
			read := 0
			for name, e := range errs {
				msg, _ := e["msg"].(string)
				switch {
				case strings.HasPrefix(msg, "jsonio: "):
					read++
				case !regexp.MustCompile(`^attempt attempt_\d+_\d+_m_000000_0 of this task failed on its input's data, which retrying cannot fix: jsonio: `).MatchString(msg):
					t.Errorf("%s: %q, want the first attempt's error, repeated without reading the data", name, msg)
				}
				if e["permanent"] != true {
					t.Errorf("%s: not marked permanent", name)
				}
			}
			if read != 1 {
				t.Errorf("%d attempts read the bad data (error files %v), want 1", read, errs)
			}
			if tc.errorFiles != 0 && len(errs) != tc.errorFiles {
				t.Errorf("%d attempts failed, want %d", len(errs), tc.errorFiles)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("output %s: %v, want none", out, err)
			}
		})
	}
}

// TestFailedAttemptRetried checks that a task failing other than on its
// data (a user function's error) is still left to YARN's retries: all 4
// attempts run and the job fails, not killed.
func TestFailedAttemptRetried(t *testing.T) {
	r := simRunner(t)
	r.KeepTemp = true
	var log strings.Builder
	r.Log = &log
	_, err := r.Run(context.Background(), suitePipeline(t, "dofn-error-names-transform"), runner.Options{})
	if err == nil || plan.IsPermanent(err) || strings.Contains(err.Error(), "killed") {
		t.Fatalf("err %v, want the job failed, not killed", err)
	}
	if n := strings.Count(log.String(), "Status : FAILED"); n != 4 {
		t.Errorf("%d failed attempts in the client output, want 4", n)
	}
	if errs := taskErrors(t, r); len(errs) != 4 {
		t.Errorf("%d task error files, want 4", len(errs))
	}
	if !strings.Contains(log.String(), "failed with state FAILED") {
		t.Errorf("client output does not say the job failed:\n%s", log.String())
	}
}

// TestBadDataKillsJob checks that the driver kills a job at the first
// attempt its client reports failed on the input's data, and names that
// attempt's error. The hadoop command is a script: "jar" reports attempt 0
// of map task 0 failed, whose error file the test writes, then waits to be
// killed; "job -kill" records its arguments and ends the wait.
func TestBadDataKillsJob(t *testing.T) {
	exe, err := os.Executable()
	if err != nil || runtime.GOOS != "linux" {
		t.Skip("needs a Linux test binary and /bin/sh")
	}
	const attempt = "attempt_1700000000000_0042_m_000000_0"
	for _, tc := range []struct {
		name      string
		permanent bool
		want      string
	}{
		{"permanent", true, "stage 0: hadoop job job_1700000000000_0042 killed: task " + attempt +
			" failed on its input's data, which retrying cannot fix: jsonio: /data/words.jsonl: line 2 (offset 13): unexpected EOF\n"},
		// Not killed: the script's job fails on its own once its wait is over.
		{"transient", false, "stage 0: hadoop job job_1700000000000_0042 failed (exit status 1): task " + attempt +
			": jsonio: /data/words.jsonl: line 2 (offset 13): unexpected EOF\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			kills, killed := filepath.Join(dir, "kills"), filepath.Join(dir, "killed")
			script := filepath.Join(dir, "hadoop")
			wait := "100" // tenths of a second: a bound for a driver that does not kill
			if !tc.permanent {
				wait = "5"
			}
			if err := os.WriteFile(script, []byte(`#!/bin/sh
case "$1" in
jar)
	echo "INFO mapreduce.Job: Running job: job_1700000000000_0042" >&2
	echo "INFO mapreduce.Job: Task Id : `+attempt+`, Status : FAILED" >&2
	echo "Error: java.lang.RuntimeException: PipeMapRed.waitOutputThreads(): subprocess failed with code 1" >&2
	i=0
	while [ ! -e '`+killed+`' ] && [ $i -lt `+wait+` ]; do sleep 0.1; i=$((i+1)); done
	[ -e '`+killed+`' ] && echo "INFO mapreduce.Job: Job job_1700000000000_0042 failed with state KILLED" >&2
	exit 1;;
job) echo "$@" >> '`+kills+`'; touch '`+killed+`'; echo "Killed job $3";;
esac
`), 0o755); err != nil {
				t.Fatal(err)
			}
			job, _ := runner.Lookup(wordcount.Job.Name)
			p, err := job.Build([]string{"--output", filepath.Join(dir, "out")})
			if err != nil {
				t.Fatal(err)
			}
			r := hadoop.Runner{HadoopBin: script, StreamingJar: "x.jar", Binary: exe, TempDir: filepath.Join(dir, "tmp"), RunID: "run1"}
			te := map[string]any{"attempt": attempt, "msg": "jsonio: /data/words.jsonl: line 2 (offset 13): unexpected EOF", "permanent": tc.permanent}
			b, _ := json.Marshal(te)
			errFile := filepath.Join(r.TempDir, "crunchgo-run1", "errors", "stage-0-"+attempt+".json")
			if err := os.MkdirAll(filepath.Dir(errFile), 0o777); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(errFile, b, 0o666); err != nil {
				t.Fatal(err)
			}
			_, err = r.Run(context.Background(), p, runner.Options{})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err %v, want it to start with %q", err, tc.want)
			}
			if tc.permanent != plan.IsPermanent(err) {
				t.Errorf("error permanent: %v, want %v", plan.IsPermanent(err), tc.permanent)
			}
			wantKills := ""
			if tc.permanent {
				wantKills = "job -kill job_1700000000000_0042\n"
			}
			if b, _ := os.ReadFile(kills); string(b) != wantKills {
				t.Errorf("the hadoop command was asked %q, want %q", b, wantKills)
			}
		})
	}
}
