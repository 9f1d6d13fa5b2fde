package hadoop

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
)

// DefaultClientStageMax is the CLI's default --client-stage-max: a stage
// whose input is at most this large runs in the client.
const DefaultClientStageMax = 32 << 20

// clientHeldFactor bounds the shuffle records an in-client stage holds in
// memory, as a multiple of Runner.ClientStageMax. A stage whose map tasks
// emit more (a flat map that multiplies its input) runs on the cluster
// instead.
var clientHeldFactor int64 = 4

// beforeClientMapTask, when set (by tests), is called before each map task
// of an in-client stage, and its error stops the stage.
var beforeClientMapTask func(task int) error

// errClientFull stops an in-client stage whose shuffle outgrew what the
// client holds in memory.
var errClientFull = errors.New("the stage's shuffle records outgrew what the client holds in memory")

// maybeInClient runs stage sj in this process when its input is at most
// Runner.ClientStageMax, as Hive's local mode does: a YARN job takes
// seconds to start, most of the time of a stage that reads a few megabytes
// (such as the later stages of a job whose first stage aggregates a day of
// logs). It reports whether it ran the stage; false with no error means
// the stage is for the cluster. tried says whether it ran tasks of the
// stage here, even if it then left the stage to the cluster.
func (e *driver) maybeInClient(sj *stageJob, sr *runner.StageResult, start time.Time) (ran, tried bool, err error) {
	limit := e.r.ClientStageMax
	if limit <= 0 {
		return false, false, nil
	}
	size, err := e.stageInput(sj)
	if err != nil {
		return false, false, fmt.Errorf("sizing the stage's input: %w", err)
	}
	if size > limit {
		return false, false, nil
	}
	e.logf("crunchgo: stage %d reads %d bytes (limit %s): running it in the client, not on the cluster\n", sj.stage.ID, size, sizeFlag{&limit})
	held := int64(math.MaxInt64)
	if clientHeldFactor == 0 || limit <= math.MaxInt64/clientHeldFactor {
		held = limit * clientHeldFactor
	}
	got, counts, err := e.runInClient(sj, held, start)
	if errors.Is(err, errClientFull) {
		// What the tasks wrote goes, so that the job finds no output
		// directory (Hadoop refuses an existing one).
		if rerr := storage.RemoveAll(e.ctx, sj.out); rerr != nil {
			return false, true, fmt.Errorf("stage %d: removing what it wrote in the client: %w", sj.stage.ID, rerr)
		}
		e.logf("crunchgo: stage %d: %v; running it on the cluster\n", sj.stage.ID, err)
		return false, true, nil
	}
	sr.RanAs = "client"
	if err != nil {
		// What its tasks did before, for the report of the failed run.
		sr.RecordsIn, sr.Shuffled, sr.RecordsOut = got.RecordsIn, got.Shuffled, got.RecordsOut
		sr.MapTasks, sr.ReduceTasks = got.MapTasks, got.ReduceTasks
		return false, true, fmt.Errorf("run in the client: %w", err)
	}
	sr.RecordsIn += got.RecordsIn
	sr.Shuffled += got.Shuffled
	sr.RecordsOut += got.RecordsOut
	e.res.Counters.Merge(counts)
	return true, true, nil
}

// stageInput returns how many bytes stage sj reads: the planner's size of
// each source (its files' size), as map input or as a side input, and the
// sizes of the files earlier stages wrote that it reads, as map input or as
// side inputs (which its tasks decode whole).
func (e *driver) stageInput(sj *stageJob) (int64, error) {
	var total int64
	var files []string
	sources := map[plan.NodeID]bool{}
	for _, l := range sj.lines {
		switch {
		case l.File != "":
			files = append(files, l.File)
		case !sources[l.Node]:
			sources[l.Node] = true
			total += int64(e.sg.Sizes[l.Node])
		}
	}
	sides := map[plan.NodeID]bool{}
	for _, ph := range sj.stage.Phases() {
		for _, n := range ph.Sides {
			switch {
			case sides[n]:
			case e.sg.Graph.SourceSide(n):
				sides[n] = true
				total += int64(e.sg.Sizes[n])
			default:
				sides[n] = true
				files = append(files, e.spec.Sides[n]...)
			}
		}
	}
	for _, f := range files {
		fi, err := storage.Stat(e.ctx, f)
		if err != nil {
			return 0, err
		}
		total += fi.Size
	}
	return total, nil
}

// runInClient runs stage sj's tasks one after another in this process, on
// the driver's plan, as a local worker runs its tasks, and returns the
// stage's statistics and its tasks' user counters. Map tasks' shuffle
// records are held in memory (at most held bytes, else errClientFull),
// partitioned as Hadoop's HashPartitioner does and sorted byte-wise by key,
// stably: equal keys keep map-task then emission order, one of the orders
// Hadoop may give. Each reducer reads its partition as rawbytes pairs, as
// under Hadoop. No combiner runs (Hadoop may run it any number of times,
// none included). Tasks write their files straight into the stage's output
// directory, where the job's commit would have put them.
func (e *driver) runInClient(sj *stageJob, held int64, start time.Time) (runner.StageResult, runner.Counters, error) {
	var sr runner.StageResult
	counts := runner.Counters{}
	parts := make([]heldPartition, e.spec.Reducers[sj.stage.ID])
	var size int64
	var key []byte
	for i, l := range sj.lines {
		if err := e.ctx.Err(); err != nil {
			return sr, nil, err
		}
		if beforeClientMapTask != nil {
			if err := beforeClientMapTask(l.Task); err != nil {
				return sr, nil, err
			}
		}
		t := e.clientTask(sj, "map", l.Task)
		out := func(ch int, k, v []byte) {
			key = t.appendShuffleKey(key[:0], ch, k)
			p := &parts[hadoopPartition(hashJava(1, key), len(parts))]
			if size += p.add(key, v); size > held {
				plan.Raise(errClientFull)
			}
		}
		if err := t.mapLine(e.ctx, &l, out); err != nil {
			return sr, nil, fmt.Errorf("map task %d: %w", l.Task, err)
		}
		sr.MapTasks++
		sr.RecordsIn += t.stats.RecordsIn
		sr.Shuffled += t.stats.Shuffled
		sr.RecordsOut += t.stats.RecordsOut
		counts.Merge(t.count)
		e.progress(sj, start, runner.Event{Phase: "map", TasksDone: i + 1, TasksTotal: len(sj.lines),
			RecordsIn: sr.RecordsIn, RecordsOut: sr.Shuffled + sr.RecordsOut})
	}
	var reduced runner.StageResult
	for i := range parts {
		if err := e.ctx.Err(); err != nil {
			return sr, nil, err
		}
		p := &parts[i]
		p.sort()
		t := e.clientTask(sj, "reduce", i)
		if err := t.reducer(e.ctx, &frameReader{r: bufio.NewReader(p.reader())}, nil); err != nil {
			return sr, nil, fmt.Errorf("reduce task %d: %w", i, err)
		}
		*p = heldPartition{}
		sr.ReduceTasks++
		sr.RecordsOut += t.stats.RecordsOut
		reduced.RecordsIn += t.stats.RecordsIn
		reduced.RecordsOut += t.stats.RecordsOut
		counts.Merge(t.count)
		e.progress(sj, start, runner.Event{Phase: "reduce", TasksDone: i + 1, TasksTotal: len(parts),
			RecordsIn: reduced.RecordsIn, RecordsOut: reduced.RecordsOut})
	}
	return sr, counts, nil
}

// heldPartition is one reducer's shuffle records, held by the client.
type heldPartition struct {
	buf   []byte // rawbytes (key, value) pairs in the order they came
	pairs []int  // where each pair starts in buf: in sort order once sorted
}

// add appends a pair and returns the bytes it took.
func (p *heldPartition) add(key, value []byte) int64 {
	n := len(p.buf)
	p.buf = appendFrame(appendFrame(p.buf, key), value)
	p.pairs = append(p.pairs, n)
	return int64(len(p.buf)-n) + 8
}

// key returns the key of the pair at off: its first frame.
func (p *heldPartition) key(off int) []byte {
	n := int(binary.BigEndian.Uint32(p.buf[off:]))
	return p.buf[off+4 : off+4+n]
}

// pair returns the whole pair at off: two frames.
func (p *heldPartition) pair(off int) []byte {
	k := int(binary.BigEndian.Uint32(p.buf[off:]))
	v := int(binary.BigEndian.Uint32(p.buf[off+4+k:]))
	return p.buf[off : off+8+k+v]
}

func (p *heldPartition) sort() {
	slices.SortStableFunc(p.pairs, func(a, b int) int { return bytes.Compare(p.key(a), p.key(b)) })
}

// reader reads the pairs in their order.
func (p *heldPartition) reader() io.Reader { return &pairsReader{p: p} }

type pairsReader struct {
	p    *heldPartition
	next int    // the next pair to read
	cur  []byte // what is left of the pair being read
}

func (r *pairsReader) Read(b []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.next == len(r.p.pairs) {
			return 0, io.EOF
		}
		r.cur = r.p.pair(r.p.pairs[r.next])
		r.next++
	}
	n := copy(b, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// clientTask is task n of stage sj (a map task index or a reduce
// partition) for the driver to run, writing into the stage's output.
func (e *driver) clientTask(sj *stageJob, role string, n int) *task {
	kind := "m"
	if role == "reduce" {
		kind = "r"
	}
	return &task{spec: e.spec, sg: e.sg, stage: sj.stage, role: role, part: n, work: sj.out,
		attempt: fmt.Sprintf("client_%s_%d_%s_%06d", e.spec.Run, sj.stage.ID, kind, n), count: runner.Counters{}, inClient: true}
}

func (e *driver) logf(format string, args ...any) {
	if e.r.Log != nil {
		fmt.Fprintf(e.r.Log, format, args...)
	}
}
