package crunchtest

import (
	"context"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/internal/multiset"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

// Run runs p on the in-memory runner and fails the test on error.
func Run(t testing.TB, p *pcollection.Pipeline, opts ...func(*runner.Options)) *runner.Result {
	t.Helper()
	var o runner.Options
	for _, f := range opts {
		f(&o)
	}
	res, err := mem.Run(context.Background(), p, o)
	if err != nil {
		t.Fatalf("running pipeline %q: %v", p.Name(), err)
	}
	return res
}

// RunFails runs p on the in-memory runner, fails the test if the run
// succeeds, reports each of want that the error does not contain, and
// returns the error: for tests of what a job says about bad input.
func RunFails(t testing.TB, p *pcollection.Pipeline, want ...string) error {
	t.Helper()
	_, err := mem.Run(context.Background(), p, runner.Options{})
	if err == nil {
		t.Fatalf("pipeline %q ran without error", p.Name())
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	return err
}

// Values returns a materialized collection's elements and fails the test if
// the pipeline has not run.
func Values[T any](t testing.TB, m *pcollection.Materialized[T]) []T {
	t.Helper()
	vs, err := m.Values()
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// EqualUnordered fails the test unless got and want hold the same elements
// with the same multiplicities, in any order. The message lists what is
// missing and what is extra.
func EqualUnordered[T any](t testing.TB, got, want []T) {
	t.Helper()
	if diff := DiffUnordered(got, want); diff != "" {
		t.Errorf("collections differ (-missing +extra):\n%s", diff)
	}
}

// DiffUnordered compares got and want as multisets and describes the
// difference, or returns "" when they are equal. Elements are compared by
// their value encoding, so T needs a codec.
func DiffUnordered[T any](got, want []T) string { return multiset.Diff(got, want) }
