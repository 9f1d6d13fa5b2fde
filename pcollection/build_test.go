package pcollection_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
)

// thisFile is how callers in this file appear in build errors.
const thisFile = "pcollection/build_test.go:"

func TestBuildErrors(t *testing.T) {
	p := pcollection.NewPipeline("a")
	q := pcollection.NewPipeline("b")
	x := pcollection.Of(p, 1, 2)
	y := pcollection.Of(q, 3)
	var zero pcollection.PCollection[int]
	var nilDoFn *nilFn
	tests := []struct {
		name      string
		try       func() error
		transform string
		msg       string
	}{
		{"nil map", func() error { _, err := pcollection.TryMap[int, int](x, nil); return err }, "Map", "nil function"},
		{"nil filter", func() error { _, err := pcollection.TryFilter(x, nil); return err }, "Filter", "nil function"},
		{"nil flatmap", func() error { _, err := pcollection.TryFlatMap[int, int](x, nil); return err }, "FlatMap", "nil function"},
		{"nil dofn", func() error { _, err := pcollection.TryParDo[int, int](x, nilDoFn); return err }, "ParDo", "nil DoFn"},
		{"zero collection", func() error {
			_, err := pcollection.TryMap(zero, func(v int) int { return v })
			return err
		}, "Map", "zero collection"},
		{"other pipeline", func() error {
			_, err := pcollection.TryUnion([]pcollection.PCollection[int]{x, y})
			return err
		}, "Union", "different pipelines"},
		{"named", func() error {
			_, err := pcollection.TryMap[int, int](x, nil, pcollection.Name("Square"))
			return err
		}, "Square", "nil function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.try()
			var be *pcollection.BuildError
			if !errors.As(err, &be) {
				t.Fatalf("error = %v, want a *BuildError", err)
			}
			if be.Transform != tt.transform {
				t.Errorf("transform = %q, want %q", be.Transform, tt.transform)
			}
			if !strings.HasPrefix(be.Caller, thisFile) {
				t.Errorf("caller = %q, want this file (%s...)", be.Caller, thisFile)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
		})
	}
}

func TestPlainFormPanics(t *testing.T) {
	p := pcollection.NewPipeline("a")
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok || !strings.Contains(err.Error(), thisFile) || !strings.Contains(err.Error(), "Map") {
			t.Errorf("panic value = %v, want a build error naming Map and this file", r)
		}
	}()
	pcollection.Map[int, int](pcollection.Of(p, 1), nil)
}

type nilFn struct{}

func (*nilFn) Process(v int, emit func(int)) error { return nil }
