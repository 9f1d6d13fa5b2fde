// Package hadoop runs a pipeline on a YARN cluster as a chain of Hadoop
// Streaming jobs, one per stage of the plan, with the same task code as the
// local runner (runner/internal/kernel).
//
// # Running on a Hadoop cluster
//
// Install nothing on the cluster: Hadoop Streaming ships with every Hadoop
// distribution and runs any executable as mapper, combiner and reducer. On
// the edge node you need the job binary (crunchgo, or your own binary built
// with cli.Main) and a working `hadoop` client (HADOOP_HOME or PATH, and
// HADOOP_CONF_DIR for the cluster's configuration). Then:
//
//	crunchgo run daily-plays --runner hadoop \
//	    --events hdfs://nn/logs/2026-11-26 --tracks hdfs://nn/catalogue \
//	    --output hdfs://nn/out/2026-11-26 \
//	    --hadoop-tmp hdfs://nn/tmp/crunchgo --queue etl -D mapreduce.map.memory.mb=2048
//
// Flags: --hadoop-bin (default $HADOOP_HOME/bin/hadoop, else hadoop on
// PATH), --streaming-jar (default: hadoop-streaming-*.jar found under
// $HADOOP_HOME), --queue, -D key=value (repeatable, passed to every job),
// --hadoop-tmp (a directory every node can read and write; default --tmp,
// else hdfs:///tmp/crunchgo), --client-stage-max (see below), --dry-run (print the exact hadoop commands and
// manifests and run nothing), --keep-temp (keep manifests, intermediates and
// task errors for debugging). The binary must be built for the cluster's OS
// and architecture, best without cgo (CGO_ENABLED=0 GOOS=linux GOARCH=amd64
// go build): before submitting anything the runner refuses a binary that is
// not a Linux ELF executable, logs the architecture it ships, and warns when
// it is dynamically linked, naming the glibc version its symbols need (a node
// with an older C library fails every task it is given).
//
// This runner was verified with streamsim, a Hadoop Streaming simulator that
// runs the generated command lines, not on a live cluster.
//
// # How a stage becomes a job
//
// For each stage the driver writes a manifest, one JSON line per map task
// (the stage input and either a source split or an intermediate file), and
// runs
//
//	hadoop jar <streaming jar> -D mapreduce.job.name=... -D mapreduce.input.lineinputformat.linespermap=1 [-D ...]
//	    -files <binary> -inputformat org.apache.hadoop.mapred.lib.NLineInputFormat
//	    -input <temp>/stage-N/manifest.txt -output <temp>/stage-N/out -io rawbytes
//	    -mapper './<binary> __crunchgo_hadoop_task <temp>/job.json N map'
//	    -cmdenv HADOOP_USER_NAME=<user>
//	    [-combiner '... combine'] -reducer '... reduce' -numReduceTasks R
//
// (map-only stages: -numReduceTasks 0 and no reducer). Each source is asked
// for a split (a map task) per BytesPerMapTask (128 MiB) of input, and at
// least Runner.MapTasks (default: Options.Workers, else 8); a set
// Runner.MapTasks is asked for as is. A small input may give fewer: text
// and Avro are not cut below 1 MiB, Parquet only between row groups. Many
// small splits (small files) share a map task, a manifest line listing
// them, up to the input's size over that count (runner.PackSplits).
// HADOOP_USER_NAME makes tasks act on HDFS as the submitting user (Runner.User,
// default HADOOP_USER_NAME, else the OS user), as Hadoop's own tasks do,
// rather than as the NodeManager's user their processes run as. <temp>/job.json holds
// the job's recipe (registered name and arguments) and the plan fingerprint:
// every task rebuilds the pipeline from the recipe and refuses to run a
// different plan.
//
// What each role reads and writes, exactly:
//
//   - -io rawbytes sets stream.map.input, stream.map.output,
//     stream.reduce.input and stream.reduce.output to rawbytes (it overrides
//     -D settings of those keys). Every key and value is then a 4-byte
//     big-endian length and that many bytes.
//   - The mapper therefore reads, per manifest line, NLineInputFormat's key
//     and value as rawbytes frames of their Writable serializations: an
//     8-byte LongWritable (the line's offset, ignored) and a Text (a Hadoop
//     VInt length, then the UTF-8 JSON line). stream.map.input.ignoreKey
//     does not apply to rawbytes, so the key frame is always there.
//   - The mapper writes shuffle records as rawbytes pairs: the key is the
//     channel index byte followed by the order-preserving key encoding, the
//     value the value (or lifted combiner accumulator) encoding. Hadoop
//     sorts BytesWritable keys byte-wise, which is key order within a
//     channel, and its HashPartitioner hashes exactly as runner.Partition
//     does. A stage runs R = the largest partition count of its channels;
//     a channel asking for fewer partitions P gets a steered key (escaped,
//     terminated and followed by two bytes chosen so that HashPartitioner
//     picks runner.Partition(channel, key, P)); so does a channel whose
//     GroupByKey partitions itself (a sort, a secondary sort), steered to
//     the partition it picks. So every channel's partitions hold what the
//     other runners put in them, and reducers at or above P run nothing
//     for that channel.
//   - The combiner (present when a channel has a lifted combiner) merges the
//     accumulators of each group and passes other channels' records
//     through, keeping the shuffle key byte for byte; it is correct however
//     many times Hadoop runs it.
//   - The reducer reads sorted rawbytes pairs, groups adjacent equal keys
//     itself, and runs every channel's reduce phase of the stage in turn.
//     Reducers write nothing to stdout (the job's own part-NNNNN files are
//     empty and are removed with the temp dir).
//
// Tasks write their outputs under mapreduce_task_output_dir (the
// attempt's work directory), so Hadoop's FileOutputCommitter keeps exactly
// one attempt of each task: sink part files under sink-<node>/, named as
// on every runner (part-m-00003.avro, part-r-00001.parquet), intermediates
// for later stages under inter-<node>/ (length-prefixed records, one file
// per task, created even when empty so that the next stage's manifest is
// known in advance), and materialized collections under collect-<node>/.
// After a job succeeds the driver moves the sink files into each sink's
// runner.Committer; after the last job it delivers the collections and
// commits the sinks, which gives the same layout as the local runner
// (part files and _SUCCESS). The temp dir is removed at the end unless
// KeepTemp.
//
// # Small stages run in the client
//
// A YARN job takes seconds to start, which is most of the time of a stage
// that reads a few megabytes, such as the later stages of a job whose first
// stage aggregates a day of logs. So, as Hive's local mode does, a stage
// whose map tasks read at most Runner.ClientStageMax bytes (the CLI's
// --client-stage-max, default 32 MiB; 0 sends every stage to the cluster)
// runs in the driver's process instead. The size is measured just before
// the stage runs: sources by the planner's estimate (their files' size;
// 1 GiB when unknown), intermediates and side inputs by the files earlier
// stages wrote (a side input that is a source by its own size).
//
// Its tasks run one after another on the driver's plan, as a local worker
// runs its tasks, and read and write the same files a job's tasks would,
// through the same storage URLs (so the client needs the access the driver
// already has). Map tasks' shuffle records are held in memory, partitioned
// by HashPartitioner's hash of the rawbytes key and sorted byte-wise and
// stably, so equal keys arrive in map-task then emission order, one of the
// orders Hadoop may give; no combiner runs. A stage whose shuffle outgrows
// four times ClientStageMax is abandoned, what it wrote removed, and run as
// a job. A failing task fails the run at once, without retries, with its
// own error. With a Log, the driver says which stages ran in the client.
//
// Counters: tasks print reporter:counter:crunchgo:<group>,<name>,<amount>
// lines (groups and names escaped as in URLs, since Hadoop splits on
// commas; the driver unescapes them) and task statistics in the
// crunchgo-stats group; the driver reads them back from the counters block the hadoop client prints when the job ends,
// so only successful attempts count; counters a combiner reports are lost
// (Hadoop runs combiners with a null reporter). Status goes out as
// reporter:status:, once when a task starts and then every tenth of
// mapreduce.task.timeout (at most every minute) in which the task took in
// or put out records, since Hadoop kills a task that reports no progress
// for that long and a map task reads its split from storage, not stdin. A
// task stuck in a user function reports nothing, and Hadoop kills it and
// retries. runner.Options.TaskTimeout, when set (the CLI's --task-timeout,
// when given), becomes -D mapreduce.task.timeout before the user's -D
// settings, 0 for never; unset, the cluster's setting holds. The client
// runs with HADOOP_ROOT_LOGGER=INFO,console unless that is set, so that its
// job ID and counters lines appear; the job's success is the client's exit
// status.
// Progress: the job client's lines " map 50% reduce 0%" become progress
// events of tasks done, estimated from the percentages (Hadoop's reduce
// percentage counts its shuffle and sort too); a stage in the client
// reports each task as it ends. Each stage's result says where it ran
// (runner.StageResult.RanAs): its job's ID, or "client"; the CLI's summary
// and reports show it.
//
// Failures: a failed job stops the chain. The error names the stage and the
// job ID, then the error of the attempt that ended the job (the last of a
// task the client names as failed), which tasks write to <temp>/errors/
// (Hadoop does not print a streaming task's stderr in the client output),
// then the hadoop client's last lines. YARN retries a failed attempt up to
// mapreduce.map.maxattempts (or reduce) times whatever its error, so when
// the client reports an attempt failed ("Task Id : attempt_..., Status :
// FAILED") whose error is in the input's data (plan.Permanent: a corrupt
// block, a line that does not parse), which reading again cannot fix, the
// driver kills the job with "hadoop job -kill" and fails the stage with that
// attempt's error, as the local runner does. An attempt that starts before
// the kill lands fails at once with the earlier attempt's error, without
// reading the data (so even if the kill fails, the retries cost only their
// start-up). Other failures are retried as YARN does. A cancelled run
// (Ctrl-C, SIGTERM) kills its running job the same way, since YARN runs a
// submitted job on without its client.
//
// Constraints: the pipeline must come from a registered job (runner.Register);
// all storage URLs (inputs, outputs, --hadoop-tmp) must be readable from
// every node, so hdfs:// in practice (an absolute local path becomes
// file:///..., which only a single-node cluster or the simulator can use;
// a relative one is refused); that includes a source read as a side input
// (a lookup file), whose files every task of its users reads whole, the
// splits the driver lists once in the job spec (a missing file fails the
// run there, before the first job); sink directories and the temp dir must
// be on the same file system, because publishing part files is a rename
// (checked before the first job; hdfs:/// is fs.defaultFS's namenode, taken
// to be any when no Hadoop configuration names it).
// Speculative execution is safe (the committer keeps one attempt). Hadoop
// limits a job to 120 counters in all (mapreduce.job.counters.max), its own
// 50 or so included, and 50 groups (each user counter group is one, as is
// crunchgo-stats), and cuts counter names to 63 characters; a task over a
// limit fails. On a Kerberos cluster tasks cannot reach HDFS: they get
// delegation tokens, which this runner's HDFS client does not read. The Go
// task runs inside the task's container beside its JVM, whose heap takes
// most of the container by default: give the container room and the JVM a
// small heap, e.g. -D mapreduce.map.memory.mb=2048 -D
// mapreduce.map.java.opts=-Xmx256m (and the same for reduce).
package hadoop
