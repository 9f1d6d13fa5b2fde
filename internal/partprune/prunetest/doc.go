// Package prunetest is the shared test of the WherePartition read option
// of the formats that prune by partition (avroio, csvio, jsonio). A
// format's test hands Run its Read, WherePartition and a writer of its
// files; Run builds a Hive-style partitioned table on mem:// storage and
// checks, case by case, which files are read, which rows come back, how
// many files are counted as pruned, that files left out are not opened,
// and that predicates which cannot be judged fail the planning naming the
// file. What is particular to one format (CSV headers, JSON lines, Avro's
// generic records) stays in that format's own tests.
package prunetest
