// Package cli is the crunchgo command line as a library: a binary that
// registers its own jobs (runner.Register, at init) and calls Main gets every
// command below with those jobs.
//
//	package main
//
//	import (
//		"github.com/crunchgo/crunchgo/cli"
//		_ "example.com/myjobs" // registers the jobs
//	)
//
//	func main() { cli.Main() }
//
// # Commands
//
// Jobs:
//
//	crunchgo jobs                          list the registered jobs and their docs
//	crunchgo run JOB [job flags]           run a job
//	    --runner mem|local|hadoop          where (default local)
//	    --workers N                        parallel tasks (default: the runner's; local: CPUs)
//	    --memory SIZE                      the job's memory budget: 512MiB, 2GiB
//	    --tmp DIR                          scratch space
//	    --write-mode fail|overwrite|append|overwrite-partitions
//	                                       when an output exists (default fail;
//	                                       overwrite-partitions replaces only the
//	                                       partitions of a table the run writes)
//	    --report FILE                      JSON report, or HTML when FILE ends in .html
//	                                       (of a failed or interrupted run too);
//	                                       repeatable, each FILE in its format
//	    --task-timeout D                   kill and retry a task that takes in and puts
//	                                       out no record for D; 0: never (default 10m,
//	                                       on hadoop the cluster's mapreduce.task.timeout)
//	    -q                                 no progress, no summary
//	    --hadoop-bin, --streaming-jar, --queue, -D key=value, --hadoop-tmp,
//	    --client-stage-max SIZE, --dry-run,
//	    --keep-temp                        the hadoop runner's settings
//	crunchgo run JOB --help                the job's flags
//	crunchgo explain JOB [job flags] [--dot]  the planned stages, as text or DOT;
//	                                       takes run's flags too (only --runner
//	                                       changes the plan: hadoop's differs)
//
// Files (any storage URL: local paths, file://, hdfs://, mem://, globs;
// Avro, Parquet, CSV, TSV, JSON lines or text by extension, else by
// content; a .avro or .parquet file whose magic bytes say it is another
// format fails saying so):
//
//	crunchgo ls PATTERN          files with size, modification time and format
//	crunchgo cat PATTERN         records as JSON lines
//	crunchgo head -n N PATTERN   the first N records of each PATTERN as JSON
//	                             lines, N in all over its files and partitions
//	                             (several: each after "==> PATTERN <==";
//	                             -q: without those lines)
//	crunchgo schema PATTERN      the schema of each file
//	crunchgo count PATTERN       records per file, per partition of a
//	                             partitioned table, and in total
//	crunchgo meta PATTERN        Avro codec and blocks; Parquet row groups,
//	                             columns, encodings, compression, statistics
//
// # Jobs and their flags
//
// run and explain take the job name first; the job's flags (from its
// arguments struct, see runner.Register) and the command's own flags may then
// be mixed. When a job flag has the name of one of the command's flags, the
// command's flag wins; everything after "--" goes to the job, which is how
// such a job flag is set.
//
// # File tools
//
// The file tools read through the per-file readers of avroio (container
// blocks, records decoded with the writer's schema, fields printed in schema
// order), parquetio (its untyped File: footer metadata, generic rows with
// fields in schema order, page headers checked before decoding) and textio
// (lines; .gz, .bz2, .zst and Hadoop's .deflate, .snappy and .lz4 files
// decompressed). Text files named .csv or .tsv (also compressed:
// x.csv.gz) are read as csvio reads a whole file (csvio.EachRecord, with
// its errors), their first record a header: each later record prints as an
// object of the header's names to the values as strings, and schema lists
// the names; .jsonl and .ndjson files print each line's JSON value, blank
// lines skipped. A .json file is as
// often one document as JSON lines: it is read as JSON lines if its first
// non-blank line is a whole JSON object (as in Spark's part-*.json), else
// as text. A pattern is one file, directory or glob; a comma in it is part
// of a name (give several inputs as {a,b}). A damaged file is an
// error naming the file and, where the reader knows them, the block or row
// group and offset; records printed before it stay printed. Nothing is
// skipped silently.
//
// An Avro, Parquet or CSV file of a Hive-style partitioned table
// (events/dt=2026-11-26/country=SE/part-0.parquet) shows in cat and head
// the columns of its path's key=value directories after its own, and
// schema lists them after the file's ("dt: string (partition)"): the
// columns the typed reads of avroio, parquetio and csvio fill (see
// internal/hivepart), taken from the same path, a file given directly
// included, with a column the file holds winning. They print as JSON
// strings, the CLI having no Go type to parse them into (Spark and DuckDB
// infer numbers and dates; inferring per file could type one table's
// files differently), __HIVE_DEFAULT_PARTITION__ as null, %XX escapes
// undone. JSON lines and other text get none (a JSON line may hold the
// key itself, and wins over the path in jsonio). count adds a line per
// partition directory (dt=2026-11-26/country=SE, as written in the path)
// with its files' records, of any format, sorted by path; ls and meta are
// about the files and unchanged.
//
// cat and head print floats JSON cannot express as the strings "NaN",
// "Infinity" and "-Infinity", bytes as base64, and a string that is not
// valid UTF-8 with U+FFFD for each invalid byte (JSON holds only Unicode
// text). Instants print in RFC 3339 with their zone (Z), timestamps not
// adjusted to UTC (DuckDB's TIMESTAMP, Spark's TIMESTAMP_NTZ) without one,
// dates as 2006-01-02, times of day (Parquet TIME, Avro time-millis and
// time-micros) as 15:04:05 with the fraction they have (13:00:00.005), Parquet
// INTERVALs and Avro durations as {"months":…,"days":…,"milliseconds":…}; a
// value of an Avro union of several types as {"type": value}, the value as
// it prints outside a union. Parquet map keys print as values of their type
// do. A value that still has no JSON form (a time after the year 9999) is an
// error naming the file, the record's index, its Avro block or Parquet row
// group, and the field. meta shows "-" for the nulls of a column chunk
// without statistics.
//
// # Output and exit codes
//
// Results go to stdout; progress and errors to stderr. While a job runs,
// progress is drawn as live bars (github.com/vbauerster/mpb) when stderr is
// a terminal and as one plain line per runner event otherwise; a partial
// event (runner.Event.Partial: running tasks' counts so far) gets a line
// only when its phase printed none for 30 s. A successful
// run ends with a summary on stdout: stages, wall time, records in and out,
// counters and output directories, under each partitioned one the
// partitions the run wrote (new, replaced or appended to) and those an
// overwrite removed, the first 20 by name (a hadoop --dry-run prints that
// nothing ran, and writes no report).
//
// An error is printed as one line, "crunchgo: what failed: why", with any
// details on the following lines. A run refused before any of its stages
// started (runner.Result.Started: an output that exists, an input that does
// not split) says "job X did not run: why", with no time it failed after. The exit code is ExitOK (0) on success,
// ExitFailed (1) when the job or file operation failed, and ExitUsage (2)
// for a wrong command line: unknown command, job or flag, or a bad value,
// including job arguments the job's build function rejects
// (runner.InvalidArgs). What the arguments point at failing (no file
// matches a glob, unreadable input) is ExitFailed.
//
// # Signals
//
// SIGINT, SIGTERM and SIGHUP (the terminal or ssh session closed) cancel
// the command: a run stops its tasks, kills its workers, removes its
// temporary files and uncommitted output, and exits 1 naming the signal. A
// signal crunchgo was started with ignored stays ignored, so nohup works.
// A closed stdout or stderr ("crunchgo run ... | head -1") does not kill
// the process: progress and the summary are dropped, and the exit code is
// the job's; cat and head stop reading and exit 1 without a message.
//
// # Reports
//
// --report writes Report as JSON (schema ReportSchema: the runner's Result,
// the options and the plan's nodes, stages, channels and intermediates), or,
// for a name ending in .html, one self-contained HTML page with the stage
// graph drawn as inline SVG (stages top to bottom, each a row of map phases
// over a row of reduce phases, shuffles and materialized intermediates as
// edges), per-stage start and duration drawn on one time axis, records and
// bytes, the counters, and under each partitioned output the partitions
// the run wrote, cut as the summary cuts them.
// Bytes come from the runner's progress events and are 0 for a runner that
// does not report them (mem).
//
// A run that fails once it has started (its outputs opened), or is
// interrupted by a signal, writes its report too, replacing any there:
// Status RunFailed or RunInterrupted with the Error, and in HTML a failure
// banner. The runner returns with its error a partial runner.Result, so the
// report holds what the runner itself counted, on every runner: each
// stage's Status says whether it succeeded, was unfinished (its numbers are
// those of its tasks that had succeeded, of the totals it was to run, which
// the error also says) or did not run; the counters and
// retried attempts are those until the failure. A run that fails before it
// starts (a bad flag value, a job that does not build or plan, an output
// that exists) writes no report and removes one already there, so that it
// is not read as this run's; a report path that is refused is left alone.
//
// --report may be given several times (run.json for monitoring, run.html
// to look at): each path gets the same report in its format, whatever the
// run's outcome. A path given twice (also as ./r.json or file://) is
// written once; one inside another is refused before the run. A report that cannot be
// written keeps neither the others from being written nor the run's
// status from being what it was; the error names it, and a run that
// succeeded then exits ExitFailed.
//
// # Workers
//
// The local runner re-executes the binary as worker processes, marked by
// the environment, and Hadoop Streaming runs it as tasks with the hidden
// argument hadoop.TaskCommand; Main serves both (local.WorkerMain,
// hadoop.MaybeTask) before the command line is parsed, so Main must be the
// first thing main does. Test binaries that run jobs on the local runner do
// the same in TestMain (crunchtest.Main).
package cli
