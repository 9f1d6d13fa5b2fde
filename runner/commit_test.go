package runner_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"testing"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/storage"
)

type dirSink string

func (d dirSink) URL() string { return string(d) }
func (dirSink) Ext() string   { return ".txt" }
func (dirSink) NewWriter(context.Context, plan.TaskContext, io.Writer) (plan.Emitter, func() error, error) {
	return nil, nil, errors.New("not used")
}

// TestOpenSinksAbortsOnFailure checks that a sink that cannot be opened
// leaves no trace of the sinks opened before it.
func TestOpenSinksAbortsOnFailure(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("sinks")
	if err := storage.WriteFile(ctx, "mem://sinks/old/part-r-00000.txt", []byte("x")); err != nil {
		t.Fatal(err)
	}
	g := &plan.Graph{}
	src := g.Add(&plan.Node{Op: plan.OpSource, Name: "Src"})
	g.Add(&plan.Node{Op: plan.OpSink, Name: "New", Inputs: []plan.NodeID{src}, Payload: dirSink("mem://sinks/new")})
	g.Add(&plan.Node{Op: plan.OpSink, Name: "Old", Inputs: []plan.NodeID{src}, Payload: dirSink("mem://sinks/old")})

	_, err := runner.OpenSinks(ctx, g, runner.WriteFail, "run1")
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("OpenSinks error = %v, want fs.ErrExist for the existing output", err)
	}
	if ok, _ := storage.Exists(ctx, "mem://sinks/new"); ok {
		t.Error("mem://sinks/new was left behind by a failed OpenSinks")
	}
	if ok, _ := storage.Exists(ctx, "mem://sinks/old/part-r-00000.txt"); !ok {
		t.Error("the existing output was touched")
	}

	s, err := runner.OpenSinks(ctx, g, runner.WriteOverwrite, "run2")
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := s.CommitJob(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != 2 || dirs[0] != "mem://sinks/new" || dirs[1] != "mem://sinks/old" {
		t.Errorf("committed %v, want the two sinks in node order", dirs)
	}
}
