package ptable_test

import (
	"errors"
	"iter"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/ptable"
)

func TestUnorderableKeysRefused(t *testing.T) {
	p := pcollection.NewPipeline("keys")
	maps := ptable.ByKey(pcollection.Of(p, 1), func(v int) map[string]int { return nil })
	_, err := ptable.TryGroupByKey(maps)
	var be *pcollection.BuildError
	if !errors.As(err, &be) {
		t.Fatalf("error = %v, want a *BuildError", err)
	}
	if be.Transform != "GroupByKey" || !strings.HasPrefix(be.Caller, "ptable/build_test.go:") {
		t.Errorf("error names %s at %s, want GroupByKey in this file", be.Transform, be.Caller)
	}
	if !strings.Contains(err.Error(), "map[string]int") {
		t.Errorf("error %q does not name the key type", err)
	}

	funcs := ptable.ByKey(pcollection.Of(p, 1), func(v int) func() { return nil })
	if _, err := ptable.TryGroupByKey(funcs); err == nil {
		t.Error("grouping by a func key succeeded")
	}
	type withChan struct {
		Name string
		C    chan int
	}
	chans := ptable.ByKey(pcollection.Of(p, 1), func(v int) withChan { return withChan{} })
	if _, err := ptable.TryGroupByKey(chans); err == nil {
		t.Error("grouping by a struct key holding a chan succeeded")
	}
}

func TestJoinAcrossPipelinesPanics(t *testing.T) {
	a := pcollection.Of(pcollection.NewPipeline("a"), ptable.KV("k", 1))
	b := pcollection.Of(pcollection.NewPipeline("b"), ptable.KV("k", 2))
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "different pipelines") {
			t.Errorf("panic = %v, want a different-pipelines build error", r)
		}
	}()
	ptable.Join(a, b)
}

// TestNegativePartitionsRefused checks that Partitions(-1), which used to
// mean the runner's choice without a word, is a build error.
func TestNegativePartitionsRefused(t *testing.T) {
	p := pcollection.NewPipeline("parts")
	kvs := pcollection.Of(p, ptable.KV("a", 1))
	if _, err := ptable.TryGroupByKey(kvs, pcollection.Partitions(-1)); err == nil || !strings.Contains(err.Error(), "Partitions(-1)") {
		t.Errorf("GroupByKey with Partitions(-1): err = %v, want a build error", err)
	}
	if _, err := ptable.TryGroupByKey(kvs, pcollection.Partitions(3)); err != nil {
		t.Errorf("GroupByKey with Partitions(3): %v", err)
	}
	sorted := pcollection.Of(p, ptable.KV("a", ptable.KV(1, "x")))
	_, err := ptable.TryReduceSorted(sorted, func(k string, vs iter.Seq[ptable.Pair[int, string]], emit func(int)) error { return nil }, pcollection.Partitions(-2))
	if err == nil || !strings.Contains(err.Error(), "Partitions(-2)") {
		t.Errorf("ReduceSorted with Partitions(-2): err = %v, want a build error", err)
	}
}
