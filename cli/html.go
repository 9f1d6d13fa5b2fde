package cli

import (
	"cmp"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"
)

// renderHTML writes rep as one self-contained HTML page: a summary, the
// stage graph as inline SVG, per-stage numbers and the counters.
func renderHTML(w io.Writer, rep *Report) error {
	// The stages' bars share one time axis, from the start of the run to
	// the end of its last stage, so that overlapping stages show.
	var end int64
	for _, s := range rep.Stages {
		end = max(end, s.StartNS+s.DurationNS)
	}
	type stageRow struct {
		ReportStageResult
		Start, Duration string
		Left, Width     float64 // the bar, in pixels of a timelineWidth lane
		NotRun          bool    // no times, no bar
		Maps, Reduces   string  // tasks done, of how many on an unfinished stage
	}
	var rows []stageRow
	ranAs := false
	unknown := false // an unfinished stage's map tasks read "3/?"
	for _, s := range rep.Stages {
		ranAs = ranAs || s.RanAs != ""
		row := stageRow{ReportStageResult: s, Start: roundDuration(time.Duration(s.StartNS)).String(),
			Duration: roundDuration(time.Duration(s.DurationNS)).String(), NotRun: s.Status == StageNotRun,
			Maps: fmt.Sprint(s.MapTasks), Reduces: fmt.Sprint(s.ReduceTasks)}
		if s.Status == StageUnfinished {
			row.Maps = ofTotal(s.MapTasks, s.MapTasksTotal)
			if s.ReduceTasksTotal > 0 {
				row.Reduces = ofTotal(s.ReduceTasks, s.ReduceTasksTotal)
			}
			unknown = unknown || s.MapTasksTotal == 0
		}
		if end > 0 && !row.NotRun {
			row.Left = timelineWidth * float64(s.StartNS) / float64(end)
			row.Width = max(1, timelineWidth*float64(s.DurationNS)/float64(end))
		}
		rows = append(rows, row)
	}
	data := map[string]any{
		"R":        rep,
		"Wall":     roundDuration(time.Duration(rep.WallNS)).String(),
		"Memory":   humanBytes(rep.Options.Memory),
		"Args":     strings.Join(rep.Args, " "),
		"Rows":     rows,
		"RanAs":    ranAs, // a column of where each stage ran
		"Failed":   rep.Status != RunSucceeded,
		"Unknown":  unknown,
		"Why":      "?: " + unknownMapTasks,
		"Lane":     timelineWidth,
		"Counters": sortedCounters(rep.Counters),
		"Outputs":  htmlOutputs(rep),
		"NoParts":  noPartitions,
		"Graph":    template.HTML(planSVG(rep.Plan, rep.Stages)), // built from escaped text below
	}
	if err := reportTmpl.Execute(w, data); err != nil {
		return fmt.Errorf("rendering html report: %w", err)
	}
	return nil
}

// htmlOutput is an output of the run as the HTML report lists it: under a
// partitioned one, the partitions the run wrote, cut as the summary cuts
// them.
type htmlOutput struct {
	Dir         string
	Partitioned bool
	Parts       partitionSummary
}

func htmlOutputs(rep *Report) []htmlOutput {
	var out []htmlOutput
	for _, d := range rep.Outputs {
		parts, ok := rep.Partitions[d]
		out = append(out, htmlOutput{Dir: d, Partitioned: ok, Parts: summarizePartitions(parts)})
	}
	return out
}

// timelineWidth is the width in pixels of the stages' time axis.
const timelineWidth = 240

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"count": count,
	"bytes": func(n int64) string {
		if n == 0 {
			return "–"
		}
		return humanBytes(n)
	},
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>crunchgo report: {{.R.Job}}</title>
<style>
body{font:14px/1.4 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#222}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px}
.meta{color:#555} code{background:#f3f3f3;padding:1px 4px;border-radius:3px}
table{border-collapse:collapse} th,td{padding:4px 10px;border-bottom:1px solid #e3e3e3;text-align:right}
th{background:#fafafa} td.l,th.l{text-align:left}
.lane{display:inline-block;width:{{.Lane}}px;height:10px;background:#f0f0f0;vertical-align:middle}
.bar{display:block;height:10px;background:#4a7fc1;border-radius:2px}
.graph{overflow-x:auto;border:1px solid #e3e3e3;border-radius:6px;padding:8px;background:#fcfcfc}
pre{background:#f6f6f6;padding:10px;border-radius:6px;overflow-x:auto;font-size:12px}
.failure{border:2px solid #c0392b;background:#fdecea;border-radius:6px;padding:8px 12px;margin:12px 0}
.failure pre{background:#fff;white-space:pre-wrap}
</style></head><body>
<h1>{{.R.Job}} <span class="meta">on the {{.R.Runner}} runner{{if .Failed}}: {{.R.Status}}{{end}}</span></h1>
{{if .Failed}}<div class="failure" id="failure"><strong>The run {{.R.Status}}</strong> after {{.Wall}}: the stages below are as far as it got.<pre>{{.R.Error}}</pre></div>
{{end}}
<div class="meta">started {{.R.Started.Format "2006-01-02 15:04:05 MST"}} · wall time {{.Wall}} ·
workers {{if .R.Options.Workers}}{{.R.Options.Workers}}{{else}}default{{end}} · memory {{.Memory}} · write mode {{.R.Options.WriteMode}}</div>
<div class="meta">arguments: <code>{{if .Args}}{{.Args}}{{else}}(none){{end}}</code></div>
<h2>Stage graph</h2>
<div class="graph" id="graph">{{.Graph}}</div>
<h2>Stages</h2>
<table id="stages"><tr><th>stage</th>{{if .Failed}}<th class="l">status</th>{{end}}<th>map tasks</th><th>reduce tasks</th><th>records in</th><th>shuffled</th><th>records out</th><th>bytes in</th><th>bytes out</th>{{if .RanAs}}<th class="l">ran as</th>{{end}}<th>started</th><th>time</th><th class="l">timeline</th></tr>
{{range .Rows}}<tr><td>{{.Stage}}</td>{{if $.Failed}}<td class="l">{{.Status}}</td>{{end}}<td>{{.Maps}}</td><td>{{.Reduces}}</td><td>{{count .RecordsIn}}</td><td>{{count .Shuffled}}</td><td>{{count .RecordsOut}}</td><td>{{bytes .BytesIn}}</td><td>{{bytes .BytesOut}}</td>{{if $.RanAs}}<td class="l">{{.RanAs}}</td>{{end}}{{if .NotRun}}<td>–</td><td>–</td><td class="l"></td>{{else}}<td>+{{.Start}}</td><td>{{.Duration}}</td><td class="l"><span class="lane"><span class="bar" style="margin-left:{{printf "%.1f" .Left}}px;width:{{printf "%.1f" .Width}}px"></span></span></td>{{end}}</tr>
{{end}}</table>
{{if .Unknown}}<p class="meta" id="unknown-tasks">{{.Why}}</p>{{end}}
<h2>Counters</h2>
{{if .Counters}}<table id="counters"><tr><th class="l">group</th><th class="l">name</th><th>value</th></tr>
{{range .Counters}}<tr><td class="l">{{index . 0}}</td><td class="l">{{index . 1}}</td><td>{{index . 2}}</td></tr>
{{end}}</table>{{else}}<p class="meta">none</p>{{end}}
{{if .R.Retries}}<h2>Retried attempts</h2><ul id="retries">{{range .R.Retries}}<li>{{.}}</li>{{end}}</ul>{{end}}
<h2>Outputs</h2>
{{if .Outputs}}<ul id="outputs">{{range .Outputs}}<li><code>{{.Dir}}</code>{{if .Partitioned}}
{{if .Parts.Shown}}<table class="partitions"><tr><th class="l">partition</th><th class="l">action</th></tr>
{{range .Parts.Shown}}<tr><td class="l"><code>{{.Path}}</code></td><td class="l">{{.Action}}</td></tr>
{{end}}</table>{{if .Parts.More}}<p class="meta more-partitions">and {{.Parts.More}} more: {{.Parts.MoreByAction}}</p>{{end}}
{{else}}<p class="meta">{{$.NoParts}}</p>{{end}}{{end}}</li>
{{end}}</ul>{{else}}<p class="meta">none</p>{{end}}
{{if .R.Plan}}{{if .R.Plan.Notes}}<h2>Planner notes</h2><ul>{{range .R.Plan.Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
<h2>Plan</h2><pre>{{.R.Plan.Explain}}</pre>{{end}}
</body></html>
`))

// Layout of the stage graph: stages top to bottom, each a band of a row of
// its map phases over a row of its reduce phases, so that the graph grows
// down the page with the job, not across it.
const (
	boxW     = 300
	boxGapX  = 24 // between the boxes of a row
	rowGap   = 44 // between rows, where the arrows and their labels go
	bandHead = 30 // above a stage's first row: its title
	bandPad  = 12 // below a stage's last row
	bandGap  = 16 // between stages
	lineH    = 16
	boxHead  = 24
	leftX    = 24
	maxChars = 44
)

type svgBox struct {
	x, y, h int
	row     int
	phase   ReportPhase
	stage   int
	title   string
}

func (b *svgBox) midX() int { return b.x + boxW/2 }

// rowX is where the i-th box of a row starts.
func rowX(i int) int { return leftX + i*(boxW+boxGapX) }

// svgEdge is an arrow between two phase boxes.
type svgEdge struct {
	from, to *svgBox
	kind     string // shuffle, materialized or side input
}

// planSVG lays out the plan top to bottom: per stage, a row of its map
// phases over a row of its reduce phases; shuffles, materialized
// intermediates and side inputs are the arrows between them. A stage's band
// says how long it ran, or that it did not finish. Every text is escaped
// here.
func planSVG(p *ReportPlan, results []ReportStageResult) string {
	if p == nil || len(p.Stages) == 0 {
		return `<p class="meta">no plan (the run was not optimized)</p>`
	}
	nodes := map[int]ReportNode{}
	for _, n := range p.Nodes {
		nodes[n.ID] = n
	}
	label := func(id int) string {
		n, ok := nodes[id]
		if !ok {
			return fmt.Sprintf("#%d", id)
		}
		return fmt.Sprintf("%s#%d", n.Name, n.ID)
	}
	newBox := func(st int, ph ReportPhase, title string) *svgBox {
		lines := len(ph.Nodes) + 2
		return &svgBox{h: boxHead + lines*lineH + 6, phase: ph, stage: st, title: title}
	}
	// Rows of boxes, two per stage (one if it has no reduce phase).
	var rows [][]*svgBox
	type band struct{ row0, row1, id int }
	var bands []band
	for _, st := range p.Stages {
		var maps, reduces []*svgBox
		for _, in := range st.Inputs {
			t := "map: read " + label(in.Node)
			if in.Intermediate {
				t = "map: intermediate " + label(in.Node)
			}
			maps = append(maps, newBox(st.ID, in.Phase, t))
		}
		for _, ch := range st.Channels {
			t := fmt.Sprintf("reduce %d: %s", ch.Index, label(ch.GroupByKey))
			reduces = append(reduces, newBox(st.ID, ch.Reduce, t))
		}
		bd := band{row0: len(rows), id: st.ID}
		rows = append(rows, maps)
		if len(reduces) > 0 {
			rows = append(rows, reduces)
		}
		bd.row1 = len(rows)
		bands = append(bands, bd)
	}
	var boxes []*svgBox
	widest := 0
	for r, row := range rows {
		for _, bx := range row {
			bx.row = r
		}
		boxes = append(boxes, row...)
		widest = max(widest, len(row))
	}
	edges := planEdges(boxes, nodes)
	placeRows(rows, edges)
	// Down the page: each row below the one before, a stage's rows in its
	// band. rowTop and rowBottom are where each row's boxes start and end.
	rowTop, rowBottom := make([]int, len(rows)), make([]int, len(rows))
	type span struct{ top, bottom int }
	spans := make([]span, len(bands))
	y := 8
	for i, bd := range bands {
		spans[i].top = y
		y += bandHead
		for r := bd.row0; r < bd.row1; r++ {
			rowTop[r] = y
			h := 0
			for _, bx := range rows[r] {
				bx.y = y
				h = max(h, bx.h)
			}
			rowBottom[r] = y + h
			y += h + rowGap
		}
		y += bandPad - rowGap
		spans[i].bottom = y
		y += bandGap
	}
	height := y - bandGap + 8
	// Arrows that skip a row run down lanes right of the boxes, not
	// through the rows in between: a lane each.
	laneX := rowX(widest) - boxGapX + 20
	lanes := 0
	for _, e := range edges {
		if e.to.row > e.from.row+1 {
			lanes++
		}
	}
	width := laneX + lanes*10 + 16

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica,Arial,sans-serif" font-size="11">`, width, height, width, height)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#555"/></marker></defs>`)
	for i, bd := range bands {
		x0, x1 := leftX-12, width-8
		status, summary := stageSummary(results, bd.id)
		fill, stroke := "#eef3fa", "#c9d6ea"
		switch status {
		case StageUnfinished:
			fill, stroke = "#fbeaea", "#e0a5a5"
		case StageNotRun:
			fill, stroke = "#f3f3f3", "#d0d0d0"
		}
		fmt.Fprintf(&b, `<g class="stage" data-stage="%d" data-status="%s"><rect x="%d" y="%d" width="%d" height="%d" rx="8" fill="%s" stroke="%s"/><text x="%d" y="%d" font-size="12"><tspan font-weight="bold">stage %d</tspan>%s</text></g>`,
			bd.id, status, x0, spans[i].top, x1-x0, spans[i].bottom-spans[i].top, fill, stroke, x0+10, spans[i].top+18, bd.id, template.HTMLEscapeString(summary))
	}
	lane := laneX
	for _, e := range edges {
		if e.to.row > e.from.row+1 {
			edgeAlongLane(&b, e, rowBottom[e.from.row], rowTop[e.to.row], lane)
			lane += 10
		} else {
			edgeDown(&b, e, rowBottom[e.from.row])
		}
	}
	for _, bx := range boxes {
		fill := "#ffffff"
		if bx.phase.Kind == "reduce" {
			fill = "#fff8ec"
		}
		fmt.Fprintf(&b, `<g class="phase" data-kind="%s"><rect x="%d" y="%d" width="%d" height="%d" rx="5" fill="%s" stroke="#8a9bb5"/>`,
			bx.phase.Kind, bx.x, bx.y, boxW, bx.h, fill)
		svgText(&b, bx.x+8, bx.y+16, bx.title, "bold")
		y := bx.y + boxHead + 12
		lines := bx.phase.Nodes
		if bx.phase.Kind == "reduce" && nodes[bx.phase.Entry].Op != "GroupByKey" {
			lines = append([]int{bx.phase.Entry}, lines...) // a lifted combiner
		}
		for _, id := range lines {
			n := nodes[id]
			t := fmt.Sprintf("%s (%s)", label(id), n.Op)
			if n.Detail != "" {
				t += " " + n.Detail
			}
			if slices.Contains(bx.phase.Materialize, id) {
				t += " ⇒ materialized"
			}
			if len(n.Side) > 0 {
				t += " ⇐ side input " + strings.Join(labels(n.Side, label), ", ")
			}
			svgText(&b, bx.x+14, y, t, "")
			y += lineH
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// planEdges finds the arrows between boxes. Shuffles: a map phase feeding a
// channel's GroupByKey → that reduce phase. Intermediates: the phase
// writing a node → the later phase reading it. Side inputs: the phase
// writing one → the later phase reading it.
func planEdges(boxes []*svgBox, nodes map[int]ReportNode) []svgEdge {
	has := func(ph ReportPhase, id int) bool { return ph.Entry == id || slices.Contains(ph.Nodes, id) }
	var edges []svgEdge
	for _, to := range boxes {
		for _, from := range boxes {
			if from == to {
				continue
			}
			switch {
			case to.phase.Kind == "reduce" && from.phase.Kind == "map" && from.stage == to.stage:
				gbk := nodes[to.phase.Entry]
				if gbk.Op != "GroupByKey" {
					// A lifted combiner is the entry; the GroupByKey is its input.
					for _, in := range gbk.Inputs {
						if nodes[in].Op == "GroupByKey" {
							gbk = nodes[in]
						}
					}
				}
				if slices.ContainsFunc(gbk.Inputs, func(in int) bool { return has(from.phase, in) }) {
					edges = append(edges, svgEdge{from, to, "shuffle"})
				}
			case to.phase.Kind == "map" && from.stage < to.stage && slices.Contains(from.phase.Materialize, to.phase.Entry):
				edges = append(edges, svgEdge{from, to, "materialized"})
			}
			earlier := from.stage < to.stage || from.stage == to.stage && from.phase.Kind == "map" && to.phase.Kind == "reduce"
			if earlier && slices.ContainsFunc(to.phase.Sides, func(id int) bool { return slices.Contains(from.phase.Materialize, id) }) {
				edges = append(edges, svgEdge{from, to, "side input"})
			}
		}
	}
	return edges
}

// placeRows gives every box its place in its row, row by row. Within a
// row, boxes are ordered by the mean x of the boxes their arrows come from
// (boxes with none first, in plan order), so that arrows between rows cross
// as little as they can: stage 1's inputs come in the order of the stage 0
// phases that wrote them.
func placeRows(rows [][]*svgBox, edges []svgEdge) {
	placed := map[*svgBox]bool{}
	for _, row := range rows {
		key := make(map[*svgBox]float64, len(row))
		for _, bx := range row {
			sum, n := 0, 0
			for _, e := range edges {
				if e.to == bx && placed[e.from] {
					sum, n = sum+e.from.midX(), n+1
				}
			}
			key[bx] = -1
			if n > 0 {
				key[bx] = float64(sum) / float64(n)
			}
		}
		slices.SortStableFunc(row, func(a, b *svgBox) int { return cmp.Compare(key[a], key[b]) })
		for i, bx := range row {
			bx.x = rowX(i)
			placed[bx] = true
		}
	}
}

// stageSummary is what a stage's band says after its number: how long it
// ran, or that it did not finish or did not run.
func stageSummary(results []ReportStageResult, stage int) (status, summary string) {
	for _, r := range results {
		if r.Stage != stage {
			continue
		}
		switch r.Status {
		case StageUnfinished:
			return r.Status, " · " + r.Status + ": " + tasksDone(r.MapTasks, r.MapTasksTotal, r.ReduceTasks, r.ReduceTasksTotal)
		case StageNotRun:
			return r.Status, " · " + r.Status
		}
		return r.Status, " · " + roundDuration(time.Duration(r.DurationNS)).String()
	}
	return "", ""
}

// svgText writes one line of text, cut to fit its box; the full text is its
// tooltip.
func svgText(b *strings.Builder, x, y int, s, weight string) {
	short := s
	if r := []rune(s); len(r) > maxChars {
		short = string(r[:maxChars-1]) + "…"
	}
	w := ""
	if weight != "" {
		w = ` font-weight="` + weight + `"`
	}
	fmt.Fprintf(b, `<text x="%d" y="%d"%s><title>%s</title>%s</text>`, x, y, w, template.HTMLEscapeString(s), template.HTMLEscapeString(short))
}

// edgeDown draws an arrow from the bottom of e.from to the top of e.to in
// the next row, straight down out of from's row (whose bottom is
// rowBottom), so that it crosses no taller box beside from.
func edgeDown(b *strings.Builder, e svgEdge, rowBottom int) {
	x1, y1, x2, y2 := e.from.midX(), e.from.y+e.from.h, e.to.midX(), e.to.y
	dy := (y2 - rowBottom) / 2
	d := fmt.Sprintf("M%d,%d L%d,%d C%d,%d %d,%d %d,%d", x1, y1, x1, rowBottom, x1, rowBottom+dy, x2, y2-dy, x2, y2)
	edgePath(b, e.kind, d, (x1+x2)/2+6, rowBottom+dy+3)
}

// edgeAlongLane draws an arrow from e.from to e.to rows further down: out of
// from's row (ending at fromBottom), right to the lane at x, down it, and
// left into the row of e.to (starting at toTop).
func edgeAlongLane(b *strings.Builder, e svgEdge, fromBottom, toTop, x int) {
	x1, y1, x2, y2 := e.from.midX(), e.from.y+e.from.h, e.to.midX(), e.to.y
	out, in := fromBottom+rowGap/3, toTop-7 // in: under a band's title
	d := fmt.Sprintf("M%d,%d L%d,%d L%d,%d L%d,%d L%d,%d L%d,%d", x1, y1, x1, out, x, out, x, in, x2, in, x2, y2)
	edgePath(b, e.kind, d, x1+6, out-4)
}

func edgePath(b *strings.Builder, kind, d string, tx, ty int) {
	dash := ""
	if kind != "shuffle" {
		dash = ` stroke-dasharray="5,4"`
	}
	fmt.Fprintf(b, `<g class="edge" data-kind="%s"><path d="%s" fill="none" stroke="#555" stroke-width="1.4"%s marker-end="url(#arrow)"/>`,
		kind, d, dash)
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="9" fill="#555">%s</text></g>`, tx, ty, kind)
}

func labels(ids []int, label func(int) string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = label(id)
	}
	return out
}
