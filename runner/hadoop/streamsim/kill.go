package streamsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// runningJobs is the simulated cluster's list of running jobs, shared by
// the processes of one machine: a directory per running job, into which
// "job -kill" puts a kill request.
var runningJobs = filepath.Join(os.TempDir(), "streamsim-jobs")

// killPollInterval is how often a running job looks for a kill request.
const killPollInterval = 20 * time.Millisecond

// register lists j as running until the returned stop is called, and
// returns a context that a kill request cancels.
func (j *job) register(ctx context.Context) (_ context.Context, stop func(), _ error) {
	dir := filepath.Join(runningJobs, "job_"+j.id)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		tick := time.NewTicker(killPollInterval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if _, err := os.Stat(filepath.Join(dir, "kill")); err == nil {
					cancel()
					return
				}
			}
		}
	}()
	return ctx, func() {
		close(done)
		<-watched
		cancel()
		os.RemoveAll(dir)
	}, nil
}

// jobCommand runs `hadoop job -kill <job ID>`, the only job subcommand
// simulated: it asks the running job to die, as the ResourceManager kills
// its attempts, and prints what the hadoop client does.
func jobCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 || args[0] != "-kill" {
		fmt.Fprintf(stderr, "usage: hadoop job -kill <job-id> (the only job command simulated), got %q\n", args)
		return 255
	}
	id := args[1]
	// Creating the request fails once the job's directory is gone: a job
	// that has ended cannot be killed.
	f, err := os.OpenFile(filepath.Join(runningJobs, filepath.Base(id), "kill"), os.O_CREATE|os.O_WRONLY, 0o666)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stdout, "Could not find job %s\n", id)
		return 255
	}
	if err != nil {
		fmt.Fprintf(stderr, "killing %s: %v\n", id, err)
		return 255
	}
	f.Close()
	fmt.Fprintf(stdout, "Killed job %s\n", id)
	return 0
}
