package hadoop

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// failedAttemptLine matches the line the job client logs for each failed
// task attempt (TaskCompletionEvent.toString):
// "Task Id : attempt_1700000000000_0042_m_000003_0, Status : FAILED".
var failedAttemptLine = regexp.MustCompile(`Task Id : (attempt_[0-9A-Za-z_]+), Status : FAILED`)

// dataFailureWatch follows a job's failed attempts and kills the job at the
// first whose error is in its input's data (plan.Permanent): YARN would
// retry the task up to mapreduce.map.maxattempts times, reading the same
// bytes and failing the same way each time.
type dataFailureWatch struct {
	e            *driver
	sj           *stageJob
	failed       chan [2]string // attempt, job ID
	clientExited chan struct{}
	done         chan struct{}

	// Set by the watch, read once done is closed.
	failure *taskError // the first attempt that failed on its data
	killed  bool
	killErr error
}

// watchDataFailures starts a watch over stage sj's job. Call line with each
// line the client prints, then stop once it has exited.
func (e *driver) watchDataFailures(sj *stageJob) *dataFailureWatch {
	w := &dataFailureWatch{e: e, sj: sj, failed: make(chan [2]string, 16), clientExited: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

// line looks at a line of the client's output; jobID is the job's ID as
// far as the client has printed it.
func (w *dataFailureWatch) line(line, jobID string) {
	if m := failedAttemptLine.FindStringSubmatch(line); m != nil {
		w.failed <- [2]string{m[1], jobID}
	}
}

// stop ends the watch once the client has exited (so the job is over) and
// waits for what it was doing.
func (w *dataFailureWatch) stop() {
	close(w.clientExited)
	close(w.failed)
	<-w.done
}

func (w *dataFailureWatch) run() {
	defer close(w.done)
	for f := range w.failed {
		if w.failure != nil {
			continue // the job is being killed already
		}
		attempt, jobID := f[0], f[1]
		// The attempt wrote its error before it exited, and Hadoop reports
		// it failed only after that. No file (an attempt killed for
		// memory or a timeout) is a failure worth retrying.
		te, err := readTaskError(w.e.ctx, w.e.spec.Temp, w.sj.stage.ID, attempt)
		if err != nil || !te.Permanent {
			continue
		}
		w.failure = te
		select {
		case <-w.clientExited:
			continue // the job is over: nothing to kill
		default:
		}
		if jobID == "" {
			jobID = jobOfAttempt(attempt)
		}
		w.killErr = w.e.hadoopKill(jobID)
		w.killed = w.killErr == nil
	}
}

// jobOfAttempt is the job ID within attempt ID a:
// attempt_1700000000000_0042_m_000003_0 is of job_1700000000000_0042.
func jobOfAttempt(a string) string {
	parts := strings.Split(strings.TrimPrefix(a, "attempt_"), "_")
	if len(parts) < 2 {
		return ""
	}
	return "job_" + parts[0] + "_" + parts[1]
}

// hadoopKill kills job id on the cluster with "hadoop job -kill".
func (e *driver) hadoopKill(id string) error {
	if id == "" {
		return errors.New("no job ID to kill")
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(e.ctx), time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, e.r.HadoopBin, "job", "-kill", id).CombinedOutput(); err != nil {
		return fmt.Errorf("'%s job -kill %s' failed (%v): %s", e.r.HadoopBin, id, err, strings.TrimSpace(lastLines(string(out), 5)))
	}
	return nil
}

// dataError describes a job that was killed, or failed, after the task
// attempt w found failed on the input's data.
func (e *driver) dataError(cl clientLog, log string, runErr error, w *dataFailureWatch) error {
	id := cl.jobID
	if id == "" {
		id = jobOfAttempt(w.failure.Attempt)
	}
	te := w.failure
	tail := lastLines(log, 20)
	if w.killed {
		return fmt.Errorf("hadoop job %s killed: task %s failed on its input's data, which retrying cannot fix: %w\nhadoop output (tail):\n%s", id, te.Attempt, te.Err(), tail)
	}
	// The job ended before the kill (it had no attempts left), or the kill
	// failed and the job ran its retries out.
	note := ""
	if w.killErr != nil {
		note = fmt.Sprintf("\n(the job was not killed at that failure: %v)", w.killErr)
	}
	return fmt.Errorf("hadoop job %s failed (%v): task %s failed on its input's data, which retrying cannot fix: %w%s\nhadoop output (tail):\n%s", id, runErr, te.Attempt, te.Err(), note, tail)
}
