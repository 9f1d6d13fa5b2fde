package local

import (
	"strings"

	"github.com/crunchgo/crunchgo/plan"
)

// sideCache keeps a worker's decoded side inputs from one task to the next
// (plan.SideCache). A worker runs one task at a time, and the tasks of a
// phase that reads a side input all read the same files: without the cache
// each of them would decode the whole side input again. Entries live only as
// long as the tasks that follow read the same files; a task of another phase
// drops the rest, so that their memory is not held while unused.
type sideCache struct {
	files   map[plan.NodeID]string // the current task's side input files, by node
	entries map[plan.NodeID]sideEntry
}

type sideEntry struct {
	files string // the files the value was decoded from
	v     any
}

// begin starts a task that reads sides (files by node): it keeps only the
// entries decoded from the same files.
func (c *sideCache) begin(sides map[plan.NodeID][]string) {
	c.files = make(map[plan.NodeID]string, len(sides))
	for id, files := range sides {
		c.files[id] = strings.Join(files, "\x00")
	}
	for id, e := range c.entries {
		if f, ok := c.files[id]; !ok || f != e.files {
			delete(c.entries, id)
		}
	}
}

func (c *sideCache) CachedSide(id plan.NodeID) (any, bool) {
	e, ok := c.entries[id]
	if !ok || e.files != c.files[id] {
		return nil, false
	}
	return e.v, true
}

func (c *sideCache) StoreSide(id plan.NodeID, v any) {
	f, ok := c.files[id]
	if !ok {
		return
	}
	if c.entries == nil {
		c.entries = map[plan.NodeID]sideEntry{}
	}
	c.entries[id] = sideEntry{files: f, v: v}
}
