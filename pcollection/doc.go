// Package pcollection is the typed, lazy core of crunchgo: a Pipeline and
// PCollection[T], a handle over a node of the pipeline's graph.
//
// Transforms are top-level generic functions (Map, FlatMap, Filter, ParDo,
// Union, Materialize); nothing runs until a runner runs the pipeline. Each
// transform records the caller's file:line. The plain forms panic on misuse
// (a nil function, a zero collection, collections of different pipelines)
// with a *BuildError naming the transform and the caller; the Try forms
// return that error instead.
//
// User functions are wrapped once, when their node is built, into typed
// kernels: no reflection per element. A DoFn gets a fresh instance per task
// (a shallow copy of the value passed to ParDo), with optional Setup, Finish
// (which may emit) and Teardown. A function that returns an error or panics
// fails the run with a *plan.TransformError naming the transform and what
// its task was on: the record of a file, or the key of a group (the key
// as %v prints it, strings quoted, cut to about 200 bytes).
//
// A function must not modify the elements it is given (as in Beam and
// Crunch): the consumers of a collection fused into one task get the same
// value, so changing a slice's contents or a pointee changes what the
// others see. The same holds for combining functions (CombineValues,
// Aggregate), which are given the values themselves. The in-memory runner,
// for tests, checks each element given to a ParDo, Map or Filter function:
// a run in which that function, or one it feeds in the same task, changed
// it fails (plan.ElemType.CheckUnmodified); copy what a function changes.
// A combining function that changes its first argument, its running
// result, is not caught. Nor may a function change an element after
// emitting it: map-side combiners and collections hold on to what they are
// given.
//
// FlatMapWithSide adds a side input: a collection every task of the
// transform gets whole before its first element (a broadcast). The planner
// computes it and writes it once, before the transform's tasks run, or,
// when it is a source, has every task read it from the source; it must
// fit in a task's memory. A runner may decode it once per process for all
// the tasks that process runs (plan.SideCache), so it is read-only.
//
// Of makes an in-memory source; the io packages (avroio, parquetio, textio)
// build sources and sinks on NewSource and NewSink.
package pcollection
