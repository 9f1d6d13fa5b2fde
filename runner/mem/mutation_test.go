package mem_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

var runModes = []struct {
	name string
	opts runner.Options
}{{"optimized", runner.Options{}}, {"unoptimized", runner.Options{Unoptimized: true}}}

// TestFunctionChangingItsInputFails checks that the in-memory runner fails
// a job whose function changes an element it was given, naming the
// transform. Fused with the collection's other consumer, the change would
// be seen by it on this runner and the local one (and, since Of keeps the
// caller's elements, by the next run of the pipeline).
func TestFunctionChangingItsInputFails(t *testing.T) {
	for _, m := range runModes {
		t.Run(m.name, func(t *testing.T) {
			data := [][]int{{1}, {2}}
			p := pcollection.NewPipeline("mutate")
			src := pcollection.Of(p, data...)
			pcollection.Materialize(pcollection.Map(src, func(s []int) int { s[0] *= 100; return s[0] }))
			pcollection.Materialize(pcollection.Map(src, func(s []int) int { return s[0] }))
			_, err := mem.Run(context.Background(), p, m.opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range []string{"Map#", "mutation_test.go:", "changed an element it was given", "[]int"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

// TestFunctionsThatCannotChangeTheirInputPass checks what the check lets
// through: changes to a function's own copy of a value, new values built
// from an input, and map-holding types, which it does not check.
func TestFunctionsThatCannotChangeTheirInputPass(t *testing.T) {
	type event struct {
		User  string
		Plays int
	}
	for _, m := range runModes {
		t.Run(m.name, func(t *testing.T) {
			p := pcollection.NewPipeline("copies")
			events := pcollection.Of(p, event{"a", 1}, event{"b", 2})
			bumped := pcollection.Materialize(pcollection.Map(events, func(e event) event { e.Plays *= 10; return e }))
			lists := pcollection.Of(p, []int{3, 1, 2})
			sorted := pcollection.Materialize(pcollection.Map(lists, func(s []int) []int { s = slices.Clone(s); slices.Sort(s); return s }))
			maps := pcollection.Of(p, map[string]int{"x": 1, "y": 2})
			sized := pcollection.Materialize(pcollection.Map(maps, func(mp map[string]int) int { mp["z"] = 3; return len(mp) }))
			counts := pcollection.Materialize(ptable.Values(ptable.Count(pcollection.Map(events, func(e event) string { return e.User }))))
			if _, err := mem.Run(context.Background(), p, m.opts); err != nil {
				t.Fatal(err)
			}
			if got := values(t, bumped); len(got) != 2 || got[0].Plays+got[1].Plays != 30 {
				t.Errorf("bumped %v", got)
			}
			if got := values(t, sorted); len(got) != 1 || !slices.Equal(got[0], []int{1, 2, 3}) {
				t.Errorf("sorted %v", got)
			}
			if got := values(t, sized); len(got) != 1 || got[0] != 3 {
				t.Errorf("sized %v", got)
			}
			if got := values(t, counts); len(got) != 2 {
				t.Errorf("counts %v", got)
			}
		})
	}
}

func values[T any](t *testing.T, m *pcollection.Materialized[T]) []T {
	t.Helper()
	v, err := m.Values()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type treeNode struct {
	Name   string
	Parent *treeNode
	Kids   []*treeNode
}

// TestCheckSkipsCyclicValues checks that values that may hold pointer
// cycles (a tree whose nodes point to their parents) pass between fused
// functions unchecked: encoding them to check would never end.
func TestCheckSkipsCyclicValues(t *testing.T) {
	for _, m := range runModes {
		if m.opts.Unoptimized {
			continue // the interpreter encodes every node's output
		}
		t.Run(m.name, func(t *testing.T) {
			p := pcollection.NewPipeline("cycles")
			roots := pcollection.Map(pcollection.Of(p, "a"), func(s string) *treeNode {
				root := &treeNode{Name: s}
				root.Kids = []*treeNode{{Name: s + "1", Parent: root}}
				return root
			})
			names := pcollection.Materialize(pcollection.Map(roots, func(n *treeNode) string { return n.Kids[0].Parent.Name }))
			if _, err := mem.Run(context.Background(), p, m.opts); err != nil {
				t.Fatal(err)
			}
			if got := values(t, names); !slices.Equal(got, []string{"a"}) {
				t.Errorf("got %v", got)
			}
		})
	}
}
