package hadoop

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
)

// jobSpec is what every task of a run reads first: how to rebuild the
// driver's pipeline and where the run's files are. The driver writes it to
// <temp>/job.json; task commands name it.
type jobSpec struct {
	Recipe      pcollection.Recipe `json:"recipe"`
	Fingerprint string             `json:"fingerprint"`
	Plan        plan.Options       `json:"plan"`
	// PlanFingerprint is the driver's plan's (plan.StageGraph.Fingerprint).
	PlanFingerprint string `json:"plan_fingerprint"`
	Run             string `json:"run"`
	Temp            string `json:"temp"` // the run's temp dir URL
	// Reducers is the number of reduce tasks of each stage (0: map-only).
	Reducers []int `json:"reducers"`
	// Sides are the files of every side input, by node: tasks of a phase
	// with side inputs read them whole.
	Sides map[plan.NodeID][]string `json:"sides,omitempty"`
	// SourceSides are the splits of every side input that is a source, by
	// node, listed once by the driver: tasks read them from the source,
	// whole (kernel.Outputs.SourceSides).
	SourceSides map[plan.NodeID][]plan.Split `json:"source_sides,omitempty"`
	// Parts is the partition count of each channel of each stage; a
	// channel with fewer than the stage's reducers is steered (see steer.go).
	Parts [][]int `json:"parts"`
}

// taskLine is one line of a stage's manifest: the input of one map task.
// NLineInputFormat with one line per split gives each map task one line.
type taskLine struct {
	Task   int          `json:"task"`             // the map task index, used in part and file names
	Input  int          `json:"input"`            // index into the stage's Inputs
	Node   plan.NodeID  `json:"node"`             // the input's node, checked by the task
	Splits []plan.Split `json:"splits,omitempty"` // source splits, read in order
	File   string       `json:"file,omitempty"`   // an intermediate file written by an earlier stage
}

func readSpec(ctx context.Context, url string) (*jobSpec, error) {
	b, err := storage.ReadFile(ctx, url)
	if err != nil {
		return nil, err
	}
	var s jobSpec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("decoding job spec %s: %w", url, err)
	}
	return &s, nil
}

// Names of the files a task writes under its attempt's work directory. After
// Hadoop commits the stage, they sit under the stage's output directory.

func stageDir(temp string, stage int) string {
	return storage.Join(temp, fmt.Sprintf("stage-%d", stage))
}
func stageOut(temp string, stage int) string { return storage.Join(stageDir(temp, stage), "out") }
func manifestURL(temp string, stage int) string {
	return storage.Join(stageDir(temp, stage), "manifest.txt")
}
func specURL(temp string) string   { return storage.Join(temp, "job.json") }
func errorsDir(temp string) string { return storage.Join(temp, "errors") }

// errorURL names the file holding the error of task attempt attempt of a
// stage (-1: a task that failed before it knew its stage).
func errorURL(temp string, stage int, attempt string) string {
	return storage.Join(errorsDir(temp), fmt.Sprintf("stage-%d-%s.json", stage, attempt))
}

func interDir(n plan.NodeID) string   { return fmt.Sprintf("inter-%d", n) }
func collectDir(n plan.NodeID) string { return fmt.Sprintf("collect-%d", n) }
func sinkDir(n plan.NodeID) string    { return fmt.Sprintf("sink-%d", n) }

// fileName names an intermediate or collected file of one task of phase ph:
// part-m-<task> for map tasks, part-r-<partition>-c<channel> for reducers,
// which run every channel of the stage.
func fileName(ph *plan.Phase, task int) string {
	if ph.Kind == plan.ReducePhase {
		return fmt.Sprintf("part-r-%05d-c%d", task, ph.Channel)
	}
	return fmt.Sprintf("part-m-%05d", task)
}
