package streamsim

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Main runs one hadoop command line, args being what follows the hadoop
// binary ("jar", the streaming jar, then options; or "job -kill <job ID>"),
// and returns the exit status hadoop would: 0 when the job succeeded (or,
// for a kill, was running). Like the hadoop client it logs the job's
// progress, failures and counters to stderr.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "job" {
		return jobCommand(args[1:], stdout, stderr)
	}
	log := &logger{w: stderr}
	j, err := parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR streaming.StreamJob: %v\n", err)
		fmt.Fprintln(stderr, "Try -help for more information\nStreaming Command Failed!")
		return 1
	}
	if err := j.prepare(); err != nil {
		log.printf("ERROR streaming.StreamJob: Error Launching job : %v", err)
		fmt.Fprintln(stderr, "Streaming Command Failed!")
		return 5
	}
	if j.run(context.Background(), log) {
		log.printf("INFO streaming.StreamJob: Output directory: %s", j.outputArg)
		return 0
	}
	log.printf("ERROR streaming.StreamJob: Job not successful!")
	fmt.Fprintln(stderr, "Streaming Command Failed!")
	return 1
}

type logger struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *logger) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s %s\n", time.Now().Format("2006-01-02 15:04:05,000"), fmt.Sprintf(format, args...))
}

func (l *logger) raw(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, s)
}

// record is one key/value pair between map, combine and reduce.
type record struct{ key, value []byte }

// hashBytes is WritableComparator.hashBytes, the hashCode of BytesWritable
// and of Text, computed in Java int arithmetic.
func hashBytes(b []byte) int32 {
	h := int32(1)
	for _, c := range b {
		h = 31*h + int32(int8(c))
	}
	return h
}

// partition is HashPartitioner.getPartition.
func partition(key []byte, reducers int) int {
	return int(hashBytes(key)&math.MaxInt32) % reducers
}

type split struct {
	file  string
	start int64
	lines []line
}

type line struct {
	offset int64
	text   []byte
}

// prepare checks what Hadoop checks at submission and computes the splits.
func (j *job) prepare() error {
	if _, err := os.Stat(j.jar); err != nil {
		return fmt.Errorf("jar %s: %w", j.jar, err)
	}
	if _, err := os.Stat(j.output); err == nil {
		return fmt.Errorf("Output directory %s already exists", j.outputArg)
	}
	var files []string
	for _, in := range j.inputs {
		fi, err := os.Stat(in)
		if err != nil {
			return fmt.Errorf("Input path does not exist: %s", in)
		}
		if !fi.IsDir() {
			files = append(files, in)
			continue
		}
		ents, err := os.ReadDir(in)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if !e.IsDir() && !strings.HasPrefix(e.Name(), "_") && !strings.HasPrefix(e.Name(), ".") {
				files = append(files, filepath.Join(in, e.Name()))
			}
		}
	}
	per := 1
	if j.inputFormat == nlineFormat {
		v := j.get("mapreduce.input.lineinputformat.linespermap", j.get("mapred.line.input.format.linespermap", "1"))
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("bad lines per map %q", v)
		}
		per = n
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var lines []line
		for off := 0; off < len(b); {
			end := bytes.IndexByte(b[off:], '\n')
			next := off + end + 1
			if end < 0 {
				end, next = len(b)-off, len(b)
			}
			text := bytes.TrimSuffix(b[off:off+end], []byte("\r"))
			lines = append(lines, line{int64(off), text})
			off = next
		}
		if j.inputFormat != nlineFormat {
			// TextInputFormat: one split per file here (a real cluster
			// splits at block boundaries).
			if len(lines) > 0 {
				j.splits = append(j.splits, split{file: f, lines: lines})
			}
			continue
		}
		for i := 0; i < len(lines); i += per {
			s := lines[i:min(i+per, len(lines))]
			j.splits = append(j.splits, split{file: f, start: s[0].offset, lines: s})
		}
	}
	j.id = fmt.Sprintf("%d_%04d", time.Now().UnixMilli(), 1+rand.IntN(9999))
	return nil
}

// attemptResult is what one successful task attempt produced.
type attemptResult struct {
	parts    [][]record // map: output by partition (after the combiner)
	counters map[[2]string]int64
}

type taskKind struct {
	letter string // "m" or "r"
	ismap  bool
}

// run runs the job: map tasks, then reduce tasks, two tasks at a time, and
// commits the output. It reports whether the job succeeded. A kill
// (jobCommand) kills the running attempts and fails the job.
func (j *job) run(ctx context.Context, log *logger) bool {
	ctx, stopWatch, err := j.register(ctx)
	if err != nil {
		log.printf("ERROR streaming.StreamJob: %v", err)
		return false
	}
	defer stopWatch()
	log.printf("INFO mapreduce.Job: Running job: job_%s", j.id)
	j.shown = [2]int{-1, -1}
	j.progress(log, 0, 0)
	counters := map[[2]string]int64{}
	fw := func(group, name string, n int64) { counters[[2]string{group, name}] += n }
	tmp := filepath.Join(j.output, "_temporary", "0")
	if err := os.MkdirAll(tmp, 0o777); err != nil {
		log.printf("ERROR streaming.StreamJob: %v", err)
		return false
	}
	failed := ""
	mapRes := make([]*attemptResult, len(j.splits))
	fails := j.runTasks(ctx, log, taskKind{"m", true}, len(j.splits), func(i int, attempt string, work string) (*attemptResult, error) {
		return j.mapAttempt(ctx, i, attempt, work)
	}, mapRes, fw)
	if fails != "" {
		failed = fails
	} else if ctx.Err() == nil {
		j.progress(log, 100, 0)
		redRes := make([]*attemptResult, j.reducers)
		if fails := j.runTasks(ctx, log, taskKind{"r", false}, j.reducers, func(r int, attempt string, work string) (*attemptResult, error) {
			var in []record
			for k := range mapRes {
				// Each reducer fetches the map outputs in another order,
				// as Hadoop's do: a job must not rely on it.
				in = append(in, mapRes[(k+r)%len(mapRes)].parts[r]...)
			}
			// The reduce-side merge: keys ascending byte-wise, values in
			// the order the map outputs were merged.
			slices.SortStableFunc(in, byKey)
			return j.reduceAttempt(ctx, r, attempt, work, in)
		}, redRes, fw); fails != "" {
			failed = fails
		}
	}
	for _, rs := range [][]*attemptResult{mapRes} {
		for _, r := range rs {
			if r == nil {
				continue
			}
			for _, p := range r.parts {
				fw("Map-Reduce Framework", "Map output records", int64(len(p)))
			}
		}
	}
	killed := ctx.Err() != nil
	if failed == "" && !killed {
		if err := j.commitJob(); err != nil {
			failed = "job commit: " + err.Error()
		}
	}
	switch {
	case killed:
		failed = "killed"
		log.printf("INFO mapreduce.Job: Job job_%s failed with state KILLED due to: Kill job job_%s received from the client", j.id, j.id)
	case failed != "":
		log.printf("INFO mapreduce.Job: Job job_%s failed with state FAILED due to: %s", j.id, failed)
	default:
		j.progress(log, 100, 100)
		log.printf("INFO mapreduce.Job: Job job_%s completed successfully", j.id)
	}
	j.printCounters(log, counters)
	return failed == ""
}

func (j *job) printCounters(log *logger, counters map[[2]string]int64) {
	keys := make([][2]string, 0, len(counters))
	for k := range counters {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		return cmp.Or(cmp.Compare(keys[a][0], keys[b][0]), cmp.Compare(keys[a][1], keys[b][1])) < 0
	})
	var b strings.Builder
	group := ""
	for _, k := range keys {
		if k[0] != group {
			group = k[0]
			fmt.Fprintf(&b, "\t%s\n", group)
		}
		fmt.Fprintf(&b, "\t\t%s=%d\n", k[1], counters[k])
	}
	log.printf("INFO mapreduce.Job: Counters: %d", len(keys))
	log.raw(b.String())
}

// progress prints the job's progress as the job client does, when it
// changed: " map 50% reduce 0%".
func (j *job) progress(log *logger, mapPct, reducePct int) {
	if now := [2]int{mapPct, reducePct}; now != j.shown {
		j.shown = now
		log.printf("INFO mapreduce.Job:  map %d%% reduce %d%%", mapPct, reducePct)
	}
}

// runTasks runs n tasks of one kind two at a time, each up to its maximum
// attempts, storing successful results. It returns "" or why the job failed.
func (j *job) runTasks(ctx context.Context, log *logger, kind taskKind, n int, attemptFn func(i int, attempt, work string) (*attemptResult, error), results []*attemptResult, fw func(string, string, int64)) string {
	maxAttempts := 4
	key := "mapreduce.reduce.maxattempts"
	if kind.ismap {
		key = "mapreduce.map.maxattempts"
	}
	if v, err := strconv.Atoi(j.get(key, "4")); err == nil && v > 0 {
		maxAttempts = v
	}
	var mu sync.Mutex
	failed, done := "", 0
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i := range n {
		mu.Lock()
		stop := failed != "" || ctx.Err() != nil
		mu.Unlock()
		if stop {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			task := fmt.Sprintf("task_%s_%s_%06d", j.id, kind.letter, i)
			for a := range maxAttempts {
				if ctx.Err() != nil {
					return // the job was killed
				}
				attempt := fmt.Sprintf("attempt_%s_%s_%06d_%d", j.id, kind.letter, i, a)
				work := filepath.Join(j.output, "_temporary", "0", "_temporary", attempt)
				mu.Lock()
				if kind.ismap {
					fw("Job Counters", "Launched map tasks", 1)
				} else {
					fw("Job Counters", "Launched reduce tasks", 1)
				}
				mu.Unlock()
				res, err := attemptFn(i, attempt, work)
				if err == nil {
					err = j.commitTask(work, task)
				}
				mu.Lock()
				if err == nil {
					results[i] = res
					for k, v := range res.counters {
						fw(k[0], k[1], v)
					}
					done++
					if kind.ismap {
						j.progress(log, done*100/n, 0)
					} else {
						j.progress(log, 100, done*100/n)
					}
					mu.Unlock()
					return
				}
				os.RemoveAll(work)
				if ctx.Err() != nil {
					// Killed with the job: not a failure, and not retried.
					if kind.ismap {
						fw("Job Counters", "Killed map tasks", 1)
					} else {
						fw("Job Counters", "Killed reduce tasks", 1)
					}
					mu.Unlock()
					return
				}
				if kind.ismap {
					fw("Job Counters", "Failed map tasks", 1)
				} else {
					fw("Job Counters", "Failed reduce tasks", 1)
				}
				mu.Unlock()
				log.printf("INFO mapreduce.Job: Task Id : %s, Status : FAILED\nError: %v", attempt, err)
			}
			mu.Lock()
			if failed == "" {
				failed = "Task failed " + task
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return failed
}

// commitTask is FileOutputCommitter (algorithm 1) commitTask: the attempt's
// work directory, if any, becomes the committed task directory.
func (j *job) commitTask(work, task string) error {
	if _, err := os.Stat(work); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return os.Rename(work, filepath.Join(j.output, "_temporary", "0", task))
}

// commitJob merges every committed task directory into the output
// directory, removes _temporary and writes _SUCCESS.
func (j *job) commitJob() error {
	tmp := filepath.Join(j.output, "_temporary", "0")
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.Name() == "_temporary" {
			continue
		}
		if err := mergePaths(filepath.Join(tmp, e.Name()), j.output); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(filepath.Join(j.output, "_temporary")); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(j.output, "_SUCCESS"), nil, 0o666)
}

// mergePaths moves the contents of dir src into dst, merging directories
// that exist on both sides and replacing files, as FileOutputCommitter does.
func mergePaths(src, dst string) error {
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range ents {
		from, to := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		if fi, err := os.Stat(to); err == nil && fi.IsDir() && e.IsDir() {
			if err := mergePaths(from, to); err != nil {
				return err
			}
			continue
		} else if err == nil {
			if err := os.RemoveAll(to); err != nil {
				return err
			}
		}
		if err := os.Rename(from, to); err != nil {
			return err
		}
	}
	return nil
}

// mapAttempt runs the mapper over one split, partitions and sorts its
// output, and runs the combiner on each non-empty partition.
func (j *job) mapAttempt(ctx context.Context, i int, attempt, work string) (*attemptResult, error) {
	s := j.splits[i]
	var in bytes.Buffer
	for _, l := range s.lines {
		var key [8]byte
		binary.BigEndian.PutUint64(key[:], uint64(l.offset))
		j.writeInput(&in, j.get("stream.map.input", "text"), j.ignoreKey(), key[:], appendText(nil, l.text), strconv.FormatInt(l.offset, 10), l.text)
	}
	env := map[string]string{
		"mapreduce.task.ismap":        "true",
		"mapreduce.task.partition":    strconv.Itoa(i),
		"mapreduce.map.input.file":    "file:" + s.file,
		"mapreduce.map.input.start":   strconv.FormatInt(s.start, 10),
		"mapreduce.map.input.length":  strconv.Itoa(len(s.lines)),
		"mapreduce.task.attempt.id":   attempt,
		"mapreduce.task.id":           taskOf(attempt),
		"mapreduce.task.output.dir":   "file:" + work,
		"mapreduce.job.id":            "job_" + j.id,
		"mapreduce.job.reduces":       strconv.Itoa(j.reducers),
		"mapreduce.task.attempt.type": "MAP",
	}
	mapOut := j.get("stream.map.output", "text")
	res := &attemptResult{counters: map[[2]string]int64{}}
	recs, err := j.runProcess(ctx, j.mapper, work, env, in.Bytes(), mapOut, res.counters)
	if err != nil {
		return nil, err
	}
	res.counters[[2]string{"Map-Reduce Framework", "Map input records"}] += int64(len(s.lines))
	if j.reducers == 0 {
		return res, writeTextOutput(work, fmt.Sprintf("part-%05d", i), recs, mapOut)
	}
	res.parts = make([][]record, j.reducers)
	for _, r := range recs {
		p := partition(r.key, j.reducers)
		res.parts[p] = append(res.parts[p], r)
	}
	for p := range res.parts {
		if j.combiner == "" || len(res.parts[p]) == 0 {
			slices.SortStableFunc(res.parts[p], byKey)
			continue
		}
		if res.parts[p], err = j.combinePartition(ctx, work, env, p, (i+p)%3, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func byKey(a, b record) int { return bytes.Compare(a.key, b.key) }

// combinePartition runs the combiner over partition p of a map attempt's
// output as one of the ways Hadoop may, which a job must not tell apart
// (Hadoop runs a combiner zero, one or more times):
//   - way 0: not at all (the partition is only sorted);
//   - way 1: once, over the whole partition (one spill);
//   - way 2: over each half of the records as they came (two spills), then
//     again over the merged, sorted outputs (the spill merge).
func (j *job) combinePartition(ctx context.Context, work string, env map[string]string, p, way int, res *attemptResult) ([]record, error) {
	recs := res.parts[p]
	switch way {
	case 0:
		slices.SortStableFunc(recs, byKey)
		return recs, nil
	case 1:
		slices.SortStableFunc(recs, byKey)
		return j.combine(ctx, work, env, p, recs, res)
	}
	half := len(recs) / 2
	var merged []record
	for _, spill := range [][]record{recs[:half], recs[half:]} {
		slices.SortStableFunc(spill, byKey)
		out, err := j.combine(ctx, work, env, p, spill, res)
		if err != nil {
			return nil, err
		}
		merged = append(merged, out...)
	}
	slices.SortStableFunc(merged, byKey)
	return j.combine(ctx, work, env, p, merged, res)
}

// combine runs the combiner over sorted records of partition p, checking
// that its output stays sorted and in p.
func (j *job) combine(ctx context.Context, work string, env map[string]string, p int, recs []record, res *attemptResult) ([]record, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	var cin bytes.Buffer
	for _, r := range recs {
		j.writeReduceInput(&cin, r)
	}
	res.counters[[2]string{"Map-Reduce Framework", "Combine input records"}] += int64(len(recs))
	out, err := j.runProcess(ctx, j.combiner, work, env, cin.Bytes(), j.get("stream.reduce.output", "text"), res.counters)
	if err != nil {
		return nil, fmt.Errorf("combiner: %w", err)
	}
	for k := 1; k < len(out); k++ {
		if bytes.Compare(out[k-1].key, out[k].key) > 0 {
			return nil, fmt.Errorf("combiner output is not sorted: key %x after %x (the map output merge would be corrupt)", out[k].key, out[k-1].key)
		}
	}
	for _, r := range out {
		if partition(r.key, j.reducers) != p {
			return nil, fmt.Errorf("combiner moved key %x out of partition %d", r.key, p)
		}
	}
	res.counters[[2]string{"Map-Reduce Framework", "Combine output records"}] += int64(len(out))
	return out, nil
}

func (j *job) reduceAttempt(ctx context.Context, r int, attempt, work string, in []record) (*attemptResult, error) {
	var buf bytes.Buffer
	for _, rec := range in {
		j.writeReduceInput(&buf, rec)
	}
	env := map[string]string{
		"mapreduce.task.ismap":        "false",
		"mapreduce.task.partition":    strconv.Itoa(r),
		"mapreduce.task.attempt.id":   attempt,
		"mapreduce.task.id":           taskOf(attempt),
		"mapreduce.task.output.dir":   "file:" + work,
		"mapreduce.job.id":            "job_" + j.id,
		"mapreduce.job.reduces":       strconv.Itoa(j.reducers),
		"mapreduce.task.attempt.type": "REDUCE",
	}
	res := &attemptResult{counters: map[[2]string]int64{}}
	outFmt := j.get("stream.reduce.output", "text")
	out, err := j.runProcess(ctx, j.reducer, work, env, buf.Bytes(), outFmt, res.counters)
	if err != nil {
		return nil, err
	}
	res.counters[[2]string{"Map-Reduce Framework", "Reduce input records"}] += int64(len(in))
	res.counters[[2]string{"Map-Reduce Framework", "Reduce output records"}] += int64(len(out))
	return res, writeTextOutput(work, fmt.Sprintf("part-%05d", r), out, outFmt)
}

func taskOf(attempt string) string {
	s := strings.TrimPrefix(attempt, "attempt_")
	return "task_" + s[:strings.LastIndexByte(s, '_')]
}

// ignoreKey is PipeMapper's rule: with the text input writer the key is
// dropped when the input format is TextInputFormat (or when
// stream.map.input.ignoreKey says so); other writers always write it.
func (j *job) ignoreKey() bool {
	if j.get("stream.map.input", "text") != "text" {
		return false
	}
	def := j.inputFormat == textFormat
	v, err := strconv.ParseBool(j.get("stream.map.input.ignoreKey", strconv.FormatBool(def)))
	if err != nil {
		return def
	}
	return v
}

// writeInput writes one map input record as the map input writer would:
// rawbytes frames the Writable serializations (LongWritable key, Text
// value); text writes "key\tvalue\n".
func (j *job) writeInput(w *bytes.Buffer, id string, ignoreKey bool, rawKey, rawValue []byte, textKey string, textValue []byte) {
	if id == "rawbytes" {
		if !ignoreKey {
			writeFrame(w, rawKey)
		}
		writeFrame(w, rawValue)
		return
	}
	if !ignoreKey {
		w.WriteString(textKey)
		w.WriteByte('\t')
	}
	w.Write(textValue)
	w.WriteByte('\n')
}

// writeReduceInput writes a reduce (or combine) input pair: rawbytes
// frames of the BytesWritable payloads, or "key\tvalue\n" for text.
func (j *job) writeReduceInput(w *bytes.Buffer, r record) {
	if j.get("stream.reduce.input", "text") == "rawbytes" {
		writeFrame(w, r.key)
		writeFrame(w, r.value)
		return
	}
	w.Write(r.key)
	w.WriteByte('\t')
	w.Write(r.value)
	w.WriteByte('\n')
}

func writeFrame(w *bytes.Buffer, b []byte) {
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(b)))
	w.Write(hdr[:])
	w.Write(b)
}

// appendText appends Text.write(b): WritableUtils.writeVInt(len) then b.
func appendText(dst, b []byte) []byte {
	return append(appendVLong(dst, int64(len(b))), b...)
}

// appendVLong is WritableUtils.writeVLong.
func appendVLong(dst []byte, i int64) []byte {
	if i >= -112 && i <= 127 {
		return append(dst, byte(i))
	}
	n := -112
	if i < 0 {
		i ^= -1
		n = -120
	}
	for tmp := i; tmp != 0; tmp >>= 8 {
		n--
	}
	dst = append(dst, byte(int8(n)))
	if n < -120 {
		n = -(n + 120)
	} else {
		n = -(n + 112)
	}
	for idx := n; idx != 0; idx-- {
		dst = append(dst, byte(i>>((idx-1)*8)))
	}
	return dst
}

// writeTextOutput is TextOutputFormat: "key\tvalue\n" per record, where a
// BytesWritable prints as space-separated hex bytes.
func writeTextOutput(work, name string, recs []record, id string) error {
	if err := os.MkdirAll(work, 0o777); err != nil {
		return err
	}
	var b bytes.Buffer
	str := func(x []byte) string {
		if id != "rawbytes" {
			return string(x)
		}
		hexes := make([]string, len(x))
		for i, c := range x {
			hexes[i] = fmt.Sprintf("%02x", c)
		}
		return strings.Join(hexes, " ")
	}
	for _, r := range recs {
		fmt.Fprintf(&b, "%s\t%s\n", str(r.key), str(r.value))
	}
	return os.WriteFile(filepath.Join(work, name), b.Bytes(), 0o666)
}

// runProcess runs one streaming command in a fresh task directory holding
// the -files links, feeding it input and reading its output as outID
// records. stderr lines with the reporter prefix update counters; a
// non-zero exit fails the attempt, as stream.non.zero.exit.is.failure
// (true by default) says.
func (j *job) runProcess(ctx context.Context, command, work string, taskEnv map[string]string, input []byte, outID string, counters map[[2]string]int64) ([]record, error) {
	argv := splitArgs(command)
	if len(argv) == 0 {
		return nil, errors.New("empty command")
	}
	if err := os.MkdirAll(work, 0o777); err != nil {
		return nil, err
	}
	cwd, err := os.MkdirTemp("", "streamsim-task-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(cwd)
	for _, f := range j.files {
		if err := os.Symlink(f.path, filepath.Join(cwd, f.name)); err != nil {
			return nil, err
		}
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = cwd
	cmd.Env = os.Environ()
	for k, v := range j.conf {
		cmd.Env = append(cmd.Env, safeEnvName(k)+"="+v)
	}
	for k, v := range taskEnv {
		cmd.Env = append(cmd.Env, safeEnvName(k)+"="+v)
	}
	cmd.Env = append(cmd.Env, j.cmdenv...)
	cmd.Stdin = bytes.NewReader(input)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("java.io.IOException: Cannot run program %q: %w", argv[0], err)
	}
	prefix := j.get("stream.stderr.reporter.prefix", "reporter:")
	var tail []string
	sc := bufio.NewScanner(errPipe)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, prefix+"counter:"):
			cols := strings.Split(strings.TrimSpace(l[len(prefix+"counter:"):]), ",")
			if len(cols) != 3 {
				continue // Hadoop logs "Cannot parse reporter line" and goes on
			}
			n, err := strconv.ParseInt(cols[2], 10, 64)
			if err != nil {
				continue
			}
			counters[[2]string{cols[0], cols[1]}] += n
		case strings.HasPrefix(l, prefix+"status:"):
		default:
			tail = append(tail, l)
			if len(tail) > 40 {
				tail = tail[1:]
			}
		}
	}
	werr := cmd.Wait()
	if os.Getenv("STREAMSIM_VERBOSE") != "" && len(tail) > 0 {
		fmt.Fprintf(os.Stderr, "streamsim: stderr of %s (tail):\n%s\n", taskEnv["mapreduce.task.attempt.id"], strings.Join(tail, "\n"))
	}
	if werr != nil {
		var ee *exec.ExitError
		if errors.As(werr, &ee) {
			return nil, fmt.Errorf("java.lang.RuntimeException: PipeMapRed.waitOutputThreads(): subprocess failed with code %d", ee.ExitCode())
		}
		return nil, werr
	}
	return readOutput(stdout.Bytes(), outID)
}

// readOutput parses a process's stdout: rawbytes key/value frames, or
// lines split at the first tab (a line without a tab is all key).
func readOutput(b []byte, id string) ([]record, error) {
	var out []record
	if id == "rawbytes" {
		next := func() ([]byte, error) {
			if len(b) < 4 {
				return nil, io.ErrUnexpectedEOF
			}
			n := binary.BigEndian.Uint32(b)
			if uint64(len(b)-4) < uint64(n) {
				return nil, io.ErrUnexpectedEOF
			}
			f := b[4 : 4+n]
			b = b[4+n:]
			return f, nil
		}
		for len(b) > 0 {
			k, err := next()
			if err != nil {
				return nil, fmt.Errorf("java.io.EOFException reading rawbytes key: %w", err)
			}
			v, err := next()
			if err != nil {
				return nil, fmt.Errorf("java.io.EOFException reading rawbytes value: %w", err)
			}
			out = append(out, record{k, v})
		}
		return out, nil
	}
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if l == "" {
			continue
		}
		l = strings.TrimSuffix(l, "\n")
		k, v, _ := strings.Cut(l, "\t")
		out = append(out, record{[]byte(k), []byte(v)})
	}
	return out, nil
}

// safeEnvName is PipeMapRed.safeEnvVarName: every character other than a
// letter or digit becomes '_'.
func safeEnvName(k string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, k)
}
