package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
)

// ReportSchema names the JSON report's schema. Fields are only ever added
// within one schema version.
const ReportSchema = "crunchgo.report/v1"

// Report is the JSON report of a run: what ran, with which options, the
// runner's Result, and the plan it executed. A run that failed once its
// outputs were opened is reported too, as far as it got.
type Report struct {
	Schema string   `json:"schema"`
	Job    string   `json:"job"`
	Args   []string `json:"args"`
	Runner string   `json:"runner"`
	// Status is RunSucceeded, RunFailed or RunInterrupted (cancelled, by
	// a signal); Error is why a run did not succeed.
	Status   string                      `json:"status"`
	Error    string                      `json:"error,omitempty"`
	Options  ReportOptions               `json:"options"`
	Started  time.Time                   `json:"started"`
	WallNS   int64                       `json:"wall_ns"`
	Stages   []ReportStageResult         `json:"stages"`
	Counters map[string]map[string]int64 `json:"counters"`
	Outputs  []string                    `json:"outputs"`
	// Partitions are, by output, the partitions the run wrote in each
	// partitioned one, with what became of the output's partition of that
	// name ("new", "replaced", "appended to"), and those an overwrite
	// removed, with what else it removed outside partitions ("removed").
	Partitions map[string][]runner.PartitionWrite `json:"partitions,omitempty"`
	Plan       *ReportPlan                        `json:"plan"` // null for an unoptimized run
	// Retries are the task attempts that failed and were retried, each
	// with its stage, task and reason.
	Retries []string `json:"retries,omitempty"`
}

// ReportOptions are the runner options of the run.
type ReportOptions struct {
	Workers   int    `json:"workers"`
	Memory    int64  `json:"memory_bytes"`
	TmpDir    string `json:"tmp_dir"`
	WriteMode string `json:"write_mode"`
}

// The statuses of a run (Report.Status).
const (
	RunSucceeded   = "succeeded"
	RunFailed      = "failed"
	RunInterrupted = "interrupted"
)

// The statuses of a stage (ReportStageResult.Status).
const (
	StageSucceeded  = "succeeded"
	StageUnfinished = "unfinished" // started, and stopped by the run's failure
	StageNotRun     = "not run"
)

// ReportStageResult is a runner.StageResult plus the bytes the runner's
// progress events reported (0 when the runner reports none). After a
// failure, an unfinished stage's numbers are those of its tasks that had
// succeeded, its totals the tasks it was to run (0 if the runner did not
// know yet), and a stage that never started is all zeros.
type ReportStageResult struct {
	Stage            int    `json:"stage"`
	Status           string `json:"status"`
	MapTasks         int    `json:"map_tasks"`
	ReduceTasks      int    `json:"reduce_tasks"`
	MapTasksTotal    int    `json:"map_tasks_total"`
	ReduceTasksTotal int    `json:"reduce_tasks_total"`
	RecordsIn        int64  `json:"records_in"`
	Shuffled         int64  `json:"shuffled"`
	RecordsOut       int64  `json:"records_out"`
	BytesIn          int64  `json:"bytes_in"`
	BytesOut         int64  `json:"bytes_out"`
	StartNS          int64  `json:"start_ns"` // from the start of the run
	DurationNS       int64  `json:"duration_ns"`
	// RanAs is runner.StageResult.RanAs: a Hadoop job ID, or "client".
	RanAs string `json:"ran_as,omitempty"`
}

// ReportPlan is the stage graph: nodes, stages with their phases and
// channels, materialized intermediates and the planner's notes.
type ReportPlan struct {
	Fingerprint   string        `json:"fingerprint"`
	Nodes         []ReportNode  `json:"nodes"`
	Stages        []ReportStage `json:"stages"`
	Intermediates []int         `json:"intermediates"`
	Notes         []string      `json:"notes"`
	Explain       string        `json:"explain"`
}

// ReportNode is one node of the graph.
type ReportNode struct {
	ID             int     `json:"id"`
	Op             string  `json:"op"`
	Name           string  `json:"name"`
	Caller         string  `json:"caller"`
	Inputs         []int   `json:"inputs"`
	Side           []int   `json:"side,omitempty"` // side inputs
	Type           string  `json:"type"`
	Detail         string  `json:"detail,omitempty"` // a source's description, a sink's URL
	EstimatedBytes float64 `json:"estimated_bytes"`
}

// ReportStage is one planned stage.
type ReportStage struct {
	ID       int             `json:"id"`
	Inputs   []ReportInput   `json:"inputs"`
	Channels []ReportChannel `json:"channels"`
}

// ReportInput is a map-side input of a stage and the phase reading it.
type ReportInput struct {
	Node         int         `json:"node"`
	Intermediate bool        `json:"intermediate"`
	Phase        ReportPhase `json:"phase"`
}

// ReportChannel is one shuffle of a stage.
type ReportChannel struct {
	Index      int         `json:"index"`
	GroupByKey int         `json:"group_by_key"`
	Combiner   int         `json:"combiner"` // -1: none
	Partitions int         `json:"partitions"`
	Reduce     ReportPhase `json:"reduce"`
}

// ReportPhase is one fused kernel.
type ReportPhase struct {
	Kind        string `json:"kind"`
	Entry       int    `json:"entry"`
	Nodes       []int  `json:"nodes"`
	Materialize []int  `json:"materialize"`
	Sides       []int  `json:"sides,omitempty"` // side inputs read whole by every task
}

// stageBytes accumulates the bytes of progress events per stage: the last
// event of each (stage, phase) holds its phase's totals.
type stageBytes map[barKey][2]int64

func (sb stageBytes) event(ev runner.Event) {
	if ev.Phase != "" && ev.Retry == "" {
		sb[barKey{ev.Stage, ev.Phase}] = [2]int64{ev.BytesIn, ev.BytesOut}
	}
}

func (sb stageBytes) of(stage int) (in, out int64) {
	for k, v := range sb {
		if k.stage == stage {
			in += v[0]
			out += v[1]
		}
	}
	return in, out
}

func newReport(job *runner.Job, args []string, runnerName string, opts runner.Options, res *runner.Result, started time.Time, bytes stageBytes, retries []string) *Report {
	r := &Report{
		Retries:    retries,
		Schema:     ReportSchema,
		Job:        job.Name,
		Args:       append([]string{}, args...),
		Runner:     runnerName,
		Status:     RunSucceeded,
		Options:    ReportOptions{Workers: opts.Workers, Memory: opts.Memory, TmpDir: opts.TmpDir, WriteMode: opts.WriteMode.String()},
		Started:    started.UTC().Truncate(time.Millisecond),
		WallNS:     int64(res.Wall),
		Stages:     []ReportStageResult{},
		Counters:   map[string]map[string]int64{},
		Outputs:    append([]string{}, res.Outputs...),
		Partitions: res.Partitions,
	}
	if r.Options.Memory == 0 {
		r.Options.Memory = runner.DefaultMemory
	}
	for _, s := range res.Stages {
		in, out := bytes.of(s.Stage)
		status := StageSucceeded
		if s.Unfinished {
			status = StageUnfinished
		}
		r.Stages = append(r.Stages, ReportStageResult{Stage: s.Stage, Status: status, MapTasks: s.MapTasks, ReduceTasks: s.ReduceTasks,
			MapTasksTotal: s.MapTasksTotal, ReduceTasksTotal: s.ReduceTasksTotal,
			RecordsIn: s.RecordsIn, Shuffled: s.Shuffled, RecordsOut: s.RecordsOut, BytesIn: in, BytesOut: out, StartNS: int64(s.Start), DurationNS: int64(s.Duration), RanAs: s.RanAs})
	}
	if res.Plan != nil {
		// A failed run's Result holds the stages that started: the others
		// are listed as not run, and all in the plan's order.
		order := map[int]int{}
		for i, st := range res.Plan.Stages {
			order[st.ID] = i
			if !slices.ContainsFunc(r.Stages, func(s ReportStageResult) bool { return s.Stage == st.ID }) {
				r.Stages = append(r.Stages, ReportStageResult{Stage: st.ID, Status: StageNotRun})
			}
		}
		slices.SortStableFunc(r.Stages, func(a, b ReportStageResult) int { return order[a.Stage] - order[b.Stage] })
	}
	for g, m := range res.Counters {
		r.Counters[g] = maps.Clone(m)
	}
	if res.Plan != nil {
		r.Plan = reportPlan(res.Plan)
	}
	return r
}

func reportPlan(sg *plan.StageGraph) *ReportPlan {
	g := sg.Graph
	rp := &ReportPlan{Fingerprint: g.Fingerprint(), Nodes: []ReportNode{}, Stages: []ReportStage{}, Intermediates: ids(sg.Intermediates),
		Notes: append([]string{}, sg.Notes...), Explain: sg.Explain()}
	for _, n := range g.Nodes() {
		rn := ReportNode{ID: int(n.ID), Op: n.Op.String(), Name: n.Name, Caller: n.Caller, Inputs: ids(n.Inputs), Type: "?"}
		if len(n.Side) > 0 {
			rn.Side = ids(n.Side)
		}
		if n.Type != nil {
			rn.Type = n.Type.String()
		}
		switch p := n.Payload.(type) {
		case plan.SourcePayload:
			rn.Detail = p.Describe()
		case plan.SinkPayload:
			rn.Detail = p.URL()
		}
		if int(n.ID) < len(sg.Sizes) {
			rn.EstimatedBytes = sg.Sizes[n.ID]
		}
		rp.Nodes = append(rp.Nodes, rn)
	}
	for _, st := range sg.Stages {
		rs := ReportStage{ID: st.ID, Inputs: []ReportInput{}, Channels: []ReportChannel{}}
		for _, in := range st.Inputs {
			rs.Inputs = append(rs.Inputs, ReportInput{Node: int(in.Node), Intermediate: in.Intermediate, Phase: reportPhase(in.Phase)})
		}
		for _, ch := range st.Channels {
			rs.Channels = append(rs.Channels, ReportChannel{Index: ch.Index, GroupByKey: int(ch.GroupByKey), Combiner: int(ch.Combiner),
				Partitions: ch.Partitions, Reduce: reportPhase(ch.Reduce)})
		}
		rp.Stages = append(rp.Stages, rs)
	}
	return rp
}

func reportPhase(ph *plan.Phase) ReportPhase {
	rp := ReportPhase{Kind: ph.Kind.String(), Entry: int(ph.Entry), Nodes: ids(ph.Nodes), Materialize: ids(ph.Materialize)}
	if len(ph.Sides) > 0 {
		rp.Sides = ids(ph.Sides)
	}
	return rp
}

func ids(ns []plan.NodeID) []int {
	out := make([]int, len(ns))
	for i, n := range ns {
		out[i] = int(n)
	}
	return out
}

// writeReport writes rep to url (any storage URL) as HTML when the name ends
// in .html, else as indented JSON. An earlier report there is removed
// first, so that one not written is not read as this run's; that failing
// is its error.
func writeReport(ctx context.Context, url string, rep *Report) error {
	if err := removeReport(ctx, url); err != nil {
		return err
	}
	var buf bytes.Buffer
	if strings.HasSuffix(strings.ToLower(url), ".html") {
		if err := renderHTML(&buf, rep); err != nil {
			return err
		}
	} else {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("encoding report: %w", err)
		}
	}
	return storage.WriteFile(ctx, url, buf.Bytes())
}

// reportPaths are the report files --report names, in the order given,
// each once: a path given twice (also as ./r.json or file://...) is
// written once. A path inside another (r and r/x.json) is refused, as one
// of them could not be written; an empty one ("--report $UNSET") asks for
// no report, as it always has.
func reportPaths(given []string) ([]string, error) {
	var paths, keys []string
	for _, p := range given {
		if p == "" {
			continue
		}
		key := p
		if lp, local := storage.LocalPath(p); local {
			key = lp // file:///r.json is /r.json
		}
		key = plan.CleanDir(key)
		if slices.Contains(keys, key) {
			continue
		}
		for i, k := range keys {
			inner, outer := p, paths[i]
			if plan.InDir(k, key) {
				inner, outer = outer, inner
			} else if !plan.InDir(key, k) {
				continue
			}
			return nil, fmt.Errorf("%s is inside %s, another report: give each report a file of its own", inner, outer)
		}
		paths, keys = append(paths, p), append(keys, key)
	}
	return paths, nil
}

// checkReportPath fails, before a run, for a report path that is a
// directory, under a file, or in a directory that takes no files (read-only,
// /proc): the report would fail after the job had committed its outputs.
// A disk that fills during the run still fails it then.
func checkReportPath(ctx context.Context, url string) error {
	if err := notRegular(url); err != nil {
		return err
	}
	if fi, err := storage.Stat(ctx, url); err == nil && fi.IsDir {
		return fmt.Errorf("%s is a directory", url)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for dir := storage.Dir(url); dir != ""; dir = storage.Dir(dir) {
		fi, err := storage.Stat(ctx, dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue // created with the report
		}
		if err != nil {
			return err
		}
		if !fi.IsDir {
			return fmt.Errorf("%s is under %s, which is not a directory", url, dir)
		}
		// Writing there is the one sure test of being able to.
		probe := storage.Join(dir, fmt.Sprintf(".crunchgo-report-probe-%d", os.Getpid()))
		if err := storage.WriteFile(ctx, probe, nil); err != nil {
			return fmt.Errorf("%s cannot be written: %w", url, err)
		}
		return storage.Remove(ctx, probe)
	}
	return nil
}

// notRegular refuses a local report path that holds something other than a
// regular file: a symbolic link, a device (/dev/null), a pipe. The report is
// written by replacing what is there, which would delete it.
func notRegular(url string) error {
	p, local := storage.LocalPath(url)
	if !local {
		return nil // HDFS and the like have no such files
	}
	fi, err := os.Lstat(p)
	if err != nil || fi.Mode().IsRegular() || fi.IsDir() {
		return nil // what is not there, or a directory, is for the caller
	}
	kind := "a special file"
	switch m := fi.Mode(); {
	case m&fs.ModeSymlink != 0:
		kind = "a symbolic link"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return fmt.Errorf("%s is %s, not a regular file: the report replaces what is there, so give the path of a file", url, kind)
}

// removeReport removes the file at url, if any; never a directory, a link
// or a device.
func removeReport(ctx context.Context, url string) error {
	if err := notRegular(url); err != nil {
		return err
	}
	fi, err := storage.Stat(ctx, url)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir {
		return fmt.Errorf("%s is a directory", url)
	}
	return storage.Remove(ctx, url)
}

// sortedCounters lists counters as (group, name, value), sorted.
func sortedCounters(c map[string]map[string]int64) [][3]string {
	var out [][3]string
	for _, g := range slices.Sorted(maps.Keys(c)) {
		for _, n := range slices.Sorted(maps.Keys(c[g])) {
			out = append(out, [3]string{g, n, count(c[g][n])})
		}
	}
	return out
}
