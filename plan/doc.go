// Package plan holds the untyped graph of a pipeline and the planner that
// turns it into stages.
//
// # The graph
//
// A Graph is a DAG of Nodes with dense integer IDs, added in topological
// order. The op set is closed: Source, ParDo, GroupByKey, CombineValues,
// Flatten, Sink and Materialize. The typed layer (packages pcollection and
// ptable) builds nodes and attaches payloads; the planner looks only at ops
// and edges, and runners call the payloads through the interfaces in
// payload.go. Emitters are typed func(T) values behind `any`, asserted once
// when a task wires its kernel, never per record.
//
// # The planner
//
// Optimize runs FlumeJava's passes, each a small function:
//
//   - Prune: only what reaches a Sink or a Materialize runs. The planner
//     works on a view of the graph without the rest (same node IDs), and
//     its notes name what it left out.
//   - LiftCombiners: a CombineValues that is the only consumer of its
//     GroupByKey also runs map-side.
//   - EstimateSizes and ReduceSide: ParDos fuse into the phase of their
//     producer (producer–consumer fusion), consumers of one collection
//     share one read (sibling fusion), and a Flatten runs inside each of its
//     inputs' phases (flatten sinking).
//   - Fusion blocks: a chain between two dependent shuffles is cut where its
//     estimated output is smallest (Scale factors on nodes override the
//     defaults); a reducer output with several branches is written once and
//     the branches run in the next map phase, when that writes less than
//     the ends of the branches the next stage reads (a branch shuffled
//     later, behind a side input, is written either way).
//   - ShuffleStages and map stages: every GroupByKey gets the stage one past
//     the latest shuffle upstream of it; shuffles with the same number share
//     a stage, with one tagged channel each (MSCR), even when Crunch would
//     need a job per shuffle. A side input computed on the map side of a
//     stage moves its users to a later one, and the numbering runs again.
//   - Map work computed from sources alone (no shuffle, no side input),
//     all of whose consumers are in one later stage, runs in that stage,
//     its sources read again there, unless its estimated size (scaled by
//     the width of its records against its sources', WidthEstimator) is
//     under half theirs: a second read of the sources costs less than a
//     write and a read of its output.
//   - Stage formation: each stage has map phases (one per source or
//     intermediate it reads) and channels with reduce phases; a node whose
//     output crosses to a later stage is materialized once, and so is a
//     computed side input.
//
// # Side inputs that are sources
//
// A side input that is a Source (a stopword list, a country table) is not
// materialized: every task of its users' phases reads it whole from the
// source itself, as Crunch's map-side joins read a readable source's files.
// It is complete before any stage, so it moves no user to a later stage,
// and no map phase reads it on its account (one that is also a normal
// input is still read as one). Phase.Sides lists it, so executors know to
// offer it; they read it through its SourcePayload (Graph.SourceSide).
// The tasks must be able to read the source: on a cluster, such a file
// must be where inputs must be (on HDFS).
//
// Explain and DOT describe the result deterministically, so plans are golden
// files (see testdata/).
package plan
