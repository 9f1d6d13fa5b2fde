package runner

import "github.com/crunchgo/crunchgo/plan"

// PackSplits groups a source's splits into map tasks, so that many small
// splits (a directory of ten thousand small files, each a split) do not
// each cost a task: scheduling it, starting its kernel, and one more sorted
// run for every reducer to merge. tasks is the count the runner asked the
// source for, and most the most a packed task may hold. Consecutive splits
// share a task while their lengths add up to at most the target, the
// smaller of most and the splits' total over tasks; a split of the target
// or more, or of unknown length (0), is a task of its own. Splits about
// that size, which sources cut for such a count, are so left one to a task.
// The grouping depends only on the splits and the two numbers, so a job's
// tasks, and its outputs, do not depend on the worker count.
func PackSplits(splits []plan.Split, tasks int, most int64) [][]plan.Split {
	target := min(most, SplitsLength(splits)/int64(max(tasks, 1)))
	var groups [][]plan.Split
	var size int64 // of the last group, if more may join it; else 0
	for _, s := range splits {
		alone := s.Length <= 0 || s.Length >= target
		if alone || size == 0 || size+s.Length > target {
			groups = append(groups, nil)
			size = 0
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], s)
		if !alone {
			size += s.Length
		}
	}
	return groups
}

// SplitsLength is the total length of splits.
func SplitsLength(splits []plan.Split) int64 {
	var n int64
	for _, s := range splits {
		n += s.Length
	}
	return n
}
