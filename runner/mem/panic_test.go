package mem_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

// panicky is a sum whose every method panics when the transform under test
// is its own.
type panicky struct{ boom func(string) }

func (a panicky) Init() int             { a.boom("Init"); return 0 }
func (a panicky) Add(acc, v int) int    { a.boom("Add"); return acc + v }
func (a panicky) Merge(x, y int) int    { a.boom("Merge"); return x + y }
func (a panicky) Result(acc int) string { a.boom("Result"); return fmt.Sprint(acc) }

type doFn struct{ boom func(string) }

func (d doFn) Process(v int, emit func(int)) error { d.boom("ParDo"); emit(v); return nil }

// A panic in a user function fails the run with a TransformError naming the
// transform whose function panicked (not one fused before or after it),
// holding the panic's value and its stack, for each kind of guarded call.
func TestPanicNamesTheTransform(t *testing.T) {
	for _, target := range []string{"Map", "Filter", "FlatMap", "WithSide", "ParDo", "ByKey", "MapValues", "Init", "Add", "Merge", "Result"} {
		t.Run(target, func(t *testing.T) {
			boom := func(name string) {
				if name == target {
					panic("boom in " + name)
				}
			}
			p := pcollection.NewPipeline("panics")
			c := pcollection.Of(p, 1, 2, 3, 4)
			c = pcollection.Map(c, func(v int) int { boom("Map"); return v }, pcollection.Name("Map"))
			c = pcollection.Filter(c, func(int) bool { boom("Filter"); return true }, pcollection.Name("Filter"))
			c = pcollection.FlatMap(c, func(v int, emit func(int)) { boom("FlatMap"); emit(v) }, pcollection.Name("FlatMap"))
			c = pcollection.FlatMapWithSide(c, pcollection.Of(p, "side"), func([]string) (func(int, func(int)), error) {
				return func(v int, emit func(int)) { boom("WithSide"); emit(v) }, nil
			}, pcollection.Name("WithSide"))
			c = pcollection.ParDo[int, int](c, doFn{boom}, pcollection.Name("ParDo"))
			t1 := ptable.ByKey(c, func(v int) int { boom("ByKey"); return v % 2 }, pcollection.Name("ByKey"))
			t1 = ptable.MapValues(t1, func(v int) int { boom("MapValues"); return v }, pcollection.Name("MapValues"))
			sums := ptable.Aggregate(ptable.GroupByKey(t1), ptable.Aggregator[int, int, string](panicky{boom}), pcollection.Name("Sum"))
			out := pcollection.Materialize(sums)

			_, err := mem.Run(context.Background(), p, runner.Options{})
			var te *plan.TransformError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a TransformError", err)
			}
			want := target
			switch target {
			case "Init", "Add", "Merge", "Result":
				want = "Sum"
			}
			if te.Transform != want || te.Panic != "boom in "+target || !strings.Contains(te.Stack, "panic") {
				t.Errorf("TransformError{Transform: %q, Panic: %v, stack of %d bytes}, want %q and boom in %s", te.Transform, te.Panic, len(te.Stack), want, target)
			}
			if vs, err := out.Values(); err == nil {
				t.Errorf("values %v after a failed run", vs)
			}
		})
	}
}
