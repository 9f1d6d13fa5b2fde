// Package multiset compares collections as multisets, for test helpers
// (crunchtest and the runner conformance suite): elements are compared by
// their value encoding, and the difference is described line by line.
package multiset
