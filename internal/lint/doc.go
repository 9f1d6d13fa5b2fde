// Package lint holds tests that enforce the house rules over the whole
// module: a doc.go in every package, and no reflection in the packages that
// run per record.
package lint
