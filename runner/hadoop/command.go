package hadoop

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/crunchgo/crunchgo/plan"
)

// Hadoop class names the generated commands use.
const (
	nlineInputFormat = "org.apache.hadoop.mapred.lib.NLineInputFormat"
)

// FindStreamingJar looks for hadoop-streaming-*.jar under hadoopHome in the
// places Hadoop distributions put it, newest version last in glob order.
func FindStreamingJar(hadoopHome string) (string, error) {
	if hadoopHome == "" {
		return "", fmt.Errorf("no streaming jar given and HADOOP_HOME is not set")
	}
	for _, pat := range []string{
		"share/hadoop/tools/lib/hadoop-streaming-*.jar",
		"contrib/streaming/hadoop-streaming-*.jar",
		"hadoop-streaming-*.jar",
		"lib/hadoop-streaming-*.jar",
	} {
		m, _ := filepath.Glob(filepath.Join(hadoopHome, pat))
		m = slices.DeleteFunc(m, func(s string) bool {
			return strings.HasSuffix(s, "-sources.jar") || strings.HasSuffix(s, "-tests.jar")
		})
		if len(m) > 0 {
			return m[len(m)-1], nil
		}
	}
	return "", fmt.Errorf("no hadoop-streaming-*.jar under %s (pass --streaming-jar)", hadoopHome)
}

// stageJob is one stage's Hadoop Streaming job.
type stageJob struct {
	stage    *plan.Stage
	reducers int
	lines    []taskLine
	manifest string // URL
	out      string // the job's -output directory URL
	argv     []string
}

// command builds the `hadoop jar` arguments of a stage (without the hadoop
// binary itself). Generic options (-D, -files) come first, as Hadoop requires.
func (r *Runner) command(job string, sg *plan.StageGraph, sj *stageJob, spec string, defines []string) []string {
	st := sj.stage
	bin := filepath.Base(r.binary)
	role := func(role string) string {
		return strings.Join(append(append([]string{"./" + bin}, r.taskArgs()...), spec, fmt.Sprint(st.ID), role), " ")
	}
	argv := []string{"jar", r.jar,
		"-D", fmt.Sprintf("mapreduce.job.name=crunchgo %s stage %d/%d", job, st.ID+1, len(sg.Stages)),
		"-D", "mapreduce.input.lineinputformat.linespermap=1",
	}
	if r.Queue != "" {
		argv = append(argv, "-D", "mapreduce.job.queuename="+r.Queue)
	}
	for _, d := range defines {
		argv = append(argv, "-D", d)
	}
	argv = append(argv,
		"-files", r.binary,
		"-inputformat", nlineInputFormat,
		"-input", sj.manifest,
		"-output", sj.out,
		"-io", "rawbytes",
		"-mapper", role("map"),
	)
	if r.user != "" {
		// A task acts on HDFS as the submitter, like Hadoop's own tasks
		// (YarnChild takes the USER the NodeManager sets), not as the
		// NodeManager's OS user its process runs as.
		argv = append(argv, "-cmdenv", "HADOOP_USER_NAME="+r.user)
	}
	if sj.reducers > 0 {
		for _, ch := range st.Channels {
			if ch.Combiner != plan.NoNode {
				if _, ok := sg.Graph.Node(ch.Combiner).Payload.(plan.AccumulatorCombiner); ok {
					argv = append(argv, "-combiner", role("combine"))
					break
				}
			}
		}
		argv = append(argv, "-reducer", role("reduce"))
	}
	return append(argv, "-numReduceTasks", fmt.Sprint(sj.reducers))
}

func (r *Runner) taskArgs() []string {
	if r.TaskArgs != nil {
		return r.TaskArgs
	}
	return []string{TaskCommand}
}

// shellQuote quotes argv for printing as a shell command.
func shellQuote(argv []string) string {
	var b strings.Builder
	for i, a := range argv {
		if i > 0 {
			b.WriteString(" ")
		}
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
		}) < 0 {
			b.WriteString(a)
			continue
		}
		b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
	}
	return b.String()
}

// hadoopURL makes a storage URL one Hadoop resolves the same way: a bare
// local path becomes file:///abs (Hadoop would resolve a bare path against
// fs.defaultFS).
func hadoopURL(u string) string {
	if strings.Contains(u, "://") {
		return u
	}
	abs, err := filepath.Abs(u)
	if err != nil {
		abs = u
	}
	return "file://" + filepath.ToSlash(abs)
}

func defaultHadoopBin() string {
	if h := os.Getenv("HADOOP_HOME"); h != "" {
		return filepath.Join(h, "bin", "hadoop")
	}
	return "hadoop"
}
