// Command benchmark is crunchgo's benchmark harness. One command, run from
// the bench directory,
//
//	go run -mod=mod ./cmd/benchmark [--sizes 1M,10M] [--data DIR] [--repeat 3] [--doc ../docs/BENCHMARKS.md]
//
// builds the contenders, generates the listening-log data of each size
// (Parquet, with crunchgo gen listening-log), and runs on the same files,
// each as its own process tree so that peak memory is its own:
//
//   - daily-plays on crunchgo's local runner (crunchgo run daily-plays);
//   - a hand-written Go program computing the same three outputs with the
//     same readers and writers, with 1 goroutine and with one per CPU
//     (cmd/baseline: radix-partitioned hash aggregation, not a strawman);
//   - DuckDB running the same three aggregates as SQL over the Parquet input
//     (cmd/duckdb-daily);
//   - crunchgo's shuffle (sort, spill, merge, group; runner/internal/shuffle's
//     BenchmarkShuffle) against GNU sort on the same records (BenchmarkGNUSort).
//
// It checks that every contender produced the same three datasets, then
// prints a table of wall time (median of --repeat runs), peak RSS of the
// process tree (sampled every 20 ms) and ratios to the hand-written
// program, and writes it with the machine's description to --doc.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

type size struct {
	label  string
	events int64
}

func parseSizes(s string) ([]size, error) {
	var out []size
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		mult := int64(1)
		num := f
		switch {
		case strings.HasSuffix(f, "M"):
			mult, num = 1_000_000, strings.TrimSuffix(f, "M")
		case strings.HasSuffix(f, "k"):
			mult, num = 1_000, strings.TrimSuffix(f, "k")
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad size %q", f)
		}
		out = append(out, size{label: f, events: n * mult})
	}
	return out, nil
}

type config struct {
	benchDir, mainDir, data, bin string
	repeat                       int
}

func main() {
	sizes := flag.String("sizes", "1M,10M", "comma-separated numbers of events (1M, 10M, 200k...)")
	data := flag.String("data", filepath.Join(os.TempDir(), "crunchgo-bench"), "directory for binaries, data and outputs")
	repeat := flag.Int("repeat", 3, "runs of each contender; the table shows the median wall time")
	doc := flag.String("doc", "../docs/BENCHMARKS.md", "where to write the results (empty: only print)")
	notes := flag.String("notes", "NOTES.md", "a file of notes appended to the results (empty: none)")
	shuffle := flag.Bool("shuffle", true, "also run the shuffle benchmark against sort")
	fixed := flag.String("fixed", "1k", "events of a tiny day (with the full catalogue) that measures each contender's fixed cost (empty: none)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("benchmark: ")
	ss, err := parseSizes(*sizes)
	if err != nil {
		log.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		log.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(wd, "cmd", "benchmark")); err != nil {
		log.Fatal("run from the bench directory: go run ./cmd/benchmark")
	}
	abs, err := filepath.Abs(*data)
	if err != nil {
		log.Fatal(err)
	}
	cfg := config{benchDir: wd, mainDir: filepath.Dir(wd), data: abs, bin: filepath.Join(abs, "bin"), repeat: max(1, *repeat)}
	ctx := context.Background()
	if err := build(ctx, cfg); err != nil {
		log.Fatal(err)
	}
	demo, err := runDemo(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	// The fixed-cost day first, then the sizes, all measured in the same
	// rounds.
	var all []size
	if *fixed != "" {
		fs, err := parseSizes(*fixed)
		if err != nil || len(fs) != 1 {
			log.Fatalf("-fixed %q: want one size", *fixed)
		}
		all = append(all, fs[0])
	}
	all = append(all, ss...)
	var measured []*sizeResult
	for _, s := range all {
		r, err := prepare(ctx, cfg, s)
		if err != nil {
			log.Fatal(err)
		}
		measured = append(measured, r)
	}
	if err := measureAll(ctx, cfg, measured); err != nil {
		log.Fatal(err)
	}
	var fixedRun *sizeResult
	if *fixed != "" {
		fixedRun, measured = measured[0], measured[1:]
	}
	var results []sizeResult
	for _, r := range measured {
		if *shuffle {
			sr, err := runShuffle(ctx, cfg, int(r.size.events))
			if err != nil {
				log.Fatal(err)
			}
			r.shuffle = sr
		}
		results = append(results, *r)
	}
	text := report(cfg, machine(ctx, cfg), demo, fixedRun, results, *repeat)
	if *notes != "" {
		b, err := os.ReadFile(*notes)
		if err != nil {
			log.Fatal(err)
		}
		text += "\n" + string(b)
	}
	fmt.Print(text)
	if *doc != "" {
		if err := os.WriteFile(*doc, []byte(text), 0o644); err != nil {
			log.Fatal(err)
		}
		log.Printf("wrote %s", *doc)
	}
}

func run(ctx context.Context, dir string, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// build compiles the contenders into cfg.bin.
func build(ctx context.Context, cfg config) error {
	log.Printf("building into %s", cfg.bin)
	for _, c := range []string{"crunchgo", "baseline", "duckdb-daily"} {
		// -mod=mod: the main module (replaced by ../) may have gained
		// requirements this module has not recorded yet.
		if err := run(ctx, cfg.benchDir, nil, "go", "build", "-mod=mod", "-o", filepath.Join(cfg.bin, c), "./cmd/"+c); err != nil {
			return err
		}
	}
	return run(ctx, cfg.mainDir, nil, "go", "test", "-c", "-o", filepath.Join(cfg.bin, "shuffle.test"), "./runner/internal/shuffle")
}

type contender struct {
	name string
	args func(in, out string) []string // command line; in is the data directory
	// outputs gives the three datasets' patterns under out.
	outputs func(out string) [3]string
}

func dirs(out string) [3]string {
	return [3]string{filepath.Join(out, "plays_by_country_track"), filepath.Join(out, "listeners_by_artist"), filepath.Join(out, "top_tracks_by_country")}
}

func contenders(cfg config) []contender {
	ev := func(in string) string { return filepath.Join(in, "events") }
	tr := func(in string) string { return filepath.Join(in, "tracks") }
	return []contender{
		{"crunchgo local", func(in, out string) []string {
			return []string{filepath.Join(cfg.bin, "crunchgo"), "run", "daily-plays", "--events", ev(in), "--tracks", tr(in),
				"--output", out, "--runner", "local", "--quiet", "--tmp", filepath.Join(cfg.data, "tmp")}
		}, dirs},
		{"hand-written, 1 goroutine", func(in, out string) []string {
			return []string{filepath.Join(cfg.bin, "baseline"), "--events", ev(in), "--tracks", tr(in), "--output", out, "--workers", "1"}
		}, dirs},
		{fmt.Sprintf("hand-written, %d goroutines", runtime.NumCPU()), func(in, out string) []string {
			return []string{filepath.Join(cfg.bin, "baseline"), "--events", ev(in), "--tracks", tr(in), "--output", out}
		}, dirs},
		{"DuckDB", func(in, out string) []string {
			return []string{filepath.Join(cfg.bin, "duckdb-daily"), "--events", filepath.Join(ev(in), "*.parquet"),
				"--tracks", filepath.Join(tr(in), "*.parquet"), "--output", out}
		}, func(out string) [3]string {
			d := dirs(out)
			for i := range d {
				d[i] += ".parquet"
			}
			return d
		}},
	}
}

// baselineIndex is the contender the ratios are relative to.
const baselineIndex = 2

type row struct {
	name    string
	wall    time.Duration // median
	walls   []time.Duration
	peakRSS int64         // largest over the runs
	cpu     time.Duration // mean
	user    time.Duration // mean: the user part of cpu
}

type shuffleResult struct {
	records        int
	shuffle, sort  time.Duration
	shuffleRSS     int64
	sortRSS        int64
	shuffleMBps    float64
	sortMBps       float64
	shuffleRunsOut string
}

type sizeResult struct {
	size    size
	in      string // the data directory
	users   int
	tracks  int
	files   int
	inputMB float64
	rows    []row
	checked string
	shuffle *shuffleResult
	loadavg [2]string // /proc/loadavg's 1-minute figure before and after
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// prepare generates size s's data, unless an earlier run left it, and
// returns its result to fill.
func prepare(ctx context.Context, cfg config, s size) (*sizeResult, error) {
	in := filepath.Join(cfg.data, "data-"+s.label)
	res := &sizeResult{size: s, in: in, users: int(max(1000, s.events/10)), tracks: 100_000, files: int(max(2, min(16, s.events/1_000_000*2)))}
	if _, err := os.Stat(filepath.Join(in, "DONE")); err != nil {
		log.Printf("%s: generating %d events", s.label, s.events)
		os.RemoveAll(in)
		if err := run(ctx, cfg.benchDir, nil, filepath.Join(cfg.bin, "crunchgo"), "gen", "listening-log", "--events", fmt.Sprint(s.events),
			"--users", fmt.Sprint(res.users), "--tracks", fmt.Sprint(res.tracks), "--seed", "1", "--format", "parquet",
			"--files", fmt.Sprint(res.files), "--out", in); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(in, "DONE"), nil, 0o644); err != nil {
			return nil, err
		}
	}
	res.inputMB = float64(dirSize(filepath.Join(in, "events"))) / (1 << 20)
	return res, nil
}

// measureAll runs every contender cfg.repeat times on every size's input,
// then checks that the contenders agree on each
// size. A round runs each size in turn and, within a size, each contender
// in turn, so that a change in the machine's load touches all contenders
// and all sizes alike: ratios between contenders and between sizes (the
// linearity figures) compare runs made minutes, not a whole size's block,
// apart.
func measureAll(ctx context.Context, cfg config, results []*sizeResult) error {
	cs := contenders(cfg)
	last := make([][]string, len(results)) // each size's latest output, by contender
	for j, res := range results {
		res.rows = make([]row, len(cs))
		last[j] = make([]string, len(cs))
		res.loadavg[0] = loadavg()
	}
	for k := range cfg.repeat {
		for j, res := range results {
			for i, c := range cs {
				r := &res.rows[i]
				r.name = c.name
				out := filepath.Join(cfg.data, "out", fmt.Sprintf("%s-%d-%d", res.size.label, i, k))
				os.RemoveAll(out)
				os.MkdirAll(filepath.Join(cfg.data, "tmp"), 0o755)
				args := c.args(res.in, out)
				m, err := measure(ctx, nil, cfg.benchDir, args[0], args[1:]...)
				if err != nil {
					return err
				}
				log.Printf("%s: %s run %d: %s, CPU %s, peak RSS %s", res.size.label, c.name, k+1, m.Wall.Round(time.Millisecond),
					m.CPU.Round(10*time.Millisecond), mib(m.PeakRSS))
				r.walls = append(r.walls, m.Wall)
				r.peakRSS = max(r.peakRSS, m.PeakRSS)
				r.cpu += m.CPU
				r.user += m.User
				if last[j][i] != "" {
					os.RemoveAll(last[j][i])
				}
				last[j][i] = out
			}
		}
	}
	for j, res := range results {
		res.loadavg[1] = loadavg()
		var answers []answer
		for i, c := range cs {
			r := &res.rows[i]
			slices.Sort(r.walls)
			r.wall = r.walls[len(r.walls)/2]
			r.cpu /= time.Duration(cfg.repeat)
			r.user /= time.Duration(cfg.repeat)
			a, err := readAnswer(ctx, c.outputs(last[j][i]))
			if err != nil {
				return fmt.Errorf("%s: reading the outputs of %s: %w", res.size.label, c.name, err)
			}
			answers = append(answers, a)
			os.RemoveAll(last[j][i])
		}
		for i, a := range answers[1:] {
			if d := a.diff(answers[0]); d != "" {
				return fmt.Errorf("%s: %s and %s disagree: %s", res.size.label, res.rows[i+1].name, res.rows[0].name, d)
			}
		}
		res.checked = answers[0].summary()
		log.Printf("%s: all contenders agree (%s)", res.size.label, res.checked)
	}
	return nil
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// runShuffle runs the shuffle benchmark and GNU sort on n records, each in
// its own process.
func runShuffle(ctx context.Context, cfg config, n int) (*shuffleResult, error) {
	sr := &shuffleResult{records: n}
	env := []string{fmt.Sprintf("CRUNCHGO_BENCH_RECORDS=%d", n), "TMPDIR=" + filepath.Join(cfg.data, "tmp")}
	for _, b := range []string{"BenchmarkShuffle", "BenchmarkGNUSort"} {
		m, err := measure(ctx, env, cfg.benchDir, filepath.Join(cfg.bin, "shuffle.test"), "-test.run", "^$", "-test.bench", "^"+b+"$",
			"-test.benchtime", fmt.Sprintf("%dx", cfg.repeat))
		if err != nil {
			return nil, err
		}
		ns, mbps, extra, err := parseBench(m.Output, b)
		if err != nil {
			return nil, err
		}
		log.Printf("%s on %d records: %s/op, %.1f MB/s, peak RSS %s", b, n, ns.Round(time.Millisecond), mbps, mib(m.PeakRSS))
		if b == "BenchmarkShuffle" {
			sr.shuffle, sr.shuffleMBps, sr.shuffleRSS, sr.shuffleRunsOut = ns, mbps, m.PeakRSS, extra
		} else {
			sr.sort, sr.sortMBps, sr.sortRSS = ns, mbps, m.PeakRSS
		}
	}
	return sr, nil
}

// parseBench finds name's result line: "BenchmarkX-2  3  123 ns/op  45.6 MB/s  7 runs".
func parseBench(out, name string) (time.Duration, float64, string, error) {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], name) {
			continue
		}
		var ns, mbps float64
		var extra []string
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				ns = v
			case "MB/s":
				mbps = v
			default:
				extra = append(extra, fmt.Sprintf("%g %s", v, f[i+1]))
			}
		}
		if ns > 0 {
			return time.Duration(ns), mbps, strings.Join(extra, ", "), nil
		}
	}
	return 0, 0, "", fmt.Errorf("no result for %s in:\n%s", name, lastLines(out, 20))
}

func machine(ctx context.Context, cfg config) []string {
	var lines []string
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				_, v, _ := strings.Cut(l, ":")
				lines = append(lines, fmt.Sprintf("CPU: %s, %d logical CPUs", strings.TrimSpace(v), runtime.NumCPU()))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		l, _, _ := strings.Cut(string(b), "\n")
		lines = append(lines, "Memory: "+strings.Join(strings.Fields(l)[1:], " "))
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		lines = append(lines, "Kernel: Linux "+strings.TrimSpace(string(b)))
	}
	lines = append(lines, "Go: "+runtime.Version())
	if out, err := exec.CommandContext(ctx, filepath.Join(cfg.bin, "duckdb-daily"), "--version").Output(); err == nil {
		lines = append(lines, "DuckDB: "+strings.TrimSpace(string(out))+" (github.com/duckdb/duckdb-go/v2)")
	}
	if out, err := exec.CommandContext(ctx, "sort", "--version").Output(); err == nil {
		l, _, _ := strings.Cut(string(out), "\n")
		lines = append(lines, "sort: "+l)
	}
	return lines
}

func ratio(a, b time.Duration) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f×", float64(a)/float64(b))
}

// runDemo times crunchgo demo, as a new user would first run it.
func runDemo(ctx context.Context, cfg config) (measurement, error) {
	dir := filepath.Join(cfg.data, "demo")
	os.RemoveAll(dir)
	m, err := measure(ctx, nil, cfg.benchDir, filepath.Join(cfg.bin, "crunchgo"), "demo", "--dir", dir)
	if err == nil {
		log.Printf("crunchgo demo: %s, peak RSS %s", m.Wall.Round(time.Millisecond), mib(m.PeakRSS))
	}
	os.RemoveAll(dir)
	return m, err
}

func report(cfg config, mach []string, demo measurement, fixed *sizeResult, results []sizeResult, repeat int) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Benchmarks\n\n")
	p("Written by `go run ./cmd/benchmark` in `bench/` on %s. Every number below comes from that run.\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	p("## Machine\n\n")
	for _, l := range mach {
		p("- %s\n", l)
	}
	p("\n## crunchgo demo\n\n")
	p("`crunchgo demo` (generate 1M events and the catalogue, run daily-plays on the local runner with progress, read back\n")
	p("and print the top tracks) took %s wall, %s CPU, peak RSS %s (one run).\n", demo.Wall.Round(time.Millisecond),
		demo.CPU.Round(10*time.Millisecond), mib(demo.PeakRSS))
	p("\n## daily-plays\n\n")
	p("The same generated Parquet day (`crunchgo gen listening-log --format parquet --seed 1`, 100,000 tracks, users = events/10),\n")
	p("the same three outputs (plays per country and track, distinct listeners per artist, top 10 per country with titles),\n")
	p("each contender a separate process tree. The runs take turns round after round: each round runs every size (the tiny day first) and, within a size,\n")
	p("every contender once, so that a change in the machine's load touches every figure alike. Wall time is the median of %d runs; peak RSS is the largest sum of the\n", repeat)
	p("resident sets of the contender's process tree (sampled every 20 ms, or the root's own wait4 peak if larger) over\n")
	p("those runs; CPU is user+sys of the process and the children it reaped (crunchgo's workers are reaped by its driver),\n")
	p("averaged. Ratios are to the hand-written program with one goroutine per CPU. Before the table is written the\n")
	p("harness reads back every contender's outputs and checks that all agree. The machine is shared (other builds and\n")
	p("tests may run at the same time), so the load average is recorded before and after the rounds; CPU time is the steadier figure.\n\n")
	for _, r := range results {
		base := r.rows[baselineIndex].wall
		p("### %s events (%d users, %d event files, %.0f MiB of Parquet)\n\n", r.size.label, r.users, r.files, r.inputMB)
		baseCPU := r.rows[baselineIndex].cpu
		p("| contender | wall | CPU | peak RSS | wall / hand-written | CPU / hand-written |\n|---|---:|---:|---:|---:|---:|\n")
		for _, row := range r.rows {
			p("| %s | %s | %s | %s | %s | %s |\n", row.name, row.wall.Round(time.Millisecond), row.cpu.Round(10*time.Millisecond),
				mib(row.peakRSS), ratio(row.wall, base), ratio(row.cpu, baseCPU))
		}
		p("\nAll contenders agree: %s. Load average (1 min) before and after: %s, %s.\n\n", r.checked, r.loadavg[0], r.loadavg[1])
		if s := r.shuffle; s != nil {
			p("Shuffle of %d records (16-byte random keys, 8-byte values; sort and spill in a 64 MiB buffer, merge, group),\n", s.records)
			p("against `LC_ALL=C sort -S 64M` on the same records as 26-byte text lines: crunchgo %s (%.0f MB/s, %s spilled, peak RSS %s),\n",
				s.shuffle.Round(time.Millisecond), s.shuffleMBps, s.shuffleRunsOut, mib(s.shuffleRSS))
			p("sort %s (%.0f MB/s, peak RSS %s): %s of sort's time. (runner/internal/shuffle BenchmarkShuffle and BenchmarkGNUSort, %d iterations each;\n",
				s.sort.Round(time.Millisecond), s.sortMBps, mib(s.sortRSS), ratio(s.shuffle, s.sort), repeat)
			p("the RSS includes generating the records in the benchmark process.)\n\n")
		}
	}
	if fixed != nil {
		p("### Fixed costs\n\n")
		p("The same job on a day of %s events (the same 100,000-track catalogue): what each contender spends whatever the\n", fixed.size.label)
		p("number of events (starting processes, reading the catalogue, planning and scheduling; median of %d runs):", repeat)
		for i, row := range fixed.rows {
			p(" %s %s%s", row.name, row.wall.Round(time.Millisecond), map[bool]string{true: ",", false: "."}[i < len(fixed.rows)-1])
		}
		p("\n\n")
	}
	p("## Targets\n\n")
	for _, r := range results {
		cg, hw, dd := r.rows[0], r.rows[baselineIndex], r.rows[3]
		p("- %s: crunchgo local is %s the hand-written loop (target ≤ 1.5×: %s) and %s DuckDB (target ≤ 2.5×: %s).\n",
			r.size.label, ratio(cg.wall, hw.wall), verdict(float64(cg.wall) <= 1.5*float64(hw.wall)),
			ratio(cg.wall, dd.wall), verdict(float64(cg.wall) <= 2.5*float64(dd.wall)))
	}
	if len(results) >= 2 {
		a, z := results[0], results[len(results)-1]
		scale := float64(z.size.events) / float64(a.size.events)
		for i, row := range a.rows {
			zr := z.rows[i]
			per := float64(zr.wall) / float64(row.wall) / scale
			p("- %s from %s to %s: time per event ×%.2f (linear within ±15%%: %s)", row.name, a.size.label, z.size.label, per,
				verdict(per >= 0.85 && per <= 1.15))
			if fixed != nil {
				// The cost of the events alone: the time above the fixed cost,
				// per event beyond the tiny day's.
				f := fixed.rows[i].wall
				ma := float64(row.wall-f) / float64(a.size.events-fixed.size.events)
				mz := float64(zr.wall-f) / float64(z.size.events-fixed.size.events)
				p("; above its fixed cost, time per event ×%.2f (linear within ±15%%: %s)", mz/ma, verdict(mz/ma >= 0.85 && mz/ma <= 1.15))
				// The same for CPU time, which the machine's other load and
				// how well the work spreads over the CPUs disturb less.
				fc := fixed.rows[i].cpu
				ca := float64(row.cpu-fc) / float64(a.size.events-fixed.size.events)
				cz := float64(zr.cpu-fc) / float64(z.size.events-fixed.size.events)
				p(", CPU per event ×%.2f (%s)", cz/ca, verdict(cz/ca >= 0.85 && cz/ca <= 1.15))
				// Split into user and kernel time: the kernel's includes
				// faulting in fresh memory, which a short run pays per
				// event more than a long one.
				fu := fixed.rows[i].user
				ua := float64(row.user-fu) / float64(a.size.events-fixed.size.events)
				uz := float64(zr.user-fu) / float64(z.size.events-fixed.size.events)
				ka := ca - ua
				kz := cz - uz
				p(": user ×%.2f, kernel ×%.2f", uz/ua, kz/ka)
			}
			p("; peak RSS %s → %s.\n", mib(row.peakRSS), mib(zr.peakRSS))
		}
	} else {
		p("- Linearity from 1M to 10M was not measured in this run (one size only).\n")
	}
	return b.String()
}

func verdict(ok bool) string { return cmp.Or(map[bool]string{true: "met"}[ok], "**missed**") }
