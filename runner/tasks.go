package runner

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
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

// PartPath is where, relative to a task's directory of an output, the
// task writes part file name in partition directory dir ("" for none) as
// its seq-th file there (plan.OpenPart): dt=1/part-m-00003-1.parquet for
// seq 1. A seq above 0 keeps the name unique within the task when a
// partition's file was finished early and the partition comes again.
func PartPath(name, dir string, seq int) string {
	if seq > 0 {
		base, ext := name, ""
		if i := strings.IndexByte(name, '.'); i > 0 {
			base, ext = name[:i], name[i:]
		}
		name = fmt.Sprintf("%s-%d%s", base, seq, ext)
	}
	return path.Join(dir, name)
}
