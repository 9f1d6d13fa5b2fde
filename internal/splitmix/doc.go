// Package splitmix mixes integers into pseudo-random ones: SplitMix64's
// finalizer, for choices that must look random yet repeat exactly when a
// task is retried (which records a sample keeps).
package splitmix
