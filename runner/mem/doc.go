// Package mem runs pipelines in the calling process, for tests.
//
// It plans the pipeline and runs every stage like the other runners do —
// map tasks per split, shuffles partitioned and sorted by key bytes, reduce
// tasks per partition — except that shuffles and intermediates live in
// memory. Every record that crosses a shuffle or a stage is still encoded
// and decoded, so a codec problem shows up in tests, not in production.
// Grouping order is deterministic: keys in byte order, values in the order
// the map tasks wrote them. A ParDo function (Map, Filter, ...) that
// changes an element it was given fails the run, naming the transform
// (pcollection's rule; the other runners do not check, and such a change is
// seen by the collection's other consumers): each element of a type a
// function could change (one holding slices or pointers, and no maps or
// recursive types) is encoded before and after the call. The call includes
// the functions fused after it in the task, so a change a combiner makes to
// the values it is given is reported against the ParDo before it. A side
// input that is a source is read from the source by every task that needs
// it, as on the other runners.
//
// With Options.Unoptimized it instead interprets the graph node by node,
// sharing no code with the planner: the reference the conformance suite
// compares the planner against.
package mem
