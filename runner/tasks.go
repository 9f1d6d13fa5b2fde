package runner

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/crunchgo/crunchgo/plan"
)

// NewRunID returns a fresh ID for a run: a timestamp and random bits, so
// concurrent runs never share temporary names.
func NewRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// AttemptID names a task attempt, as in Hadoop: attempt_<stage>_<m|r>_<task>_<attempt>.
func AttemptID(info plan.TaskInfo) string {
	return fmt.Sprintf("attempt_%d_%s_%06d_%d", info.Stage, info.Role[:1], info.Task, info.Attempt)
}

// PartName is the file a task writes for a sink: part-m-00003.avro for map
// task 3, part-r-00001.avro for reduce partition 1. A sink written by more
// than one phase gets the phase in its part names too, so names never clash.
func PartName(sg *plan.StageGraph, ph *plan.Phase, sink plan.NodeID, task int, ext string) string {
	role := "m"
	if ph.Kind == plan.ReducePhase {
		role = "r"
	}
	if sg.SinkWriters[sink] > 1 {
		if ph.Kind == plan.ReducePhase {
			return fmt.Sprintf("part-%s-s%dc%d-%05d%s", role, ph.Stage, ph.Channel, task, ext)
		}
		return fmt.Sprintf("part-%s-s%d-%05d%s", role, ph.Stage, task, ext)
	}
	return fmt.Sprintf("part-%s-%05d%s", role, task, ext)
}
