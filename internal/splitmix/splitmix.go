package splitmix

// Mix64 is SplitMix64's output function applied to x: consecutive inputs
// give unrelated, uniformly spread outputs.
func Mix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
	x = (x ^ x>>27) * 0x94D049BB133111EB
	return x ^ x>>31
}

// TaskSeed is a seed distinct for every task of a run: from the stage and
// the task's number within it, and the user's seed.
func TaskSeed(stage, task int, seed uint64) uint64 {
	return Mix64(seed) ^ uint64(stage)<<48 ^ uint64(task)<<32
}
