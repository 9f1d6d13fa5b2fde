package pcollection

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/crunchgo/crunchgo/plan"
)

// Pipeline holds the lazy graph of a job. Build it with the transforms of
// this package and ptable, then hand it to a runner. Nothing runs before that.
// A Pipeline is not safe for concurrent building.
type Pipeline struct {
	g      *plan.Graph
	name   string
	recipe *Recipe
}

// Recipe is how a pipeline was made: a registered job and its arguments.
// Runners that use other processes rebuild the pipeline from it there.
type Recipe struct {
	Job  string
	Args []string
}

// SetRecipe records how p was built; the job registry calls it.
func (p *Pipeline) SetRecipe(r Recipe) { p.recipe = &r }

// Recipe returns how p was built, or nil for a pipeline built directly.
func (p *Pipeline) Recipe() *Recipe { return p.recipe }

// NewPipeline returns an empty pipeline. The name shows in plans and reports.
func NewPipeline(name string) *Pipeline {
	return &Pipeline{g: &plan.Graph{}, name: name}
}

// Name returns the pipeline's name.
func (p *Pipeline) Name() string { return p.name }

// Graph returns the untyped graph, for planners and runners.
func (p *Pipeline) Graph() *plan.Graph { return p.g }

// PCollection is a lazy, immutable, distributed collection of T: a typed
// handle over a node of its pipeline's graph. The zero value is invalid.
type PCollection[T any] struct {
	p  *Pipeline
	id plan.NodeID
}

// Pipeline returns the pipeline the collection belongs to.
func (c PCollection[T]) Pipeline() *Pipeline { return c.p }

// ID returns the collection's node in the pipeline's graph.
func (c PCollection[T]) ID() plan.NodeID { return c.id }

// FromNode wraps an existing node of p as a collection of T. It is for
// packages that add node kinds of their own (ptable does); the node's
// element type must be T.
func FromNode[T any](p *Pipeline, id plan.NodeID) PCollection[T] {
	return PCollection[T]{p: p, id: id}
}

// Option adjusts a transform.
type Option func(*options)

type options struct {
	name       string
	scale      float64
	partitions int
}

// Name sets the transform's name as plans and errors show it.
func Name(name string) Option { return func(o *options) { o.name = name } }

// Scale tells the planner how large the transform's output is relative to its
// input (0.1: a tenth). The planner uses it to place fusion blocks. 0 means
// the op's default (1 for a ParDo), not "nothing": use a small fraction.
func Scale(f float64) Option { return func(o *options) { o.scale = f } }

// Partitions sets the number of reduce partitions of a shuffle (GroupByKey
// and the transforms built on it); 0 leaves it to the runner.
func Partitions(n int) Option { return func(o *options) { o.partitions = n } }

// BuildInfo is what a transform records about itself: its name, the caller's
// file:line and the options the user passed.
type BuildInfo struct {
	Name   string
	Caller string
	Scale  float64
	// Partitions is the number of reduce partitions asked for, 0 if none.
	Partitions int
}

// Build resolves options for a transform called defaultName, capturing the
// user's file:line. Packages that define transforms call it first.
func Build(defaultName string, opts []Option) BuildInfo {
	o := options{name: defaultName}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return BuildInfo{Name: o.name, Caller: Caller(), Scale: o.scale, Partitions: o.partitions}
}

// libraryPackages are the packages whose frames Caller skips, so that errors
// point at the user's code rather than at crunchgo's.
var libraryPackages = []string{
	"github.com/crunchgo/crunchgo/pcollection.",
	"github.com/crunchgo/crunchgo/ptable.",
	"github.com/crunchgo/crunchgo/avroio.",
	"github.com/crunchgo/crunchgo/parquetio.",
	"github.com/crunchgo/crunchgo/textio.",
	"github.com/crunchgo/crunchgo/fileio.",
	"github.com/crunchgo/crunchgo/csvio.",
	"github.com/crunchgo/crunchgo/jsonio.",
}

// Caller returns file:line of the first stack frame outside crunchgo's
// transform packages.
func Caller() string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		lib := false
		for _, prefix := range libraryPackages {
			if strings.HasPrefix(f.Function, prefix) && !strings.HasSuffix(f.File, "_test.go") {
				lib = true
				break
			}
		}
		if !lib {
			return fmt.Sprintf("%s:%d", shortFile(f.File), f.Line)
		}
		if !more {
			return "unknown"
		}
	}
}

func shortFile(path string) string {
	// Keep the last two elements: enough to find the file, stable across machines.
	parts := strings.Split(path, "/")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.Join(parts, "/")
}

// BuildError is a misuse of the API found while building a pipeline.
type BuildError struct {
	Transform string
	Caller    string
	Msg       string
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("%s (%s): %s", e.Transform, e.Caller, e.Msg)
}

// Errorf returns a *BuildError for the transform described by b.
func (b BuildInfo) Errorf(format string, args ...any) error {
	return &BuildError{Transform: b.Name, Caller: b.Caller, Msg: fmt.Sprintf(format, args...)}
}

// Must panics with err if it is not nil, and returns v otherwise. The plain
// (non-Try) transforms are written with it.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// SamePipeline returns the pipeline of the inputs (given by their
// Pipeline()), or an error when one is a zero collection or they come from
// different pipelines.
func (b BuildInfo) SamePipeline(ps ...*Pipeline) (*Pipeline, error) {
	var p *Pipeline
	for _, q := range ps {
		if q == nil {
			return nil, b.Errorf("input is a zero collection (not made by a transform)")
		}
		if p != nil && q != p {
			return nil, b.Errorf("inputs belong to different pipelines")
		}
		p = q
	}
	if p == nil {
		return nil, b.Errorf("no inputs")
	}
	return p, nil
}

// AddNode adds a node built by a transform and returns its ID.
func (p *Pipeline) AddNode(b BuildInfo, op plan.Op, typ plan.ElemType, payload any, inputs ...plan.NodeID) plan.NodeID {
	return p.g.Add(newNode(b, op, typ, payload, inputs))
}

func newNode(b BuildInfo, op plan.Op, typ plan.ElemType, payload any, inputs []plan.NodeID) *plan.Node {
	return &plan.Node{Op: op, Name: b.Name, Caller: b.Caller, Inputs: inputs, Type: typ, Payload: payload, Scale: b.Scale}
}
