// Package ptable adds keyed operations to pcollection: Pair[K,V],
// PTable[K,V] (a PCollection of pairs, so every pcollection transform
// applies), GroupByKey and the PGroupedTable it returns, Aggregate and
// CombineValues with combiner lifting, grouped Reduce over iter.Seq values
// (or ParDoGrouped: a DoFn, with counters and per-task state, over groups),
// Join (inner, left, right, full), Join3 (an inner join of three tables in
// one shuffle, giving Triples), map-side joins and Cogroup, and Keys, Values, MapValues,
// Count, Distinct and Top, total-order sorts (SortByKey, Sort) and a
// secondary sort (ReduceSorted, ReduceSortedDescending: each group's values
// in order of a sort value, streamed from the shuffle), set operations (Intersect, Subtract),
// existence joins (SemiJoin, AntiJoin), Cross (every pair of a collection
// and a small one) and Shard, which spreads a collection evenly over n
// partitions (and so n part files).
//
// Keys are shuffled by their order-preserving encoding (package codec), so
// K must be orderable: no maps, funcs, chans, interfaces or complex
// numbers. GroupByKey refuses other key types when the pipeline is built. Keys are equal when
// their encodings are, so NaN equals NaN, -0 equals +0 and pointers compare
// by what they point to; MapSideJoin, MapSideLeftJoin and DistinctCount,
// which hold Go maps instead of shuffling, compare the same way. A key that
// crossed a shuffle is decoded from its encoding, so equal keys come out
// alike: -0 comes out of Sort, Distinct and GroupByKey as +0 (and every
// NaN as one NaN), while MapSideJoin, which does not shuffle, keeps its left
// side's keys as they were.
//
// The values of a group arrive as an iter.Seq that can be iterated once: a
// group may be larger than memory. Joins put the small side on the right.
// Join, LeftJoin, RightJoin and FullJoin sort the right side's records of a
// key before the left side's, hold the right side's values of the key and
// stream the left side's, so only the right side's groups must fit in
// memory. Join3 likewise holds a key's values of its second and third
// tables and streams the first's. Cogroup holds both sides' values of a key, as Spark's cogroup
// does. MapSideJoin and MapSideLeftJoin instead hold all of a small right
// side in every task (a side input) and never shuffle the left side.
// SemiJoin and AntiJoin keep the pairs of the left side whose key the right
// side has (or lacks), holding no values at all. BloomJoin is Join with a
// Bloom filter of the right side's keys (github.com/bits-and-blooms/bloom/v3)
// dropping the left side's unmatched pairs before they are shuffled. ShardedJoin spreads a hot
// key of the left side over several reducers by copying the right side's
// pairs to every shard.
//
// SortByKey and Sort (and their Descending forms) sort by key across part
// files, as Crunch's Sort and Spark's sortByKey do: a sample of the keys is taken first, and the sort's
// shuffle partitions by key range (plan.Partitioner) instead of hash.
//
// Among the aggregators, ApproxDistinctCount (HyperLogLog) and
// ApproxQuantiles (DDSketch) keep a bounded sketch per group instead of its
// values. Both folds the values with two aggregators at once and Over feeds
// an aggregator what a function makes of each value (a field), so several
// aggregates of a group share one Aggregate and one shuffle.
//
// An Aggregator's Add and Merge must be associative and commutative: the
// planner runs them on both sides of the shuffle and the order in which
// partial results meet is not defined.
package ptable
