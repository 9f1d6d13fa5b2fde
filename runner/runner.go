package runner

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
)

// Runner executes a pipeline.
type Runner interface {
	Run(ctx context.Context, p *pcollection.Pipeline, opts Options) (*Result, error)
}

// WriteMode says what a sink does when its output directory exists.
type WriteMode int

const (
	WriteFail      WriteMode = iota // refuse to run (the default)
	WriteOverwrite                  // replace the directory's contents when the job commits
	WriteAppend                     // add part files next to the existing ones
	// WriteOverwritePartitions replaces, in an output partitioned into
	// key=value directories, only the partitions the run writes, and
	// keeps the others (Spark's dynamic partition overwrite, Hive's INSERT
	// OVERWRITE of dynamic partitions): a daily job run again replaces its
	// day. An output that is not partitioned is replaced whole.
	WriteOverwritePartitions
)

// ParseWriteMode parses "fail", "overwrite", "append" or
// "overwrite-partitions".
func ParseWriteMode(s string) (WriteMode, error) {
	switch s {
	case "fail", "":
		return WriteFail, nil
	case "overwrite":
		return WriteOverwrite, nil
	case "append":
		return WriteAppend, nil
	case "overwrite-partitions":
		return WriteOverwritePartitions, nil
	}
	return 0, fmt.Errorf("unknown write mode %q (want fail, overwrite, append or overwrite-partitions)", s)
}

func (m WriteMode) String() string {
	return [...]string{"fail", "overwrite", "append", "overwrite-partitions"}[m]
}

// Options are the settings every runner understands; runners ignore what
// does not apply to them.
type Options struct {
	Workers    int    // parallel tasks; 0: the runner's default (local: the number of CPUs)
	Memory     int64  // memory budget of the whole job in bytes; 0: 1 GiB
	TmpDir     string // scratch space; "": the OS temp dir
	WriteMode  WriteMode
	Partitions int // default reduce partitions of a shuffle that asks for none; 0: from the estimated size
	// Unoptimized runs the graph as built, node by node, without the planner
	// (the in-memory runner only): a reference for metamorphic tests.
	Unoptimized bool
	Plan        plan.Options
	// TaskTimeout is how long a task attempt may go without progress (a
	// record taken in or put out) before the runner kills it and tries
	// again, as Hadoop's mapreduce.task.timeout; 0: DefaultTaskTimeout,
	// negative: never.
	TaskTimeout time.Duration
	// Progress receives events as stages and tasks start and finish, and
	// as running tasks report their counts (Event.Partial). It is called
	// from one goroutine at a time.
	Progress func(Event)
}

// DefaultMemory is the job's memory budget when Options.Memory is 0.
const DefaultMemory = 1 << 30

// DefaultTaskTimeout is a task's timeout when Options.TaskTimeout is 0:
// Hadoop's default.
const DefaultTaskTimeout = 10 * time.Minute

// EffectiveTaskTimeout is the task timeout o asks for; 0 means never.
func (o Options) EffectiveTaskTimeout() time.Duration {
	switch {
	case o.TaskTimeout == 0:
		return DefaultTaskTimeout
	case o.TaskTimeout < 0:
		return 0
	}
	return o.TaskTimeout
}

// Event reports progress.
type Event struct {
	Stage      int
	Stages     int
	Phase      string // "map", "reduce", or "" for the stage as a whole
	TasksDone  int
	TasksTotal int // an upper bound while some of the phase's tasks wait for their input
	RecordsIn  int64
	RecordsOut int64
	BytesIn    int64
	BytesOut   int64
	Elapsed    time.Duration
	Done       bool // the stage finished
	// Partial is set on an event sent from a running task's heartbeat,
	// not as a task ends. The local runner's records, in every event,
	// include its running tasks' counts so far (which a failed attempt
	// takes back).
	Partial bool
	// Retry, when set, makes the event the report of a task attempt that
	// failed and will be retried: which task, and why.
	Retry string
	// Note, when set, makes the event a message about the run as a whole,
	// not a stage: a job commit waiting for another run's (Sinks.ReportWaits).
	Note string
}

// StageResult describes one executed stage.
type StageResult struct {
	Stage int
	// MapTasks and ReduceTasks count the stage's tasks that succeeded:
	// all of them on a finished stage; on an Unfinished one, those done
	// when the run stopped (not those created or planned), so that what
	// a report shows of a failed stage reads as the work it got done.
	MapTasks    int
	ReduceTasks int
	// MapTasksTotal and ReduceTasksTotal are the tasks the stage was to
	// run, so that an Unfinished stage reads as "3 of 4 done"; on a
	// finished stage they equal MapTasks and ReduceTasks. 0 when the
	// runner never got as far as knowing (a stage whose splits were never
	// computed).
	MapTasksTotal    int
	ReduceTasksTotal int
	RecordsIn        int64 // records read by map tasks
	Shuffled         int64 // records written to shuffles (after map-side combining)
	RecordsOut       int64 // records written to sinks, intermediates and materializations
	// Start is when the stage's first task started, from the start of the
	// run: stages of the local runner overlap, so a stage may start before
	// the one before it ends.
	Start    time.Duration
	Duration time.Duration
	// RanAs says where the stage ran, for runners that run stages in more
	// than one way: the Hadoop runner's job ID, or "client" for a stage it
	// ran in its own process. "" for the other runners.
	RanAs string
	// Unfinished marks a stage that had started when the run failed: its
	// records and counts are those of its tasks that had succeeded.
	Unfinished bool
}

// Result is what a run reports. A run that fails once it has planned its
// pipeline and opened its outputs returns, with its error, what it got
// done: the Plan, the stages that started (Unfinished where the failure
// stopped them), the counters of the tasks that succeeded and the Wall
// time, and no Outputs. A run that fails before (an output that exists,
// say) returns no Result. A stage has started once a task of it has (or,
// on Hadoop, its job was submitted): one whose inputs failed to split did
// not.
type Result struct {
	Plan     *plan.StageGraph // nil for an unoptimized run
	Stages   []StageResult
	Counters Counters
	Outputs  []string // sink directories
	// Partitions are, by sink directory, the partitions the run wrote in
	// each partitioned output, and what became of the output's partition
	// of that name, with those an overwrite removed (and what else it
	// removed, outside partitions); sorted by path, and empty for a
	// partitioned output of no rows.
	Partitions map[string][]PartitionWrite
	Wall       time.Duration
	// DryRun is set when the runner only showed what it would run (the
	// hadoop runner's DryRun): nothing ran and nothing was written.
	DryRun bool
	// Warnings say what went wrong once the outputs were committed (a
	// scratch directory left behind): the run succeeded all the same.
	Warnings []string
}

// Started reports whether the run r reports started a stage: a run that
// failed without was refused before it ran (an output that exists, an
// input that does not split), and nothing of it ran. r may be nil.
func (r *Result) Started() bool { return r != nil && len(r.Stages) > 0 }

// Counters are user and system counters by group and name.
type Counters map[string]map[string]int64

// Add adds n to (group, name).
func (c Counters) Add(group, name string, n int64) {
	if c[group] == nil {
		c[group] = map[string]int64{}
	}
	c[group][name] += n
}

// Get returns the value of (group, name).
func (c Counters) Get(group, name string) int64 { return c[group][name] }

// Merge adds all of o to c.
func (c Counters) Merge(o Counters) {
	for g, m := range o {
		for n, v := range m {
			c.Add(g, n, v)
		}
	}
}

// String lists the counters sorted, one "group/name = value" per line.
func (c Counters) String() string {
	var b strings.Builder
	for _, g := range slices.Sorted(maps.Keys(c)) {
		for _, n := range slices.Sorted(maps.Keys(c[g])) {
			fmt.Fprintf(&b, "%s/%s = %d\n", g, n, c[g][n])
		}
	}
	return b.String()
}

// Task is the plan.TaskContext of one task attempt.
type Task struct {
	info     plan.TaskInfo
	counters map[[2]string]*plan.Counter
}

// NewTask returns the context of a task attempt.
func NewTask(info plan.TaskInfo) *Task {
	return &Task{info: info, counters: map[[2]string]*plan.Counter{}}
}

func (t *Task) Info() plan.TaskInfo { return t.info }

func (t *Task) Counter(group, name string) *plan.Counter {
	k := [2]string{group, name}
	c := t.counters[k]
	if c == nil {
		c = &plan.Counter{}
		t.counters[k] = c
	}
	return c
}

// Counters returns the task's counters.
func (t *Task) Counters() Counters {
	out := Counters{}
	keys := make([][2]string, 0, len(t.counters))
	for k := range t.counters {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+"\x00"+keys[i][1] < keys[j][0]+"\x00"+keys[j][1] })
	for _, k := range keys {
		out.Add(k[0], k[1], t.counters[k].Value)
	}
	return out
}

// ResetMaterialized makes every Materialize node of g forget what an
// earlier run delivered. Runners call it when a run starts: after a run
// that fails, Values then reports that instead of the last run's elements.
func ResetMaterialized(g *plan.Graph) {
	for _, n := range g.Nodes() {
		if n.Op == plan.OpMaterialize {
			n.Payload.(plan.MaterializePayload).Reset()
		}
	}
}
