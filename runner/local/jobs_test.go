package local

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/examples/wordcount"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/textio"
)

// TestMain makes the test binary a worker when the runner starts it as one.
// (Packages outside this one call crunchtest.Main, which does the same.)
func TestMain(m *testing.M) {
	WorkerMain()
	runTestDriver()
	os.Exit(m.Run())
}

// The jobs below are registered at init so that workers, which are this
// test binary re-executed, rebuild the same pipelines.

type wcArgs struct {
	Lines int    `flag:"lines" default:"2000"`
	Out   string `flag:"out"`
	Fail  string `flag:"fail"` // a word whose processing fails
	// Copy writes the counts to OUT-copy too: reduce tasks with two sinks.
	Copy bool `flag:"copy"`
}

// outputs maps a built pipeline to its materialized result, for the driver.
var outputs = map[*pcollection.Pipeline]*pcollection.Materialized[ptable.Pair[string, int64]]{}

var wordCountJob = runner.Register("local-test/wordcount", "word count over generated lines",
	func(p *pcollection.Pipeline, a *wcArgs) error {
		lines := pcollection.Of(p, genLines(a.Lines)...)
		if a.Fail != "" {
			lines = pcollection.ParDo(lines, failOn{word: a.Fail}, pcollection.Name("FailOn"))
		}
		counts := wordcount.Count(lines)
		outputs[p] = pcollection.Materialize(counts)
		if a.Out != "" {
			text := pcollection.Map(counts, func(kv ptable.Pair[string, int64]) string {
				return fmt.Sprintf("%s\t%d", kv.Key, kv.Value)
			})
			writeLines(text, a.Out)
			if a.Copy {
				writeLines(text, a.Out+"-copy")
			}
			// A map-side sink too: the words as read, one part file per split.
			writeLines(lines, a.Out+"-lines")
		}
		return nil
	})

type failOn struct{ word string }

func (f failOn) Process(line string, emit func(string)) error {
	if strings.Contains(line, f.word) {
		return fmt.Errorf("refusing a line with %q", f.word)
	}
	emit(line)
	return nil
}

// genLines makes n lines of 8 words from a skewed vocabulary of 3,000.
func genLines(n int) []string {
	lines := make([]string, n)
	x := uint64(7)
	var b strings.Builder
	for i := range lines {
		b.Reset()
		for j := range 8 {
			x = x*6364136223846793005 + 1442695040888963407
			r := float64(x>>11) / float64(1<<53)
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(word(int(r * r * 3000)))
		}
		lines[i] = b.String()
	}
	return lines
}

// word spells n in letters, a word of the word count tokenizer.
func word(n int) string {
	b := []byte{'w'}
	for {
		b = append(b, byte('a'+n%26))
		if n /= 26; n == 0 {
			return string(b)
		}
	}
}

var clockJob = runner.Register("local-test/clock", "a pipeline that depends on the clock",
	func(p *pcollection.Pipeline, _ *struct{}) error {
		c := pcollection.Of(p, "a", "b")
		m := pcollection.Map(c, strings.ToUpper, pcollection.Name(fmt.Sprintf("Upper-%d", time.Now().UnixNano())))
		pcollection.Materialize(m)
		return nil
	})

// local-test/map-order builds its in-memory values from a map's iteration
// order, which differs from process to process: a worker's copy of them is
// not the driver's.
var mapOrderJob = runner.Register("local-test/map-order", "in-memory values in a map's iteration order",
	func(p *pcollection.Pipeline, _ *struct{}) error {
		m := map[string]bool{}
		for i := range 200 {
			m[fmt.Sprint("k", i)] = true
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		pcollection.Materialize(ptable.Count(pcollection.Of(p, keys...)))
		return nil
	})

type bigArgs struct {
	Records int  `flag:"records" default:"1000"`
	Value   int  `flag:"value" default:"100"`
	Splits  int  `flag:"splits" default:"4"`
	Shards  int  `flag:"shards" default:"0"` // big-join: a ShardedJoin over this many shards, 0 for Join
	Join3   bool `flag:"join3"`              // big-join: a Join3 with a second small table instead of Join
}

// bigResults maps a built pipeline to its materialized per-key summaries.
var bigResults = map[*pcollection.Pipeline]*pcollection.Materialized[string]{}

// bigShuffleJob shuffles generated (key, padded value) records: a quarter of
// them share one hot key, so that group is larger than any small budget.
var bigShuffleJob = runner.Register("local-test/big-shuffle", "a shuffle of generated records",
	func(p *pcollection.Pipeline, a *bigArgs) error {
		recs := pcollection.NewSource[ptable.Pair[string, string]](p, "Generate", &genSource{n: a.Records, value: a.Value, splits: a.Splits})
		g := ptable.GroupByKey(recs)
		sums := ptable.Reduce(g, func(k string, vs iter.Seq[string], emit func(string)) error {
			var n, bytes int
			var first string
			for v := range vs {
				if n == 0 {
					first = v[:12]
				}
				n++
				bytes += len(v)
			}
			emit(fmt.Sprintf("%s n=%d bytes=%d first=%s", k, n, bytes, first))
			return nil
		})
		bigResults[p] = pcollection.Materialize(sums)
		return nil
	})

// bigJoinJob joins generated records (the left side, a quarter of them
// under one hot key) with a small table holding the hot key and a few
// others, and counts the joined pairs per key.
var bigJoinJob = runner.Register("local-test/big-join", "a join of generated records with a small table",
	func(p *pcollection.Pipeline, a *bigArgs) error {
		recs := pcollection.NewSource[ptable.Pair[string, string]](p, "Generate", &genSource{n: a.Records, value: a.Value, splits: a.Splits})
		small := pcollection.Of(p, ptable.KV("hot", "H"), ptable.KV("k1", "K1"), ptable.KV("k1", "K1b"), ptable.KV("absent", "-"))
		var joined ptable.PTable[string, ptable.Pair[string, string]]
		switch {
		case a.Join3:
			more := pcollection.Of(p, ptable.KV("hot", 1), ptable.KV("k1", 2), ptable.KV("k2", 3))
			joined = ptable.MapValues(ptable.Join3(recs, small, more), func(v ptable.Triple[string, string, int]) ptable.Pair[string, string] {
				return ptable.KV(v.A, v.B)
			})
		case a.Shards > 0:
			joined = ptable.ShardedJoin(recs, small, a.Shards)
		default:
			joined = ptable.Join(recs, small)
		}
		counts := ptable.Count(ptable.Keys(joined))
		bigResults[p] = pcollection.Materialize(pcollection.Map(counts, func(c ptable.Pair[string, int64]) string {
			return fmt.Sprintf("%s %d", c.Key, c.Value)
		}))
		return nil
	})

// genSource generates n records without holding them: record i has key
// "hot" when i%4 == 0, else "k<i%5000>", and a value of the given size that
// starts with its index.
type genSource struct{ n, value, splits int }

func (g *genSource) Describe() string { return fmt.Sprintf("%d generated records", g.n) }
func (g *genSource) EstimateSize(context.Context) int64 {
	return int64(g.n) * int64(g.value+10)
}
func (g *genSource) Splits(_ context.Context, _ int) ([]plan.Split, error) {
	return evenSplits(g.n, g.splits), nil
}
func (g *genSource) Read(_ context.Context, _ plan.TaskContext, s plan.Split, out plan.Emitter) error {
	emit := out.(func(ptable.Pair[string, string]))
	pad := strings.Repeat("x", max(0, g.value-12))
	for i := s.Offset; i < s.Offset+s.Length; i++ {
		k := fmt.Sprintf("k%d", i%5000)
		if i%4 == 0 {
			k = "hot"
		}
		emit(ptable.Pair[string, string]{Key: k, Value: fmt.Sprintf("%012d", i) + pad})
	}
	return nil
}

// writeLines adds a sink that writes strings, one per line.
func writeLines(c pcollection.PCollection[string], dir string) {
	b := pcollection.Build("WriteLines", nil)
	c.Pipeline().AddNode(b, plan.OpSink, pcollection.TypeOf[string](), linesSink{dir}, c.ID())
}

type linesSink struct{ dir string }

func (s linesSink) URL() string { return s.dir }
func (s linesSink) Ext() string { return ".txt" }
func (s linesSink) NewWriter(_ context.Context, _ plan.TaskContext, w io.Writer) (plan.Emitter, func() error, error) {
	bw := bufio.NewWriter(w)
	return func(line string) { bw.WriteString(line); bw.WriteByte('\n') }, bw.Flush, nil
}

var _ = codec.For[string]
var _ = errors.New

// sideArgs size the side input of local-test/side.
type sideArgs struct {
	SideRows int `flag:"side-rows" default:"10"`
	// Computed makes the side input a computed collection (a Map of the
	// rows), written as an intermediate, rather than their in-memory
	// source, which every task reads itself.
	Computed bool `flag:"computed"`
}

var sideOutputs = map[*pcollection.Pipeline]*pcollection.Materialized[ptable.Pair[string, ptable.Pair[int64, *string]]]{}

// local-test/side joins word counts with a table of side-rows 100-byte
// values through a side input.
var sideJob = runner.Register("local-test/side", "word counts joined with a broadcast table",
	func(p *pcollection.Pipeline, a *sideArgs) error {
		counts := wordcount.Count(pcollection.Of(p, "a b a", "c"))
		var rows []ptable.Pair[string, string]
		for i := range a.SideRows {
			rows = append(rows, ptable.KV(fmt.Sprintf("w%d", i), strings.Repeat("x", 100)))
		}
		rows = append(rows, ptable.KV("a", "first"))
		sideOutputs[p] = pcollection.Materialize(ptable.MapSideLeftJoin(counts, maybeComputed(pcollection.Of(p, rows...), a.Computed)))
		return nil
	})

var sideMapOutputs = map[*pcollection.Pipeline]*pcollection.Materialized[ptable.Pair[string, ptable.Pair[int, string]]]{}

// sideMapArgs size local-test/side-map.
type sideMapArgs struct {
	Left  int    `flag:"left" default:"4000"`
	Table int    `flag:"table" default:"10"`
	Input string `flag:"input" help:"text files whose lines are the left side's keys, instead of left generated elements"`
	// Computed: as in sideArgs.
	Computed bool `flag:"computed"`
}

// maybeComputed returns c, or, if computed, an identity Map of it: a side
// input the planner materializes rather than one every task reads from its
// source.
func maybeComputed[T any](c pcollection.PCollection[T], computed bool) pcollection.PCollection[T] {
	if !computed {
		return c
	}
	return pcollection.Map(c, func(v T) T { return v }, pcollection.Name("Computed"))
}

// local-test/side-map joins left elements (or the lines of input), read in
// several map tasks, with a broadcast table of table rows: every map task
// needs the side input.
var sideMapJob = runner.Register("local-test/side-map", "a map-only join with a broadcast table",
	func(p *pcollection.Pipeline, a *sideMapArgs) error {
		var left pcollection.PCollection[ptable.Pair[string, int]]
		if a.Input != "" {
			left = pcollection.Map(textio.Read(p, a.Input), func(line string) ptable.Pair[string, int] { return ptable.KV(line, len(line)) })
		} else {
			var elems []ptable.Pair[string, int]
			for i := range a.Left {
				elems = append(elems, ptable.KV(fmt.Sprintf("k%d", i%a.Table), i))
			}
			left = pcollection.Of(p, elems...)
		}
		var table []ptable.Pair[string, string]
		for i := range a.Table {
			table = append(table, ptable.KV(fmt.Sprintf("k%d", i), fmt.Sprintf("v%d", i)))
		}
		sideMapOutputs[p] = pcollection.Materialize(ptable.MapSideJoin(left, maybeComputed(pcollection.Of(p, table...), a.Computed)))
		return nil
	})

// stopArgs name local-test/stopwords' stopword file.
type stopArgs struct {
	Stop  string `flag:"stop" help:"a text file of stopwords, one a line"`
	Lines int    `flag:"lines" default:"2000"`
}

var stopOutputs = map[*pcollection.Pipeline]*pcollection.Materialized[ptable.Pair[string, int64]]{}

// local-test/stopwords counts the words of generated lines, read in several
// map tasks, that are not in the stopword file, a side input every task
// reads from the file itself.
var stopwordsJob = runner.Register("local-test/stopwords", "word counts without the words of a stopword file",
	func(p *pcollection.Pipeline, a *stopArgs) error {
		words := pcollection.FlatMapWithSide(pcollection.Of(p, genLines(a.Lines)...), textio.Read(p, a.Stop),
			func(stop []string) (func(string, func(string)), error) {
				skip := map[string]bool{}
				for _, w := range stop {
					skip[w] = true
				}
				return func(line string, emit func(string)) {
					for _, w := range strings.Fields(line) {
						if !skip[w] {
							emit(w)
						}
					}
				}, nil
			}, pcollection.Name("DropStopwords"))
		stopOutputs[p] = pcollection.Materialize(ptable.Count(words))
		return nil
	})

type overlapArgs struct {
	Marker string `flag:"marker"`
}

type overlapResult struct {
	counted, waited *pcollection.Materialized[string]
}

var overlapOutputs = map[*pcollection.Pipeline]overlapResult{}

// local-test/overlap has two shuffles in its first stage. The second one's
// reducer waits until the marker file exists, and the reducer that creates
// it is in the second stage, reading only the first shuffle's output: the
// job ends only if the second stage starts while the first one still runs.
var overlapJob = runner.Register("local-test/overlap", "a stage that must start before the one before it ends",
	func(p *pcollection.Pipeline, a *overlapArgs) error {
		words := pcollection.Of(p, "a", "b", "a", "c", "a")
		byCount := ptable.GroupByKey(pcollection.Map(ptable.Count(words), func(kv ptable.Pair[string, int64]) ptable.Pair[int64, string] {
			return ptable.KV(kv.Value, kv.Key)
		}))
		counted := ptable.Reduce(byCount, func(n int64, ws iter.Seq[string], emit func(string)) error {
			if err := os.WriteFile(a.Marker, nil, 0o644); err != nil {
				return err
			}
			for w := range ws {
				emit(fmt.Sprintf("%s=%d", w, n))
			}
			return nil
		}, pcollection.Name("Mark"))
		lengths := ptable.GroupByKey(pcollection.Map(words, func(w string) ptable.Pair[string, int] { return ptable.KV(w, len(w)) }))
		waited := ptable.Reduce(lengths, func(w string, _ iter.Seq[int], emit func(string)) error {
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				if _, err := os.Stat(a.Marker); err == nil {
					break
				}
				if time.Now().After(deadline) {
					return errors.New("the marker never appeared: the second stage did not start while the first one ran")
				}
			}
			emit(w)
			return nil
		}, pcollection.Name("WaitForMark"))
		overlapOutputs[p] = overlapResult{pcollection.Materialize(counted), pcollection.Materialize(waited)}
		return nil
	})

var orderOutputs = map[*pcollection.Pipeline]*pcollection.Materialized[string]{}

// local-test/order groups numbers two ways, flattens both reducers'
// outputs and groups them again by n mod 3, listing each group's values in
// the order they arrive: the order of the first stage's reduce tasks.
var orderJob = runner.Register("local-test/order", "values in task order across stages",
	func(p *pcollection.Pipeline, _ *struct{}) error {
		var ns []int
		for i := range 60 {
			ns = append(ns, i)
		}
		nums := pcollection.Of(p, ns...)
		firsts := func(name string, key func(int) int) pcollection.PCollection[ptable.Pair[int, string]] {
			g := ptable.GroupByKey(pcollection.Map(nums, func(n int) ptable.Pair[int, int] { return ptable.KV(key(n), n) }))
			return ptable.Reduce(g, func(k int, vs iter.Seq[int], emit func(ptable.Pair[int, string])) error {
				for v := range vs {
					emit(ptable.KV(v%3, fmt.Sprintf("%s%d:%d", name, k, v)))
				}
				return nil
			}, pcollection.Name(name))
		}
		all := pcollection.Union(firsts("a", func(n int) int { return n % 7 }), firsts("b", func(n int) int { return n % 5 }))
		lists := ptable.Reduce(ptable.GroupByKey(all), func(k int, vs iter.Seq[string], emit func(string)) error {
			var b strings.Builder
			for v := range vs {
				if b.Len() > 0 {
					b.WriteByte(',')
				}
				b.WriteString(v)
			}
			emit(fmt.Sprintf("%d=%s", k, b.String()))
			return nil
		}, pcollection.Name("List"))
		orderOutputs[p] = pcollection.Materialize(lists)
		return nil
	})

// procsResults maps a built pipeline to the GOMAXPROCS its tasks saw.
var procsResults = map[*pcollection.Pipeline]*pcollection.Materialized[int]{}

// procsJob reports, for each of a few elements, the GOMAXPROCS of the
// process that mapped it.
var procsJob = runner.Register("local-test/procs", "the GOMAXPROCS of the tasks",
	func(p *pcollection.Pipeline, _ *struct{}) error {
		c := pcollection.Of(p, 1, 2, 3, 4)
		procsResults[p] = pcollection.Materialize(pcollection.Map(c, func(int) int { return runtime.GOMAXPROCS(0) }))
		return nil
	})

// twiceJob reads each group's values twice, which they do not allow.
var twiceJob = runner.Register("local-test/twice", "a reducer iterating its values twice",
	func(p *pcollection.Pipeline, _ *struct{}) error {
		kvs := pcollection.Of(p, ptable.KV("a", 1), ptable.KV("a", 2), ptable.KV("b", 3))
		pcollection.Materialize(ptable.Reduce(ptable.GroupByKey(kvs), func(k string, vs iter.Seq[int], emit func(int)) error {
			n := 0
			for range vs {
				n++
			}
			for range vs {
				n++
			}
			emit(n)
			return nil
		}))
		return nil
	})

type sortArgs struct {
	N     int    `flag:"n" default:"50000"`
	Parts int    `flag:"parts" default:"4"`
	Out   string `flag:"out"`
}

// sortJob sorts pseudo-random words (a hot one among them) into part files.
var sortJob = runner.Register("local-test/sort", "a total-order sort written as text part files",
	func(p *pcollection.Pipeline, a *sortArgs) error {
		words := make([]string, a.N)
		x := uint32(1)
		for i := range words {
			x = x*1664525 + 1013904223
			if x%10 == 0 {
				words[i] = "hot"
			} else {
				words[i] = fmt.Sprintf("w%06d", x>>12)
			}
		}
		writeLines(ptable.Sort(pcollection.Of(p, words...), pcollection.Partitions(a.Parts)), a.Out)
		return nil
	})

// shardJob deals numbered lines out over part files.
var shardJob = runner.Register("local-test/shard", "lines spread evenly over part files",
	func(p *pcollection.Pipeline, a *sortArgs) error {
		lines := make([]string, a.N)
		for i := range lines {
			lines[i] = fmt.Sprintf("line %d", i)
		}
		writeLines(ptable.Shard(pcollection.Of(p, lines...), a.Parts), a.Out)
		return nil
	})

type earlyFailArgs struct {
	Marker string `flag:"marker"`
}

// local-test/early-fail joins word counts, which its first stage computes,
// with a table its second stage reads itself. The second stage's map task
// of the table creates the marker file; the first stage's reducer waits
// for it, then fails: the second stage has started, and its input from the
// first was never written.
var earlyFailJob = runner.Register("local-test/early-fail", "a first stage that fails once the second has started",
	func(p *pcollection.Pipeline, a *earlyFailArgs) error {
		counts := ptable.Count(pcollection.Of(p, "a", "b", "a"))
		failed := pcollection.ParDo(counts, failAfterMarker{a.Marker}, pcollection.Name("FailAfterMarker"))
		table := pcollection.Map(pcollection.Of(p, "a", "c"), func(w string) ptable.Pair[string, int] {
			if err := os.WriteFile(a.Marker, nil, 0o644); err != nil {
				panic(err)
			}
			return ptable.KV(w, len(w))
		}, pcollection.Name("Mark"))
		pcollection.Materialize(ptable.Join(failed, table))
		return nil
	})

type failAfterMarker struct{ marker string }

func (f failAfterMarker) Process(kv ptable.Pair[string, int64], emit func(ptable.Pair[string, int64])) error {
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(f.marker); err == nil {
			return errors.New("the first stage fails on purpose")
		}
		if time.Now().After(deadline) {
			return errors.New("the marker never appeared: the second stage did not start while the first one ran")
		}
	}
}

// distinctArgs size local-test/big-distinct.
type distinctArgs struct {
	Records int `flag:"records" default:"1000"`
	Keys    int `flag:"keys" default:"10"`
	Splits  int `flag:"splits" default:"2"`
}

// distinctResults maps a built big-distinct pipeline to its counts.
var distinctResults = map[*pcollection.Pipeline]*pcollection.Materialized[ptable.Pair[string, int64]]{}

// bigDistinctJob counts distinct users per key over generated records
// whose users are all distinct: every map task's combiner sees each key
// with a growing set, though no key holds many users.
var bigDistinctJob = runner.Register("local-test/big-distinct", "distinct users per key of generated records",
	func(p *pcollection.Pipeline, a *distinctArgs) error {
		recs := pcollection.NewSource[ptable.Pair[string, string]](p, "Generate", &distinctSource{n: a.Records, keys: a.Keys, splits: a.Splits})
		distinctResults[p] = pcollection.Materialize(ptable.Aggregate(ptable.GroupByKey(recs), ptable.DistinctCount[string]()))
		return nil
	})

// distinctSource generates n records without holding them: record i has
// key "k<i%keys>" and user "u<i>".
type distinctSource struct{ n, keys, splits int }

func (g *distinctSource) Describe() string { return fmt.Sprintf("%d generated users", g.n) }
func (g *distinctSource) EstimateSize(context.Context) int64 {
	return int64(g.n) * 20
}
func (g *distinctSource) Splits(_ context.Context, _ int) ([]plan.Split, error) {
	return evenSplits(g.n, g.splits), nil
}
func (g *distinctSource) Read(_ context.Context, _ plan.TaskContext, s plan.Split, out plan.Emitter) error {
	emit := out.(func(ptable.Pair[string, string]))
	for i := s.Offset; i < s.Offset+s.Length; i++ {
		emit(ptable.Pair[string, string]{Key: fmt.Sprintf("k%d", i%int64(g.keys)), Value: fmt.Sprintf("u%d", i)})
	}
	return nil
}

// evenSplits cuts n generated records into parts splits of about equal
// size, each split's Offset and Length counting records.
func evenSplits(n, parts int) []plan.Split {
	var out []plan.Split
	for i := range parts {
		lo, hi := n*i/parts, n*(i+1)/parts
		out = append(out, plan.Split{Index: i, Offset: int64(lo), Length: int64(hi - lo)})
	}
	return out
}
