package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/runner"
)

// A backfill's summary names the first summaryPartitions partitions and
// counts the rest by what became of them.
func TestWritePartitionsCutsLongLists(t *testing.T) {
	var parts []runner.PartitionWrite
	for d := 1; d <= 25; d++ {
		action := runner.PartitionNew
		if d%2 == 0 {
			action = runner.PartitionReplaced
		}
		parts = append(parts, runner.PartitionWrite{Path: fmt.Sprintf("dt=2026-11-%02d", d), Action: action})
	}
	var b strings.Builder
	writePartitions(&b, parts)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != summaryPartitions+1 {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), summaryPartitions+1, b.String())
	}
	if got, want := lines[0], "    dt=2026-11-01  new"; got != want {
		t.Errorf("first line: got %q, want %q", got, want)
	}
	if got, want := lines[summaryPartitions], "    and 5 more: 2 replaced, 3 new"; got != want {
		t.Errorf("last line: got %q, want %q", got, want)
	}
}

// A partitioned output of no rows says so rather than listing nothing.
func TestWritePartitionsNone(t *testing.T) {
	var b strings.Builder
	writePartitions(&b, []runner.PartitionWrite{})
	if got, want := b.String(), "    no partitions written: the run wrote no rows\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
