package cli_test

import (
	"context"
	"fmt"
	"os"

	"github.com/crunchgo/crunchgo/cli"
)

// Execute runs one command line against a root built by NewRoot, as Main
// does with os.Args, and returns the exit code. Here: the plan of the
// wordcount job (registered by importing examples/wordcount).
func ExampleExecute() {
	code := cli.Execute(context.Background(), cli.NewRoot(), []string{"explain", "wordcount", "--output", "/tmp/wc"}, os.Stdout, os.Stderr)
	if code != cli.ExitOK {
		os.Exit(code)
	}
	// Output:
	// 7 nodes planned into 1 stage(s), 1 shuffle(s), 0 materialized intermediate(s)
	//
	// stage 0
	//   map input: Of#0 [4 in-memory string values]
	//     -> SplitWords#1
	//       -> Count/ones#2
	//         -> shuffle 0 (Count/group#3)
	//   shuffle 0: Count/group#3, groups as ptable.Pair[string,iter.Seq[int64]], map-side combiner Count/sum#4
	//   reduce 0:
	//     Count/sum#4
	//     -> ToRecord#5
	//       -> avroio.Write#6 [/tmp/wc]
	//
	// notes:
	//   - combiner Count/sum#4 lifted into the map side of Count/group#3: it is the only consumer of the grouping
}

// A usage error (here an unknown job) is one line on stderr, a pointer to
// the help, and exit code 2.
func ExampleExecute_usageError() {
	code := cli.Execute(context.Background(), cli.NewRoot(), []string{"run", "no-such-job"}, os.Stdout, os.Stdout)
	fmt.Println("exit", code)
	// Output:
	// crunchgo: unknown job "no-such-job" (crunchgo jobs lists them)
	// Run 'crunchgo run --help' for usage.
	// exit 2
}
