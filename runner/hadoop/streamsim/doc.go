// Package streamsim is a Hadoop Streaming simulator for tests: Main takes
// the arguments of a `hadoop jar <hadoop-streaming.jar> ...` command line,
// parses them as ToolRunner and StreamJob do (unknown or unimplemented
// options are errors), and runs the job on the local file system.
//
// What it honours, as Hadoop 2/3 streaming does:
//
//   - generic options -D key=value and -files path[#name] (symlinked into
//     each task's working directory), streaming options -input, -output,
//     -mapper, -combiner, -reducer, -inputformat (NLineInputFormat, with
//     mapreduce.input.lineinputformat.linespermap, or TextInputFormat),
//     -numReduceTasks, -io (which overrides -D stream.* settings) and
//     -cmdenv;
//   - the map input writer: rawbytes writes each key and value as a 4-byte
//     length and its Writable serialization (a LongWritable offset, a Text
//     line); text writes "key\tvalue\n", dropping the key for
//     TextInputFormat or stream.map.input.ignoreKey;
//   - map output: rawbytes frames or tab-separated lines, partitioned by
//     BytesWritable/Text hashCode (WritableComparator.hashBytes) masked and
//     modulo the reducer count, as HashPartitioner does, sorted byte-wise;
//   - the combiner, run as its own process on the non-empty partitions of
//     each map task (its output must stay sorted and in its partition),
//     in turn not at all, once, or on two spills and again on their merge,
//     as Hadoop may: a job must not depend on how often it runs;
//   - reducers fed the merged, sorted records of their partition, even when
//     they have none, the values of a key in map-output order rotated by
//     the reducer's number (Hadoop fixes no order);
//   - task environments: the job configuration with non-alphanumerics
//     replaced by '_', plus mapreduce_job_id, mapreduce_task_id,
//     mapreduce_task_attempt_id, mapreduce_task_partition,
//     mapreduce_task_ismap, mapreduce_task_output_dir (the attempt's work
//     directory, as a file: path) and mapreduce_map_input_file;
//   - reporter:counter:<group>,<name>,<n> and reporter:status: lines on
//     stderr (prefix stream.stderr.reporter.prefix); counters of
//     successful attempts only;
//   - a non-zero exit fails the attempt; attempts are retried up to
//     mapreduce.map.maxattempts / mapreduce.reduce.maxattempts (default 4);
//     a task out of attempts fails the job;
//   - `hadoop job -kill <job ID>` (Main with "job", "-kill", ID): the
//     running job, found through a directory per running job under
//     os.TempDir()/streamsim-jobs, kills its running attempts (not counted
//     as failed, not retried), starts no more and fails with state KILLED;
//     a job not running is "Could not find job", exit status 255;
//   - FileOutputCommitter (algorithm 1): work directories under
//     <output>/_temporary/0/_temporary/<attempt>, task commit by rename,
//     job commit merging into <output> and writing _SUCCESS; an existing
//     output directory is refused;
//   - the client's log: "Running job: <id>", progress (" map 50% reduce
//     0%", each time a task ends and a percentage changes), per-attempt
//     failures ("Task Id : <attempt>, Status : FAILED", then "Error: " and
//     the diagnostics), "Job <id>
//     completed successfully" or "failed with state FAILED", the counters
//     block (groups indented by one tab, name=value by two), and exit status
//     0 on success, 1 on failure.
//
// Simplifications: tasks run two at a time on this machine; all data is
// held in memory (it is a test tool); TextInputFormat makes one split per
// file; only the local file system exists (file:/, file:/// or bare paths);
// no speculative execution, custom partitioners, comparators, output
// formats or typedbytes. Set STREAMSIM_VERBOSE=1 to see
// tasks' stderr.
package streamsim
