// Package crunchtest helps users test their pipelines: run one on the
// in-memory runner (Run, or RunFails for a run that must fail with a given
// error), read a materialized collection (Values) and compare
// collections without regard to order, with a readable diff (EqualUnordered,
// or DiffUnordered for the diff alone).
//
// Tests that run a registered job on the local runner must call Main from
// TestMain: the local runner's workers are the test binary re-executed, and
// Main is what makes such a process serve tasks instead of running the tests.
package crunchtest
