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
		target  int64
		want    string
	}{
		// Small splits share tasks up to the target, in order.
		{[]int64{3, 3, 3, 3, 3}, 10, "[[3 3 3] [3 3]]"},
		{[]int64{5, 5, 5, 5}, 10, "[[5 5] [5 5]]"},
		// Splits of the target or more, and of unknown length, stand alone
		// and are not joined by the next.
		{[]int64{2, 10, 2, 2, 0, 2}, 10, "[[2] [10] [2 2] [0] [2]]"},
		{[]int64{12, 1}, 10, "[[12] [1]]"},
		// Splits of about the target, as a source cuts them for the task
		// count asked, stay one to a task.
		{[]int64{9, 9, 9}, 9, "[[9] [9] [9]]"},
		{[]int64{8, 9, 8}, 9, "[[8] [9] [8]]"},
		{nil, 10, "[]"},
	} {
		var splits []plan.Split
		for i, l := range c.lengths {
			splits = append(splits, plan.Split{Path: fmt.Sprint("f", i), Length: l})
		}
		groups := runner.PackSplits(splits, c.target)
		if got := lengths(groups); got != c.want {
			t.Errorf("PackSplits(%v, %d) = %s, want %s", c.lengths, c.target, got, c.want)
		}
		if flat := slices.Concat(groups...); !slices.Equal(flat, splits) {
			t.Errorf("PackSplits(%v, %d) regrouped %v, want every split once, in order", c.lengths, c.target, flat)
		}
	}
}
