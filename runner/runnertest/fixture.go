package runnertest

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// fixtureFile returns the path of a text file of lines, one a line, in the
// system's temporary directory, named by its content: every process that
// builds a case (the driver, and the workers and tasks that rebuild it)
// gets the same path, so the same plan fingerprint, and the same file. The
// first process to need it writes it, under a hidden name then renamed, so
// that no process reads it half written; it is left for later runs.
func fixtureFile(name string, lines []string) string {
	data := []byte(strings.Join(lines, "\n") + "\n")
	sum := sha256.Sum256(data)
	path := filepath.Join(os.TempDir(), fmt.Sprintf("crunchgo-runnertest-%s-%x.txt", name, sum[:8]))
	if b, err := os.ReadFile(path); err == nil && string(b) == string(data) {
		return path
	}
	if err := writeAtomically(path, data); err != nil {
		panic(fmt.Sprintf("runnertest: writing fixture %s: %v", path, err))
	}
	return path
}

// writeAtomically writes data to path through a temporary file in the same
// directory, renamed over path.
func writeAtomically(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".crunchgo-runnertest-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// set holds the elements of vs.
func set(vs []string) map[string]bool {
	s := make(map[string]bool, len(vs))
	for _, v := range vs {
		s[v] = true
	}
	return s
}

// readWhereUsed checks that the run, whose side inputs are all sources,
// materialized nothing: every task of their users reads them from their
// files, and no stage waits for them. Unoptimized runs have no plan.
func readWhereUsed(t T, o Outcome) {
	t.Helper()
	if o.Err != nil || o.Plan == nil {
		return
	}
	if n := len(o.Plan.Intermediates); n != 0 {
		t.Errorf("%d intermediate(s) materialized, want none: side inputs that are sources are read from their files\n%s", n, o.Plan.Explain())
	}
}
