package hadoop

import "github.com/spf13/pflag"

// AddFlags registers the runner's command-line flags on fs, bound to r's
// fields: --hadoop-bin, --streaming-jar, --queue, -D/--define key=value
// (repeatable), --hadoop-tmp, --dry-run and --keep-temp.
func (r *Runner) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&r.HadoopBin, "hadoop-bin", "", "hadoop runner: the hadoop command (default $HADOOP_HOME/bin/hadoop, else hadoop on PATH)")
	fs.StringVar(&r.StreamingJar, "streaming-jar", "", "hadoop runner: the hadoop-streaming jar (default: found under $HADOOP_HOME)")
	fs.StringVar(&r.Queue, "queue", "", "hadoop runner: the YARN queue")
	fs.StringArrayVarP(&r.Defines, "define", "D", nil, "hadoop runner: a `key=value` Hadoop setting passed to every job (repeatable)")
	fs.StringVar(&r.TempDir, "hadoop-tmp", "", "hadoop runner: temp directory every node can read, e.g. hdfs://nn/tmp (default --tmp, else hdfs:///tmp/crunchgo)")
	fs.BoolVar(&r.DryRun, "dry-run", false, "hadoop runner: print the hadoop commands and manifests, run nothing")
	fs.BoolVar(&r.KeepTemp, "keep-temp", false, "hadoop runner: keep the run's temp directory")
}
