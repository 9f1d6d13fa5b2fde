// Package formattest writes one small file of each format crunchgo reads,
// with the readers' own packages' writers, for tests of what a reader of
// one format says about a file of another.
package formattest
