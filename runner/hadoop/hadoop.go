package hadoop

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
	_ "github.com/crunchgo/crunchgo/storage/hdfs" // tasks and the driver read hdfs:// URLs
)

// BytesPerMapTask is the source input per map task the runner asks for
// unless Runner.MapTasks is set: about an HDFS block (128 MiB by default),
// as Hadoop's own input formats split.
const BytesPerMapTask = 128 << 20

// Runner runs a pipeline as a chain of Hadoop Streaming jobs, one per stage.
// The zero value runs `hadoop` from HADOOP_HOME (or PATH) with the streaming
// jar found under HADOOP_HOME, shipping the running binary.
type Runner struct {
	// HadoopBin is the hadoop command; "": $HADOOP_HOME/bin/hadoop, else hadoop on PATH.
	HadoopBin string
	// StreamingJar is the hadoop-streaming jar; "": found under $HADOOP_HOME.
	StreamingJar string
	// Queue is the YARN queue (mapreduce.job.queuename); "": the default.
	Queue string
	// Defines are extra -D key=value settings passed to every job, after the
	// runner's own (so they win).
	Defines []string
	// TempDir is where the run keeps manifests, intermediates and task
	// errors, as a storage URL every node of the cluster can read and
	// write (hdfs://...); "": Options.TmpDir, else hdfs:///tmp/crunchgo.
	// The run uses a fresh subdirectory and removes it at the end.
	TempDir string
	// KeepTemp keeps the run's temp directory (for debugging).
	KeepTemp bool
	// DryRun prints the exact commands and manifests to Out and runs
	// nothing: no files are written and no outputs are checked.
	DryRun bool
	// Out receives the dry-run listing; nil: os.Stdout.
	Out io.Writer
	// Log receives the hadoop client's output as it runs; nil: discarded
	// (the tail is still part of a failure's error).
	Log io.Writer
	// Binary is the job binary shipped to tasks with -files; "": the
	// running executable. TaskArgs are the arguments that make it a task;
	// nil: TaskCommand.
	Binary   string
	TaskArgs []string
	// ClientStageMax is the most input a stage may read to run in this
	// process instead of as a Hadoop job (client.go); 0: every stage runs
	// on the cluster. The CLI's --client-stage-max defaults to
	// DefaultClientStageMax.
	ClientStageMax int64
	// MapTasks is the split hint for sources; 0: Options.Workers, else 8,
	// or more for a source larger than that many times BytesPerMapTask.
	MapTasks int
	// User is who tasks act as on HDFS without Kerberos (their
	// HADOOP_USER_NAME): a task's process runs as the NodeManager's user,
	// which may not write where the job's ApplicationMaster, acting as the
	// submitter, created the output's directories. "": HADOOP_USER_NAME,
	// else this process's user.
	User string
	// RunID names the run's temp directory; "": a fresh runner.NewRunID.
	RunID string

	binary, jar, user string
}

// Run runs p, which must have been built from a registered job (its recipe
// is how tasks rebuild it). See the package documentation.
// errInTask is returned by Run in a task of a crunchgo job: its binary
// runs the driver where it should serve as the task.
var errInTask = errors.New("hadoop runner: this process is a task of a crunchgo Hadoop job but runs a pipeline instead of serving as the task: build the binary on cli.Main, or call hadoop.MaybeTask first in main")

// inCrunchgoTask reports whether this process is a task attempt of a job
// this runner submitted (named "crunchgo JOB stage i/n").
func inCrunchgoTask() bool {
	return os.Getenv(envAttempt) != "" && strings.HasPrefix(os.Getenv("mapreduce_job_name"), "crunchgo ")
}

// PlanOptions returns o as this runner plans with it: Hadoop commits a
// stage's map output with its reduce output, when the job ends, so a
// reducer cannot read a side input its own maps wrote. explain uses it to
// show the plan a hadoop run would execute.
func PlanOptions(o plan.Options) plan.Options {
	o.SideInputsFromEarlierStages = true
	return o
}

func (r Runner) Run(ctx context.Context, p *pcollection.Pipeline, opts runner.Options) (*runner.Result, error) {
	if inCrunchgoTask() {
		// Every task would submit jobs of its own, on the cluster.
		return nil, errInTask
	}
	start := time.Now()
	recipe := p.Recipe()
	if recipe == nil {
		return nil, errors.New("hadoop runner: the pipeline was not built from a registered job (runner.Register), so tasks cannot rebuild it")
	}
	if opts.Unoptimized {
		return nil, errors.New("hadoop runner: unoptimized runs are for the in-memory runner only")
	}
	if err := r.setup(); err != nil {
		return nil, err
	}
	// A dry run ships nothing: it prints its plan whatever the binary (one
	// not built yet, a Mac build on a laptop) and without Hadoop installed,
	// with why it could not run.
	jarErr := r.findJar()
	if jarErr != nil && !r.DryRun {
		return nil, jarErr
	}
	bin, binErr := inspectBinary(r.binary)
	if binErr != nil && !r.DryRun {
		return nil, binErr
	}
	g := p.Graph()
	// The options travel in the job spec, so tasks plan the same way.
	opts.Plan = PlanOptions(opts.Plan)
	if opts.Plan.SourceSizes == nil {
		// Tasks plan the graph again: with the driver's sizes, as it did.
		opts.Plan.SourceSizes = plan.MeasureSources(ctx, g)
	}
	sg, err := plan.Optimize(ctx, g, opts.Plan)
	if err != nil {
		return nil, err
	}
	run := r.RunID
	if run == "" {
		run = runner.NewRunID()
	}
	tempRoot := r.TempDir
	if tempRoot == "" {
		tempRoot = opts.TmpDir
	}
	if tempRoot == "" {
		tempRoot = "hdfs:///tmp/crunchgo"
	}
	temp := hadoopURL(storage.Join(tempRoot, "crunchgo-"+run))
	if strings.ContainsAny(temp, " \t\n'\"\\") {
		return nil, fmt.Errorf("hadoop runner: temp dir %q must not contain spaces, quotes or backslashes (it is part of task commands)", temp)
	}
	if err := sameFileSystem(g, temp); err != nil {
		return nil, err
	}
	if err := absoluteSources(g); err != nil {
		return nil, err
	}
	spec := &jobSpec{Recipe: *recipe, Fingerprint: g.Fingerprint(), Plan: opts.Plan, PlanFingerprint: sg.Fingerprint(), Run: run, Temp: temp}
	jobs, err := r.planJobs(ctx, sg, opts, spec)
	if err != nil {
		return nil, err
	}
	res := &runner.Result{Plan: sg, Counters: runner.Counters{}}
	if r.DryRun {
		res.DryRun = true
		return res, r.dryRun(spec, jobs, bin, binErr, jarErr)
	}
	runner.ResetMaterialized(g)
	e := &driver{r: &r, ctx: ctx, sg: sg, opts: opts, spec: spec, jobs: jobs, res: res, start: start, bin: bin}
	err = e.execute()
	var rerr error
	if !r.KeepTemp {
		rerr = removeTemp(context.WithoutCancel(ctx), temp)
	}
	res.Wall = time.Since(start)
	if err != nil {
		e.committers.AbortJob()
		if rerr != nil {
			err = fmt.Errorf("%w\n(and the run's temp dir %s could not be removed: %v)", err, temp, rerr)
		}
		if e.committers == nil {
			return nil, err // the outputs could not be opened: nothing ran
		}
		return res, err
	}
	if rerr != nil {
		// The outputs are committed, so the run has succeeded: a temp dir
		// left behind (a namenode hiccup, a quota) is only reported.
		res.Warnings = append(res.Warnings, fmt.Sprintf("could not remove the run's temp dir %s: %v", temp, rerr))
	}
	return res, nil
}

// sameFileSystem checks, before any job runs, that every sink is on the
// file system of the run's temp directory: a stage's outputs are moved
// from its job's output directory into the sinks by renaming, which fails
// across file systems, and would fail only once that job had run.
func sameFileSystem(g *plan.Graph, temp string) error {
	for _, n := range g.Nodes() {
		if n.Op != plan.OpSink {
			continue
		}
		if u := n.Payload.(plan.SinkPayload).URL(); !onSameFileSystem(u, temp) {
			return fmt.Errorf("hadoop runner: %s (%s) writes %s, which is not on the file system of the run's temp dir %s (--hadoop-tmp): outputs are moved into place by renaming, so they must be on the same one (write both on HDFS, on the same namenode)", n.Label(), n.Caller, u, temp)
		}
	}
	return nil
}

// onSameFileSystem reports whether URLs a and b may be on one file system.
// HDFS's default port is implied, and a URL naming no namenode (hdfs:///tmp,
// the default --hadoop-tmp) means fs.defaultFS's. Without a Hadoop
// configuration saying which that is, it matches any (a rename across
// namenodes would then fail after the job).
func onSameFileSystem(a, b string) bool {
	sa, ha, _ := storage.SplitURL(storage.CanonicalURL(hadoopURL(a)))
	sb, hb, _ := storage.SplitURL(storage.CanonicalURL(hadoopURL(b)))
	return sa == sb && (ha == hb || sa == "hdfs" && (ha == "" || hb == ""))
}

// removeTemp removes a run's temp dir; tests make it fail.
var removeTemp = storage.RemoveAll

// findJar sets the streaming jar the jobs run: StreamingJar, else the one
// under HADOOP_HOME. Without one a dry run still prints its plan, naming a
// placeholder (and the error says why).
func (r *Runner) findJar() error {
	r.jar = r.StreamingJar
	if r.jar != "" {
		return nil
	}
	jar, err := FindStreamingJar(os.Getenv("HADOOP_HOME"))
	if err != nil {
		r.jar = "hadoop-streaming.jar"
		return fmt.Errorf("hadoop runner: %w", err)
	}
	r.jar = jar
	return nil
}

// absoluteSources refuses a source given as a relative local path: the
// cluster's tasks read their splits in working directories of their own,
// where it names nothing (a stage run in the client would still work,
// so the same command would fail only on larger inputs).
func absoluteSources(g *plan.Graph) error {
	for _, n := range g.Nodes() {
		src, ok := n.Payload.(plan.FileSource)
		if n.Op != plan.OpSource || !ok {
			continue
		}
		if p, local := storage.LocalPath(src.Pattern()); local && !filepath.IsAbs(p) {
			return fmt.Errorf("hadoop runner: %s (%s) reads %s, a relative path, which the cluster's tasks, each in a working directory of its own, cannot find: give an absolute path or a URL", n.Label(), n.Caller, src.Pattern())
		}
	}
	return nil
}

func (r *Runner) setup() error {
	if r.HadoopBin == "" {
		r.HadoopBin = defaultHadoopBin()
	}
	r.binary = r.Binary
	if r.binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("hadoop runner: finding the job binary: %w", err)
		}
		r.binary = exe
	}
	r.user = cmp.Or(r.User, os.Getenv("HADOOP_USER_NAME"))
	if r.user == "" {
		if u, err := user.Current(); err == nil {
			r.user = u.Username
		}
	}
	if strings.ContainsAny(r.binary, " \t\n'\"\\#,") {
		return fmt.Errorf("hadoop runner: job binary path %q must not contain spaces, quotes, '#' or ','", r.binary)
	}
	return nil
}

// planJobs computes every stage's manifest and command. Intermediate files
// have names fixed by the task that writes them, so later stages'
// manifests are known before anything runs.
func (r *Runner) planJobs(ctx context.Context, sg *plan.StageGraph, opts runner.Options, spec *jobSpec) ([]*stageJob, error) {
	hint := r.MapTasks
	if hint <= 0 {
		hint = opts.Workers
	}
	if hint <= 0 {
		hint = 8
	}
	written := map[plan.NodeID][]string{} // intermediate node -> its files, in task order
	var jobs []*stageJob
	for _, st := range sg.Stages {
		sj := &stageJob{stage: st, manifest: manifestURL(spec.Temp, st.ID), out: stageOut(spec.Temp, st.ID)}
		parts := make([]int, len(st.Channels))
		for i, ch := range st.Channels {
			parts[i] = runner.Partitions(sg, ch, opts)
			sj.reducers = max(sj.reducers, parts[i])
		}
		spec.Parts = append(spec.Parts, parts)
		for i, in := range st.Inputs {
			if in.Intermediate {
				files, ok := written[in.Node]
				if !ok {
					return nil, fmt.Errorf("hadoop runner: stage %d reads %s, which no earlier stage writes", st.ID, sg.Graph.Node(in.Node).Label())
				}
				for _, f := range files {
					sj.lines = append(sj.lines, taskLine{Task: len(sj.lines), Input: i, Node: in.Node, File: f})
				}
				continue
			}
			src := sg.Graph.Node(in.Node).Payload.(plan.SourcePayload)
			n := hint
			if r.MapTasks <= 0 {
				// A task per block or so, as Hadoop's own input formats
				// split, however large the input.
				n = max(n, int(math.Ceil(sg.Sizes[in.Node]/BytesPerMapTask)))
			}
			splits, err := src.Splits(ctx, n)
			if err != nil {
				return nil, fmt.Errorf("splitting %s: %w", src.Describe(), err)
			}
			// Small splits (many small files) share a task: a task is a
			// container, seconds to start on a cluster.
			for _, group := range runner.PackSplits(splits, n, BytesPerMapTask) {
				sj.lines = append(sj.lines, taskLine{Task: len(sj.lines), Input: i, Node: in.Node, Splits: group})
			}
		}
		// Files this stage writes for later stages. An input without
		// tasks (a source without splits: an empty file) writes none, but
		// its intermediates are still written: empty.
		for i, in := range st.Inputs {
			for _, n := range in.Phase.Materialize {
				if written[n] == nil {
					written[n] = []string{}
				}
				for _, l := range sj.lines {
					if l.Input == i {
						written[n] = append(written[n], storage.Join(sj.out, interDir(n), fileName(in.Phase, l.Task)))
					}
				}
			}
		}
		for _, ch := range st.Channels {
			for _, n := range ch.Reduce.Materialize {
				for p := range spec.Parts[st.ID][ch.Index] {
					written[n] = append(written[n], storage.Join(sj.out, interDir(n), fileName(ch.Reduce, p)))
				}
			}
		}
		spec.Reducers = append(spec.Reducers, sj.reducers)
		jobs = append(jobs, sj)
	}
	// Side inputs that are sources are listed with the inputs, before any
	// job runs: a missing lookup file fails the run here, once.
	sourceSides, err := runner.SourceSideSplits(ctx, sg)
	if err != nil {
		return nil, err
	}
	spec.SourceSides = sourceSides
	for _, id := range sg.Intermediates {
		if len(sg.Graph.SideUsers(id)) > 0 {
			if spec.Sides == nil {
				spec.Sides = map[plan.NodeID][]string{}
			}
			spec.Sides[id] = written[id]
		}
	}
	// The run's task timeout, unless left to the cluster; the user's own
	// -D settings come after it, and the last one wins.
	defines := r.Defines
	if opts.TaskTimeout != 0 {
		defines = append([]string{fmt.Sprintf("mapreduce.task.timeout=%d", opts.EffectiveTaskTimeout().Milliseconds())}, defines...)
	}
	for _, sj := range jobs {
		sj.argv = r.command(spec.Recipe.Job, sg, sj, specURL(spec.Temp), defines)
	}
	return jobs, nil
}

func (r *Runner) dryRun(spec *jobSpec, jobs []*stageJob, bin *jobBinary, binErr, jarErr error) error {
	w := r.Out
	if w == nil {
		w = os.Stdout
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return err
	}
	var out strings.Builder
	if r.ClientStageMax > 0 {
		fmt.Fprintf(&out, "# a stage that reads at most %s runs in this process instead of as its job below (its input is measured when it runs)\n", sizeFlag{&r.ClientStageMax})
	}
	if jarErr != nil {
		fmt.Fprintf(&out, "# %s: the commands below name %s in its place\n", strings.TrimPrefix(jarErr.Error(), "hadoop runner: "), r.jar)
	}
	if binErr != nil {
		fmt.Fprintf(&out, "# %s\n", strings.TrimPrefix(binErr.Error(), "hadoop runner: "))
	} else {
		fmt.Fprintf(&out, "# %s", strings.TrimPrefix(bin.describe(), "crunchgo: "))
	}
	fmt.Fprintf(&out, "# job spec %s\n%s\n", specURL(spec.Temp), b)
	for _, sj := range jobs {
		fmt.Fprintf(&out, "\n# stage %d: %d map task(s), %d reduce task(s)\n", sj.stage.ID, len(sj.lines), sj.reducers)
		fmt.Fprintf(&out, "# manifest %s\n", sj.manifest)
		m, err := manifest(sj.lines)
		if err != nil {
			return err
		}
		out.Write(m)
		fmt.Fprintf(&out, "%s\n", shellQuote(append([]string{r.HadoopBin}, sj.argv...)))
	}
	_, err = io.WriteString(w, out.String())
	return err
}

func manifest(lines []taskLine) ([]byte, error) {
	var b bytes.Buffer
	for _, l := range lines {
		j, err := json.Marshal(l)
		if err != nil {
			return nil, err
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

type driver struct {
	start      time.Time // of the run
	r          *Runner
	ctx        context.Context
	sg         *plan.StageGraph
	opts       runner.Options
	spec       *jobSpec
	jobs       []*stageJob
	res        *runner.Result
	committers runner.Sinks
	// bin is the binary the jobs ship, described in the log before the
	// first one (a run whose stages all run in the client ships none).
	bin       *jobBinary
	binLogged bool
}

func (e *driver) execute() error {
	g := e.sg.Graph
	sinks, err := runner.OpenSinks(e.ctx, g, e.opts.WriteMode, e.spec.Run)
	if err != nil {
		return err
	}
	e.committers = sinks
	b, err := json.Marshal(e.spec)
	if err != nil {
		return err
	}
	if err := storage.WriteFile(e.ctx, specURL(e.spec.Temp), b); err != nil {
		return err
	}
	for _, sj := range e.jobs {
		m, err := manifest(sj.lines)
		if err != nil {
			return err
		}
		if err := storage.WriteFile(e.ctx, sj.manifest, m); err != nil {
			return err
		}
	}
	for _, sj := range e.jobs {
		if e.ctx.Err() != nil {
			// Cancelled as the stage before ended: nothing is running.
			return fmt.Errorf("cancelled before stage %d: %w", sj.stage.ID, context.Cause(e.ctx))
		}
		sr, started, err := e.stage(sj)
		if err != nil {
			if started {
				sr.Duration, sr.Unfinished = time.Since(e.start)-sr.Start, true
				e.res.Stages = append(e.res.Stages, sr)
			}
			return fmt.Errorf("stage %d: %w", sj.stage.ID, err)
		}
		e.res.Stages = append(e.res.Stages, sr)
	}
	for _, n := range g.Nodes() {
		if n.Op != plan.OpMaterialize {
			continue
		}
		recs, err := e.collected(n.ID)
		if err != nil {
			return err
		}
		if err := n.Payload.(plan.MaterializePayload).Deliver(slices.Values(recs)); err != nil {
			return fmt.Errorf("%s (%s): %w", n.Label(), n.Caller, err)
		}
	}
	e.committers.ReportWaits(e.opts.Progress)
	return e.committers.CommitInto(e.ctx, e.res, nil)
}

// stage runs one stage, in this process when its input is small
// (client.go), else as a Hadoop job, and publishes its sink files.
// started says whether it got as far as running tasks in the client
// (even if it then left the stage to the cluster) or starting the job: a
// stage that fails before has not started.
func (e *driver) stage(sj *stageJob) (sr runner.StageResult, started bool, err error) {
	start := time.Now()
	// A manifest line is a map task (NLineInputFormat, one line a split).
	sr = runner.StageResult{Stage: sj.stage.ID, MapTasksTotal: len(sj.lines), ReduceTasksTotal: sj.reducers, Start: start.Sub(e.start)}
	ran, tried, err := e.maybeInClient(sj, &sr, start)
	if err != nil {
		return sr, tried, err
	}
	if !ran {
		if !e.binLogged {
			// A run whose stages all fit in the client needs no hadoop
			// command, so it is looked for only now, before the binary is
			// described for a job that could not be submitted.
			if _, err := exec.LookPath(e.r.HadoopBin); err != nil {
				return sr, tried, fmt.Errorf("hadoop runner: the hadoop command: %w (set HADOOP_HOME or --hadoop-bin)", err)
			}
			e.logf("%s", e.bin.describe())
			e.binLogged = true
		}
		if err := e.runJob(sj, &sr, start); err != nil {
			return sr, true, err
		}
	}
	// Succeeded, all of them; a stage that fails before says how many did.
	sr.MapTasks, sr.ReduceTasks = sr.MapTasksTotal, sr.ReduceTasksTotal
	for _, ph := range sj.stage.Phases() {
		for _, n := range ph.Nodes {
			if c := e.committers[n]; c != nil {
				if err := e.publish(sj, n, c); err != nil {
					return sr, true, err
				}
			}
		}
	}
	sr.Duration = time.Since(start)
	e.progress(sj, start, runner.Event{TasksDone: sr.MapTasks + sr.ReduceTasks, TasksTotal: sr.MapTasks + sr.ReduceTasks,
		RecordsIn: sr.RecordsIn, RecordsOut: sr.RecordsOut, Done: true})
	return sr, true, nil
}

// progress reports ev, an event of stage sj, which started at start.
func (e *driver) progress(sj *stageJob, start time.Time, ev runner.Event) {
	if e.opts.Progress != nil {
		ev.Stage, ev.Stages, ev.Elapsed = sj.stage.ID, len(e.jobs), time.Since(start)
		e.opts.Progress(ev)
	}
}

// runJob runs stage sj as a Hadoop job and adds the counters its tasks
// reported to sr and the run's counters.
func (e *driver) runJob(sj *stageJob, sr *runner.StageResult, start time.Time) error {
	cmd := exec.CommandContext(e.ctx, e.r.HadoopBin, sj.argv...)
	inOwnGroup(cmd)
	// A child of the client that outlives it holds its output pipes open.
	cmd.WaitDelay = 5 * time.Second
	if os.Getenv("HADOOP_ROOT_LOGGER") == "" {
		// The job ID and the counters come from the client's INFO lines
		// on the console, which a site may have turned off.
		cmd.Env = append(os.Environ(), "HADOOP_ROOT_LOGGER=INFO,console")
	}
	tail := &tailBuffer{max: 64 << 10}
	progress := e.jobProgress(sj, start)
	// The job ID, seen as the lines stream (read once Run has returned,
	// which waits for them): a long log may push it out of the tail, and a
	// cancelled run needs it to kill the job. The client names the job
	// when it submits it, before it runs.
	var jobID string
	dataFailures := e.watchDataFailures(sj)
	ws := []io.Writer{tail, &lineWriter{onLine: func(line string) {
		for _, marker := range []string{"Submitting tokens for job: ", "Running job: "} {
			if i := strings.Index(line, marker); i >= 0 && jobID == "" {
				jobID = strings.TrimSpace(line[i+len(marker):])
			}
		}
		progress(line)
		dataFailures.line(line, jobID)
	}}}
	if e.r.Log != nil {
		ws = append(ws, e.r.Log)
	}
	// One writer for both, so that one goroutine at a time writes to it.
	w := io.MultiWriter(ws...)
	cmd.Stdout, cmd.Stderr = w, w
	runErr := cmd.Run()
	dataFailures.stop()
	// A job killed for its data needs no second kill.
	if runErr != nil && e.ctx.Err() != nil && !dataFailures.killed {
		if cmd.Process == nil {
			return fmt.Errorf("cancelled before its hadoop job was submitted: %w", context.Cause(e.ctx))
		}
		return e.killJob(jobID)
	}
	log := tail.String()
	cl := parseClientLog(log)
	cl.jobID = jobID
	// Hadoop Streaming exits 0 only when the job succeeded: its exit status
	// is the verdict, whatever the client logged.
	sr.RanAs = cl.jobID // a failed job's too: where its history is
	// A failed job's client prints its counters too, of the task attempts
	// that succeeded: the report of the failed run shows them.
	for g, m := range cl.counters {
		switch {
		case g == statsGroup:
			sr.RecordsIn += m["map records in"]
			sr.Shuffled += m["map shuffled"]
			sr.RecordsOut += m["map records out"] + m["reduce records out"]
		case strings.HasPrefix(g, userGroupPrefix):
			for n, v := range m {
				e.res.Counters.Add(unescapeCounter.Replace(strings.TrimPrefix(g, userGroupPrefix)), unescapeCounter.Replace(n), v)
			}
		}
	}
	if runErr != nil {
		sr.MapTasks, sr.ReduceTasks = succeededTasks(cl.counters, "map"), succeededTasks(cl.counters, "reduce")
		if dataFailures.failure != nil {
			return e.dataError(cl, log, runErr, dataFailures)
		}
		return e.jobError(sj, cl, log, runErr)
	}
	return nil
}

// succeededTasks counts a failed job's tasks of kind (map or reduce) that
// succeeded, from the job counters its client printed: every attempt
// launched that neither failed nor was killed (a task succeeds once).
func succeededTasks(c runner.Counters, kind string) int {
	m := c["Job Counters"]
	return int(m["Launched "+kind+" tasks"] - m["Failed "+kind+" tasks"] - m["Killed "+kind+" tasks"])
}

// killJob kills job id, submitted by a client this cancelled run stopped:
// on YARN a job runs on without its client, using the cluster and writing
// into a temp dir the run is about to remove.
func (e *driver) killJob(id string) error {
	cause := context.Cause(e.ctx)
	if id == "" {
		return fmt.Errorf("hadoop job cancelled before the client printed its ID (a job it submitted may still run on the cluster): %w", cause)
	}
	if err := e.hadoopKill(id); err != nil {
		return fmt.Errorf("hadoop job %s cancelled, but %v, so it may still run on the cluster: %w", id, err, cause)
	}
	return fmt.Errorf("hadoop job %s cancelled and killed on the cluster: %w", id, cause)
}

// publish moves the part files Hadoop committed for sink n into the sink's
// committer, as one committed task named after the stage.
func (e *driver) publish(sj *stageJob, n plan.NodeID, c *runner.Committer) error {
	dir := storage.Join(sj.out, sinkDir(n))
	files, err := storage.List(e.ctx, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	attempt := fmt.Sprintf("hadoop_stage_%d", sj.stage.ID)
	for _, f := range files {
		if err := storage.Rename(e.ctx, f.URL, c.TaskFile(attempt, f.Name)); err != nil {
			return fmt.Errorf("publishing %s: %w", f.URL, err)
		}
	}
	return c.CommitTask(e.ctx, attempt)
}

// collected reads back every record tasks wrote for Materialize node n.
func (e *driver) collected(n plan.NodeID) ([][]byte, error) {
	var recs [][]byte
	for _, sj := range e.jobs {
		files, err := storage.List(e.ctx, storage.Join(sj.out, collectDir(n)))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			err := readFrames(e.ctx, f.URL, func(rec []byte) error {
				recs = append(recs, bytes.Clone(rec))
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return recs, nil
}

// jobError describes a failed job: its ID, the error of the attempt that
// ended it (taskError), and the tail of what the hadoop client printed.
func (e *driver) jobError(sj *stageJob, cl clientLog, log string, runErr error) error {
	id := cl.jobID
	if id == "" {
		id = "(no job id printed)"
	}
	status := "failed"
	if runErr != nil {
		status = fmt.Sprintf("failed (%v)", runErr)
	}
	tail := lastLines(log, 20)
	if te := e.taskError(sj, cl.jobID, log); te != nil {
		// The task's own error first: the client's tail is mostly counters.
		return fmt.Errorf("hadoop job %s %s: task %s: %w\nhadoop output (tail):\n%s", id, status, te.Attempt, te.Err(), tail)
	}
	return fmt.Errorf("hadoop job %s %s\nhadoop output (tail):\n%s", id, status, tail)
}

// failedTask finds the tasks the hadoop client names as having failed the
// job ("Task failed task_..._m_000001").
var failedTask = regexp.MustCompile(`Task failed (task_[0-9A-Za-z_]+)`)

// taskError reads the error file of the attempt that explains why stage
// sj's job failed: the last attempt of a task the client log names as
// failed, else this job's most recent failed attempt. An earlier attempt
// may have failed and been retried successfully, so the first file listed
// is not the cause (a map's hiccup would hide the reducer that failed).
func (e *driver) taskError(sj *stageJob, jobID, log string) *taskError {
	files, err := storage.List(e.ctx, errorsDir(e.spec.Temp))
	if err != nil {
		return nil
	}
	failed := map[string]bool{}
	for _, m := range failedTask.FindAllStringSubmatch(log, -1) {
		failed[m[1]] = true
	}
	thisJob := "attempt_" + strings.TrimPrefix(jobID, "job_") + "_"
	prefix := fmt.Sprintf("stage-%d-", sj.stage.ID)
	var best *taskError
	var bestRank [3]int64 // named failed task, attempt number, modification time
	for _, f := range files {
		attempt := strings.TrimSuffix(strings.TrimPrefix(f.Name, prefix), ".json")
		if !strings.HasPrefix(f.Name, prefix) || (jobID != "" && !strings.HasPrefix(attempt, thisJob)) {
			continue
		}
		b, err := storage.ReadFile(e.ctx, f.URL)
		var te taskError
		if err != nil || json.Unmarshal(b, &te) != nil {
			continue
		}
		var rank [3]int64
		if i := strings.LastIndexByte(te.Attempt, '_'); i > 0 {
			if failed["task_"+strings.TrimPrefix(te.Attempt[:i], "attempt_")] {
				rank[0] = 1
			}
			rank[1], _ = strconv.ParseInt(te.Attempt[i+1:], 10, 64)
		}
		rank[2] = f.ModTime.UnixNano()
		if best == nil || slices.Compare(rank[:], bestRank[:]) > 0 {
			best, bestRank = &te, rank
		}
	}
	return best
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 2*t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }

// progressLine matches the job client's progress lines: " map 50% reduce
// 0%". (Hadoop's reduce percentage counts the shuffle and the sort too.)
var progressLine = regexp.MustCompile(`\bmap (\d+)% +reduce (\d+)%`)

// jobProgress returns what turns the job client's progress lines into
// events of stage sj: tasks done, estimated from the percentages.
func (e *driver) jobProgress(sj *stageJob, start time.Time) func(line string) {
	last := [2]int{-1, -1}
	return func(line string) {
		m := progressLine.FindStringSubmatch(line)
		if m == nil {
			return
		}
		mapPct, _ := strconv.Atoi(m[1])
		reducePct, _ := strconv.Atoi(m[2])
		if maps := len(sj.lines); mapPct != last[0] {
			e.progress(sj, start, runner.Event{Phase: "map", TasksDone: maps * mapPct / 100, TasksTotal: maps})
		}
		if sj.reducers > 0 && reducePct != last[1] && (reducePct > 0 || mapPct == 100) {
			e.progress(sj, start, runner.Event{Phase: "reduce", TasksDone: sj.reducers * reducePct / 100, TasksTotal: sj.reducers})
		}
		last = [2]int{mapPct, reducePct}
	}
}

// lineWriter calls onLine with each whole line written to it.
type lineWriter struct {
	buf    []byte
	onLine func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.onLine(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > 64<<10 { // not a line the client prints
		w.buf = w.buf[:0]
	}
	return len(p), nil
}

// clientLog is what the driver learns from the hadoop client's output.
type clientLog struct {
	jobID    string // seen as the output streams (runJob)
	counters runner.Counters
}

// parseClientLog reads the counters block Hadoop's job client logs after
// "Counters: <n>", where a group name is indented by one tab and each
// counter, "name=value", by two.
func parseClientLog(log string) clientLog {
	cl := clientLog{counters: runner.Counters{}}
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(nil, 1<<20)
	inCounters, group := false, ""
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, "Counters: ") && !strings.HasPrefix(line, "\t") {
			inCounters, group = true, ""
			continue
		}
		if !inCounters {
			continue
		}
		switch {
		case strings.HasPrefix(line, "\t\t"):
			kv := strings.TrimSpace(line)
			i := strings.LastIndexByte(kv, '=')
			if i < 0 || group == "" {
				continue
			}
			var v int64
			if _, err := fmt.Sscan(kv[i+1:], &v); err == nil {
				cl.counters.Add(group, kv[:i], v)
			}
		case strings.HasPrefix(line, "\t"):
			group = strings.TrimSpace(line)
		default:
			inCounters = false
		}
	}
	return cl
}
