package pcollection_test

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

func Example() {
	p := pcollection.NewPipeline("shout")
	words := pcollection.Of(p, "lazy", "typed", "collections", "go")
	long := pcollection.Filter(words, func(w string) bool { return len(w) > 2 })
	loud := pcollection.Map(long, strings.ToUpper)
	out := pcollection.Materialize(loud) // nothing has run yet

	if _, err := mem.Run(context.Background(), p, runner.Options{}); err != nil {
		fmt.Println(err)
		return
	}
	got, _ := out.Values()
	slices.Sort(got)
	fmt.Println(got)
	// Output: [COLLECTIONS LAZY TYPED]
}

// lineLengths is a DoFn with a lifecycle: per-task state, a counter, and a
// Finish that emits the task's total.
type lineLengths struct {
	total int64
	lines interface{ Inc(int64) }
}

func (l *lineLengths) Setup(ctx *pcollection.Context) error {
	l.lines = ctx.Counter("example", "lines")
	return nil
}

func (l *lineLengths) Process(line string, emit func(int64)) error {
	l.lines.Inc(1)
	l.total += int64(len(line))
	return nil
}

func (l *lineLengths) Finish(emit func(int64)) error {
	emit(l.total)
	return nil
}

func ExampleParDo() {
	p := pcollection.NewPipeline("lengths")
	lines := pcollection.Of(p, "one", "two", "three")
	totals := pcollection.Materialize(pcollection.ParDo(lines, &lineLengths{}))

	res, err := mem.Run(context.Background(), p, runner.Options{Workers: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	got, _ := totals.Values()
	fmt.Println(got, res.Counters.Get("example", "lines"))
	// Output: [11] 3
}

func ExampleTryMap() {
	p := pcollection.NewPipeline("misuse")
	_, err := pcollection.TryMap[string, int](pcollection.Of(p, "x"), nil)
	fmt.Println(err != nil)
	// Output: true
}
