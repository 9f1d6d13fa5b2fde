package plan

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// checkSinkDirs refuses two sinks writing to the same directory, or one
// inside the other's: each commits its directory as a whole (replacing it,
// or refusing an existing one), so they would clobber each other or fail
// with errors about other runs.
func checkSinkDirs(g *Graph) error {
	type sink struct {
		n   *Node
		dir string
	}
	var sinks []sink
	for _, n := range g.Nodes() {
		if n.Op != OpSink {
			continue
		}
		sp, ok := n.Payload.(SinkPayload)
		if !ok || sp.URL() == "" {
			continue
		}
		dir := CleanDir(sp.URL())
		for _, s := range sinks {
			switch {
			case s.dir == dir:
				return fmt.Errorf("plan: %s (%s) and %s (%s) both write to %s: give each output its own directory", s.n.Label(), s.n.Caller, n.Label(), n.Caller, sp.URL())
			case InDir(dir, s.dir), InDir(s.dir, dir):
				outer, inner := s, sink{n, dir}
				if len(dir) < len(s.dir) {
					outer, inner = inner, outer
				}
				return fmt.Errorf("plan: %s (%s) writes inside the output of %s (%s), %s: committing one replaces or mixes with the other; use sibling directories", inner.n.Label(), inner.n.Caller, outer.n.Label(), outer.n.Caller, outer.n.Payload.(SinkPayload).URL())
			}
		}
		sinks = append(sinks, sink{n, dir})
	}
	return nil
}

// InDir reports whether path is dir or inside it, both as CleanDir gives
// them.
func InDir(path, dir string) bool { return path == dir || strings.HasPrefix(path, dir+"/") }

// SinkDirs lists the directories g's sinks write, as CleanDir gives them.
func SinkDirs(g *Graph) []string {
	var dirs []string
	for _, n := range g.Nodes() {
		if sp, ok := n.Payload.(SinkPayload); ok && n.Op == OpSink && sp.URL() != "" {
			dirs = append(dirs, CleanDir(sp.URL()))
		}
	}
	return dirs
}

// CleanDir puts a sink's URL in one form, to compare with others: a local
// path absolute and cleaned, a scheme's path cleaned, without a trailing
// slash.
func CleanDir(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		if abs, err := filepath.Abs(url); err == nil {
			return filepath.ToSlash(abs)
		}
		return filepath.ToSlash(filepath.Clean(url))
	}
	return scheme + "://" + strings.TrimPrefix(path.Clean("/"+rest), "/")
}
