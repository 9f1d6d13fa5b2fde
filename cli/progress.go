package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/crunchgo/crunchgo/runner"
)

// progress shows runner events while a job runs.
type progress interface {
	event(runner.Event)
	// finish ends the display; ok says whether the run succeeded.
	finish(ok bool)
}

// newProgress returns live bars when w is a terminal, plain lines otherwise.
func newProgress(ctx context.Context, w io.Writer) progress {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			return newBars(ctx, w)
		}
	}
	return &lines{w: w, printed: map[barKey]time.Time{}}
}

// lines writes one line per event, ignoring write errors (see bestEffort),
// but a partial one (records of running tasks, sent every few seconds)
// only when its phase has printed nothing for partialEvery: a log gets a
// line for a long task now and then, not one per heartbeat.
type lines struct {
	w       io.Writer
	printed map[barKey]time.Time
}

const partialEvery = 30 * time.Second

func (l *lines) event(ev runner.Event) {
	if ev.Retry != "" {
		fmt.Fprintln(l.w, retryLine(ev))
		return
	}
	if ev.Note != "" {
		fmt.Fprintln(l.w, ev.Note)
		return
	}
	k := barKey{ev.Stage, ev.Phase}
	if ev.Partial && time.Since(l.printed[k]) < partialEvery {
		return
	}
	l.printed[k] = time.Now()
	fmt.Fprintln(l.w, eventLine(ev))
}

func (l *lines) finish(bool) {}

// retryLine reports a failed attempt that will be retried.
func retryLine(ev runner.Event) string {
	return fmt.Sprintf("%s %s: %s", stageName(ev), ev.Phase, ev.Retry)
}

// eventLine describes an event in one line.
func eventLine(ev runner.Event) string {
	what := "done"
	if !ev.Done {
		what = ev.Phase
		if what == "" {
			what = "running"
		}
		if ev.Partial {
			what += " so far"
		}
	}
	s := fmt.Sprintf("%s %s: %d/%d tasks, %s records in, %s out", stageName(ev), what,
		ev.TasksDone, ev.TasksTotal, count(ev.RecordsIn), count(ev.RecordsOut))
	if ev.BytesIn > 0 || ev.BytesOut > 0 {
		s += fmt.Sprintf(", %s read, %s written", humanBytes(ev.BytesIn), humanBytes(ev.BytesOut))
	}
	return s + fmt.Sprintf(", %s", roundDuration(ev.Elapsed))
}

// bars draws one live bar per stage phase with mpb.
type bars struct {
	p    *mpb.Progress
	mu   sync.Mutex
	bars map[barKey]*stageBar
}

type barKey struct {
	stage int
	phase string
}

// stageBar is one bar's numbers, read by mpb's decorators on its own
// goroutine.
type stageBar struct {
	bar        *mpb.Bar
	start      time.Time
	recordsIn  atomic.Int64
	recordsOut atomic.Int64
	bytesIn    atomic.Int64
	elapsed    atomic.Int64 // final elapsed nanoseconds, once done
}

func newBars(ctx context.Context, w io.Writer) *bars {
	return &bars{p: mpb.NewWithContext(ctx, mpb.WithOutput(w), mpb.WithWidth(30), mpb.WithRefreshRate(150*time.Millisecond)),
		bars: map[barKey]*stageBar{}}
}

func (b *bars) event(ev runner.Event) {
	if ev.Retry != "" {
		fmt.Fprintln(b.p, retryLine(ev)) // above the bars
		return
	}
	if ev.Note != "" {
		fmt.Fprintln(b.p, ev.Note)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if ev.Done {
		// The stage's phase bars are complete; a runner that reports only
		// finished stages gets one bar for the whole stage.
		found := false
		for k, sb := range b.bars {
			if k.stage == ev.Stage {
				found = true
				sb.complete(ev.Elapsed)
			}
		}
		if !found {
			if sb := b.add(ev, ""); sb != nil {
				sb.update(ev)
				sb.complete(ev.Elapsed)
			}
		}
		return
	}
	k := barKey{ev.Stage, ev.Phase}
	sb := b.bars[k]
	if sb == nil {
		if sb = b.add(ev, ev.Phase); sb == nil {
			return
		}
	}
	sb.update(ev)
}

// add starts a bar, or returns nil when the display has stopped: its
// context was cancelled (a signal) or drawing failed (a hung-up terminal).
// mpb's AddBar would panic then, taking the run down with the display.
func (b *bars) add(ev runner.Event, phase string) *stageBar {
	sb := &stageBar{start: time.Now().Add(-ev.Elapsed)}
	name := stageName(ev)
	if phase != "" {
		name += " " + phase
	}
	bar, err := b.p.Add(int64(max(ev.TasksTotal, 1)), mpb.BarStyle().Build(),
		mpb.PrependDecorators(decor.Name(name, decor.WCSyncSpaceR), decor.CountersNoUnit("%d/%d tasks", decor.WCSyncSpace)),
		mpb.AppendDecorators(decor.Any(sb.stats, decor.WCSyncSpace)),
	)
	if err != nil {
		return nil
	}
	sb.bar = bar
	b.bars[barKey{ev.Stage, phase}] = sb
	return sb
}

func (sb *stageBar) update(ev runner.Event) {
	sb.recordsIn.Store(ev.RecordsIn)
	sb.recordsOut.Store(ev.RecordsOut)
	sb.bytesIn.Store(ev.BytesIn)
	if ev.TasksTotal > 0 {
		sb.bar.SetTotal(int64(ev.TasksTotal), false)
	}
	sb.bar.SetCurrent(int64(ev.TasksDone))
	if ev.TasksTotal > 0 && ev.TasksDone >= ev.TasksTotal {
		sb.elapsed.Store(int64(max(ev.Elapsed, 1))) // the phase is over: freeze its clock
	}
}

func (sb *stageBar) complete(elapsed time.Duration) {
	if sb.bar.Completed() {
		return
	}
	if elapsed <= 0 {
		elapsed = time.Since(sb.start)
	}
	if sb.elapsed.Load() == 0 {
		sb.elapsed.Store(int64(max(elapsed, 1)))
	}
	sb.bar.SetTotal(-1, true)
}

// stats is the decorator text: records, bytes, rate and elapsed time.
func (sb *stageBar) stats(decor.Statistics) string {
	el := time.Duration(sb.elapsed.Load())
	if el == 0 {
		el = time.Since(sb.start)
	}
	in := sb.recordsIn.Load()
	rate := ""
	if s := el.Seconds(); s > 0 && in > 0 {
		rate = fmt.Sprintf(" %s rec/s", count(int64(float64(in)/s)))
	}
	return fmt.Sprintf("%s in, %s out, %s read,%s %s", count(in), count(sb.recordsOut.Load()),
		humanBytes(sb.bytesIn.Load()), rate, roundDuration(el))
}

func (b *bars) finish(ok bool) {
	b.mu.Lock()
	for _, sb := range b.bars {
		if !sb.bar.Completed() {
			if ok {
				sb.complete(0)
			} else {
				sb.bar.Abort(false)
			}
		}
	}
	b.mu.Unlock()
	b.p.Wait()
}

// stageName names an event's stage by its plan ID, as explain and the
// summary do, with its position: "stage 0 (1 of 3)".
func stageName(ev runner.Event) string {
	return fmt.Sprintf("stage %d (%d of %d)", ev.Stage, ev.Stage+1, max(ev.Stages, ev.Stage+1))
}
