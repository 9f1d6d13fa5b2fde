package runner

import "github.com/crunchgo/crunchgo/plan"

// PackSplits groups a source's splits into map tasks, so that many small
// splits (a directory of ten thousand small files, each a split) do not
// each cost a task: scheduling it, starting its kernel, and one more sorted
// run for every reducer to merge. Consecutive splits share a task while
// their lengths add up to at most target bytes; a split of target or more,
// or of unknown length (0), is a task of its own. The grouping depends only
// on the splits and target, so a job's tasks, and its outputs, do not
// depend on the worker count.
//
// Runners choose target no larger than the source's size over the task
// count they asked the source for: splits about that size, which sources
// cut for such a count, are then left one to a task.
func PackSplits(splits []plan.Split, target int64) [][]plan.Split {
	var groups [][]plan.Split
	var size int64
	for _, s := range splits {
		alone := s.Length <= 0 || s.Length >= target
		if alone || len(groups) == 0 || size == 0 || size+s.Length > target {
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
