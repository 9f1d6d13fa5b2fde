package local

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/internal/kernel"
	"github.com/crunchgo/crunchgo/runner/internal/shuffle"
)

// The control protocol: length-prefixed JSON messages over two pipes
// (driver -> worker on the worker's fd 3, worker -> driver on its fd 4).
// The driver sends a hello, the worker answers it, then the driver sends
// tasks one at a time and the worker answers each with a result, sending
// heartbeats before it while the task makes progress. Data never travels
// here: tasks and results name files in the run's private directory.

// hello starts a worker.
type hello struct {
	Recipe      pcollection.Recipe `json:"recipe"`
	Fingerprint string             `json:"fingerprint"`
	Plan        plan.Options       `json:"plan"`
	// PlanFingerprint is the driver's plan's (plan.StageGraph.Fingerprint).
	PlanFingerprint string `json:"plan_fingerprint"`
	Memory          int64  `json:"memory"` // this worker's share of the budget
	// Beat is how often a task that made progress sends a heartbeat.
	Beat time.Duration `json:"beat,omitempty"`
	// RunDir is the run's private directory, which a worker that sees the
	// driver die sweeps (sweepRunDir).
	RunDir string `json:"run_dir,omitempty"`
}

// helloReply answers a hello.
type helloReply struct {
	Err string `json:"err,omitempty"`
	Pid int    `json:"pid"`
}

// taskMsg assigns one task attempt.
type taskMsg struct {
	// Quit, instead, tells the worker that the run needs it no more: it
	// exits. A worker whose input closes without it takes its driver for
	// dead and cleans up after the run.
	Quit    bool          `json:"quit,omitempty"`
	Info    plan.TaskInfo `json:"info"`
	Input   int           `json:"input"`   // map: index into the stage's Inputs
	Channel int           `json:"channel"` // reduce: the channel
	Attempt string        `json:"attempt"` // the attempt ID
	// Splits are a map task's source splits, read in order.
	Splits []plan.Split `json:"splits,omitempty"`
	// Files are a map task's intermediate input files, in order, and
	// FileRecords how many records each holds, as its writer counted them:
	// a file that ends early between two records reads as a shorter one.
	Files       []string `json:"files,omitempty"`
	FileRecords []int64  `json:"file_records,omitempty"`
	// Sides are the files of the phase's side inputs, by node.
	Sides map[plan.NodeID][]string `json:"sides,omitempty"`
	// SideRecords are how many records each side input's files hold, as
	// their writers counted them, so that a task sizes a side input
	// without reading it twice.
	SideRecords map[plan.NodeID]int64 `json:"side_records,omitempty"`
	// SourceSides are the splits of the phase's side inputs that are
	// sources, by node, as the driver listed them once for the run: the
	// task reads them from the source (kernel.Outputs.SourceSides).
	SourceSides map[plan.NodeID][]plan.Split `json:"source_sides,omitempty"`
	// Segments are a reduce task's shuffle input, in map-task then spill order.
	Segments []shuffle.Segment `json:"segments,omitempty"`
	// Parts is the number of partitions of each channel of the stage.
	Parts []int `json:"parts"`
	// Sinks maps Sink node IDs of the phase to the files this attempt writes.
	Sinks map[plan.NodeID]string `json:"sinks,omitempty"`
	// Dir is where the attempt writes runs, intermediates and collections.
	Dir string `json:"dir"`
}

// resultMsg reports a task attempt.
type resultMsg struct {
	// Beat makes the message a heartbeat instead of the result: the task
	// took in or put out records since the last one (internal/progress).
	// Its Stats are the task's counts so far, a heartbeat late at most.
	Beat     bool                   `json:"beat,omitempty"`
	Err      *runner.WireError      `json:"err,omitempty"`
	Stats    kernel.Stats           `json:"stats"`
	Counters runner.Counters        `json:"counters,omitempty"`
	Runs     []shuffle.Run          `json:"runs,omitempty"`
	Inter    map[plan.NodeID]string `json:"inter,omitempty"` // intermediate files by node
	// InterRecords are how many records each of Inter's files holds.
	InterRecords map[plan.NodeID]int64  `json:"inter_records,omitempty"`
	Collect      map[plan.NodeID]string `json:"collect,omitempty"` // materialized records by node
	BytesIn      int64                  `json:"bytes_in"`
	BytesOut     int64                  `json:"bytes_out"`
	PeakRSS      int64                  `json:"peak_rss"` // the worker's peak resident set so far, bytes
	Passes       int                    `json:"passes"`
	Spills       int                    `json:"spills"`
}

// maxMessage bounds a control message.
const maxMessage = 64 << 20

func writeMsg(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(b)))
	if _, err := w.Write(append(hdr[:], b...)); err != nil {
		return err
	}
	return nil
}

func readMsg(r io.Reader, v any) error {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > maxMessage {
		return fmt.Errorf("control message of %d bytes exceeds the limit", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return noEOF(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decoding control message: %w", err)
	}
	return nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
