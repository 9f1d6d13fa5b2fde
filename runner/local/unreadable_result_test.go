package local

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
)

type hangArgs struct {
	How string `flag:"how" default:"huge"` // huge: a huge error; garbage: bytes on the control pipe
}

// badResultFn makes its worker's result unreadable to the driver: an error
// larger than maxMessage (a user function quoting a huge record), or,
// with how=garbage, user code writing to the worker's control pipe.
type badResultFn struct{ How string }

func (f badResultFn) Process(s string, emit func(string)) error {
	if s == "bad" {
		if f.How == "garbage" {
			// A length prefix of over maxMessage, then enough bytes to
			// fill the pipe: the worker blocks.
			b := []byte(strings.Repeat("\xff", 1<<20))
			os.NewFile(4, "control-out").Write(b)
		}
		return errors.New(strings.Repeat("x", maxMessage/2+1)) // Msg and Inner: over maxMessage together
	}
	emit(s)
	return nil
}

var badResultJob = runner.Register("local-test/bad-result", "a task whose result the driver cannot read",
	func(p *pcollection.Pipeline, a *hangArgs) error {
		c := pcollection.ParDo(pcollection.Of(p, "a", "bad", "b"), badResultFn{a.How}, pcollection.Name("BadResult"))
		pcollection.Materialize(c)
		return nil
	})

// TestUnreadableResultDoesNotHang checks that a worker whose result the
// driver cannot read fails the run in bounded time, instead of leaving the
// driver waiting forever (deaf to ctx and the task timeout) for a worker
// blocked writing the rest of its message; and that an error quoting a huge
// record reaches the driver cut, not as a protocol failure.
func TestUnreadableResultDoesNotHang(t *testing.T) {
	for _, how := range []string{"huge", "garbage"} {
		t.Run(how, func(t *testing.T) {
			// No deadline ends a start or a task: under the race detector
			// on a loaded machine, cutting the huge error outlasted the 5 s
			// task timeout, and the run failed for that instead.
			endOnlyHanging(t, t.TempDir())
			if how == "garbage" {
				// The worker, blocked writing, never exits by itself: each
				// attempt would wait out the whole grace.
				defer func(d time.Duration) { diedGrace = d }(diedGrace)
				diedGrace = 50 * time.Millisecond
			}
			done := make(chan error, 1)
			go func() {
				_, err := Run(context.Background(), build(t, badResultJob, "--how="+how), runner.Options{Workers: 1, TmpDir: t.TempDir(), TaskTimeout: 5 * time.Second})
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("no error")
				}
				if len(err.Error()) > 1<<20 {
					t.Errorf("error of %d bytes", len(err.Error()))
				}
				if how == "huge" && !strings.Contains(err.Error(), "bytes cut") {
					t.Errorf("the user function's error did not arrive cut: %.300v", err)
				}
			case <-time.After(45 * time.Second):
				t.Fatal("Run did not return within 45s: the driver waits for a worker blocked writing a result it will not read")
			}
		})
	}
}
