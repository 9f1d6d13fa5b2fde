package hadoop

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/crunchgo/crunchgo/runner"
)

// AddFlags registers the runner's command-line flags on fs, bound to r's
// fields: --hadoop-bin, --streaming-jar, --queue, -D/--define key=value
// (repeatable), --hadoop-tmp, --client-stage-max, --dry-run and
// --keep-temp.
func (r *Runner) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&r.HadoopBin, "hadoop-bin", "", "hadoop runner: the hadoop command (default $HADOOP_HOME/bin/hadoop, else hadoop on PATH)")
	fs.StringVar(&r.StreamingJar, "streaming-jar", "", "hadoop runner: the hadoop-streaming jar (default: found under $HADOOP_HOME)")
	fs.StringVar(&r.Queue, "queue", "", "hadoop runner: the YARN queue")
	fs.StringArrayVarP(&r.Defines, "define", "D", nil, "hadoop runner: a `key=value` Hadoop setting passed to every job (repeatable)")
	fs.StringVar(&r.TempDir, "hadoop-tmp", "", "hadoop runner: temp directory every node can read, e.g. hdfs://nn/tmp (default --tmp, else hdfs:///tmp/crunchgo)")
	r.ClientStageMax = DefaultClientStageMax
	fs.Var(sizeFlag{&r.ClientStageMax}, "client-stage-max", "hadoop runner: a stage reading at most this much runs in this process, not as a YARN job (0: never)")
	fs.BoolVar(&r.DryRun, "dry-run", false, "hadoop runner: print the hadoop commands and manifests, run nothing")
	fs.BoolVar(&r.KeepTemp, "keep-temp", false, "hadoop runner: keep the run's temp directory")
}

// sizeFlag is a byte size flag: 0, or a size runner.ParseSize reads.
type sizeFlag struct{ p *int64 }

func (f sizeFlag) Type() string { return "size" }

func (f sizeFlag) String() string {
	if f.p == nil {
		return "0"
	}
	switch n := *f.p; {
	case n > 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n > 0 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	default:
		return fmt.Sprint(n)
	}
}

func (f sizeFlag) Set(s string) error {
	if s == "0" {
		*f.p = 0
		return nil
	}
	n, err := runner.ParseSize(s)
	if err != nil {
		return err
	}
	*f.p = n
	return nil
}
