package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/internal/kernel"
	"github.com/crunchgo/crunchgo/storage"
)

// Runner runs pipelines on worker processes on this machine.
type Runner struct{}

// Run runs p. See the package documentation.
func (Runner) Run(ctx context.Context, p *pcollection.Pipeline, opts runner.Options) (*runner.Result, error) {
	return Run(ctx, p, opts)
}

// CounterGroup is the group of the runner's own counters.
const CounterGroup = "crunchgo.local"

// MaxAttempts is how many times a task is tried before the job fails.
const MaxAttempts = 3

// BytesPerSplit is the source input per map task the runner asks sources
// for; every source gets at least MinSplits splits. Splits that come back
// smaller than PackBytes (and than the source's share of a task) share map
// tasks, up to that size a task (runner.PackSplits). None of these depends
// on the worker count, so neither do the outputs.
//
// Ten thousand files of 500 bytes each, one task each, took word count
// 11.2 s here (7.2-13.9 s), against 0.49 s on the in-memory runner; packed,
// 0.33 s (medians of 7 alternating runs). PackBytes is small enough that a
// task of it still takes far longer to run than to schedule.
const (
	BytesPerSplit = 64 << 20
	MinSplits     = 4
	PackBytes     = 4 << 20
)

// MinWorkerMemory is the least share of the memory budget a worker may
// get. The shuffle's buffers do not shrink below a few KiB whatever the
// share, so a smaller one would not be honoured (and one that rounded down
// to nothing used to mean no limit at all).
const MinWorkerMemory = 4 << 10

// ErrInWorker is returned by Run in a process started as a worker: one
// whose main (or TestMain) does not call WorkerMain first, and so runs the
// pipeline again instead of serving tasks.
var ErrInWorker = errors.New("local: this process was started as a worker of the local runner (" + WorkerEnv + " is set) but runs a pipeline instead of serving tasks: call local.WorkerMain first in main (cli.Main does), or crunchtest.Main in a test binary's TestMain")

// ErrNoRecipe is returned for a pipeline that was not built by a registered job.
var ErrNoRecipe = errors.New("the local runner re-executes this binary and rebuilds the pipeline in each worker, so the pipeline must come from a registered job: build it with runner.Register(...).Build(args) (or run it with the in-memory runner)")

// TaskError is the failure of a task that failed every attempt.
type TaskError struct {
	Stage    int
	Role     string // "map" or "reduce"
	Task     int    // map task index or reduce partition
	Channel  int    // reduce: the channel
	Attempts int
	Err      error  // the last attempt's error
	Stderr   string // the last lines the worker wrote, if any
}

func (e *TaskError) Error() string {
	what := fmt.Sprintf("%s task %d", e.Role, e.Task)
	if e.Role == "reduce" {
		what = fmt.Sprintf("reduce task %d of channel %d", e.Task, e.Channel)
	}
	msg := fmt.Sprintf("stage %d: %s failed: %v", e.Stage, what, e.Err)
	if e.Attempts > 1 {
		msg = fmt.Sprintf("stage %d: %s failed %d times, last: %v", e.Stage, what, e.Attempts, e.Err)
	}
	if e.Stderr != "" {
		msg += "\nlast lines of the worker's output:\n" + e.Stderr
	}
	return msg
}

func (e *TaskError) Unwrap() error { return e.Err }

// observePeakRSS, when set (by tests), receives every worker's peak RSS.
var observePeakRSS func(int64)

// observeWorkerStart, when set (by tests), is called for every worker
// process started.
var observeWorkerStart func()

// failWorkerStart, when set (by tests), makes starting slot i's worker
// fail as if no process could be made, with the error it returns.
var failWorkerStart func(slot int) error

// observeTask, when set (by tests), sees every task attempt sent to a
// worker.
var observeTask func(taskMsg)

// beatInterval is how often a task that makes progress sends a heartbeat
// under timeout (0: none): often enough that a late one or two do not
// time it out, and no more than every 5 s, which is also the interval
// with no timeout, when heartbeats only carry the task's counts so far.
func beatInterval(timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return 5 * time.Second
	}
	return max(min(timeout/10, 5*time.Second), time.Millisecond)
}

// CheckBudget fills in opts' default Workers (the number of CPUs) and
// Memory (runner.DefaultMemory), and fails when the budget gives a worker
// less than MinWorkerMemory: the CLI checks it with the other flags.
func CheckBudget(opts *runner.Options) error {
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.Memory <= 0 {
		opts.Memory = runner.DefaultMemory
	}
	if share := opts.Memory / int64(opts.Workers); share < MinWorkerMemory {
		return fmt.Errorf("a memory budget of %s gives each of %d workers %s, less than the %s a worker needs: raise the budget (--memory) or use fewer workers (--workers)",
			runner.FormatSize(opts.Memory), opts.Workers, runner.FormatSize(share), runner.FormatSize(MinWorkerMemory))
	}
	return nil
}

// CheckTmpDir makes opts.TmpDir a path on this machine (a file:// URL is
// taken as its path) and fails for a directory elsewhere (hdfs://...): a
// run's scratch files are local. The CLI checks it with the other flags.
func CheckTmpDir(opts *runner.Options) error {
	if opts.TmpDir == "" {
		return nil
	}
	p, ok := storage.LocalPath(opts.TmpDir)
	if !ok {
		return fmt.Errorf("%s is not on this machine: the local runner's scratch directory is a local one", opts.TmpDir)
	}
	opts.TmpDir = p
	return nil
}

// Run runs p with opts on Workers worker processes (default: the number of
// CPUs) sharing Memory (default 1 GiB).
func Run(ctx context.Context, p *pcollection.Pipeline, opts runner.Options) (*runner.Result, error) {
	if IsWorker() {
		// Starting workers from a worker would start workers without end.
		return nil, ErrInWorker
	}
	start := time.Now()
	r := p.Recipe()
	if r == nil {
		return nil, fmt.Errorf("pipeline %q: %w", p.Name(), ErrNoRecipe)
	}
	if err := CheckBudget(&opts); err != nil {
		return nil, err
	}
	if err := CheckTmpDir(&opts); err != nil {
		return nil, err
	}
	g := p.Graph()
	runner.ResetMaterialized(g)
	if err := plan.Validate(g); err != nil {
		return nil, err
	}
	if err := tmpOutsideInputs(g, opts.TmpDir); err != nil {
		return nil, err
	}
	if opts.Plan.SourceSizes == nil {
		// Workers plan the graph again: with the driver's sizes, as it did.
		opts.Plan.SourceSizes = plan.MeasureSources(ctx, g)
	}
	sg, err := plan.Optimize(ctx, g, opts.Plan)
	if err != nil {
		return nil, err
	}
	// Runs killed outright left their directories, and their temporary
	// files in their outputs, perhaps in this run's outputs. A sweep stuck
	// on a dead run's unreachable output goes on in the background.
	sweepRunDirs(opts.TmpDir, 2*time.Second)
	dir, err := newRunDir(opts.TmpDir)
	if err != nil {
		return nil, fmt.Errorf("creating the run's temporary directory: %w", err)
	}
	timeout := opts.EffectiveTaskTimeout()
	e := &driver{ctx: ctx, start: start, opts: opts, sg: sg, dir: dir, run: runner.NewRunID(), counters: runner.Counters{},
		timeout: timeout,
		hello: hello{Recipe: *r, Fingerprint: g.Fingerprint(), Plan: opts.Plan, PlanFingerprint: sg.Fingerprint(), Memory: opts.Memory / int64(opts.Workers),
			Beat: beatInterval(timeout), RunDir: dir.path},
		slots: make([]*proc, opts.Workers), starting: make([]chan started, opts.Workers), procs: workerProcs(opts.Workers)}
	e.prestart(min(opts.Workers, runtime.GOMAXPROCS(0)))
	res, err := e.execute()
	failed := err != nil
	if failed {
		e.stopWorkers(true)
		e.committers.AbortJob()
	}
	// After a success the workers have no task left and were released:
	// they exit (a few milliseconds of tearing down memory) while the
	// run's directory is removed, and are reaped after.
	rerr := dir.remove()
	if !failed {
		e.stopWorkers(false)
	}
	if res != nil {
		res.Wall = time.Since(start)
	}
	if err != nil {
		return res, err
	}
	if rerr != nil {
		// The outputs are committed, so the run has succeeded.
		res.Warnings = append(res.Warnings, fmt.Sprintf("could not remove the run's temporary directory: %v", rerr))
	}
	return res, nil
}

type driver struct {
	ctx        context.Context
	start      time.Time // of the run
	opts       runner.Options
	sg         *plan.StageGraph
	dir        *runDir // the run's private directory
	run        string  // the run's ID
	hello      hello
	committers runner.Sinks
	counters   runner.Counters

	procs   int           // each worker's GOMAXPROCS
	timeout time.Duration // the task timeout; 0: none

	mu    sync.Mutex
	slots []*proc // one per worker slot; nil until started or after a failure
	// starting holds, for a slot whose worker prestart is starting, where
	// that start's outcome arrives; nil once taken.
	starting []chan started
	// cancelStarts ends the starts prestart began: once the run is over, a
	// worker still rebuilding the pipeline (which may hang, and with the
	// task timeout off nothing else stops it) is not waited for.
	cancelStarts context.CancelFunc
}

// started is the outcome of starting a worker.
type started struct {
	p   *proc
	err error
}

// prestart starts the workers of the first n slots (those the schedule
// fills first) while the driver opens the sinks and splits the inputs: a
// worker takes several milliseconds to start (exec, the runtime's and the
// packages' initialisation, rebuilding the pipeline), which then overlap.
// Only as many as there are CPUs, so that a job with fewer tasks than
// workers does not start idle ones that compete for them.
func (e *driver) prestart(n int) {
	ctx, cancel := context.WithCancel(e.ctx)
	e.cancelStarts = cancel
	for i := range n {
		ch := make(chan started, 1)
		e.starting[i] = ch
		go func() {
			p, err := startProc(ctx, e.hello, e.procs, e.timeout)
			ch <- started{p, err}
		}()
	}
}

// worker returns slot i's worker, waiting for a start prestart began, or
// starting one.
func (e *driver) worker(ctx context.Context, i int) (*proc, error) {
	e.mu.Lock()
	p, ch := e.slots[i], e.starting[i]
	e.starting[i] = nil
	e.mu.Unlock()
	if p != nil {
		return p, nil
	}
	var err error
	if failWorkerStart != nil {
		if err := failWorkerStart(i); err != nil {
			if ch != nil {
				if s := <-ch; s.p != nil {
					s.p.kill()
				}
			}
			return nil, &noProcessError{err}
		}
	}
	if ch != nil {
		s := <-ch
		p, err = s.p, s.err
	} else {
		p, err = startProc(ctx, e.hello, e.procs, e.timeout)
	}
	if err != nil {
		return nil, err
	}
	if observeWorkerStart != nil {
		observeWorkerStart()
	}
	e.mu.Lock()
	e.slots[i] = p
	e.mu.Unlock()
	return p, nil
}

// workerProcs is the GOMAXPROCS of each of n workers: the driver's, shared
// out. A worker runs one task at a time on one goroutine, so extra Ps only
// serve its garbage collector, which then competes for the CPUs with the
// other workers' tasks, and stopping the world waits for threads the kernel
// has descheduled. On daily-plays with two workers on two CPUs, one P each
// took 321.5 against 345.5 ms at 1M events and 2.62 against 2.66 s at 10M
// (medians of 8 alternating runs); each worker's peak RSS stayed the same.
// A lone worker keeps every P: its collector can use the CPUs no task does.
func workerProcs(n int) int {
	return max(1, runtime.GOMAXPROCS(0)/max(1, n))
}

func (e *driver) execute() (*runner.Result, error) {
	g := e.sg.Graph
	sinks, err := runner.OpenSinksRecorded(e.ctx, g, e.opts.WriteMode, e.run, func(ls []runner.Leftover) error {
		return e.dir.save(runState{Outputs: ls})
	})
	if err != nil {
		return nil, err
	}
	e.committers = sinks
	res := &runner.Result{Plan: e.sg, Counters: e.counters}
	sched, err := newSchedule(e)
	if err != nil {
		return res, err
	}
	err = sched.run()
	res.Stages = sched.results()
	if err != nil {
		return res, err
	}
	// No task is left: the workers exit (tearing down their memory takes a
	// few milliseconds) while the job commits.
	e.releaseWorkers()
	for _, n := range g.Nodes() {
		if n.Op != plan.OpMaterialize {
			continue
		}
		var rerr error
		recs := func(yield func([]byte) bool) {
			for _, path := range sched.collected(n.ID) {
				var n int64
				stop := errors.New("stop")
				err := readFrames(path, &n, func(b []byte) error {
					if !yield(b) {
						return stop
					}
					return nil
				})
				if err != nil {
					if err != stop {
						rerr = err
					}
					return
				}
			}
		}
		if err := n.Payload.(plan.MaterializePayload).Deliver(recs); err != nil || rerr != nil {
			return res, fmt.Errorf("%s (%s): %w", n.Label(), n.Caller, errors.Join(rerr, err))
		}
	}
	e.committers.ReportWaits(e.opts.Progress)
	// Committing is recorded once the locks are taken and the moves
	// journalled, not before: a run killed while it waits for another
	// run's commit has moved nothing, and the sweep then removes its
	// temporary files from its outputs.
	committing := func() error { return e.dir.save(runState{Outputs: sinks.Leftovers(), Committing: true}) }
	if err := e.committers.CommitInto(e.ctx, res, committing); err != nil {
		return res, err
	}
	return res, nil
}

// task is one task of a stage and its attempts.
type task struct {
	msg      taskMsg
	ph       *plan.Phase
	unit     *unit
	attempts int
	res      *resultMsg
	running  bool
	live     *kernel.Stats // the running attempt's counts so far, from its heartbeats
}

// inputGroups divides a stage's intermediate input files among map tasks:
// a task per file, except for files of shuffle records (Input.Shuffled),
// which are read together, in order, up to BytesPerSplit a task. Such an
// input's map phase only passes records to its shuffle, so the task count
// shows in no output, and the values of a key keep their order (file order,
// then order within a file). A reducer of the previous stage writes one
// such file per partition: a task each cost more to schedule than to run.
func inputGroups(files []string, shuffled bool) [][]string {
	var groups [][]string
	var size int64
	for _, f := range files {
		n := int64(BytesPerSplit) // unknown: a task of its own
		if fi, err := os.Stat(f); err == nil {
			n = fi.Size()
		}
		if !shuffled || len(groups) == 0 || size+n > BytesPerSplit {
			groups = append(groups, nil)
			size = 0
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], f)
		size += n
	}
	return groups
}

func (e *driver) progress(ev runner.Event) {
	if e.opts.Progress != nil {
		e.opts.Progress(ev)
	}
}

// prepare fills in the attempt-specific fields of t's message.
func (e *driver) prepare(t *task, s *schedule) {
	m := &t.msg
	m.Info.Attempt = t.attempts
	m.Attempt = runner.AttemptID(m.Info)
	if t.ph.Kind == plan.ReducePhase {
		m.Attempt = fmt.Sprintf("%s_c%d", m.Attempt, t.ph.Channel)
	}
	m.Dir = filepath.Join(e.dir.path, fmt.Sprintf("s%d", m.Info.Stage), m.Attempt)
	m.Sides, m.SideRecords, m.SourceSides = nil, nil, nil
	for _, id := range t.ph.Sides {
		if e.sg.Graph.SourceSide(id) {
			if m.SourceSides == nil {
				m.SourceSides = map[plan.NodeID][]plan.Split{}
			}
			m.SourceSides[id] = s.sourceSides[id]
			continue
		}
		if m.Sides == nil {
			m.Sides, m.SideRecords = map[plan.NodeID][]string{}, map[plan.NodeID]int64{}
		}
		w := s.intermediate(id)
		m.Sides[id], m.SideRecords[id] = w.files, w.records
	}
	m.Sinks = nil
	for _, id := range t.ph.Nodes {
		c := e.committers[id]
		if c == nil {
			continue
		}
		if m.Sinks == nil {
			m.Sinks = map[plan.NodeID]string{}
		}
		sink := e.sg.Graph.Node(id).Payload.(plan.SinkPayload)
		m.Sinks[id] = c.TaskFile(m.Attempt, runner.PartName(e.sg, t.ph, id, m.Info.Task, sink.Ext()))
	}
}

type outcome struct {
	t      *task
	slot   int
	res    *resultMsg
	err    error
	stderr string
	// noWorker says that no worker process could be started for the slot
	// (noProcessError): the task never ran.
	noWorker bool
}

// liveWorkers counts the slots that hold a started worker.
func (e *driver) liveWorkers() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, p := range e.slots {
		if p != nil {
			n++
		}
	}
	return n
}

// attempt runs one attempt of t on worker slot i, starting a worker if the
// slot has none, and passes the counts of its heartbeats to onBeat. A
// failed attempt kills its worker, so a retry runs in a fresh process.
func (e *driver) attempt(ctx context.Context, i int, t *task, onBeat func(kernel.Stats)) outcome {
	o := outcome{t: t}
	p, err := e.worker(ctx, i)
	if err != nil {
		o.err, o.noWorker = err, errors.As(err, new(*noProcessError))
		return o
	}
	p.tail.reset()
	if observeTask != nil {
		observeTask(t.msg)
	}
	res, err := p.runTask(ctx, &t.msg, e.timeout, onBeat)
	if err == nil && res.Err != nil {
		err = res.Err.Err()
		o.stderr = p.tail.lines(20)
	}
	if err != nil {
		p.kill()
		e.observe(p)
		e.mu.Lock()
		e.slots[i] = nil
		e.mu.Unlock()
		o.err = err
		return o
	}
	if observePeakRSS != nil {
		observePeakRSS(res.PeakRSS)
	}
	o.res = res
	return o
}

func (e *driver) observe(p *proc) {
	if observePeakRSS != nil {
		observePeakRSS(maxRSS(p.cmd.ProcessState))
	}
}

func (e *driver) commitTask(t *task) error {
	for id := range t.msg.Sinks {
		if err := e.committers[id].CommitTask(e.ctx, t.msg.Attempt); err != nil {
			return err
		}
	}
	return nil
}

func (e *driver) abortTask(t *task) {
	for id := range t.msg.Sinks {
		_ = e.committers[id].AbortTask(context.WithoutCancel(e.ctx), t.msg.Attempt)
	}
	_ = os.RemoveAll(t.msg.Dir)
}

// releaseWorkers closes every worker's input, so that it exits, without
// waiting for it: stopWorkers reaps them.
func (e *driver) releaseWorkers() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range e.slots {
		if p != nil {
			p.release()
		}
	}
}

// stopWorkers ends every worker: at once when the run failed, else by
// closing their input.
func (e *driver) stopWorkers(kill bool) {
	e.cancelStarts()
	e.mu.Lock()
	slots := e.slots
	e.slots = make([]*proc, len(slots))
	// A prestarted worker no task took (the job failed first, or had
	// fewer tasks than slots) is stopped like the others.
	for i, ch := range e.starting {
		if ch != nil {
			if s := <-ch; s.p != nil {
				slots[i] = s.p
			}
			e.starting[i] = nil
		}
	}
	e.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range slots {
		if p == nil {
			continue
		}
		wg.Go(func() {
			if kill {
				p.kill()
			} else {
				p.stop()
			}
			e.observe(p)
		})
	}
	wg.Wait()
}
