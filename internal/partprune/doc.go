// Package partprune judges the files of a Hive-style partitioned table
// (events/dt=2026-11-26/country=SE/part-0.csv) by the partition values of
// their paths, for the WherePartition read options of avroio, csvio and
// jsonio: Kept keeps the files a predicate takes, before any is opened.
//
// The predicate sees a Partition, the values of one path (hivepart.Values)
// and nothing of the file's records. Asking it for a key the path lacks,
// or for a value as a number or time that does not parse as one, is not a
// false: it fails the planning, naming the file, so that a typo in a key
// does not quietly read nothing. So does a table with no key=value
// directories, where every predicate would be such a misuse.
package partprune
