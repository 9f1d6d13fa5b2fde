package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/cli"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/local"
)

type outArgs struct {
	Output string `flag:"output" help:"directory for the outputs"`
}

type wordCount struct {
	Word  string `avro:"word"`
	Count int64  `avro:"count"`
}

// cli-test-2stage counts words, then counts how many words have each count:
// two shuffles in sequence, and the word counts are both written and read
// again, so the plan has two stages and a materialized intermediate.
var _ = runner.Register("cli-test-2stage", "word counts and their histogram (a test job)", func(p *pcollection.Pipeline, a *outArgs) error {
	words := pcollection.Of(p, "a", "b", "a", "c", "a", "b", "d")
	counts := ptable.Count(words, pcollection.Name("CountWords"))
	recs := pcollection.Map(counts, func(kv ptable.Pair[string, int64]) wordCount { return wordCount{kv.Key, kv.Value} })
	if err := avroio.TryWrite(recs, a.Output+"/words"); err != nil {
		return err
	}
	hist := ptable.Count(pcollection.Map(counts, func(kv ptable.Pair[string, int64]) int64 { return kv.Value }), pcollection.Name("CountCounts"))
	out := pcollection.Map(hist, func(kv ptable.Pair[int64, int64]) residue { return residue{kv.Key, kv.Value} })
	return avroio.TryWrite(out, a.Output+"/hist")
})

func runWithReport(t *testing.T, name string) (*cli.Report, string) {
	t.Helper()
	dir := t.TempDir()
	rep := filepath.Join(dir, name)
	args := []string{"run", "cli-test-2stage", "--runner", "mem", "-q", "--output", filepath.Join(dir, "out"), "--report", rep}
	var stdout, stderr bytes.Buffer
	if code := cli.Execute(context.Background(), cli.NewRoot(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	jsonArgs := append(args[:len(args)-1:len(args)-1], filepath.Join(dir, "report.json"))
	jsonArgs[6] = filepath.Join(dir, "out2")
	if code := cli.Execute(context.Background(), cli.NewRoot(), jsonArgs, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	return readReport(t, filepath.Join(dir, "report.json")), rep
}

// readReport reads a JSON report.
func readReport(t *testing.T, path string) *cli.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r cli.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &r
}

func TestJSONReport(t *testing.T) {
	r, _ := runWithReport(t, "unused.json")
	if r.Schema != cli.ReportSchema || r.Job != "cli-test-2stage" || r.Runner != "mem" {
		t.Errorf("header: schema %q job %q runner %q", r.Schema, r.Job, r.Runner)
	}
	if r.Plan == nil {
		t.Fatal("no plan")
	}
	if got := len(r.Plan.Stages); got != 2 || len(r.Stages) != 2 {
		t.Fatalf("got %d planned and %d executed stages, want 2 and 2", got, len(r.Stages))
	}
	if len(r.Plan.Intermediates) == 0 {
		t.Errorf("no intermediates; want the word counts materialized")
	}
	if got, want := r.Counters["avroio"]["records written"], int64(4+3); got != want {
		t.Errorf("avroio/records written = %d, want %d", got, want)
	}
	if got := len(r.Outputs); got != 2 {
		t.Errorf("got %d outputs, want 2: %q", got, r.Outputs)
	}
	var in int64
	for _, s := range r.Stages {
		in += s.RecordsIn
	}
	if in == 0 || r.Stages[0].RecordsIn != 7 {
		t.Errorf("stage 0 read %d records, want 7", r.Stages[0].RecordsIn)
	}
	if r.WallNS <= 0 {
		t.Errorf("wall_ns = %d", r.WallNS)
	}
	// The mem runner runs its stages one after the other.
	if s0, s1 := r.Stages[0], r.Stages[1]; s0.StartNS < 0 || s0.DurationNS <= 0 || s1.StartNS < s0.StartNS+s0.DurationNS || s1.StartNS+s1.DurationNS > r.WallNS {
		t.Errorf("stage times (start, duration): (%d, %d) and (%d, %d) ns, want the second after the first, both within the wall time %d ns",
			s0.StartNS, s0.DurationNS, s1.StartNS, s1.DurationNS, r.WallNS)
	}
	for _, n := range r.Plan.Nodes {
		if n.Op == "Sink" && !strings.HasSuffix(n.Detail, "/words") && !strings.HasSuffix(n.Detail, "/hist") {
			t.Errorf("sink %d: detail %q, want its URL", n.ID, n.Detail)
		}
	}
}

// parseHTML parses the HTML file at path.
func parseHTML(t *testing.T, path string) *html.Node {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := html.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestHTMLReport(t *testing.T) {
	r, path := runWithReport(t, "report.html")
	doc := parseHTML(t, path)
	// Count elements by tag and class.
	counts := map[string]int{}
	edgeKinds := map[string]int{}
	var external []string
	var bars []string // the style of each stage's timeline bar
	var walk func(n *html.Node, inTable string)
	walk = func(n *html.Node, inTable string) {
		if n.Type == html.ElementNode {
			counts[n.Data]++
			for _, a := range n.Attr {
				switch {
				case a.Key == "class" && n.Data == "g":
					counts["g."+a.Val]++
				case a.Key == "data-kind" && attr(n, "class") == "edge":
					edgeKinds[a.Val]++
				case (a.Key == "src" || a.Key == "href") && !strings.HasPrefix(a.Val, "#"):
					external = append(external, a.Val)
				case a.Key == "id" && n.Data == "table":
					inTable = a.Val
				}
			}
			if n.Data == "tr" && inTable != "" {
				counts["rows:"+inTable]++
			}
			if n.Data == "span" && attr(n, "class") == "bar" && inTable == "stages" {
				bars = append(bars, attr(n, "style"))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inTable)
		}
	}
	walk(doc, "")
	if len(external) > 0 {
		t.Errorf("the report refers to external resources %q; want one self-contained file", external)
	}
	if counts["svg"] != 1 {
		t.Fatalf("got %d svg elements, want 1", counts["svg"])
	}
	phases := 0
	for _, s := range r.Plan.Stages {
		phases += len(s.Inputs) + len(s.Channels)
	}
	// Bars on one time axis: the second stage's starts where the first's ends.
	var left, width []float64
	for _, b := range bars {
		m := barStyle.FindStringSubmatch(b)
		if m == nil {
			t.Fatalf("bar style %q, want margin-left:Lpx;width:Wpx", b)
		}
		l, _ := strconv.ParseFloat(m[1], 64)
		w, _ := strconv.ParseFloat(m[2], 64)
		left, width = append(left, l), append(width, w)
	}
	if len(bars) != 2 || left[0] < 0 || left[1] < left[0]+width[0]-0.1 || left[1]+width[1] > 240.1 {
		t.Errorf("stage bars %q: want two, the second after the first, within the 240px lane", bars)
	}
	for _, tc := range []struct {
		what      string
		got, want int
	}{
		{"stage columns (g.stage)", counts["g.stage"], len(r.Plan.Stages)},
		{"phase boxes (g.phase)", counts["g.phase"], phases},
		{"shuffle edges", edgeKinds["shuffle"], 2},
		{"materialized edges", edgeKinds["materialized"], 1},
		{"stage table rows", counts["rows:stages"], 1 + len(r.Stages)},
		{"counter table rows", counts["rows:counters"], 1 + 1},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.what, tc.got, tc.want)
		}
	}
}

type dayCount struct {
	Day   string `avro:"day"`
	Count int64  `avro:"count"`
}

type partsArgs struct {
	Output string `flag:"output" help:"the table's directory"`
	Days   int    `flag:"days" default:"3" help:"days d01 to dNN"`
}

// cli-test-parts writes a table partitioned by day, a record a day.
var _ = runner.Register("cli-test-parts", "a record a day into a table partitioned by day (a test job)", func(p *pcollection.Pipeline, a *partsArgs) error {
	var days []dayCount
	for d := range a.Days {
		days = append(days, dayCount{fmt.Sprintf("d%02d", d+1), int64(d)})
	}
	return avroio.TryWrite(pcollection.Of(p, days...), a.Output, avroio.PartitionBy("day"))
})

// TestHTMLReportPartitions checks that the HTML report lists, under a
// partitioned output, the partitions the run wrote and what became of
// each: the first 20, then how many more of each action, as the summary.
func TestHTMLReportPartitions(t *testing.T) {
	dir := t.TempDir()
	out, rep := filepath.Join(dir, "table"), filepath.Join(dir, "report.html")
	for _, args := range [][]string{
		{"--days", "22"},
		// d01 to d22 replaced, d23 to d25 new.
		{"--days", "25", "--write-mode", "overwrite-partitions", "--report", rep},
	} {
		args = append([]string{"run", "cli-test-parts", "--runner", "mem", "-q", "--output", out}, args...)
		var stdout, stderr bytes.Buffer
		if code := cli.Execute(context.Background(), cli.NewRoot(), args, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	}
	var rows [][2]string // the partition table's cells
	var more []string    // the texts after it
	var walk func(n *html.Node, inParts bool)
	walk = func(n *html.Node, inParts bool) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "table" && attr(n, "class") == "partitions":
				inParts = true
			case n.Data == "tr" && inParts:
				var cells []string
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode && c.Data == "td" {
						cells = append(cells, textOf(c))
					}
				}
				if len(cells) == 2 {
					rows = append(rows, [2]string{cells[0], cells[1]})
				}
			case n.Data == "p" && strings.Contains(attr(n, "class"), "more-partitions"):
				more = append(more, textOf(n))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inParts)
		}
	}
	walk(parseHTML(t, rep), false)
	if len(rows) != 20 {
		t.Fatalf("partition rows %q: want 20", rows)
	}
	for i, r := range rows {
		if want := [2]string{fmt.Sprintf("day=d%02d", i+1), "replaced"}; r != want {
			t.Errorf("partition row %d: got %q, want %q", i, r, want)
		}
	}
	if want := []string{"and 5 more: 2 replaced, 3 new"}; !slices.Equal(more, want) {
		t.Errorf("after the partitions: got %q, want %q", more, want)
	}

	// A partitioned output of no rows says so, as the summary does.
	empty := filepath.Join(dir, "empty.html")
	args := []string{"run", "cli-test-parts", "--runner", "mem", "-q", "--days", "0", "--output", filepath.Join(dir, "none"), "--report", empty}
	var stdout, stderr bytes.Buffer
	if code := cli.Execute(context.Background(), cli.NewRoot(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var outputs string
	var find func(n *html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && attr(n, "id") == "outputs" {
			outputs = textOf(n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(parseHTML(t, empty))
	if !strings.Contains(outputs, "no partitions written: the run wrote no rows") {
		t.Errorf("outputs of a run of no rows: got %q, want it to say no partitions were written", outputs)
	}
}

// textOf is the text inside n.
func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}

var barStyle = regexp.MustCompile(`^margin-left:([0-9.]+)px;width:([0-9.]+)px$`)

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// cli-test-side joins word counts with a small table through a side input.
var _ = runner.Register("cli-test-side", "word counts with a broadcast table (a test job)", func(p *pcollection.Pipeline, a *outArgs) error {
	counts := ptable.Count(pcollection.Of(p, "a", "b", "a"), pcollection.Name("CountWords"))
	// Computed, so that the planner writes it for the reducer to read (a
	// source would be read by the tasks themselves, with no edge to draw).
	initials := ptable.MapValues(pcollection.Of(p, ptable.KV("a", int64(1)), ptable.KV("c", int64(3))),
		func(v int64) int64 { return v }, pcollection.Name("Initials"))
	joined := ptable.MapSideJoin(counts, initials, pcollection.Name("JoinInitials"))
	recs := pcollection.Map(joined, func(kv ptable.Pair[string, ptable.Pair[int64, int64]]) wordCount {
		return wordCount{kv.Key, kv.Value.Key * kv.Value.Value}
	})
	return avroio.TryWrite(recs, a.Output+"/joined")
})

func TestHTMLReportSideInput(t *testing.T) {
	dir := t.TempDir()
	rep := filepath.Join(dir, "report.html")
	var stdout, stderr bytes.Buffer
	args := []string{"run", "cli-test-side", "--runner", "mem", "-q", "--output", filepath.Join(dir, "out"), "--report", rep}
	if code := cli.Execute(context.Background(), cli.NewRoot(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	doc := parseHTML(t, rep)
	edges := map[string]int{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "g" && attr(n, "class") == "edge" {
			edges[attr(n, "data-kind")]++
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	// One stage: the side input is written by a map phase and read by the
	// reducer that counts the words and joins them.
	if edges["side input"] != 1 || edges["materialized"] != 0 || edges["shuffle"] != 1 {
		t.Errorf("edges by kind = %v, want one side input, one shuffle and nothing materialized", edges)
	}
}

// TestReportRanAs checks that a run whose stages say where they ran (the
// Hadoop runner's, here with every stage in the client, so no Hadoop is
// needed) reports it in both kinds of report.
func TestReportRanAs(t *testing.T) {
	dir := t.TempDir()
	for i, name := range []string{"report.json", "report.html"} {
		args := []string{"run", "cli-test-2stage", "--runner", "hadoop", "-q", "--hadoop-bin", "/nonexistent/hadoop",
			"--streaming-jar", "/nonexistent/hadoop-streaming.jar", "--hadoop-tmp", filepath.Join(dir, "htmp"),
			"--output", filepath.Join(dir, "out"+strconv.Itoa(i)), "--report", filepath.Join(dir, name)}
		var stdout, stderr bytes.Buffer
		if code := cli.Execute(context.Background(), cli.NewRoot(), args, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	}
	r := readReport(t, filepath.Join(dir, "report.json"))
	if len(r.Stages) != 2 || r.Stages[0].RanAs != "client" || r.Stages[1].RanAs != "client" {
		t.Errorf("JSON report stages %+v: want two, each ran as client", r.Stages)
	}
	var cells []string // the stage table's cells of the "ran as" column
	col := -1
	var walk func(n *html.Node, inTable bool)
	walk = func(n *html.Node, inTable bool) {
		if n.Type == html.ElementNode && n.Data == "table" {
			inTable = attr(n, "id") == "stages"
		}
		if inTable && n.Type == html.ElementNode && n.Data == "tr" {
			i := 0
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type != html.ElementNode {
					continue
				}
				text := ""
				if c.FirstChild != nil {
					text = c.FirstChild.Data
				}
				if c.Data == "th" && text == "ran as" {
					col = i
				}
				if c.Data == "td" && i == col {
					cells = append(cells, text)
				}
				i++
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inTable)
		}
	}
	walk(parseHTML(t, filepath.Join(dir, "report.html")), false)
	if col < 0 || len(cells) != 2 || cells[0] != "client" || cells[1] != "client" {
		t.Errorf("HTML stage table: ran-as column %d with cells %q, want two client cells", col, cells)
	}
}

// TestReportPath checks that a report path that cannot take a report is
// refused before the job runs, that a directory there is left alone, and
// that a failed run replaces an earlier run's report, or removes it when
// it fails before it starts, rather than leave it to be read as this run's.
func TestReportPath(t *testing.T) {
	dir := t.TempDir()
	run := func(out, report string, extra ...string) (int, string) {
		args := append([]string{"run", "cli-test", "--runner", "mem", "-q", "--output", filepath.Join(dir, out), "--report", report}, extra...)
		var stdout, stderr bytes.Buffer
		code := cli.Execute(context.Background(), cli.NewRoot(), args, &stdout, &stderr)
		return code, stderr.String()
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if code, stderr := run("a", sub); code != cli.ExitUsage || !strings.Contains(stderr, "is a directory") {
		t.Errorf("report at a directory: exit %d, %q; want a usage error", code, stderr)
	}
	if fi, err := os.Stat(sub); err != nil || !fi.IsDir() {
		t.Errorf("the directory at the report path is gone: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the job ran although its report path was refused: %v", err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stderr := run("b", filepath.Join(file, "r.json")); code != cli.ExitUsage || !strings.Contains(stderr, "not a directory") {
		t.Errorf("report under a file: exit %d, %q; want a usage error", code, stderr)
	}
	if _, err := os.Stat("/proc/self"); err == nil { // a directory that takes no files
		if code, stderr := run("p", "/proc/r.html"); code != cli.ExitUsage || !strings.Contains(stderr, "/proc/r.html cannot be written") {
			t.Errorf("report in /proc: exit %d, %q; want a usage error", code, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "p")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the job ran although its report could not be written: %v", err)
		}
	}
	rep := filepath.Join(dir, "deep", "r.json")
	if code, stderr := run("c", rep); code != cli.ExitOK {
		t.Fatalf("report in a new directory: exit %d, %q", code, stderr)
	}
	// A failed run replaces it with its own.
	if code, _ := run("d", rep, "--fail"); code != cli.ExitFailed {
		t.Fatalf("a failing run: exit %d, want %d", code, cli.ExitFailed)
	}
	if r := readReport(t, rep); r.Status != cli.RunFailed {
		t.Errorf("after a failed run the report says %q, want %q", r.Status, cli.RunFailed)
	}
	// A run that fails before it starts writes none, and removes the one
	// there: a job that fails to build, or a bad flag value.
	for i, bad := range [][]string{{"--n=-1"} /* make panics */, {"--workers=-1"}} {
		if code, stderr := run("d2"+strconv.Itoa(i), rep); code != cli.ExitOK {
			t.Fatalf("report in a new directory: exit %d, %q", code, stderr)
		}
		if code, _ := run("d3"+strconv.Itoa(i), rep, bad...); code != []int{cli.ExitFailed, cli.ExitUsage}[i] {
			t.Fatalf("%s: exit %d", bad, code)
		}
		if _, err := os.Stat(rep); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: the report of the run before is still there: %v", bad, err)
		}
	}
	// So does one whose output exists, on every runner.
	for _, r := range []string{"mem", "local", "hadoop"} {
		if code, stderr := run("d4", rep); code != cli.ExitOK {
			t.Fatalf("report in a new directory: exit %d, %q", code, stderr)
		}
		if code, stderr := run("d4", rep, "--runner", r, "--hadoop-bin", "/nonexistent/hadoop", "--streaming-jar", "/nonexistent/hadoop-streaming.jar",
			"--hadoop-tmp", filepath.Join(dir, "htmp")); code != cli.ExitFailed || !strings.Contains(stderr, "d4 already exists") {
			t.Fatalf("%s, an output that exists: exit %d, %q", r, code, stderr)
		}
		if _, err := os.Stat(rep); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s, an output that exists: the report of the run before is still there: %v", r, err)
		}
		if err := os.RemoveAll(filepath.Join(dir, "d4")); err != nil {
			t.Fatal(err)
		}
	}
	// A report inside the job's output is refused before it runs.
	if code, stderr := run("g", filepath.Join(dir, "g", "r.json")); code != cli.ExitUsage || !strings.Contains(stderr, "is inside the job's output") {
		t.Errorf("report inside the output: exit %d, %q; want a usage error", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "g")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the job ran although its report was inside its output: %v", err)
	}
	// A link, a pipe: refused before the job, and left alone.
	target := filepath.Join(dir, "target.json")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	link, pipe := filepath.Join(dir, "link.json"), filepath.Join(dir, "pipe.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Fatal(err)
	}
	for special, kind := range map[string]string{link: "a symbolic link", pipe: "a named pipe"} {
		if code, stderr := run("e", special); code != cli.ExitUsage || !strings.Contains(stderr, kind+", not a regular file") {
			t.Errorf("report at %s: exit %d, %q; want a usage error naming it %s", special, code, stderr, kind)
		}
		if fi, err := os.Lstat(special); err != nil || fi.Mode().IsRegular() {
			t.Errorf("%s was replaced or removed: %v", special, err)
		}
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "keep" {
		t.Errorf("the link's target holds %q (%v)", b, err)
	}
}

// TestDryRunWritesNoReport checks that a hadoop dry run, which runs
// nothing, neither says the job succeeded nor writes a report of it.
func TestDryRunWritesNoReport(t *testing.T) {
	dir := t.TempDir()
	rep := filepath.Join(dir, "r.json")
	args := []string{"run", "cli-test", "--runner", "hadoop", "--dry-run", "--hadoop-bin", "/bin/false", "--streaming-jar", "x.jar",
		"--hadoop-tmp", filepath.Join(dir, "tmp"), "--output", filepath.Join(dir, "out"), "--report", rep}
	var stdout, stderr bytes.Buffer
	if code := cli.Execute(context.Background(), cli.NewRoot(), args, &stdout, &stderr); code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if out := stdout.String(); strings.Contains(out, "succeeded") || !strings.Contains(out, "dry run of job cli-test on the hadoop runner: nothing ran") {
		t.Errorf("stdout:\n%s\nwant a dry run said, not a success", out)
	}
	if _, err := os.Stat(rep); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a dry run wrote a report: %v", err)
	}
}

// TestReportRetries checks that a task attempt that fails and is retried is
// reported with its reason: a progress line, and in the JSON report, where
// only a counter said so.
func TestReportRetries(t *testing.T) {
	dir := t.TempDir()
	rep := filepath.Join(dir, "r.json")
	var stdout, stderr bytes.Buffer
	code := cli.Execute(context.Background(), cli.NewRoot(), []string{"run", "cli-test", "--workers", "1", "--fail-once", dir,
		"--output", filepath.Join(dir, "out"), "--report", rep}, &stdout, &stderr)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	const why = "attempt 1 failed, retrying: "
	if !strings.Contains(stderr.String(), "map: task 0 "+why) || !strings.Contains(stderr.String(), "not welcome this time") {
		t.Errorf("progress lacks the retry and its reason:\n%s", stderr.String())
	}
	b, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	var r cli.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Retries) != 1 || !strings.Contains(r.Retries[0], why) || !strings.Contains(r.Retries[0], "not welcome this time") {
		t.Errorf("report retries %q, want the one failed attempt with its reason", r.Retries)
	}
	// The HTML report lists them too.
	dir2 := t.TempDir()
	page := filepath.Join(dir2, "r.html")
	if code := cli.Execute(context.Background(), cli.NewRoot(), []string{"run", "cli-test", "-q", "--workers", "1", "--fail-once", dir2,
		"--output", filepath.Join(dir2, "out"), "--report", page}, &stdout, &stderr); code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var items []string
	var walk func(n *html.Node, in bool)
	walk = func(n *html.Node, in bool) {
		if n.Type == html.ElementNode && n.Data == "ul" {
			in = in || attr(n, "id") == "retries"
		}
		if in && n.Type == html.TextNode {
			items = append(items, n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(parseHTML(t, page), false)
	if len(items) != 1 || !strings.Contains(items[0], why) {
		t.Errorf("HTML retries %q, want the one failed attempt", items)
	}
}

// cli-test-failing runs three stages in sequence: the word counts, their
// histogram, whose reducer always fails, and a count of the histogram,
// which so never runs.
var _ = runner.Register("cli-test-failing", "fails in its second of three stages (a test job)", func(p *pcollection.Pipeline, a *outArgs) error {
	counts := ptable.Count(pcollection.Of(p, "a", "b", "a", "c"), pcollection.Name("CountWords"))
	hist := ptable.Count(pcollection.Map(counts, func(kv ptable.Pair[string, int64]) int64 { return kv.Value }), pcollection.Name("CountCounts"))
	bad := pcollection.Map(hist, func(kv ptable.Pair[int64, int64]) int64 {
		panic(fmt.Errorf("histogram bar %d is unwelcome", kv.Key))
	}, pcollection.Name("Unwelcome"))
	final := ptable.Count(bad, pcollection.Name("CountBars"))
	out := pcollection.Map(final, func(kv ptable.Pair[int64, int64]) residue { return residue{kv.Key, kv.Value} })
	return avroio.TryWrite(out, a.Output+"/bars")
})

// TestFailedRunReport checks that a run failing in its second stage
// reports, on every runner, its failure and how far it got: the first
// stage done, the second unfinished, the third not run, and on the local
// runner the attempts retried. A report of an earlier run is replaced.
func TestFailedRunReport(t *testing.T) {
	const why = "histogram bar 1 is unwelcome"
	for _, tc := range []struct {
		runner  string
		extra   []string
		retries int
	}{
		{"mem", nil, 0},
		{"local", []string{"--workers", "1"}, local.MaxAttempts - 1},
		// Every stage runs in the client: no Hadoop is needed.
		{"hadoop", []string{"--hadoop-bin", "/nonexistent/hadoop", "--streaming-jar", "/nonexistent/hadoop-streaming.jar"}, 0},
	} {
		t.Run(tc.runner, func(t *testing.T) {
			dir := t.TempDir()
			rep := filepath.Join(dir, "r.json")
			if err := os.WriteFile(rep, []byte(`{"status": "succeeded"}`), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"run", "cli-test-failing", "--runner", tc.runner, "-q", "--output", filepath.Join(dir, "out"),
				"--report", rep}, tc.extra...)
			if tc.runner == "hadoop" {
				args = append(args, "--hadoop-tmp", filepath.Join(dir, "htmp"))
			}
			var stdout, stderr bytes.Buffer
			if code := cli.Execute(context.Background(), cli.NewRoot(), args, &stdout, &stderr); code != cli.ExitFailed {
				t.Fatalf("exit %d, want %d: %s", code, cli.ExitFailed, stderr.String())
			}
			if !strings.Contains(stderr.String(), "(the run's report: "+rep+")") {
				t.Errorf("stderr %q does not say where the failed run's report is", stderr.String())
			}
			r := readReport(t, rep)
			if r.Status != cli.RunFailed || !strings.Contains(r.Error, why) {
				t.Errorf("status %q, error %q; want failed, with %q", r.Status, r.Error, why)
			}
			if r.Plan == nil || len(r.Plan.Stages) != 3 {
				t.Fatalf("plan %+v, want three stages", r.Plan)
			}
			var statuses []string
			for i, s := range r.Stages {
				statuses = append(statuses, s.Status)
				if s.Stage != r.Plan.Stages[i].ID {
					t.Errorf("stage %d of the report is stage %d, want the plan's order", i, s.Stage)
				}
			}
			if want := []string{cli.StageSucceeded, cli.StageUnfinished, cli.StageNotRun}; !slices.Equal(statuses, want) {
				t.Fatalf("stage statuses %q, want %q", statuses, want)
			}
			if s := r.Stages[0]; s.RecordsIn != 4 || s.RecordsOut == 0 {
				t.Errorf("stage 0 read %d and wrote %d records, want 4 and some", s.RecordsIn, s.RecordsOut)
			}
			if s := r.Stages[1]; s.RecordsIn == 0 || s.StartNS < r.Stages[0].StartNS+r.Stages[0].DurationNS || s.DurationNS <= 0 {
				t.Errorf("unfinished stage 1 %+v: want the records its map tasks read, started after stage 0, taking time", s)
			}
			// Every task of stage 0 ran; stage 1's map tasks did, and
			// its reducer failed.
			if s := r.Stages[0]; s.MapTasks == 0 || s.MapTasksTotal != s.MapTasks || s.ReduceTasks == 0 || s.ReduceTasksTotal != s.ReduceTasks {
				t.Errorf("finished stage 0 ran %d of %d map and %d of %d reduce tasks, want all of some", s.MapTasks, s.MapTasksTotal, s.ReduceTasks, s.ReduceTasksTotal)
			}
			s := r.Stages[1]
			if s.MapTasks == 0 || s.MapTasksTotal != s.MapTasks || s.ReduceTasks >= s.ReduceTasksTotal {
				t.Errorf("unfinished stage 1 ran %d of %d map and %d of %d reduce tasks, want all its map tasks and not all its reduce tasks",
					s.MapTasks, s.MapTasksTotal, s.ReduceTasks, s.ReduceTasksTotal)
			}
			done := fmt.Sprintf("\n(stage 1 stopped with %d/%d map and %d/%d reduce tasks done)", s.MapTasks, s.MapTasksTotal, s.ReduceTasks, s.ReduceTasksTotal)
			if !strings.Contains(stderr.String(), done) {
				t.Errorf("stderr %q does not say how far the unfinished stage got: %q", stderr.String(), done)
			}
			if s := r.Stages[2]; s != (cli.ReportStageResult{Stage: s.Stage, Status: cli.StageNotRun}) {
				t.Errorf("stage 2 never ran, yet reports %+v", s)
			}
			if r.WallNS < r.Stages[1].StartNS || len(r.Outputs) != 0 {
				t.Errorf("wall %d ns, outputs %q: want the time to the failure and no output", r.WallNS, r.Outputs)
			}
			if len(r.Retries) != tc.retries || (tc.retries > 0 && !strings.Contains(r.Retries[0], why)) {
				t.Errorf("retries %q, want %d with the reason", r.Retries, tc.retries)
			}
		})
	}
}

// TestFailedRunHTMLReport checks that a failed run's HTML report shows the
// failure with its error, its stages' statuses, and how many of its tasks
// the unfinished stage got done, as the stderr of the run says.
func TestFailedRunHTMLReport(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "r.html")
	args := []string{"run", "cli-test-failing", "--workers", "1", "-q", "--output", filepath.Join(dir, "out"), "--report", page}
	var stdout, stderr bytes.Buffer
	if code := cli.Execute(context.Background(), cli.NewRoot(), args, &stdout, &stderr); code != cli.ExitFailed {
		t.Fatalf("exit %d, want %d: %s", code, cli.ExitFailed, stderr.String())
	}
	var banner, retries strings.Builder
	var statuses, bands, bandTexts []string
	var tasks [][2]string // each stage row's map and reduce task cells
	var bars int
	var walk func(n *html.Node, in string)
	walk = func(n *html.Node, in string) {
		if n.Type == html.ElementNode {
			if n.Data == "g" && attr(n, "class") == "stage" {
				bands = append(bands, attr(n, "data-status"))
				bandTexts = append(bandTexts, text(n))
			}
			switch id := attr(n, "id"); {
			case id != "":
				in = id
			case in == "stages" && n.Data == "tr" && n.FirstChild != nil && n.FirstChild.Data == "td":
				// The cells: stage, status, map tasks, reduce tasks, ...
				var cells []string
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					cells = append(cells, text(c))
				}
				statuses = append(statuses, cells[1])
				tasks = append(tasks, [2]string{cells[2], cells[3]})
			case in == "stages" && attr(n, "class") == "bar":
				bars++
			}
		}
		if n.Type == html.TextNode {
			switch in {
			case "failure":
				banner.WriteString(n.Data)
			case "retries":
				retries.WriteString(n.Data)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(parseHTML(t, page), "")
	if b := banner.String(); !strings.Contains(b, "The run failed") || !strings.Contains(b, "histogram bar 1 is unwelcome") {
		t.Errorf("failure banner %q, want the failure and its error", b)
	}
	if want := []string{"succeeded", "unfinished", "not run"}; !slices.Equal(statuses, want) || bars != 2 {
		t.Errorf("stage statuses %q with %d timeline bars, want %q and a bar for each stage that ran", statuses, bars, want)
	}
	if want := statuses; !slices.Equal(bands, want) {
		t.Errorf("the stage graph's bands say %q, want the stage table's %q", bands, want)
	}
	if !strings.Contains(retries.String(), "attempt 1 failed, retrying") {
		t.Errorf("retried attempts %q, want the local runner's retries", retries.String())
	}
	// The unfinished stage's figures, as the run's stderr gives them.
	m := regexp.MustCompile(`\(stage 1 stopped with (\d+)/(\d+) map and (\d+)/(\d+) reduce tasks done\)`).FindStringSubmatch(stderr.String())
	if m == nil || len(tasks) != 3 {
		t.Fatalf("stderr %q and %d stage rows: want how far stage 1 got, and three rows", stderr.String(), len(tasks))
	}
	if m[1] != m[2] || m[3] == m[4] {
		t.Errorf("stage 1 ran %s of %s map and %s of %s reduce tasks, want all its map tasks and not all its reduce tasks", m[1], m[2], m[3], m[4])
	}
	if want := [2]string{m[1] + "/" + m[2], m[3] + "/" + m[4]}; tasks[1] != want {
		t.Errorf("unfinished stage's map and reduce tasks %q, want %q", tasks[1], want)
	}
	if want := fmt.Sprintf("stage 1 · unfinished: %s/%s map and %s/%s reduce tasks", m[1], m[2], m[3], m[4]); bandTexts[1] != want {
		t.Errorf("unfinished stage's band says %q, want %q", bandTexts[1], want)
	}
	if tasks[0][0] == "0" || strings.Contains(tasks[0][0]+tasks[0][1], "/") || tasks[2] != [2]string{"0", "0"} {
		t.Errorf("finished and not run stages' tasks %q and %q, want the tasks that ran, alone", tasks[0], tasks[2])
	}
}

// text is the text n holds.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// cli-test-early joins word counts, which its first stage computes,
// with a table its second stage reads itself: the second stage's map task
// of the table leaves a marker file, and the first stage's reducer fails
// once it is there. The second stage has started, and its input from the
// first, whose map tasks are one per file written, never was written.
var _ = runner.Register("cli-test-early", "fails in its first stage once the second has started (a test job)", func(p *pcollection.Pipeline, a *outArgs) error {
	marker := a.Output + ".marker"
	counts := ptable.Count(pcollection.Of(p, "a", "b", "a"), pcollection.Name("CountWords"))
	failed := pcollection.Map(counts, func(kv ptable.Pair[string, int64]) ptable.Pair[string, int64] {
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(marker); err == nil {
				panic("word counts are unwelcome")
			}
		}
		panic("the marker never appeared: the second stage did not start while the first one ran")
	}, pcollection.Name("Unwelcome"))
	table := pcollection.Map(pcollection.Of(p, "a", "c"), func(w string) ptable.Pair[string, int64] {
		if err := os.WriteFile(marker, nil, 0o644); err != nil {
			panic(err)
		}
		return ptable.KV(w, int64(len(w)))
	}, pcollection.Name("Mark"))
	joined := ptable.Join(failed, table)
	out := pcollection.Map(joined, func(kv ptable.Pair[string, ptable.Pair[int64, int64]]) wordCount {
		return wordCount{kv.Key, kv.Value.Key}
	})
	return avroio.TryWrite(out, a.Output+"/joined")
})

// TestUnknownMapTasksReport checks that a stage stopped before its input
// from an earlier stage was written reports its map tasks as "2/?" with
// why, on stderr and in the HTML report, not as a bare count.
func TestUnknownMapTasksReport(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "r.html")
	args := []string{"run", "cli-test-early", "--workers", "2", "-q", "--output", filepath.Join(dir, "out"), "--report", page}
	var stdout, stderr bytes.Buffer
	if code := cli.Execute(context.Background(), cli.NewRoot(), args, &stdout, &stderr); code != cli.ExitFailed {
		t.Fatalf("exit %d, want %d: %s", code, cli.ExitFailed, stderr.String())
	}
	const why = "how many map tasks it was to run was not known yet: its input was not yet split, or not yet written by an earlier stage"
	m := regexp.MustCompile(`\n\(stage 1 stopped with ([1-9]\d*)/\? map and 0/(\d+) reduce tasks done; ` + why + `\)`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("stderr %q does not say how many of stage 1's map tasks were done, of a number not known, and why", stderr.String())
	}
	var cells [][]string // the stage rows' cells: stage, status, map tasks, reduce tasks, ...
	var bands []string
	var note string
	var walk func(n *html.Node, in string)
	walk = func(n *html.Node, in string) {
		if n.Type == html.ElementNode {
			if id := attr(n, "id"); id != "" {
				in = id
			}
			switch {
			case n.Data == "g" && attr(n, "class") == "stage":
				bands = append(bands, text(n))
			case in == "stages" && n.Data == "tr" && n.FirstChild != nil && n.FirstChild.Data == "td":
				var row []string
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					row = append(row, text(c))
				}
				cells = append(cells, row)
			case in == "unknown-tasks" && n.Data == "p":
				note = text(n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(parseHTML(t, page), "")
	if len(cells) != 2 || len(bands) != 2 {
		t.Fatalf("stage rows %q and bands %q, want two of each", cells, bands)
	}
	if got, want := cells[1][1:4], []string{cli.StageUnfinished, m[1] + "/?", "0/" + m[2]}; !slices.Equal(got, want) {
		t.Errorf("stage 1's status and tasks %q, want %q as on stderr", got, want)
	}
	if want := fmt.Sprintf("stage 1 · unfinished: %s/? map and 0/%s reduce tasks", m[1], m[2]); bands[1] != want {
		t.Errorf("stage 1's band says %q, want %q", bands[1], want)
	}
	if note != "?: "+why {
		t.Errorf("note under the stages %q, want %q", note, "?: "+why)
	}
}
