// Package shuffle holds the disk side of the local runner's shuffle: map
// tasks sort their records into runs, spilling when the sort buffer is full,
// and reduce tasks k-way merge the runs of their partition and group
// adjacent equal keys.
//
// Records are framed as uvarint(len(key)) key uvarint(len(value)) value.
// Keys are the order-preserving key encodings of the codec package, so
// bytes.Compare is the key order. Within one key, values keep insertion
// order: a Sorter breaks ties by the order records were added, and a merge
// breaks ties by the order of its segments. A caller that lists segments in
// map-task order and runs in spill order therefore gets, for every key, the
// values in map-task order and then emission order, whatever the buffer
// size or the number of spills: this is what makes outputs byte-identical
// across memory budgets.
//
// A run file holds one sorted segment per partition slot, one after the
// other; Run.Offsets says where each begins. Memory is bounded: a Sorter
// holds at most its buffer size of framed records and their sort index (24
// bytes a record, kept per slot, plus 24 a record of the fullest slot for
// the radix sort, which sorts one slot at a time); a finished sorter's
// buffers are kept for the process's next sorter until a merge starts. A
// merge reads at most MergeConfig.FanIn segments at once, each through a
// buffer of at most MergeConfig.BufSize bytes (less when MergeConfig.Memory,
// which the open segments share, is smaller), merging in several passes
// through temporary runs, each removed once merged into the next, when
// there are more segments than that. A segment that ends before its length
// (a truncated run file) fails the merge. Values of a group are streamed,
// never buffered, so a group larger than memory works.
package shuffle
