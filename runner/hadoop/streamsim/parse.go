package streamsim

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

const (
	nlineFormat = "org.apache.hadoop.mapred.lib.NLineInputFormat"
	textFormat  = "org.apache.hadoop.mapred.TextInputFormat"
)

type shipped struct{ path, name string }

// job is a parsed hadoop-streaming command line.
type job struct {
	jar         string
	conf        map[string]string // -D settings, then what -io implies
	files       []shipped
	inputs      []string // local paths
	output      string   // local path
	outputArg   string
	mapper      string
	combiner    string
	reducer     string
	inputFormat string
	reducers    int
	cmdenv      []string

	id     string
	splits []split
	// shown is the last progress the client log printed: map and reduce
	// percentages.
	shown [2]int
}

func (j *job) get(k, def string) string {
	if v, ok := j.conf[k]; ok {
		return v
	}
	return def
}

// localPath maps a Hadoop path naming the local file system (file:///x,
// file:/x or a bare path, which the simulator's default file system is)
// to a local path.
func localPath(p string) (string, error) {
	switch {
	case strings.HasPrefix(p, "file://"):
		p = strings.TrimPrefix(p, "file://")
		if !strings.HasPrefix(p, "/") {
			return "", fmt.Errorf("file URL with a host: %s", p)
		}
	case strings.HasPrefix(p, "file:"):
		p = strings.TrimPrefix(p, "file:")
	case strings.Contains(p, "://"):
		return "", fmt.Errorf("the simulator's only file system is the local one, not %s", p)
	}
	return filepath.Abs(p)
}

// parse reads `jar <jar> [generic options] [streaming options]` the way
// ToolRunner and StreamJob do. Options the simulator does not implement are
// errors, never ignored.
func parse(args []string) (*job, error) {
	if len(args) < 2 || args[0] != "jar" {
		return nil, errors.New(`usage: hadoop jar <streaming jar> [options]`)
	}
	j := &job{jar: args[1], conf: map[string]string{}, reducers: -1}
	var io string
	rest := args[2:]
	need := func(i int) (string, error) {
		if i+1 >= len(rest) {
			return "", fmt.Errorf("missing argument for option %s", rest[i])
		}
		return rest[i+1], nil
	}
	for i := 0; i < len(rest); i++ {
		opt := rest[i]
		if strings.HasPrefix(opt, "-D") && len(opt) > 2 {
			if err := j.define(opt[2:]); err != nil {
				return nil, err
			}
			continue
		}
		switch opt {
		case "-D", "-files", "-file", "-input", "-output", "-mapper", "-combiner", "-reducer",
			"-inputformat", "-numReduceTasks", "-io", "-cmdenv":
		default:
			return nil, fmt.Errorf("unrecognized option: %s", opt)
		}
		v, err := need(i)
		if err != nil {
			return nil, err
		}
		i++
		switch opt {
		case "-D":
			err = j.define(v)
		case "-files", "-file":
			for _, f := range strings.Split(v, ",") {
				path, name, _ := strings.Cut(f, "#")
				lp, err := localPath(path)
				if err != nil {
					return nil, err
				}
				if name == "" {
					name = filepath.Base(lp)
				}
				j.files = append(j.files, shipped{lp, name})
			}
		case "-input":
			for _, in := range strings.Split(v, ",") {
				lp, err := localPath(in)
				if err != nil {
					return nil, err
				}
				j.inputs = append(j.inputs, lp)
			}
		case "-output":
			j.outputArg = v
			j.output, err = localPath(v)
		case "-mapper":
			j.mapper = v
		case "-combiner":
			j.combiner = v
		case "-reducer":
			j.reducer = v
		case "-inputformat":
			switch v {
			case nlineFormat, textFormat, "TextInputFormat":
				if v == "TextInputFormat" {
					v = textFormat
				}
				j.inputFormat = v
			default:
				return nil, fmt.Errorf("-inputformat %s: the simulator implements %s and %s", v, nlineFormat, textFormat)
			}
		case "-numReduceTasks":
			j.reducers, err = strconv.Atoi(v)
			if err == nil && j.reducers < 0 {
				err = fmt.Errorf("-numReduceTasks %d", j.reducers)
			}
		case "-io":
			if v != "rawbytes" && v != "text" {
				return nil, fmt.Errorf("-io %s: the simulator implements rawbytes and text", v)
			}
			io = v
		case "-cmdenv":
			if !strings.Contains(v, "=") {
				return nil, fmt.Errorf("-cmdenv %q is not NAME=VALUE", v)
			}
			j.cmdenv = append(j.cmdenv, v)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(j.inputs) == 0 || j.output == "" || j.mapper == "" {
		return nil, errors.New("required options: -input, -output, -mapper")
	}
	if j.inputFormat == "" {
		j.inputFormat = textFormat
	}
	if j.reducers < 0 {
		n, err := strconv.Atoi(j.get("mapreduce.job.reduces", "1"))
		if err != nil {
			return nil, err
		}
		j.reducers = n
	}
	if j.reducers > 0 && j.reducer == "" {
		return nil, errors.New("the simulator needs -reducer when -numReduceTasks > 0 (IdentityReducer is not implemented)")
	}
	// StreamJob.setJobConf: -io overrides any -D stream.* setting.
	if io != "" {
		for _, k := range []string{"stream.map.input", "stream.map.output", "stream.reduce.input", "stream.reduce.output"} {
			j.conf[k] = io
		}
	}
	for _, k := range []string{"stream.map.input", "stream.map.output", "stream.reduce.input", "stream.reduce.output"} {
		if v := j.get(k, "text"); v != "text" && v != "rawbytes" {
			return nil, fmt.Errorf("%s=%s: the simulator implements rawbytes and text", k, v)
		}
	}
	return j, nil
}

func (j *job) define(kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	if !ok || k == "" {
		return fmt.Errorf("-D %q is not key=value", kv)
	}
	j.conf[k] = v
	return nil
}

// splitArgs splits a streaming command into words the way
// StreamUtil/PipeMapRed.splitArgs does: on spaces and tabs, with single or
// double quotes grouping words (the quotes are removed).
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	in := false
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}
