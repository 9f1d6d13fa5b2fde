// Package runner is what every executor shares: the Runner interface and its
// Options and Result, counters, the job registry (named pipeline recipes that
// worker processes rebuild; Build reports argument mistakes, including those
// a job's build function marks with InvalidArgs, as an *ArgsError, which the
// command line exits 2 for), the Hadoop-compatible partitioner, attempt and
// part-file naming, and the output Committer.
//
// Executors live in subpackages: mem (in process, for tests), local (worker
// processes on one machine, the default) and hadoop (Hadoop Streaming).
// They all run the same stage graph through runner/internal/kernel, so a job
// behaves the same on each; runnertest is the conformance suite they pass.
//
// # Output commit
//
// Sinks follow Hadoop's FileOutputCommitter: task attempts write under
// <dir>/_temporary/<run>/<attempt>/, a task commit moves their files to the
// run's committed set, and the job commit moves them into <dir> and writes
// _SUCCESS. A failed run removes what it wrote. Readers skip names starting
// with "_" and ".", so no partial output is ever where a reader looks. A job
// commit holds a lock file in each of its outputs (<dir>/_temporary/
// _commit.lock), so that the commits of runs writing one output take turns.
// It journals its renames before it makes any, and its lock names all its
// outputs: a commit that finds the lock of a run of this machine that has
// exited finishes or undoes that run's commit, all outputs alike, then
// takes the lock (deadrun.go); so does the local runner's sweep of dead
// runs (RecoverCommit). A recoverer claims the run first, and one killed
// in turn has its claim taken over by the next (claim.go).
//
// A partitioned sink (plan.PartitionedSinkPayload) writes its part files
// in key=value subdirectories of the attempt's directory. A task commit
// moves each file to the same place in the committed set; the job commit
// moves each top-level partition directory into <dir> whole, or, when
// appending into a partition directory <dir> has, its entries into that
// one, so that every rename's target directory in <dir> exists and
// undoing the renames leaves no directory behind. WriteOverwritePartitions
// goes down the partition directories <dir> has to those of every key,
// and moves each of those the run wrote aside, under the run's temporary
// directory, just before its replacement moves in. Before anything moves,
// the job commit notes which partitions the run wrote and whether the
// output had them then, under the commit lock (Result.Partitions), for the
// run's summary; and, for WriteOverwrite, what else it removes. It finds
// them in the listings it planned the renames from: on HDFS every lookup
// is a namenode call. The run's committed set it knows from its task
// commits, without listing it.
//
// An output that existed when the run opened it, which WriteAppend and
// WriteOverwritePartitions checked then, is checked again under the
// commit lock, down one path of partitions (recheckLayout): another run
// may have overwritten it since in another layout or format, and adding
// the run's files would mix them. The commit then fails, moving nothing.
package runner
