package local

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crunchgo/crunchgo/runner/internal/kernel"
)

// proc is one worker process and its control pipes.
type proc struct {
	cmd  *exec.Cmd
	to   *os.File // driver -> worker
	from *bufio.Reader
	fr   *os.File
	tail *tail
	pid  int

	waitOnce sync.Once
	waitErr  error
}

// fatalError is a failure that retrying cannot fix, such as a plan
// fingerprint mismatch.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// noProcessError is a worker that could not be started at all (no pipe,
// no fork: the process or file descriptor limit), as opposed to one that
// started and failed.
type noProcessError struct{ err error }

func (e *noProcessError) Error() string { return e.err.Error() }
func (e *noProcessError) Unwrap() error { return e.err }

// minStartTimeout is the least time a worker has to start, whatever the
// task timeout: starting a process and rebuilding the pipeline takes
// 10-20 ms, but seconds on a loaded machine or under the race detector,
// where a short task timeout (for tasks that should mark progress often)
// would kill every worker before it could start.
const minStartTimeout = 10 * time.Second

// startTimeout is how long a worker has to start under the task timeout
// taskTimeout (0: no limit).
func startTimeout(taskTimeout time.Duration) time.Duration {
	if taskTimeout <= 0 {
		return 0
	}
	return max(taskTimeout, minStartTimeout)
}

// startDeadline returns ctx ending with cause once timeout has passed, for
// the start of worker pid. A test replaces it to end the start of just the
// worker it made hang: no timeout short enough for a test tells a hung
// start from a slow one on a loaded machine.
var startDeadline = func(ctx context.Context, pid int, timeout time.Duration, cause error) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, timeout, cause)
}

// taskDeadline returns a channel that receives once timeout passes with
// no call of reset, for a task attempt on worker pid, and stop to release
// it. A test replaces it, as startDeadline, to end just the task it made
// hang.
var taskDeadline = func(pid int, timeout time.Duration) (expired <-chan time.Time, reset, stop func()) {
	t := time.NewTimer(timeout)
	return t.C, func() { t.Reset(timeout) }, func() { t.Stop() }
}

// startProc starts a worker with procs as its GOMAXPROCS and performs the
// handshake, killing the worker if that takes longer than
// startTimeout(timeout), timeout being the task timeout: the worker
// rebuilds the job's pipeline, user code that may hang as a task can.
func startProc(ctx context.Context, h hello, procs int, timeout time.Duration) (*proc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding the executable to start workers: %w", err)
	}
	toR, toW, err := os.Pipe()
	if err != nil {
		return nil, &noProcessError{fmt.Errorf("starting a worker: %w", err)}
	}
	fromR, fromW, err := os.Pipe()
	if err != nil {
		toR.Close()
		toW.Close()
		return nil, &noProcessError{fmt.Errorf("starting a worker: %w", err)}
	}
	p := &proc{to: toW, fr: fromR, from: bufio.NewReader(fromR), tail: &tail{}}
	p.cmd = exec.Command(exe, WorkerArg)
	// A later GOMAXPROCS overrides one inherited from the driver.
	p.cmd.Env = append(os.Environ(), WorkerEnv+"=1", "GOMAXPROCS="+strconv.Itoa(procs))
	p.cmd.ExtraFiles = []*os.File{toR, fromW}
	p.cmd.Stdout, p.cmd.Stderr = p.tail, p.tail
	p.cmd.SysProcAttr = sysProcAttr()
	p.cmd.WaitDelay = 2 * time.Second
	err = p.cmd.Start()
	toR.Close()
	fromW.Close()
	if err != nil {
		toW.Close()
		fromR.Close()
		return nil, &noProcessError{fmt.Errorf("starting a worker: %w", err)}
	}
	p.pid = p.cmd.Process.Pid
	if timeout = startTimeout(timeout); timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = startDeadline(ctx, p.pid, timeout,
			fmt.Errorf("worker %d did not start within %v (the task timeout, at least %v): rebuilding the job's pipeline hangs?", p.pid, timeout, minStartTimeout))
		defer cancel()
	}
	var reply helloReply
	err = p.call(ctx, h, &reply)
	if err == nil && reply.Err != "" {
		err = &fatalError{fmt.Errorf("worker %d: %s", p.pid, reply.Err)}
	} else if err != nil && ctx.Err() == nil {
		// A binary that does not serve as a worker exits (or runs its
		// tests again) without answering the hello.
		err = fmt.Errorf("%w\n(a worker is this executable, %s, run again: it must call local.WorkerMain first, as cli.Main does; a test binary calls crunchtest.Main in TestMain)", err, exe)
	}
	if err != nil {
		p.kill()
		return nil, err
	}
	return p, nil
}

// call sends req and reads the reply into resp, killing the worker if ctx
// ends first. A read failure means the worker died: the error says how,
// with its last lines of output.
func (p *proc) call(ctx context.Context, req, resp any) error {
	if err := writeMsg(p.to, req); err != nil {
		return p.died(err)
	}
	done := make(chan error, 1)
	go func() { done <- readMsg(p.from, resp) }()
	select {
	case err := <-done:
		if err != nil {
			return p.died(err)
		}
		return nil
	case <-ctx.Done():
		p.kill()
		<-done
		return context.Cause(ctx)
	}
}

// taskRead is how reading a task's result ended.
type taskRead struct {
	res *resultMsg
	err error
}

// runTask sends task t and reads its result, killing the worker if ctx
// ends first, or if timeout (0: none) passes without a heartbeat or the
// result: that is a stalledError. Each heartbeat's counts go to onBeat.
func (p *proc) runTask(ctx context.Context, t *taskMsg, timeout time.Duration, onBeat func(kernel.Stats)) (*resultMsg, error) {
	done, beats := make(chan taskRead, 1), make(chan kernel.Stats, 1)
	// The task is written here too: a worker that reads nothing (stopped
	// between tasks) must not block the driver on a task larger than the
	// pipe's buffer, out of reach of ctx and the timeout.
	go func() {
		if err := writeMsg(p.to, t); err != nil {
			done <- taskRead{nil, err}
			return
		}
		for {
			res := &resultMsg{}
			if err := readMsg(p.from, res); err != nil || !res.Beat {
				done <- taskRead{res, err}
				return
			}
			select {
			case <-beats: // one the driver did not take yet: these are newer
			default:
			}
			beats <- res.Stats
		}
	}()
	var deadline <-chan time.Time
	reset := func() {}
	if timeout > 0 {
		var stop func()
		deadline, reset, stop = taskDeadline(p.pid, timeout)
		defer stop()
	}
	result := func(r taskRead) (*resultMsg, error) {
		if r.err != nil {
			return nil, p.died(r.err)
		}
		return r.res, nil
	}
	for {
		select {
		case r := <-done:
			return result(r)
		case st := <-beats:
			reset()
			onBeat(st)
		case <-ctx.Done():
			p.kill()
			<-done
			return nil, context.Cause(ctx)
		case <-deadline:
			// A driver that was stopped (Ctrl-Z) finds the deadline past
			// when it resumes, with the heartbeats its workers sent
			// meanwhile still in the pipe: give them a moment to arrive.
			select {
			case st := <-beats:
				reset()
				onBeat(st)
				continue
			case r := <-done:
				return result(r)
			case <-time.After(min(timeout/10, time.Second)):
			}
			return nil, p.stalled(done, timeout)
		}
	}
}

// stalled kills the worker of a task that timed out and returns the error,
// with the stack of the goroutine that ran the task: SIGQUIT makes the Go
// runtime print every goroutine's stack, then exit. done receives once the
// worker is gone.
func (p *proc) stalled(done <-chan taskRead, timeout time.Duration) error {
	p.tail.capture()
	gone := false
	if quit(p.cmd) {
		select {
		case <-done:
			gone = true
		case <-time.After(2 * time.Second): // stopped, or not a Go worker
		}
	}
	p.kill() // waits for the worker's output to be copied
	if !gone {
		<-done // the read fails once the worker is gone
	}
	return &stalledError{timeout: timeout, pid: p.pid, stack: taskStack(p.tail.captured())}
}

// stalledError is a task attempt that showed no progress for the task
// timeout, and was killed.
type stalledError struct {
	timeout time.Duration
	pid     int
	stack   string // the stack of the goroutine running the task, if found
}

func (e *stalledError) Error() string {
	msg := fmt.Sprintf("no progress for %v (the task timeout): worker %d was killed", e.timeout, e.pid)
	if e.stack != "" {
		msg += "; where its task stood:\n" + e.stack
	}
	return msg
}

// taskStack finds, in a Go traceback of every goroutine, the stack of the
// goroutine running a task, at most 60 lines of it.
func taskStack(dump string) string {
	for block := range strings.SplitSeq(dump, "\n\n") {
		if strings.HasPrefix(block, "goroutine ") && strings.Contains(block, "local.(*worker).task(") {
			lines := strings.Split(block, "\n")
			lines = lines[:min(len(lines), 60)]
			for i, l := range lines {
				// Frame and stack pointers mean nothing to the reader.
				if before, _, ok := strings.Cut(l, " fp=0x"); ok {
					lines[i] = before
				}
			}
			return strings.Join(lines, "\n")
		}
	}
	return ""
}

func (p *proc) died(err error) error {
	// The worker may still live: a message the driver could not read (over
	// maxMessage, or garbage) leaves it blocked writing the rest of it, or
	// serving on. Let one that is dying finish its crash report, then kill
	// it: waiting for it unbounded hangs the run, out of reach of ctx and
	// the task timeout.
	t := time.AfterFunc(diedGrace, func() { killGroup(p.cmd) })
	p.wait()
	t.Stop()
	state := "exited"
	if ps := p.cmd.ProcessState; ps != nil {
		state = ps.String()
	}
	// A Go crash exits with status 2; a line that only looks like one's
	// start (a log line) must not be blamed for another death.
	if c, report := p.tail.crashReport(20); c != "" && p.cmd.ProcessState != nil && p.cmd.ProcessState.ExitCode() == 2 {
		return fmt.Errorf("worker %d died (%s): %s\nthe start of its crash report:\n%s", p.pid, state, c, report)
	}
	msg := fmt.Sprintf("worker %d died (%s) while talking to the driver: %v", p.pid, state, err)
	if t := p.tail.lines(20); t != "" {
		msg += "\nlast lines of its output:\n" + t
	}
	return errors.New(msg)
}

func (p *proc) wait() error {
	p.waitOnce.Do(func() {
		p.to.Close()
		p.waitErr = p.cmd.Wait()
		p.fr.Close()
	})
	return p.waitErr
}

// diedGrace is how long died waits for a worker whose control pipe failed
// to exit by itself before killing it; a test of a worker that never exits
// shortens it.
var diedGrace = 2 * time.Second

// kill kills the worker's process group and reaps it.
func (p *proc) kill() {
	killGroup(p.cmd)
	p.wait()
}

// release tells the worker to exit after its current task, and closes
// its input.
func (p *proc) release() {
	_ = writeMsg(p.to, &taskMsg{Quit: true}) // a worker that died needs none
	p.to.Close()
}

// stop closes the worker's input, so it exits after its current task, and
// kills it if it has not exited within a few seconds.
func (p *proc) stop() {
	p.release()
	t := time.AfterFunc(5*time.Second, func() { killGroup(p.cmd) })
	p.wait()
	t.Stop()
}

// tail keeps the last bytes a worker wrote to stdout and stderr, or, once
// capturing, the first bytes written since. It also keeps the start of a
// Go crash report (a panic no task recovered, a fatal runtime error): its
// first line says why the worker died, and the last bytes of a long
// report are deep in other goroutines' stacks.
type tail struct {
	mu        sync.Mutex
	buf       []byte
	capturing bool
	capt      []byte
	crash     []byte
}

const (
	tailMax    = 16 << 10
	captureMax = 4 << 20 // a goroutine dump: some kilobytes a goroutine
	crashMax   = 4 << 10 // the message and the crashed goroutine's first frames
)

// crashStarts begin the line with which the Go runtime reports a crash.
var crashStarts = []string{"panic: ", "fatal error: "}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.capturing {
		t.capt = append(t.capt, b[:min(len(b), captureMax-len(t.capt))]...)
		return len(b), nil
	}
	if t.crash != nil {
		t.crash = append(t.crash, b[:min(len(b), crashMax-len(t.crash))]...)
	}
	from := max(0, len(t.buf)-len("fatal error: ")) // a start split between writes
	t.buf = append(t.buf, b...)
	if t.crash == nil {
		if i := crashStart(t.buf, from); i >= 0 {
			t.crash = append([]byte(nil), t.buf[i:min(len(t.buf), i+crashMax)]...)
		}
	}
	if len(t.buf) > tailMax {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailMax:]...)
	}
	return len(b), nil
}

// crashStart is where in b, at or after from, a line starts that begins a
// crash report, or -1.
func crashStart(b []byte, from int) int {
	for i := from; i < len(b); i++ {
		if i > 0 && b[i-1] != '\n' {
			continue
		}
		for _, s := range crashStarts {
			if bytes.HasPrefix(b[i:], []byte(s)) {
				return i
			}
		}
	}
	return -1
}

// lines is the last n lines the worker wrote.
func (t *tail) lines(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	ls := strings.Split(strings.TrimRight(string(t.buf), "\n"), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.TrimSpace(strings.Join(ls, "\n"))
}

// crashReport returns the line that began the worker's crash report, and the
// report's first n lines, or "" if the worker wrote no such line.
func (t *tail) crashReport(n int) (first, report string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ls := strings.Split(string(t.crash), "\n")
	return ls[0], strings.TrimSpace(strings.Join(ls[:min(len(ls), n)], "\n"))
}

// capture keeps what is written from now on, from its start: the task's
// goroutine comes first in a goroutine dump, which may be megabytes long.
func (t *tail) capture() {
	t.mu.Lock()
	t.capturing, t.capt = true, nil
	t.mu.Unlock()
}

func (t *tail) captured() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.capt)
}

func (t *tail) reset() {
	t.mu.Lock()
	t.buf, t.crash = t.buf[:0], nil
	t.mu.Unlock()
}
