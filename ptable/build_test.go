package ptable_test

import (
	"errors"
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
