package mem_test

import (
	"context"
	"errors"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
)

// TestFailedRerunLeavesNoStaleValues checks that after a pipeline ran once
// and then failed, Values reports the failure rather than the first run's
// elements.
func TestFailedRerunLeavesNoStaleValues(t *testing.T) {
	fail := false
	p := pcollection.NewPipeline("rerun")
	out := pcollection.Materialize(pcollection.Map(pcollection.Of(p, 1, 2, 3), func(v int) int {
		if fail {
			panic(errors.New("failing this time"))
		}
		return v * 10
	}))
	if _, err := mem.Run(context.Background(), p, runner.Options{}); err != nil {
		t.Fatal(err)
	}
	if vs, err := out.Values(); err != nil || len(vs) != 3 {
		t.Fatalf("first run: %v, %v; want 3 values", vs, err)
	}
	fail = true
	if _, err := mem.Run(context.Background(), p, runner.Options{}); err == nil {
		t.Fatal("second run succeeded, want it to fail")
	}
	if vs, err := out.Values(); err == nil {
		t.Errorf("after the failed run Values gave %v, want an error", vs)
	}
}
