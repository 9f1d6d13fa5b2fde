package hadoop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crunchgo/crunchgo/internal/progress"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/internal/kernel"
	"github.com/crunchgo/crunchgo/runner/internal/shuffle"
	"github.com/crunchgo/crunchgo/storage"
)

// TaskCommand is the hidden command of a job binary that runs a task:
//
//	<binary> __crunchgo_hadoop_task <job spec URL> <stage> map|combine|reduce
//
// A CLI registers it as a hidden command calling TaskMain; a test binary
// calls MaybeTask from TestMain.
const TaskCommand = "__crunchgo_hadoop_task"

// The environment variables Hadoop Streaming gives a task (the job's
// configuration with dots replaced by underscores) that tasks read.
const (
	envPartition = "mapreduce_task_partition"
	envAttempt   = "mapreduce_task_attempt_id"
	envOutputDir = "mapreduce_task_output_dir"
	envJobID     = "mapreduce_job_id"
)

// Counter groups of the reporter lines tasks print: user groups get
// userGroupPrefix so the driver can tell them from Hadoop's own groups;
// statsGroup carries the task statistics.
const (
	userGroupPrefix = "crunchgo:"
	statsGroup      = "crunchgo-stats"
)

// MaybeTask runs a task and exits if os.Args asks for one (os.Args[1] is
// TaskCommand); otherwise it returns at once. Call it first in TestMain, or
// in a main that does not use the CLI.
func MaybeTask() {
	if len(os.Args) > 1 && os.Args[1] == TaskCommand {
		os.Exit(TaskMain(os.Args[2:]))
	}
}

// TaskMain runs one Hadoop Streaming task and returns the process exit
// status. args are what follows TaskCommand: the job spec URL, the stage and
// the role. Records come on stdin and go to stdout in rawbytes framing;
// counters and status go to stderr as reporter: lines. On failure the error
// is also written to the run's errors directory for the driver to report.
func TaskMain(args []string) int {
	// Records own stdout: anything user code prints goes to stderr instead.
	data := os.Stdout
	os.Stdout = os.Stderr
	if len(args) != 3 {
		fmt.Fprintf(os.Stderr, "crunchgo hadoop task: want <spec> <stage> <role>, got %q\n", args)
		return 2
	}
	ctx := context.Background()
	t, err := newTask(ctx, args)
	if err == nil {
		err = t.failedOnDataBefore(ctx)
	}
	if err == nil {
		out := bufio.NewWriterSize(data, 256<<10)
		err = t.run(ctx, bufio.NewReaderSize(os.Stdin, 256<<10), out)
		if ferr := out.Flush(); err == nil && ferr != nil {
			err = fmt.Errorf("writing task output: %w", ferr)
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "crunchgo hadoop task %s: %v\n", os.Getenv(envAttempt), err)
		if t != nil {
			t.reportError(ctx, err)
		}
		return 1
	}
	return 0
}

type task struct {
	spec    *jobSpec
	sg      *plan.StageGraph
	stage   *plan.Stage
	role    string
	attempt string // Hadoop's attempt ID
	try     int    // the attempt number
	part    int    // mapreduce_task_partition
	work    string // the attempt's work output directory
	stats   kernel.Stats
	count   runner.Counters
	// inClient marks a task the driver runs itself (client.go): it prints
	// no reporter lines, since its stderr is the driver's.
	inClient bool
	// partition is each channel's partition function and steered whether
	// its keys are steered (steer.go), both made by isSteered.
	partition []func(key []byte, partitions int) int
	steered   []bool
}

func newTask(ctx context.Context, args []string) (*task, error) {
	spec, err := readSpec(ctx, args[0])
	if err != nil {
		return nil, err
	}
	t := &task{spec: spec, role: args[2], attempt: os.Getenv(envAttempt), work: fromHadoopPath(os.Getenv(envOutputDir)), count: runner.Counters{}}
	stage, err := strconv.Atoi(args[1])
	if err != nil {
		return t, fmt.Errorf("bad stage %q", args[1])
	}
	if t.attempt == "" {
		return t, fmt.Errorf("%s is not set: a task runs under Hadoop Streaming", envAttempt)
	}
	if i := strings.LastIndexByte(t.attempt, '_'); i >= 0 {
		t.try, _ = strconv.Atoi(t.attempt[i+1:])
	}
	if p := os.Getenv(envPartition); p != "" {
		if t.part, err = strconv.Atoi(p); err != nil {
			return t, fmt.Errorf("bad %s %q", envPartition, p)
		}
	}
	if t.work == "" && t.role != "combine" {
		return t, fmt.Errorf("%s is not set", envOutputDir)
	}
	p, err := runner.BuildPipeline(spec.Recipe)
	if err != nil {
		return t, fmt.Errorf("rebuilding the pipeline: %w", err)
	}
	if fp := p.Graph().Fingerprint(); fp != spec.Fingerprint {
		return t, fmt.Errorf("the task built a different plan than the driver (fingerprint %s, driver %s): job %q must build the same pipeline from the same arguments in every process", fp, spec.Fingerprint, spec.Recipe.Job)
	}
	if t.sg, err = plan.Optimize(ctx, p.Graph(), spec.Plan); err != nil {
		return t, err
	}
	if fp := t.sg.Fingerprint(); fp != spec.PlanFingerprint {
		return t, fmt.Errorf("the task planned the pipeline differently from the driver (plan fingerprint %s, driver %s): running it would give wrong output", fp, spec.PlanFingerprint)
	}
	if stage < 0 || stage >= len(t.sg.Stages) {
		return t, fmt.Errorf("no stage %d in the plan", stage)
	}
	t.stage = t.sg.Stages[stage]
	switch t.role {
	case "map", "combine", "reduce":
	default:
		return t, fmt.Errorf("unknown role %q", t.role)
	}
	return t, nil
}

func (t *task) run(ctx context.Context, in *bufio.Reader, out *bufio.Writer) error {
	name := fmt.Sprintf("crunchgo stage %d %s %s", t.stage.ID, t.role, t.attempt)
	t.status(name)
	defer t.heartbeat(name)()
	var err error
	switch t.role {
	case "map":
		err = t.mapper(ctx, &frameReader{r: in}, out)
	case "combine":
		err = t.combiner(&frameReader{r: in}, out)
	case "reduce":
		err = t.reducer(ctx, &frameReader{r: in}, out)
	}
	if err != nil {
		return err
	}
	t.report()
	return nil
}

// Hadoop splits a reporter counter line on commas and ends it at a line
// break, so user counters' groups and names travel escaped, as in URLs, and
// the driver unescapes them: a counter is named the same whether its stage
// ran on the cluster or in the client.
var (
	escapeCounter   = strings.NewReplacer("%", "%25", ",", "%2C", "\n", "%0A", "\r", "%0D")
	unescapeCounter = strings.NewReplacer("%25", "%", "%2C", ",", "%0A", "\n", "%0D", "\r")
)

// report prints the task's counters as reporter lines.
func (t *task) report() {
	var b strings.Builder
	for g, m := range t.count {
		for n, v := range m {
			fmt.Fprintf(&b, "reporter:counter:%s%s,%s,%d\n", userGroupPrefix, escapeCounter.Replace(g), escapeCounter.Replace(n), v)
		}
	}
	if t.role != "combine" {
		s := t.stats
		for _, c := range []struct {
			name string
			v    int64
		}{{"records in", s.RecordsIn}, {"groups", s.Groups}, {"shuffled", s.Shuffled}, {"records out", s.RecordsOut}} {
			if c.v != 0 {
				fmt.Fprintf(&b, "reporter:counter:%s,%s %s,%d\n", statsGroup, t.role, c.name, c.v)
			}
		}
	}
	os.Stderr.WriteString(b.String())
}

// heartbeatEvery, when set (by tests), replaces the interval heartbeat
// derives from the task timeout.
var heartbeatEvery time.Duration

// heartbeatInterval is how often a task under Hadoop's task timeout, as
// Hadoop Streaming passes the job's mapreduce.task.timeout (milliseconds)
// in the environment, checks for progress: a tenth of the timeout, at most
// a minute; 0 when the timeout is off.
func heartbeatInterval(timeoutMs string) time.Duration {
	timeout := runner.DefaultTaskTimeout
	if ms, err := strconv.ParseInt(timeoutMs, 10, 64); err == nil {
		timeout = time.Duration(ms) * time.Millisecond
	}
	if timeout <= 0 {
		return 0
	}
	return min(max(timeout/10, time.Second), time.Minute)
}

// heartbeat updates the task's status, every interval in which the task
// made progress (internal/progress), until the returned function is
// called, which returns once the updates stopped. Hadoop kills a task that
// for mapreduce.task.timeout neither reads its input, writes its output nor
// updates its status; a map task reads its split from storage itself, not
// from stdin, and one that only writes sinks or intermediate files writes
// nothing to stdout. A task stuck in a user function marks no progress, so
// it updates nothing and Hadoop's timeout catches it.
func (t *task) heartbeat(name string) (stop func()) {
	every := heartbeatEvery
	if every == 0 {
		every = heartbeatInterval(os.Getenv("mapreduce_task_timeout"))
	}
	if t.inClient || every <= 0 {
		return func() {}
	}
	start := time.Now()
	stopWatch := progress.Watch(every, func() error {
		t.status(fmt.Sprintf("%s, running for %s", name, time.Since(start).Round(time.Second)))
		return nil
	})
	return func() { _ = stopWatch() }
}

func (t *task) status(msg string) {
	if !t.inClient {
		fmt.Fprintf(os.Stderr, "reporter:status:%s\n", msg)
	}
}

// taskError is how a task's error reaches the driver: a file in the run's
// errors directory, keeping a user function's error recognisable.
type taskError struct {
	Attempt string `json:"attempt"`
	runner.WireError
}

func (t *task) reportError(ctx context.Context, err error) {
	if t.spec == nil || t.attempt == "" {
		return
	}
	b, _ := json.Marshal(taskError{Attempt: t.attempt, WireError: *runner.ToWire(err)})
	stage := -1
	if t.stage != nil {
		stage = t.stage.ID
	}
	if werr := storage.WriteFile(ctx, errorURL(t.spec.Temp, stage, t.attempt), b); werr != nil {
		fmt.Fprintf(os.Stderr, "crunchgo hadoop task: recording the error: %v\n", werr)
	}
}

// readTaskError reads the error task attempt attempt of stage recorded.
func readTaskError(ctx context.Context, temp string, stage int, attempt string) (*taskError, error) {
	b, err := storage.ReadFile(ctx, errorURL(temp, stage, attempt))
	if err != nil {
		return nil, err
	}
	var te taskError
	if err := json.Unmarshal(b, &te); err != nil {
		return nil, fmt.Errorf("task error %s: %w", errorURL(temp, stage, attempt), err)
	}
	return &te, nil
}

// failedOnDataBefore returns the error of an earlier attempt of this task
// that failed on its input's data (plan.Permanent), if there is one. YARN
// retries a failed attempt whatever its error, and the driver's kill of the
// job may land only after a retry has started: reading the same bytes again
// would fail the same way, only later. A combiner runs within a map
// attempt, which has checked already.
func (t *task) failedOnDataBefore(ctx context.Context) error {
	i := strings.LastIndexByte(t.attempt, '_')
	if t.role == "combine" || i < 0 {
		return nil
	}
	for try := range t.try {
		earlier := fmt.Sprintf("%s_%d", t.attempt[:i], try)
		if te, err := readTaskError(ctx, t.spec.Temp, t.stage.ID, earlier); err == nil && te.Permanent {
			return fmt.Errorf("attempt %s of this task failed on its input's data, which retrying cannot fix: %w", earlier, te.Err())
		}
	}
	return nil
}

// taskFiles are the files one kernel writes under the work directory.
type taskFiles struct {
	ctx   context.Context
	work  string
	files []*outFile
}

type outFile struct {
	w   storage.Writer
	bw  *bufio.Writer
	buf []byte
}

func (f *taskFiles) create(dir, name string) (*outFile, error) {
	w, err := storage.Create(f.ctx, storage.Join(f.work, dir, name))
	if err != nil {
		return nil, err
	}
	o := &outFile{w: w, bw: bufio.NewWriterSize(w, 64<<10)}
	f.files = append(f.files, o)
	return o, nil
}

func (o *outFile) Write(b []byte) (int, error) { return o.bw.Write(b) }

// frame appends one record in the project's frame format.
func (o *outFile) frame(rec []byte) {
	o.buf = shuffle.AppendFrame(o.buf[:0], rec)
	if _, err := o.bw.Write(o.buf); err != nil {
		plan.Raise(err)
	}
}

func (f *taskFiles) commit() error {
	for i, o := range f.files {
		if err := o.bw.Flush(); err != nil {
			f.files = f.files[i:]
			return err
		}
		if err := o.w.Close(); err != nil {
			f.files = f.files[i+1:]
			return err
		}
	}
	f.files = nil
	return nil
}

// finish commits o before the task ends (plan.OpenPart).
func (f *taskFiles) finish(o *outFile) error {
	f.files = slices.DeleteFunc(f.files, func(x *outFile) bool { return x == o })
	if err := o.bw.Flush(); err != nil {
		_ = o.w.Abort()
		return err
	}
	return o.w.Close()
}

func (f *taskFiles) abort() {
	for _, o := range f.files {
		_ = o.w.Abort()
	}
	f.files = nil
}

// build wires a kernel for phase ph writing under the work directory; task
// is the map task index or the reduce partition.
func (t *task) build(ctx context.Context, ph *plan.Phase, task int, shuffleOut func(ch int, key, value []byte)) (*kernel.Kernel, *taskFiles, *runner.Task, error) {
	info := plan.TaskInfo{Stage: t.stage.ID, Role: ph.Kind.String(), Task: task, Attempt: t.try}
	tc := runner.NewTask(info)
	files := &taskFiles{ctx: ctx, work: t.work}
	name := fileName(ph, task)
	collect := map[plan.NodeID]*outFile{}
	inter := map[plan.NodeID]*outFile{}
	// Intermediates are created up front so that every file the next
	// stage's manifest names exists, even when empty.
	for _, n := range ph.Materialize {
		o, err := files.create(interDir(n), name)
		if err != nil {
			files.abort()
			return nil, nil, nil, err
		}
		inter[n] = o
	}
	out := kernel.Outputs{
		ReadSide: func(n plan.NodeID, fn func([]byte) error) error {
			files, ok := t.spec.Sides[n]
			if !ok {
				return fmt.Errorf("the job spec names no files for side input %s", t.sg.Graph.Node(n).Label())
			}
			for _, f := range files {
				if err := readFrames(ctx, f, fn); err != nil {
					return fmt.Errorf("side input %s: %w", f, err)
				}
			}
			return nil
		},
		SourceSides:  t.spec.SourceSides,
		Shuffle:      shuffleOut,
		Intermediate: func(n plan.NodeID, rec []byte) { inter[n].frame(rec) },
		Collect: func(n plan.NodeID, rec []byte) {
			o := collect[n]
			if o == nil {
				var err error
				if o, err = files.create(collectDir(n), name); err != nil {
					plan.Raise(err)
				}
				collect[n] = o
			}
			o.frame(rec)
		},
		OpenSink: func(n plan.NodeID, dir string, seq int) (io.Writer, func() error, error) {
			sink := t.sg.Graph.Node(n).Payload.(plan.SinkPayload)
			o, err := files.create(sinkDir(n), runner.PartPath(runner.PartName(t.sg, ph, n, task, sink.Ext()), dir, seq))
			if err != nil {
				return nil, nil, err
			}
			return o, func() error { return files.finish(o) }, nil
		},
	}
	k, err := kernel.Build(ctx, t.sg, t.stage, ph, tc, out)
	if err != nil {
		files.abort()
		return nil, nil, nil, err
	}
	return k, files, tc, nil
}

// finish finishes a kernel, commits its files and adds up its statistics.
func (t *task) finish(k *kernel.Kernel, files *taskFiles, tc *runner.Task) error {
	if err := k.Finish(); err != nil {
		return err
	}
	if err := files.commit(); err != nil {
		return err
	}
	t.stats.RecordsIn += k.Stats.RecordsIn
	t.stats.Groups += k.Stats.Groups
	t.stats.Shuffled += k.Stats.Shuffled
	t.stats.RecordsOut += k.Stats.RecordsOut
	t.count.Merge(tc.Counters())
	return nil
}

// mapper reads manifest lines (NLineInputFormat under -io rawbytes: a
// LongWritable offset frame and a Text line frame each) and runs one map
// kernel per line, writing shuffle records as rawbytes pairs whose key is
// the channel tag byte followed by the encoded key.
func (t *task) mapper(ctx context.Context, in *frameReader, out *bufio.Writer) error {
	var kbuf, vbuf, rec, sk []byte
	shuffleOut := func(ch int, key, value []byte) {
		sk = t.appendShuffleKey(sk[:0], ch, key)
		rec = appendFrame(rec[:0], sk)
		rec = appendFrame(rec, value)
		if _, err := out.Write(rec); err != nil {
			plan.Raise(fmt.Errorf("writing map output: %w", err))
		}
	}
	for {
		key, value, err := in.pair(kbuf, vbuf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading map input: %w", err)
		}
		kbuf, vbuf = key, value
		if len(key) != 8 {
			return fmt.Errorf("map input key is %d bytes, want a LongWritable (8): is the input format NLineInputFormat with -io rawbytes?", len(key))
		}
		line, err := decodeText(value)
		if err != nil {
			return fmt.Errorf("map input value: %w", err)
		}
		var tl taskLine
		if err := json.Unmarshal(line, &tl); err != nil {
			return fmt.Errorf("manifest line %q: %w", line, err)
		}
		if err := t.mapLine(ctx, &tl, shuffleOut); err != nil {
			return err
		}
	}
}

// appendShuffleKey appends the rawbytes shuffle key of (ch, key) to dst:
// the channel's tag byte and the key, steered when the channel has fewer
// partitions than the job has reducers or partitions itself (steer.go).
func (t *task) appendShuffleKey(dst []byte, ch int, key []byte) []byte {
	if !t.isSteered(ch) {
		return append(append(dst, byte(ch)), key...)
	}
	parts, reducers := t.spec.Parts[t.stage.ID], t.spec.Reducers[t.stage.ID]
	dst, err := appendSteered(dst, ch, key, t.partition[ch](key, parts[ch]), reducers)
	if err != nil {
		plan.Raise(err)
	}
	return dst
}

// isSteered says whether channel ch's shuffle keys are steered: when it has
// fewer partitions than the job has reducers, or partitions itself (plan.Partitioner).
func (t *task) isSteered(ch int) bool {
	if t.steered == nil {
		parts, reducers := t.spec.Parts[t.stage.ID], t.spec.Reducers[t.stage.ID]
		for i, c := range t.stage.Channels {
			_, own := t.sg.Graph.Node(c.GroupByKey).Payload.(plan.Partitioner)
			t.partition = append(t.partition, runner.PartitionFunc(t.sg.Graph, c))
			t.steered = append(t.steered, own || parts[i] != reducers)
		}
	}
	return t.steered[ch]
}

func (t *task) mapLine(ctx context.Context, tl *taskLine, shuffleOut func(int, []byte, []byte)) (err error) {
	if tl.Input < 0 || tl.Input >= len(t.stage.Inputs) || t.stage.Inputs[tl.Input].Node != tl.Node {
		return fmt.Errorf("manifest line for task %d names input %d (node %d), which stage %d does not have", tl.Task, tl.Input, tl.Node, t.stage.ID)
	}
	in := t.stage.Inputs[tl.Input]
	t.status(fmt.Sprintf("crunchgo stage %d map task %d", t.stage.ID, tl.Task))
	k, files, tc, err := t.build(ctx, in.Phase, tl.Task, shuffleOut)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			files.abort()
		}
	}()
	defer k.Teardown()
	switch {
	case !in.Intermediate && len(tl.Splits) > 0:
		for _, split := range tl.Splits {
			if err = k.ReadSource(split); err != nil {
				break
			}
		}
	case in.Intermediate && tl.File != "":
		err = readFrames(ctx, tl.File, k.Record)
	default:
		err = fmt.Errorf("manifest line for task %d has neither a split nor a file for its input", tl.Task)
	}
	if err != nil {
		return err
	}
	return t.finish(k, files, tc)
}

// readFrames calls f with every record of an intermediate file.
func readFrames(ctx context.Context, url string, f func([]byte) error) error {
	file, err := storage.Open(ctx, url)
	if err != nil {
		return err
	}
	defer file.Close()
	return shuffle.NewReader(bufio.NewReaderSize(io.NewSectionReader(file, 0, file.Size()), 256<<10), url).Frames(f)
}

// groupReader yields groups of adjacent equal keys from sorted rawbytes
// pairs, streaming the values, and checks that keys arrive in order.
type groupReader struct {
	in         *frameReader
	key, value []byte // the pair read ahead, if pending
	pending    bool
	err        error
	prev       []byte
	// group, if set, maps a key to what its group is known by (a secondary
	// sort's records group by part of their key); its result is valid
	// until its next call.
	group func(key []byte) []byte
	cur   []byte // the current group's key
}

func (g *groupReader) groupOf(key []byte) []byte {
	if g.group == nil {
		return key
	}
	return g.group(key)
}

func (g *groupReader) advance() bool {
	if g.err != nil {
		return false
	}
	k, v, err := g.in.pair(g.key, g.value)
	if err == io.EOF {
		g.pending = false
		return false
	}
	if err != nil {
		g.err, g.pending = err, false
		return false
	}
	g.key, g.value, g.pending = k, v, true
	return true
}

// groups yields (key, values) per run of equal keys. The key slice is valid
// during the yield; values must be consumed before the next group.
func (g *groupReader) groups() iter.Seq2[[]byte, iter.Seq[[]byte]] {
	return func(yield func([]byte, iter.Seq[[]byte]) bool) {
		g.advance()
		for g.pending {
			if g.prev != nil && bytes.Compare(g.key, g.prev) < 0 {
				g.err = fmt.Errorf("reduce input is not sorted: key %x after %x", g.key, g.prev)
				return
			}
			g.prev = append(g.prev[:0], g.key...)
			g.cur = append(g.cur[:0], g.groupOf(g.key)...)
			cur := g.cur
			first := true
			values := func(yield func([]byte) bool) {
				if !first {
					return
				}
				first = false
				for g.pending && bytes.Equal(g.groupOf(g.key), cur) {
					if !yield(g.value) {
						return
					}
					g.advance()
				}
			}
			if !yield(cur, values) {
				return
			}
			// Skip what the consumer left of this group.
			for g.pending && bytes.Equal(g.groupOf(g.key), cur) {
				g.advance()
			}
		}
	}
}

// reducer runs every channel's reduce phase for this partition: records
// arrive sorted by tag byte and key, so each channel's groups come in key
// order, channel after channel.
func (t *task) reducer(ctx context.Context, in *frameReader, _ *bufio.Writer) (err error) {
	type chanKernel struct {
		k     *kernel.Kernel
		files *taskFiles
		tc    *runner.Task
	}
	ks := make([]chanKernel, len(t.stage.Channels))
	defer func() {
		for _, c := range ks {
			if c.k != nil {
				c.k.Teardown()
				if err != nil {
					c.files.abort()
				}
			}
		}
	}()
	parts := t.spec.Parts[t.stage.ID]
	for i, ch := range t.stage.Channels {
		if t.part >= parts[i] {
			continue // this channel has fewer partitions than the job has reducers
		}
		k, files, tc, err := t.build(ctx, ch.Reduce, t.part, func(int, []byte, []byte) {
			plan.Raise(errors.New("a reduce phase wrote to a shuffle"))
		})
		if err != nil {
			return err
		}
		ks[i] = chanKernel{k, files, tc}
	}
	g := &groupReader{in: in}
	// A secondary sort's channel groups by a prefix of its keys, which are
	// steered: its records are grouped by tag and unsteered prefix.
	prefix := make([]func([]byte) []byte, len(t.stage.Channels))
	prefixed := false
	for i, c := range t.stage.Channels {
		prefix[i] = runner.GroupPrefix(t.sg.Graph, c)
		prefixed = prefixed || prefix[i] != nil
	}
	if prefixed {
		var ub, gb []byte
		g.group = func(key []byte) []byte {
			if len(key) == 0 || int(key[0]) >= len(prefix) || prefix[key[0]] == nil {
				return key
			}
			var err error
			if ub, err = unsteer(ub[:0], key[1:]); err != nil {
				return key // its own group, whose key then fails to decode
			}
			gb = append(append(gb[:0], key[0]), prefix[key[0]](ub)...)
			return gb
		}
	}
	var kb []byte
	for key, values := range g.groups() {
		if len(key) == 0 || int(key[0]) >= len(ks) || ks[key[0]].k == nil {
			return fmt.Errorf("reduce input key %x has no channel of stage %d in partition %d", key, t.stage.ID, t.part)
		}
		ch := key[0]
		k := key[1:]
		if t.isSteered(int(ch)) && prefix[ch] == nil {
			var err error
			if kb, err = unsteer(kb[:0], k); err != nil {
				return fmt.Errorf("reduce input key %x: %w", key, err)
			}
			k = kb
		}
		if err := ks[ch].k.Group(k, values); err != nil {
			return err
		}
	}
	if g.err != nil {
		return fmt.Errorf("reading reduce input: %w", g.err)
	}
	for _, c := range ks {
		if c.k == nil {
			continue
		}
		if err := t.finish(c.k, c.files, c.tc); err != nil {
			return err
		}
	}
	return nil
}

// combiner merges the accumulators of each group of a channel whose combiner
// was lifted into the map side; other channels' records pass through. Its
// output is valid reduce input however many times Hadoop runs it.
func (t *task) combiner(in *frameReader, out *bufio.Writer) error {
	var rec []byte
	write := func(key, value []byte) {
		rec = appendFrame(rec[:0], key)
		rec = appendFrame(rec, value)
		if _, err := out.Write(rec); err != nil {
			plan.Raise(fmt.Errorf("writing combiner output: %w", err))
		}
	}
	// The combined record keeps the group's shuffle key byte for byte
	// (tag, steering and all), so it sorts and partitions as before.
	var group []byte
	merge := make([]func(key []byte, accs iter.Seq[[]byte]) error, len(t.stage.Channels))
	payloads := make([]any, len(t.stage.Channels))
	for i, ch := range t.stage.Channels {
		if ch.Combiner == plan.NoNode {
			continue
		}
		payloads[i] = t.sg.Graph.Node(ch.Combiner).Payload
		if ac, ok := payloads[i].(plan.AccumulatorCombiner); ok {
			merge[i] = ac.NewAccumulatorCombiner(func(_, acc []byte) { write(group, acc) })
		}
	}
	var kb []byte
	// The key of the group being merged, and its channel, for an error.
	var failedKey []byte
	failedCh := -1
	g := &groupReader{in: in}
	err := plan.Catch(func() (err error) {
		for key, values := range g.groups() {
			if len(key) == 0 || int(key[0]) >= len(merge) {
				return fmt.Errorf("combiner input key %x has no channel tag of stage %d", key, t.stage.ID)
			}
			if m := merge[key[0]]; m != nil {
				group = key
				k := key[1:]
				if t.isSteered(int(key[0])) {
					if kb, err = unsteer(kb[:0], k); err != nil {
						return fmt.Errorf("combiner input key %x: %w", key, err)
					}
					k = kb
				}
				failedKey, failedCh = k, int(key[0])
				if err := m(k, values); err != nil {
					return err
				}
				failedCh = -1
				continue
			}
			for v := range values {
				write(key, v)
			}
		}
		return nil
	})
	var te *plan.TransformError
	if failedCh >= 0 && errors.As(err, &te) && te.Input == "" {
		te.Input = plan.InputGroupIn(plan.DescribeKey(payloads[failedCh], failedKey), t.combinerTask())
	}
	if err != nil {
		return err
	}
	if g.err != nil {
		return fmt.Errorf("reading combiner input: %w", g.err)
	}
	return nil
}

// combinerTask says which task a combiner runs in, for an error: Hadoop
// runs it in map tasks, and in reduce tasks as they merge map outputs.
func (t *task) combinerTask() string {
	role := "map"
	if strings.Contains(t.attempt, "_r_") {
		role = "reduce"
	}
	return fmt.Sprintf("combiner in %s task %d of stage %d", role, t.part, t.stage.ID)
}

// fromHadoopPath turns a Hadoop Path string into a storage URL: Hadoop
// prints local paths as file:/abs, which storage spells file:///abs.
func fromHadoopPath(p string) string {
	if strings.HasPrefix(p, "file:/") && !strings.HasPrefix(p, "file://") {
		return "file://" + p[len("file:"):]
	}
	return p
}
