package local

import (
	"testing"

	"github.com/crunchgo/crunchgo/plan"
)

func TestSideCache(t *testing.T) {
	var c sideCache
	hit := func(id plan.NodeID) any {
		t.Helper()
		v, ok := c.CachedSide(id)
		if !ok {
			return nil
		}
		return v
	}
	c.begin(map[plan.NodeID][]string{1: {"a", "b"}})
	if v := hit(1); v != nil {
		t.Fatalf("an empty cache returned %v", v)
	}
	c.StoreSide(1, "one")
	c.StoreSide(2, "not this task's") // not read by the task: not kept
	c.begin(map[plan.NodeID][]string{1: {"a", "b"}, 2: {"c"}})
	if v := hit(1); v != "one" {
		t.Errorf("the next task reading the same files got %v, want the stored value", v)
	}
	if v := hit(2); v != nil {
		t.Errorf("node 2 got %v, stored by a task that did not read it", v)
	}
	c.begin(map[plan.NodeID][]string{1: {"a", "x"}})
	if v := hit(1); v != nil {
		t.Errorf("a task reading other files got %v", v)
	}
	c.StoreSide(1, "one again")
	c.begin(nil) // a task without side inputs drops them all
	if len(c.entries) != 0 {
		t.Errorf("after a task without side inputs the cache holds %v", c.entries)
	}
	c.begin(map[plan.NodeID][]string{1: {"a", "x"}})
	if v := hit(1); v != nil {
		t.Errorf("a dropped entry came back: %v", v)
	}
}
