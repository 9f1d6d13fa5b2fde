// Package kernel wires the nodes of one phase of a stage graph into a fused,
// typed kernel for one task. It is the task protocol that every executor
// shares: mem, local and hadoop run map and reduce tasks through it and
// differ only in how records reach it and where its outputs go.
//
// A kernel is built per task by Build: starting at the phase's entry (a
// source, an intermediate, or a channel's GroupByKey or lifted combiner) it
// binds every node the phase instantiates, backwards from their consumers,
// into typed emitters. A side input that is a source it reads itself, whole,
// from the splits the executor lists (Outputs.SourceSides); others come
// from the executor. Records then flow by direct function calls. Errors
// of user code travel as plan.Abort panics and come out of ReadSource,
// Record, Group and Finish as errors; ReadSource names the record a user
// function failed on, Group the group's key (plan.KeyDescriber, rendered
// only then). Finish runs DoFn finishers in node
// order (so a Finish may emit downstream), then flushes map-side combiners,
// then closes sink writers.
package kernel
