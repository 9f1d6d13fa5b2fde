package runner_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
)

func lengths(groups [][]plan.Split) string {
	var out []string
	for _, g := range groups {
		var ls []int64
		for _, s := range g {
			ls = append(ls, s.Length)
		}
		out = append(out, fmt.Sprint(ls))
	}
	return fmt.Sprint(out)
}

func TestPackSplits(t *testing.T) {
	for _, c := range []struct {
		lengths []int64
		tasks   int
		most    int64
		want    string
	}{
		// Small splits share tasks up to the most a task may hold, in order.
		{[]int64{3, 3, 3, 3, 3}, 1, 10, "[[3 3 3] [3 3]]"},
		{[]int64{5, 5, 5, 5}, 1, 10, "[[5 5] [5 5]]"},
		// Splits of the target or more, and of unknown length, stand alone
		// and are not joined by the next.
		{[]int64{2, 10, 2, 2, 0, 2}, 1, 10, "[[2] [10] [2 2] [0] [2]]"},
		{[]int64{12, 1}, 1, 10, "[[12] [1]]"},
		// No fewer tasks than asked for: the total over the task count
		// bounds a task too.
		{[]int64{1, 1, 1, 1, 1, 1, 1, 1}, 4, 100, "[[1 1] [1 1] [1 1] [1 1]]"},
		// Splits of about the total over the task count, as a source cuts
		// them for that count, stay one to a task.
		{[]int64{9, 9, 9}, 3, 100, "[[9] [9] [9]]"},
		{[]int64{8, 9, 8}, 3, 100, "[[8] [9] [8]]"},
		{nil, 4, 10, "[]"},
	} {
		var splits []plan.Split
		for i, l := range c.lengths {
			splits = append(splits, plan.Split{Path: fmt.Sprint("f", i), Length: l})
		}
		groups := runner.PackSplits(splits, c.tasks, c.most)
		if got := lengths(groups); got != c.want {
			t.Errorf("PackSplits(%v, %d, %d) = %s, want %s", c.lengths, c.tasks, c.most, got, c.want)
		}
		if flat := slices.Concat(groups...); !slices.Equal(flat, splits) {
			t.Errorf("PackSplits(%v, %d, %d) regrouped %v, want every split once, in order", c.lengths, c.tasks, c.most, flat)
		}
	}
}
