package mem

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"time"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/internal/kernel"
	"github.com/crunchgo/crunchgo/storage"
)

// Runner runs pipelines in the calling process.
type Runner struct{}

// Run runs p in memory. See the package documentation.
func (Runner) Run(ctx context.Context, p *pcollection.Pipeline, opts runner.Options) (*runner.Result, error) {
	return Run(ctx, p, opts)
}

// Run runs p in memory with opts.
func Run(ctx context.Context, p *pcollection.Pipeline, opts runner.Options) (*runner.Result, error) {
	start := time.Now()
	runner.ResetMaterialized(p.Graph())
	e := &exec{ctx: ctx, opts: opts, counters: runner.Counters{}, run: runner.NewRunID(), start: start,
		inter: map[plan.NodeID][][]byte{}, collect: map[plan.NodeID][][]byte{}}
	if e.opts.Workers <= 0 {
		e.opts.Workers = 2
	}
	res, err := e.execute(p)
	if res != nil {
		res.Wall = time.Since(start)
	}
	if err != nil {
		e.committers.AbortJob()
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			// A task stopped by the cancellation: say why it came, as
			// the local runner does ("interrupt signal received").
			err = context.Cause(ctx)
		}
		return res, err
	}
	return res, nil
}

type exec struct {
	ctx        context.Context
	start      time.Time // of the run
	opts       runner.Options
	run        string
	sg         *plan.StageGraph
	counters   runner.Counters
	inter      map[plan.NodeID][][]byte
	collect    map[plan.NodeID][][]byte
	sideSplits map[plan.NodeID][]plan.Split // of side inputs that are sources
	committers runner.Sinks
}

func (e *exec) execute(p *pcollection.Pipeline) (*runner.Result, error) {
	g := p.Graph()
	if err := plan.Validate(g); err != nil {
		return nil, err
	}
	sinks, err := runner.OpenSinks(e.ctx, g, e.opts.WriteMode, e.run)
	if err != nil {
		return nil, err
	}
	e.committers = sinks
	res := &runner.Result{Counters: e.counters}
	if e.opts.Unoptimized {
		// What leads to no output runs on no runner (see plan.Prune).
		live, _ := plan.Prune(g)
		if err := e.interpret(live); err != nil {
			return res, err
		}
	} else {
		sg, err := plan.Optimize(e.ctx, g, e.opts.Plan)
		if err != nil {
			return nil, err
		}
		e.sg, res.Plan = sg, sg
		if e.sideSplits, err = runner.SourceSideSplits(e.ctx, sg); err != nil {
			return res, err
		}
		for _, st := range sg.Stages {
			splits, err := e.split(st)
			if err != nil {
				// No task of it started: neither did the stage.
				return res, fmt.Errorf("stage %d: %w", st.ID, err)
			}
			sr, err := e.stage(st, splits)
			if err != nil {
				sr.Duration, sr.Unfinished = time.Since(e.start)-sr.Start, true
				res.Stages = append(res.Stages, sr)
				return res, fmt.Errorf("stage %d: %w", st.ID, err)
			}
			res.Stages = append(res.Stages, sr)
		}
	}
	for _, n := range g.Nodes() {
		if n.Op == plan.OpMaterialize {
			if err := n.Payload.(plan.MaterializePayload).Deliver(slices.Values(e.collect[n.ID])); err != nil {
				return res, fmt.Errorf("%s (%s): %w", n.Label(), n.Caller, err)
			}
		}
	}
	e.committers.ReportWaits(e.opts.Progress)
	if err := e.committers.CommitInto(e.ctx, res, nil); err != nil {
		return res, err
	}
	return res, nil
}

type record struct{ key, value []byte }

// eachRecord calls fn for every record until one fails.
func eachRecord(recs [][]byte, fn func([]byte) error) error {
	for _, r := range recs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// split splits the sources st reads as map input, by input (nil for an
// intermediate). Every input's tasks are known before the first runs, so
// that a stage that fails says how many it was to run.
func (e *exec) split(st *plan.Stage) ([][]plan.Split, error) {
	splits := make([][]plan.Split, len(st.Inputs))
	for i, in := range st.Inputs {
		if in.Intermediate {
			continue
		}
		src := e.sg.Graph.Node(in.Node).Payload.(plan.SourcePayload)
		var err error
		if splits[i], err = src.Splits(e.ctx, e.opts.Workers); err != nil {
			return nil, fmt.Errorf("splitting %s: %w", src.Describe(), err)
		}
	}
	return splits, nil
}

// stage runs every map task of st over its inputs' splits, then every
// reduce partition of every channel.
func (e *exec) stage(st *plan.Stage, splits [][]plan.Split) (runner.StageResult, error) {
	start := time.Now()
	sr := runner.StageResult{Stage: st.ID, Start: start.Sub(e.start)}
	parts := make([]int, len(st.Channels))
	partition := make([]func([]byte, int) int, len(st.Channels))
	shuffle := make([][][]record, len(st.Channels))
	for i, ch := range st.Channels {
		parts[i] = runner.Partitions(e.sg, ch, e.opts)
		partition[i] = runner.PartitionFunc(e.sg.Graph, ch)
		shuffle[i] = make([][]record, parts[i])
	}
	out := kernel.Outputs{
		CheckInputs: true,
		Shuffle: func(ch int, key, value []byte) {
			p := partition[ch](key, parts[ch])
			shuffle[ch][p] = append(shuffle[ch][p], record{bytes.Clone(key), bytes.Clone(value)})
		},
	}
	mapTasks := 0
	for i, in := range st.Inputs {
		if in.Intermediate {
			mapTasks += interTasks(len(e.inter[in.Node]), e.opts.Workers)
			continue
		}
		mapTasks += len(splits[i])
	}
	sr.MapTasksTotal = mapTasks
	for _, n := range parts {
		sr.ReduceTasksTotal += n
	}
	for i, in := range st.Inputs {
		if !in.Intermediate {
			for _, split := range splits[i] {
				err := e.task(st, in.Phase, sr.MapTasks, out, &sr, func(k *kernel.Kernel) error { return k.ReadSource(split) })
				if err != nil {
					return sr, err
				}
				sr.MapTasks++
			}
			continue
		}
		recs := e.inter[in.Node]
		n := interTasks(len(recs), e.opts.Workers)
		for i := range n {
			chunk := recs[len(recs)*i/n : len(recs)*(i+1)/n]
			err := e.task(st, in.Phase, sr.MapTasks, out, &sr, func(k *kernel.Kernel) error {
				for _, r := range chunk {
					if err := k.Record(r); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return sr, err
			}
			sr.MapTasks++
		}
	}
	for i, ch := range st.Channels {
		for part, recs := range shuffle[i] {
			// Stable: values of a key keep the order the map tasks wrote them in.
			slices.SortStableFunc(recs, func(a, b record) int { return bytes.Compare(a.key, b.key) })
			err := e.task(st, ch.Reduce, part, out, &sr, func(k *kernel.Kernel) error {
				for key, values := range groups(recs, runner.GroupPrefix(e.sg.Graph, ch)) {
					if err := k.Group(key, values); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return sr, err
			}
			sr.ReduceTasks++
		}
	}
	sr.Duration = time.Since(start)
	if e.opts.Progress != nil {
		e.opts.Progress(runner.Event{Stage: st.ID, Stages: len(e.sg.Stages), TasksDone: sr.MapTasks + sr.ReduceTasks,
			TasksTotal: sr.MapTasks + sr.ReduceTasks, RecordsIn: sr.RecordsIn, RecordsOut: sr.RecordsOut, Elapsed: sr.Duration, Done: true})
	}
	return sr, nil
}

// interTasks is how many map tasks read an intermediate of n records.
func interTasks(n, workers int) int { return max(1, min(workers, n)) }

// groups yields runs of equal keys of sorted records.
// groups yields runs of sorted records with equal keys, or with equal key
// prefixes when prefix is not nil (a secondary sort), and each run's key or
// prefix.
func groups(recs []record, prefix func([]byte) []byte) iter.Seq2[[]byte, iter.Seq[[]byte]] {
	if prefix == nil {
		prefix = func(k []byte) []byte { return k }
	}
	return func(yield func([]byte, iter.Seq[[]byte]) bool) {
		for i := 0; i < len(recs); {
			j := i + 1
			for j < len(recs) && bytes.Equal(prefix(recs[j].key), prefix(recs[i].key)) {
				j++
			}
			run := recs[i:j]
			values := func(yield func([]byte) bool) {
				for _, r := range run {
					if !yield(r.value) {
						return
					}
				}
			}
			if !yield(prefix(recs[i].key), values) {
				return
			}
			i = j
		}
	}
}

// task runs one task of phase ph: it builds the kernel, feeds it, finishes
// it and commits its sink files.
func (e *exec) task(st *plan.Stage, ph *plan.Phase, idx int, out kernel.Outputs, sr *runner.StageResult, feed func(*kernel.Kernel) error) (err error) {
	info := plan.TaskInfo{Stage: st.ID, Role: ph.Kind.String(), Task: idx}
	attempt := runner.AttemptID(info)
	if ph.Kind == plan.ReducePhase {
		attempt = fmt.Sprintf("%s_c%d", attempt, ph.Channel)
	}
	tc := runner.NewTask(info)
	var files taskFiles
	out.Intermediate = func(n plan.NodeID, rec []byte) { e.inter[n] = append(e.inter[n], bytes.Clone(rec)) }
	out.ReadSide = func(id plan.NodeID, fn func([]byte) error) error { return eachRecord(e.inter[id], fn) }
	out.SourceSides = e.sideSplits
	out.SideLen = func(id plan.NodeID) (int, error) { return len(e.inter[id]), nil }
	out.Collect = func(n plan.NodeID, rec []byte) { e.collect[n] = append(e.collect[n], bytes.Clone(rec)) }
	out.OpenSink = func(n plan.NodeID, dir string, seq int) (io.Writer, func() error, error) {
		sink := e.sg.Graph.Node(n).Payload.(plan.SinkPayload)
		return files.create(e.ctx, e.committers[n].TaskFile(attempt, runner.PartPath(runner.PartName(e.sg, ph, n, idx, sink.Ext()), dir, seq)))
	}
	defer func() {
		if err != nil {
			files.abort()
		}
	}()
	k, err := kernel.Build(e.ctx, e.sg, st, ph, tc, out)
	if err != nil {
		return err
	}
	defer k.Teardown()
	if err := feed(k); err != nil {
		return err
	}
	if err := k.Finish(); err != nil {
		return err
	}
	if err := files.close(); err != nil {
		return err
	}
	for _, n := range ph.Nodes {
		if c := e.committers[n]; c != nil {
			if err := c.CommitTask(e.ctx, attempt); err != nil {
				return err
			}
		}
	}
	if ph.Kind == plan.MapPhase {
		sr.RecordsIn += k.Stats.RecordsIn
	}
	sr.Shuffled += k.Stats.Shuffled
	sr.RecordsOut += k.Stats.RecordsOut
	e.counters.Merge(tc.Counters())
	return ctxErr(e.ctx)
}

func ctxErr(ctx context.Context) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// taskFiles are the part files a task has open. The task closes them when
// it succeeds and aborts them when it fails; one whose done was called (a
// partitioned sink finishing a file early) is closed then.
type taskFiles []storage.Writer

// create starts the part file at url (a plan.OpenPart).
func (t *taskFiles) create(ctx context.Context, url string) (io.Writer, func() error, error) {
	w, err := storage.Create(ctx, url)
	if err != nil {
		return nil, nil, err
	}
	*t = append(*t, w)
	done := func() error {
		*t = slices.DeleteFunc(*t, func(o storage.Writer) bool { return o == w })
		return w.Close()
	}
	return w, done, nil
}

func (t *taskFiles) abort() {
	for _, w := range *t {
		_ = w.Abort()
	}
	*t = nil
}

func (t *taskFiles) close() error {
	for _, w := range *t {
		if err := w.Close(); err != nil {
			return err
		}
	}
	*t = nil
	return nil
}
