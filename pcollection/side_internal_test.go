package pcollection

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/crunchgo/crunchgo/plan"
)

// sideTask is a task context offering one side input of encoded strings,
// counted when sized says so.
type sideTask struct {
	recs  [][]byte
	sized bool
	asked int // SideLen calls
}

func (t *sideTask) Counter(group, name string) *plan.Counter { return &plan.Counter{} }
func (t *sideTask) Info() plan.TaskInfo                      { return plan.TaskInfo{} }

func (t *sideTask) ReadSide(id plan.NodeID, fn func([]byte) error) error {
	for _, r := range t.recs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (t *sideTask) SideLen(id plan.NodeID) (int, error) {
	t.asked++
	if !t.sized {
		return 0, nil
	}
	return len(t.recs), nil
}

// TestSideLoadSizedOnce checks that a side input whose reader counts it is
// collected into a slice allocated once at its exact length, and that one
// whose reader cannot count still loads whole.
func TestSideLoadSizedOnce(t *testing.T) {
	var recs [][]byte
	enc := TypeOf[string]().NewEncoder(func(b []byte) { recs = append(recs, bytes.Clone(b)) }).(func(string))
	for i := range 1000 {
		enc(fmt.Sprintf("v%d", i))
	}
	for _, sized := range []bool{true, false} {
		tc := &sideTask{recs: recs, sized: sized}
		p := &sidePayload[string, string, string]{typ: TypeOf[string]()}
		all, err := p.load(tc, tc)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1000 || all[0] != "v0" || all[999] != "v999" {
			t.Fatalf("sized=%v: loaded %d elements (%q...), want v0..v999", sized, len(all), all[:min(3, len(all))])
		}
		if tc.asked != 1 {
			t.Errorf("sized=%v: SideLen called %d times, want once", sized, tc.asked)
		}
		if sized && cap(all) != len(all) {
			t.Errorf("counted side input: cap %d for %d elements, want the slice allocated at its length", cap(all), len(all))
		}
	}
}

// TestSourceSideInputTakenAsIs checks that a side input that is a source
// is the source node itself, which the planner has every task read from
// the source, rather than a copy of it to materialize.
func TestSourceSideInputTakenAsIs(t *testing.T) {
	p := NewPipeline("side")
	stop := Of(p, "the", "a")
	lines := Of(p, "the cat", "a dog")
	out := FlatMapWithSide(lines, stop, func([]string) (func(string, func(string)), error) {
		return func(l string, emit func(string)) { emit(l) }, nil
	})
	if got := p.g.Node(out.id).Side; len(got) != 1 || got[0] != stop.id {
		t.Errorf("side inputs = %v, want [%d] (the source)", got, stop.id)
	}
	if got := p.g.Len(); got != 3 {
		t.Errorf("graph has %d nodes, want 3 (two sources and the transform)", got)
	}
}
