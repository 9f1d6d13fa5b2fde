// Package local is the default runner: it executes a pipeline's stage graph
// on one machine with worker processes, sorting and merging shuffles on disk
// within a memory budget, retrying failed tasks and committing output
// atomically.
//
// # Workers
//
// Workers are this binary re-executed (os.Executable) with the argument
// WorkerArg and the environment variable WorkerEnv set. Such a process must
// call WorkerMain early: cli.Main does, and test binaries do it through
// crunchtest.Main in TestMain. A worker rebuilds the pipeline from its
// recipe (the registered job and its arguments, see runner.Register), so
// only pipelines built by a registered job can run here; others get
// ErrNoRecipe. Driver and worker compare the graph's fingerprint at start-up
// and the run fails at once, naming both fingerprints, if they differ (a
// job whose pipeline depends on the clock, say, or whose in-memory values
// come in a map's iteration order: the fingerprint digests them). Each worker gets its share
// of the driver's GOMAXPROCS (at least one) as its own: it runs one task at
// a time on one goroutine, and more Ps would only let its garbage collector
// compete with the other workers' tasks. As many workers as there are CPUs
// start while the driver opens the sinks and splits the inputs; the others
// start when a task finds every started worker busy.
//
// The driver talks to each worker over two pipes (the worker's file
// descriptors 3 and 4) with length-prefixed JSON messages: a hello, then one
// task assignment and one result at a time. No socket is opened. Data goes
// through files in the run's private directory under Options.TmpDir
// (mode 0700, removed at the end of the run, failed or not): shuffle runs,
// intermediate collections and materialized records. A worker runs many
// tasks in sequence and keeps its rebuilt plan, and the side inputs it
// decoded for as long as the tasks that follow read the same ones (a side
// input is decoded once per worker, not once per task: the counters
// pcollection.CounterSideInputsDecoded and CounterSideInputsReused). A side
// input that is a source is read by the worker from the source's files, the
// splits the driver listed once before the first task.
//
// # Tasks and shuffles
//
// A stage runs a map task per source split (sources are asked for
// max(MinSplits, size/BytesPerSplit) splits, a number that does not depend
// on the worker count; splits smaller than PackBytes share tasks, so that a
// directory of many small files is not a task per file) or per file of an
// intermediate input (files of a
// previous stage's reducers that already hold this stage's shuffle records
// are read together, up to BytesPerSplit a task), then a reduce task per
// partition of each channel (runner.Partitions, the
// Hadoop-compatible runner.Partition). Map tasks run the shared kernel,
// which combines map-side where the planner lifted a combiner, and sort
// their shuffle records by (partition, key bytes, emission order) in a
// buffer, spilling a sorted run to disk each time it fills. Reduce tasks
// k-way merge every run of their partition in map-task then spill order,
// in several passes when there are more runs than the fan-in allows, and
// stream each group's values to the kernel, so a group larger than memory
// works. Values of a key therefore arrive in map-task order, then emission
// order, whatever the worker count or budget: outputs are byte-identical
// across both. They equal the in-memory runner's, except where a transform
// depends on task numbers (Sample's choices, ShardedJoin's dealing of rows
// to shards and so the order of its output) or on how its input is split
// into tasks (the last bits of floating-point sums and means) over
// pcollection.Of, which that runner splits by its worker count.
//
// Stages overlap. The tasks of one stage input, or of one channel's
// reducers, are made as soon as what they read is written: a reducer waits
// for the map tasks that feed its channel (plan.StageGraph.Feeds) and the
// producers of its side inputs, not for the whole stage, and a later
// stage's input is read as soon as the tasks writing it are done. Free
// workers take ready tasks of earlier stages first, maps before reduces, so
// a later stage only fills slots the earlier one leaves idle (on daily-plays
// at 1M events, its last reducers), and of a stage's map or reduce tasks
// the one with the largest input first (a source split's length, a
// reducer's shuffle input), so that a large split or a skewed partition
// does not start last and run alone. Task numbers and file lists do not
// depend on that timing. The scratch directory may then hold two stages'
// shuffle runs at once; a stage's runs are removed, in the background,
// when its last reducer ends.
//
// # Memory
//
// Options.Memory (default 1 GiB) is the budget of the whole job; each of
// the Options.Workers workers (default: the number of CPUs) gets an equal
// share. A worker uses half of its share, but no more than 16 MiB, for a
// map task's sort buffer (spilling a run each time it fills), or half, but
// no more than 16 MiB, for a reduce task's merge read buffers (the more
// runs, the smaller each one's; half bounds the fan-in), and sets its share
// as the Go runtime's soft memory limit (at least 16 MiB more than twice
// its sort buffer, so that the collector does not run all the time). Its first
// collection waits until its heap reaches 32 MiB (or that limit, if less),
// rather than collect at every doubling while the first task grows the
// buffers it keeps. The caps keep a
// worker's memory flat as the input grows rather than let it fill the
// budget, at a small cost in merge work on large inputs (see sizes). The
// rest, plus the runtime itself, is overhead: user functions and decoded
// records are not accounted. Map-side combiners flush when they hold 10,000
// keys or, by their estimate, a quarter of the worker's share
// (plan.CombineBound).
//
// # Failures
//
// A failed task attempt (a returned error, a panic, or a worker that died)
// kills its worker and is retried in a fresh process, up to MaxAttempts
// attempts; then the run fails with a *TaskError carrying the last error
// (a *plan.TransformError for a user function's error, naming the
// transform) and the worker's last lines of output. An error marked
// plan.Permanent (input data that cannot be read, a side input over half a
// worker's budget) fails the run at its first attempt. A worker that
// cannot be started at all (no process or file descriptor left) while
// others run gives up its slot, and its task waits for another worker,
// counted as "workers not started"; with no worker running, it is a failed
// attempt like any other. Worker stdout and
// stderr are kept only for such reports. The counters group CounterGroup
// counts failed attempts, spilled runs and merge passes.
//
// A task attempt that takes in and puts out no record for the task timeout
// (runner.Options.TaskTimeout, 10 minutes by default, as Hadoop's) is
// killed and retried like a failed one: a user function that never
// returns, or a worker stopped with SIGSTOP. The worker sends the driver a
// heartbeat every tenth of the timeout (at most every 5 s) in which its
// task marked progress (internal/progress: records in and out, merge
// passes, side inputs decoded, and pcollection.Context.Progress, which a
// user function long on one element calls). Before killing a stalled
// worker the driver sends it SIGQUIT, so that the error shows the stack of
// the goroutine running the task: where the user function hangs. A worker
// that does not start within the timeout, or 10 s if that is longer (its
// rebuild of the job's pipeline hangs), is killed too, and its attempt
// retried. Heartbeats also
// carry the task's record counts so far, which the driver passes on as
// progress events marked Partial: a long task (a gzipped file is one
// split) shows its records moving before it ends.
//
// Sinks follow the runner.Committer protocol: each attempt writes under
// <out>/_temporary/<run>/<attempt>/, a successful task is committed by
// rename, and the job commit moves the part files into place and writes
// _SUCCESS. A failed or cancelled run (cancel the context, as the CLI does
// on SIGINT and SIGTERM) kills its workers' process groups, aborts every
// sink and removes its temporary directory, leaving no partial output.
// A driver killed outright (SIGKILL, the OOM killer) cannot: its workers,
// seeing it die, remove the run's directory and abort its sinks, and the
// next run in the same TmpDir sweeps what they left (see rundir.go: the
// driver holds a lock on its run directory while it lives). Workers end
// when the last task does, so a driver killed after that (delivering
// materialized records, committing) leaves the clean-up to the next run.
// A run killed during its job commit keeps its sinks' temporary files,
// which may hold what the commit moved aside.
//
// For tests, KillEnv makes a worker SIGKILL itself in the middle of a
// chosen task attempt. To see where workers spend their time, set
// CRUNCHGO_WORKER_CPUPROFILE (CPUProfileEnv) to a directory: each worker
// process writes its own CPU profile there, for go tool pprof.
//
// A worker advises its heap for transparent huge pages (internal/hugepages;
// see preparedHeap for why and what it saves); CRUNCHGO_WORKER_HUGEPAGES=off
// (HugePagesEnv) turns that off.
package local
