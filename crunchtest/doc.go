// Package crunchtest helps users test their pipelines: run one in memory
// (Run), read a materialized collection (Values) and compare collections
// without regard to order, with a readable diff (EqualUnordered).
package crunchtest
