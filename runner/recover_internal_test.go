package runner

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestRecoverHalfLocalRename checks recovery from a local rename cut
// between its link and its remove (storage's localFS renames files so),
// publishing a part under the name of one it replaces, before the next
// part was published. Counting that rename as not made, recovery tried to
// move the old part back onto the new one's link, failed, and kept failing
// at every sweep, the output locked.
func TestRecoverHalfLocalRename(t *testing.T) {
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "out")
	c := &Committer{dir: out, run: "run1"}
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var moves []move
	aside := func(name string) {
		moves = append(moves, move{filepath.Join(out, name), filepath.Join(c.temp(), "replaced", name)})
	}
	write(filepath.Join(out, successName), "")
	aside(successName)
	for _, name := range []string{"part-r-00000.txt", "part-r-00001.txt"} {
		write(filepath.Join(out, name), "old "+name)
		write(c.committed(name), "new "+name)
		aside(name)
	}
	for _, name := range []string{"part-r-00000.txt", "part-r-00001.txt"} {
		moves = append(moves, move{c.committed(name), filepath.Join(out, name)})
	}
	if err := c.writeJournal(ctx, commitJournal{Outputs: []string{out}, Moves: moves}); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(c.temp(), "replaced"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, m := range moves[:3] {
		if err := os.Rename(m.From, m.To); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(moves[3].From, moves[3].To); err != nil { // and the process dies
		t.Fatal(err)
	}
	if err := RecoverCommit([]Leftover{{Dir: out, Run: "run1", Journalled: true}}, true); err != nil {
		t.Fatalf("RecoverCommit: %v", err)
	}
	for _, name := range []string{"part-r-00000.txt", "part-r-00001.txt"} {
		if b, err := os.ReadFile(filepath.Join(out, name)); err != nil || string(b) != "old "+name {
			t.Errorf("after recovery %s holds %q (%v), want it as before the run", name, b, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, successName)); err != nil {
		t.Errorf("_SUCCESS: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "_temporary")); !os.IsNotExist(err) {
		t.Errorf("_temporary left: %v", err)
	}
}
