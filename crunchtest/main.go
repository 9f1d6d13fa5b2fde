package crunchtest

import (
	"os"
	"testing"

	"github.com/crunchgo/crunchgo/runner/local"
)

// Main runs a package's tests. Call it from TestMain in packages whose
// pipelines run on the local runner:
//
//	func TestMain(m *testing.M) { crunchtest.Main(m) }
//
// The local runner's workers are the test binary itself, re-executed: when
// this process was started as a worker, Main serves tasks and exits instead
// of running the tests.
func Main(m *testing.M) {
	local.WorkerMain()
	os.Exit(m.Run())
}
