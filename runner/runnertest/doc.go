// Package runnertest is the conformance suite every runner passes: pipelines
// covering every transform, empty inputs, one huge group, skewed and unicode
// keys, negative and float keys, nested structs, counters, multi-stage plans
// and user errors, each with expected results computed independently.
//
// Cases are registered jobs ("runnertest/<name>"), so runners that start
// worker processes can rebuild them there. Call Run from a runner's tests.
package runnertest
