package local

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"maps"
	"math"
	"os"
	"path"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crunchgo/crunchgo/internal/gcpace"
	"github.com/crunchgo/crunchgo/internal/hugepages"
	"github.com/crunchgo/crunchgo/internal/progress"
	"github.com/crunchgo/crunchgo/internal/textcut"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/internal/kernel"
	"github.com/crunchgo/crunchgo/runner/internal/shuffle"
	"github.com/crunchgo/crunchgo/storage"
)

// WorkerEnv is the environment variable that marks a process as a worker of
// the local runner. The driver sets it when it starts one.
const WorkerEnv = "CRUNCHGO_WORKER"

// WorkerArg is the argument the driver passes to the re-executed binary. A
// CLI may register it as a hidden command that calls WorkerMain; IsWorker
// does not depend on it.
const WorkerArg = "__crunchgo_worker"

// KillEnv is the fault-injection hook for tests: a worker whose task matches
// it SIGKILLs itself after a number of records. Its value is a comma
// separated list of stage=N, role=map|reduce, task=N, attempt=N|* and
// after=N (records written to shuffles, intermediates and collections by
// map tasks, values read by reduce tasks).
const KillEnv = "CRUNCHGO_TEST_KILL"

// CPUProfileEnv names a directory: a worker started with it set writes a
// CPU profile of its whole life to <dir>/worker-<pid>.pprof, for profiling
// the per-record path (the driver does little of the work).
const CPUProfileEnv = "CRUNCHGO_WORKER_CPUPROFILE"

// HugePagesEnv set to "off" keeps a worker from advising its heap for
// transparent huge pages (see preparedHeap).
const HugePagesEnv = "CRUNCHGO_WORKER_HUGEPAGES"

// IsWorker reports whether this process was started by the local runner as
// a worker.
func IsWorker() bool { return os.Getenv(WorkerEnv) != "" }

// WorkerMain serves tasks and exits if this process is a worker; otherwise
// it returns at once. Call it first thing in main (cli.Main does), or in
// TestMain through crunchtest.Main, so that the binary can be a worker.
func WorkerMain() {
	if IsWorker() {
		os.Exit(ServeWorker())
	}
}

// ServeWorker serves tasks on the control pipes the driver gave this process
// until the driver tells it to quit, or dies (then, once this process is
// adopted, it cleans up after the run), and returns the process exit code.
func ServeWorker() int {
	in, out := os.NewFile(3, "crunchgo-control-in"), os.NewFile(4, "crunchgo-control-out")
	if in == nil || out == nil {
		fmt.Fprintln(os.Stderr, "crunchgo worker: no control pipes (a worker is started by the local runner)")
		return 2
	}
	driverPid := os.Getppid()
	go watchParent(driverPid)
	watchBrokenOutput(driverPid)
	if dir := os.Getenv(CPUProfileEnv); dir != "" {
		if stop, err := startCPUProfile(dir); err != nil {
			fmt.Fprintf(os.Stderr, "crunchgo worker: %s: %v\n", CPUProfileEnv, err)
		} else {
			defer stop()
		}
	}
	err := serve(bufio.NewReader(in), out)
	if errors.Is(err, errDriverGone) {
		orphaned(driverPid)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "crunchgo worker: %v\n", err)
		return 1
	}
	return 0
}

// startCPUProfile starts a CPU profile written to dir/worker-<pid>.pprof
// and returns the function that stops and writes it.
func startCPUProfile(dir string) (stop func(), err error) {
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("worker-%d.pprof", os.Getpid())))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// orphanSweeps is the run directory a worker sweeps if its driver dies
// (hello.RunDir).
var orphanSweeps atomic.Pointer[string]

// errDriverGone is a failure of the control pipes once the worker runs:
// the driver died (one that ends a run says so first, taskMsg.Quit).
var errDriverGone = errors.New("the driver is gone")

// orphaned cleans up after the run of a driver that died (sweepRunDir),
// unless another worker does, and reports whether the driver died. It
// first waits, a few seconds at most, for this process to be adopted: the
// dead driver's pipes may read closed before the kernel has dropped its
// lock on the run directory, but it has by the time its children get a
// new parent.
func orphaned(driverPid int) bool {
	for deadline := time.Now().Add(5 * time.Second); os.Getppid() == driverPid; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	if dir := orphanSweeps.Load(); dir != nil {
		sweepOrphaned(*dir)
	}
	return true
}

// orphanSweep lets one goroutine of the process sweep at a time: the
// control pipe, SIGPIPE and the new parent each tell of the driver's death,
// and the process exits once one of them returns from orphaned. A second
// sweeper that found the lock taken by the first used to return at once,
// and the process exited in the middle of the first's sweep.
var orphanSweep sync.Mutex

// sweepOrphaned sweeps dir, again and again for a second at most until it
// is gone: a task of this process still runs, and a file it creates while
// the directory is removed makes the removal fail. (So does the sweep of
// another worker of the run, which holds the lock meanwhile.)
func sweepOrphaned(dir string) {
	orphanSweep.Lock()
	defer orphanSweep.Unlock()
	for i := 0; ; i++ {
		sweepRunDir(dir)
		if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) || i == 20 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// watchParent exits the worker when the driver dies without closing its
// pipes (a SIGKILLed driver): the worker is then adopted by another
// process. It first cleans up after the run.
func watchParent(driverPid int) {
	for range time.Tick(time.Second) {
		if os.Getppid() != driverPid {
			orphaned(driverPid)
			os.Exit(3)
		}
	}
}

func serve(in io.Reader, out io.Writer) error {
	var h hello
	if err := readMsg(in, &h); err != nil {
		return fmt.Errorf("reading hello: %w", err)
	}
	if h.RunDir != "" {
		orphanSweeps.Store(&h.RunDir)
	}
	w, err := newWorker(context.Background(), h)
	reply := helloReply{Pid: os.Getpid()}
	if err != nil {
		reply.Err = err.Error()
	}
	if werr := writeMsg(out, reply); werr != nil || err != nil {
		return errors.Join(err, werr)
	}
	for {
		var t taskMsg
		if err := readMsg(in, &t); err != nil {
			return fmt.Errorf("%w: reading a task: %w", errDriverGone, err)
		}
		if t.Quit {
			return nil
		}
		// Heartbeats carry the task's counts as of its first record since
		// the last one. The driver kills a task that sends none for its
		// timeout: one stuck in a user function, or a stopped process.
		w.live.store(kernel.Stats{}) // not the last task's
		stop := progress.Watch(h.Beat, func() error {
			return writeMsg(out, &resultMsg{Beat: true, Stats: w.live.load()})
		})
		res := w.run(context.Background(), &t)
		if err := stop(); err != nil {
			return fmt.Errorf("%w: writing a heartbeat: %w", errDriverGone, err)
		}
		if err := writeMsg(out, res); err != nil {
			return fmt.Errorf("%w: writing a result: %w", errDriverGone, err)
		}
	}
}

// worker executes tasks of one pipeline, rebuilt once per process.
type worker struct {
	sg     *plan.StageGraph
	memory int64
	// sourceSizes are the sources' sizes as the driver measured them.
	sourceSizes map[plan.NodeID]int64
	kill        *killSpec
	sides       sideCache
	live        liveStats // the running task's counts, for its heartbeats
}

// liveStats is a copy of a running task's counts that another goroutine
// may read.
type liveStats struct{ in, groups, shuffled, out atomic.Int64 }

func (l *liveStats) store(s kernel.Stats) {
	l.in.Store(s.RecordsIn)
	l.groups.Store(s.Groups)
	l.shuffled.Store(s.Shuffled)
	l.out.Store(s.RecordsOut)
}

func (l *liveStats) load() kernel.Stats {
	return kernel.Stats{RecordsIn: l.in.Load(), Groups: l.groups.Load(), Shuffled: l.shuffled.Load(), RecordsOut: l.out.Load()}
}

func newWorker(ctx context.Context, h hello) (*worker, error) {
	p, err := runner.BuildPipeline(h.Recipe)
	if err != nil {
		return nil, fmt.Errorf("rebuilding the pipeline: %w", err)
	}
	return newWorkerFor(ctx, p, h)
}

func newWorkerFor(ctx context.Context, p *pcollection.Pipeline, h hello) (*worker, error) {
	if fp := p.Graph().Fingerprint(); fp != h.Fingerprint {
		return nil, fmt.Errorf("the worker built a different plan than the driver (fingerprint %s, driver %s): job %q must build the same pipeline from the same arguments in every process; does it depend on the clock, randomness, the environment or map iteration order?", fp, h.Fingerprint, h.Recipe.Job)
	}
	sg, err := plan.Optimize(ctx, p.Graph(), h.Plan)
	if err != nil {
		return nil, err
	}
	if fp := sg.Fingerprint(); fp != h.PlanFingerprint {
		return nil, fmt.Errorf("the worker planned the pipeline differently from the driver (plan fingerprint %s, driver %s): running its tasks would give wrong output", fp, h.PlanFingerprint)
	}
	kill, err := parseKill(os.Getenv(KillEnv))
	if err != nil {
		return nil, err
	}
	// A soft limit makes the GC work harder rather than let the heap grow to
	// twice the live data; buffers are sized to half of it. It leaves 16 MiB
	// above twice the sort buffer: with a share of 8 or 16 MiB, a limit of
	// the share (at least 16 MiB) sat just above the live heap and the
	// collector ran all the time. daily-plays at 1M events, 2 workers,
	// medians of 3: --memory 16MiB took 0.54 s against 1.05, 32MiB 0.56
	// against 1.10, 64MiB 0.62 against 0.75, 1MiB and 1GiB the same; the
	// peak RSS of the driver and workers went from 93 to 102 MiB (16MiB)
	// and 110 to 135 MiB (64MiB).
	if os.Getenv(HugePagesEnv) != "off" && heapLimit(h.Memory) >= 2*preparedHeap {
		// Best effort: without the advice the worker runs as before.
		_ = hugepages.PrepareHeap(preparedHeap)
	}
	gcpace.WarmUp(warmHeap, heapLimit(h.Memory))
	return &worker{sg: sg, memory: h.Memory, sourceSizes: h.Plan.SourceSizes, kill: kill}, nil
}

// heapLimit is the Go runtime's soft memory limit of a worker whose share
// of the budget is memory (0: none).
func heapLimit(memory int64) int64 {
	if memory <= 0 {
		return math.MaxInt64
	}
	sortLimit, _ := sizes(memory)
	return max(memory, 16<<20+2*sortLimit)
}

// sideFits refuses a side input whose files alone (size bytes, form says
// how they hold it) take more than half of the worker's memory budget:
// decoded, it would take more still, on top of the shuffle's buffers, and
// the task would thrash or be killed rather than fail with a reason.
func (w *worker) sideFits(node plan.NodeID, size int64, form string) error {
	if w.memory <= 0 || size <= w.memory/2 {
		return nil
	}
	return plan.Permanent(fmt.Errorf("side input %s is %s %s, more than half of a worker's memory budget (%s): give the job more memory (--memory), or, if it is the small side of a map-side join, join on the reduce side",
		w.sg.Graph.Node(node).Label(), runner.FormatSize(size), form, runner.FormatSize(w.memory)))
}

// sourceSideFits is sideFits for a side input that is a source, by its
// size as the driver measured it (unknown: it is not checked).
func (w *worker) sourceSideFits(node plan.NodeID) error {
	size, ok := w.sourceSizes[node]
	if !ok || size < 0 {
		return nil
	}
	return w.sideFits(node, size, "by its source's estimate")
}

// filesSize is the size of the local files that exist among files.
func filesSize(files []string) int64 {
	var size int64
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			size += fi.Size()
		}
	}
	return size
}

// sideFiles names what each side input of task t is read from, for the
// side input cache: an intermediate's files, or a source's splits.
func sideFiles(t *taskMsg) map[plan.NodeID][]string {
	if len(t.SourceSides) == 0 {
		return t.Sides
	}
	files := maps.Clone(t.Sides)
	if files == nil {
		files = map[plan.NodeID][]string{}
	}
	for id, splits := range t.SourceSides {
		for _, s := range splits {
			files[id] = append(files[id], fmt.Sprintf("%s@%d+%d#%d/%d", s.Path, s.Offset, s.Length, s.Index, s.Count))
		}
	}
	return files
}

// maxSortBuffer and maxMergeBuffers cap a task's shuffle buffers whatever
// the budget, so that a worker's memory stays flat as its input grows
// instead of filling the budget: a map task spills a run whenever it has
// buffered maxSortBuffer, and a reduce task shares maxMergeBuffers among
// the runs it merges. On daily-plays, 16 MiB instead of 64 MiB took the
// job's peak RSS at 1M, 10M and 30M events from about 165, 305 and 400 MiB
// to 175, 173 and 181 MiB; wall time stayed the same at 1M and 10M (within
// the noise of alternating runs) and grew 4% at 30M, where the reducers
// merge eight times as many runs.
const (
	maxSortBuffer   = 16 << 20
	maxMergeBuffers = 16 << 20
)

// warmHeap is how large a worker lets its heap grow before its first
// collection (gcpace.WarmUp). A worker's first map task grows sort buffers
// that it keeps for later tasks; collecting at 4, 8 and 16 MiB on the way
// only traces them again. On daily-plays at 1M events a warm-up to 48 MiB
// took 352 against 367 ms with none, peak RSS unchanged. Since workers run
// with one P each (workerProcs), 32 MiB is as fast (1M: 314 against 312 ms,
// 10M: 2.58 against 2.61 s, medians of 12 and 6 alternating runs) and
// lowers the peak at 10M (166.5 against 179 MiB), probably because an
// earlier first collection sets a lower goal for the ones after it. Ending
// the warm-up when the first task ends helped word count, whose tasks keep
// little of the 40 MB they allocate (one worker: 69.7 against 73.7 ms,
// medians of 6 alternating runs), but cost daily-plays' 1k-event day 4 to
// 6 ms (38 against 34 ms, 24 runs), nearly all in the collections it let
// happen (perf: about 6 ms of collector work a run, against none); it was
// dropped.
const warmHeap = 2 * maxSortBuffer

// preparedHeap is how much heap a worker maps and advises for transparent
// huge pages before its first task (hugepages.PrepareHeap). Where the
// system leaves huge pages to programs that ask (mode "madvise") and page
// faults are dear, as on the Firecracker VMs crunchgo is developed on (13
// µs per 4 KiB page touched first), faulting in a fresh heap is a worker's
// largest fixed cost. On daily-plays, 2 workers, a quiet machine, medians
// of alternating runs with and without: at 1M events (9 runs) page faults
// fell from 26.3k to 6.6k and wall time from 650 to 480 ms, at 10M (5) from
// 3.36 to 3.11 s, a 1k-event day (7) from 150 to 130 ms. Preparing 32 MiB
// instead left twice the faults (the heap grows to about 60 MiB); a
// worker's peak RSS went from 73 to 74–80 MiB. A worker whose heap limit
// is under twice this prepares nothing: its budget is tight, and huge
// pages round what it holds up to 2 MiB (preparing 24 MiB added 0.5 MiB to
// the memory-bound tests' peaks).
const preparedHeap = 2 * warmHeap

// sizes derives the worker's buffers from its budget: half (at most
// maxSortBuffer) for the sort buffer, or half (at most maxMergeBuffers) for
// the merge buffers; the rest is for decoded records, user functions and the
// runtime.
func sizes(memory int64) (sortLimit int64, merge shuffle.MergeConfig) {
	half := max(16<<10, memory/2)
	buf := int(max(4<<10, min(256<<10, half/64)))
	fan := int(max(2, min(256, half/int64(buf))))
	return min(half, maxSortBuffer), shuffle.MergeConfig{FanIn: fan, BufSize: buf, Memory: min(half, maxMergeBuffers)}
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n *int64
}

func (c countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	*c.n += int64(n)
	return n, err
}

// frameFile writes length-prefixed records to a local file.
type frameFile struct {
	f       *os.File
	w       *bufio.Writer
	buf     []byte
	records int64
}

func (ff *frameFile) write(rec []byte, n *int64) {
	ff.buf = shuffle.AppendFrame(ff.buf[:0], rec)
	ff.w.Write(ff.buf)
	*n += int64(len(ff.buf))
	ff.records++
}

func (ff *frameFile) close() error { return errors.Join(ff.w.Flush(), ff.f.Close()) }

func (w *worker) run(ctx context.Context, t *taskMsg) *resultMsg {
	res := &resultMsg{}
	if err := w.task(ctx, t, res); err != nil {
		res.Err = runner.ToWire(err)
		// An error quoting a huge record must not make the result larger
		// than the driver reads (maxMessage).
		for _, f := range []*string{&res.Err.Msg, &res.Err.Inner, &res.Err.Panic, &res.Err.Stack} {
			if len(*f) > maxErrorField {
				keep := textcut.Prefix(*f, maxErrorField)
				*f = keep + fmt.Sprintf("... (%d bytes cut)", len(*f)-len(keep))
			}
		}
	}
	res.PeakRSS = peakRSS()
	return res
}

func (w *worker) task(ctx context.Context, t *taskMsg, res *resultMsg) (err error) {
	if t.Info.Stage < 0 || t.Info.Stage >= len(w.sg.Stages) {
		return fmt.Errorf("no stage %d in the plan", t.Info.Stage)
	}
	st := w.sg.Stages[t.Info.Stage]
	var ph *plan.Phase
	switch {
	case t.Info.Role == "map" && t.Input >= 0 && t.Input < len(st.Inputs):
		ph = st.Inputs[t.Input].Phase
	case t.Info.Role == "reduce" && t.Channel >= 0 && t.Channel < len(st.Channels):
		ph = st.Channels[t.Channel].Reduce
	default:
		return fmt.Errorf("no %s phase %d/%d in stage %d", t.Info.Role, t.Input, t.Channel, st.ID)
	}
	if err := os.MkdirAll(t.Dir, 0o700); err != nil {
		return err
	}
	w.sides.begin(sideFiles(t))
	for id := range t.SourceSides {
		if err := w.sourceSideFits(id); err != nil {
			return err
		}
	}
	sortLimit, mergeCfg := sizes(w.memory)
	mergeCfg.TmpDir = t.Dir

	// Outputs.
	slotBase := make([]int, len(t.Parts)+1)
	for i, n := range t.Parts {
		slotBase[i+1] = slotBase[i] + n
	}
	partition := make([]func([]byte, int) int, len(st.Channels))
	for i, ch := range st.Channels {
		partition[i] = runner.PartitionFunc(w.sg.Graph, ch)
	}
	var sorter *shuffle.Sorter
	if ph.Kind == plan.MapPhase && len(st.Channels) > 0 {
		sorter = shuffle.NewSorter(t.Dir, "run", slotBase[len(t.Parts)], sortLimit)
		defer func() {
			if err != nil {
				sorter.Abort()
			}
		}()
	}
	// Files are looked up per record, by node in a map per kind: hashing a
	// node ID costs less than a (kind, node) key with its string.
	interFiles, collectFiles := map[plan.NodeID]*frameFile{}, map[plan.NodeID]*frameFile{}
	defer func() {
		for _, ff := range interFiles {
			_ = ff.f.Close()
		}
		for _, ff := range collectFiles {
			_ = ff.f.Close()
		}
	}()
	// open returns the file of kind ("inter" or "collect") for node's records,
	// creating it and listing it in into at the node's first record.
	open := func(byNode map[plan.NodeID]*frameFile, kind string, node plan.NodeID, into *map[plan.NodeID]string) *frameFile {
		if ff := byNode[node]; ff != nil {
			return ff
		}
		path := filepath.Join(t.Dir, fmt.Sprintf("%s-%d", kind, node))
		f, err := os.Create(path)
		if err != nil {
			plan.Raise(err)
		}
		ff := &frameFile{f: f, w: bufio.NewWriterSize(f, 64<<10)}
		byNode[node] = ff
		if *into == nil {
			*into = map[plan.NodeID]string{}
		}
		(*into)[node] = path
		return ff
	}
	kill := w.kill.match(t.Info)
	tick := func() {}
	if kill != nil {
		n := 0
		tick = func() {
			if n++; n > kill.after {
				killSelf()
			}
		}
	}
	var sinkWriters []storage.Writer
	defer func() {
		if err != nil {
			for _, sw := range sinkWriters {
				_ = sw.Abort()
			}
		}
	}()
	tc := runner.NewTask(t.Info)
	out := kernel.Outputs{
		// A quarter of the share: the sort buffer takes half, and the heap
		// limit leaves room above it (heapLimit).
		CombineBytes: w.memory / 4,
		Shuffle: func(ch int, key, value []byte) {
			tick()
			res.BytesOut += int64(len(key) + len(value))
			if err := sorter.Add(slotBase[ch]+partition[ch](key, t.Parts[ch]), key, value); err != nil {
				plan.Raise(err)
			}
		},
		Intermediate: func(node plan.NodeID, rec []byte) {
			tick()
			open(interFiles, "inter", node, &res.Inter).write(rec, &res.BytesOut)
		},
		Collect: func(node plan.NodeID, rec []byte) {
			tick()
			open(collectFiles, "collect", node, &res.Collect).write(rec, &res.BytesOut)
		},
		ReadSide: func(node plan.NodeID, fn func([]byte) error) error {
			files, ok := t.Sides[node]
			want, counted := t.SideRecords[node]
			if !ok || !counted {
				return fmt.Errorf("no files or record count given for side input %s", w.sg.Graph.Node(node).Label())
			}
			if err := w.sideFits(node, filesSize(files), "encoded"); err != nil {
				return err
			}
			var read int64
			for _, f := range files {
				if err := readFrames(f, &res.BytesIn, func(rec []byte) error { read++; return fn(rec) }); err != nil {
					return fmt.Errorf("side input %s: %w", f, err)
				}
			}
			if read != want {
				return fmt.Errorf("side input %s: read %d records from %s, its writers wrote %d", w.sg.Graph.Node(node).Label(), read, strings.Join(files, ", "), want)
			}
			return nil
		},
		// The driver sends each side input's record count, as the tasks
		// that wrote it counted, with its files.
		SideLen: func(node plan.NodeID) (int, error) {
			n, ok := t.SideRecords[node]
			if !ok {
				return 0, fmt.Errorf("no record count given for side input %s", w.sg.Graph.Node(node).Label())
			}
			return int(n), nil
		},
		SourceSides: t.SourceSides,
		SideCache:   &w.sides,
		OpenSink: func(node plan.NodeID, dir string, seq int) (io.Writer, func() error, error) {
			url, ok := t.Sinks[node]
			if !ok {
				return nil, nil, fmt.Errorf("no output file assigned for %s", w.sg.Graph.Node(node).Label())
			}
			if dir != "" || seq > 0 {
				// The driver assigns the task's file; a partition's goes
				// in a subdirectory of the task's directory.
				url = storage.Join(storage.Dir(url), runner.PartPath(path.Base(url), dir, seq))
			}
			sw, err := storage.Create(ctx, url)
			if err != nil {
				return nil, nil, err
			}
			sinkWriters = append(sinkWriters, sw)
			done := func() error {
				sinkWriters = slices.DeleteFunc(sinkWriters, func(o storage.Writer) bool { return o == sw })
				return sw.Close()
			}
			return countingWriter{sw, &res.BytesOut}, done, nil
		},
	}
	k, err := kernel.Build(ctx, w.sg, st, ph, tc, out)
	if err != nil {
		return err
	}
	defer k.Teardown()
	// The heartbeats carry the task's counts so far: the task's goroutine
	// copies them at its first record after each heartbeat.
	progress.OnMoved(func() { w.live.store(k.Stats) })
	defer progress.OnMoved(nil)

	switch {
	case ph.Kind == plan.ReducePhase:
		m, err := shuffle.Merge(t.Segments, mergeCfg)
		if err != nil {
			return err
		}
		defer m.Close()
		res.BytesIn, res.Passes = m.BytesRead, m.Passes
		group := k.Group
		if kill != nil {
			var cur iter.Seq[[]byte]
			ticked := func(yield func([]byte) bool) {
				for v := range cur {
					tick()
					if !yield(v) {
						return
					}
				}
			}
			group = func(key []byte, values iter.Seq[[]byte]) error {
				cur = values
				return k.Group(key, ticked)
			}
		}
		err = m.GroupsBy(runner.GroupPrefix(w.sg.Graph, st.Channels[t.Channel]), group)
		if err != nil {
			return err
		}
	case t.Splits != nil:
		for _, split := range t.Splits {
			res.BytesIn += split.Length
			if err := k.ReadSource(split); err != nil {
				return err
			}
		}
	default:
		for i, path := range t.Files {
			before := k.Stats.RecordsIn
			if err := readFrames(path, &res.BytesIn, k.Record); err != nil {
				return err
			}
			if read := k.Stats.RecordsIn - before; i < len(t.FileRecords) && read != t.FileRecords[i] {
				return fmt.Errorf("intermediate %s: read %d records, its writer wrote %d", path, read, t.FileRecords[i])
			}
		}
	}
	if err := k.Finish(); err != nil {
		return err
	}
	for _, sw := range sinkWriters {
		if err := sw.Close(); err != nil {
			return err
		}
	}
	sinkWriters = nil
	for node, ff := range interFiles {
		if err := ff.close(); err != nil {
			return err
		}
		delete(interFiles, node)
		if res.InterRecords == nil {
			res.InterRecords = map[plan.NodeID]int64{}
		}
		res.InterRecords[node] = ff.records
	}
	for node, ff := range collectFiles {
		if err := ff.close(); err != nil {
			return err
		}
		delete(collectFiles, node)
	}
	if sorter != nil {
		if res.Runs, err = sorter.Finish(); err != nil {
			return err
		}
		res.Spills = len(res.Runs)
	}
	res.Stats = k.Stats
	res.Counters = tc.Counters()
	return ctx.Err()
}

// maxErrorField caps each text of a task's error sent to the driver.
const maxErrorField = 64 << 10

// readFrames feeds every record of a framed file to fn.
func readFrames(path string, n *int64, fn func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		*n += fi.Size()
	}
	return shuffle.NewReader(bufio.NewReaderSize(f, 64<<10), filepath.Base(path)).Frames(fn)
}

// peakRSS reads the process's peak resident set size from /proc, or 0 where
// there is none.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

type killSpec struct {
	stage, task, attempt int // attempt -1: any
	role                 string
	after                int
}

func parseKill(s string) (*killSpec, error) {
	if s == "" {
		return nil, nil
	}
	k := &killSpec{attempt: -1}
	for kv := range strings.SplitSeq(s, ",") {
		key, val, _ := strings.Cut(strings.TrimSpace(kv), "=")
		var err error
		switch key {
		case "stage":
			k.stage, err = strconv.Atoi(val)
		case "task":
			k.task, err = strconv.Atoi(val)
		case "attempt":
			if val != "*" {
				k.attempt, err = strconv.Atoi(val)
			}
		case "after":
			k.after, err = strconv.Atoi(val)
		case "role":
			k.role = val
		default:
			err = fmt.Errorf("unknown key %q", key)
		}
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", KillEnv, s, err)
		}
	}
	return k, nil
}

func (k *killSpec) match(info plan.TaskInfo) *killSpec {
	if k == nil || k.stage != info.Stage || k.role != info.Role || k.task != info.Task || (k.attempt >= 0 && k.attempt != info.Attempt) {
		return nil
	}
	return k
}
