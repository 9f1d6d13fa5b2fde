// Package formattest writes one small file of each format crunchgo reads,
// with the readers' own packages' writers, for tests of what a reader of
// one format says about a file of another. ReadOtherFormats is that test,
// shared by every format package: a format's test hands it its Read and
// the message it gives for each other format.
package formattest
