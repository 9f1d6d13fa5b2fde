// Command crunchgo runs and inspects crunchgo jobs and data files; see
// package cli for the commands. The example jobs (wordcount, daily-plays,
// sessions, play-stats) and the example data tools (gen, demo) are linked
// in here.
package main

import (
	"github.com/crunchgo/crunchgo/cli"
	"github.com/crunchgo/crunchgo/examples/listening"
	_ "github.com/crunchgo/crunchgo/examples/wordcount"
)

func main() { cli.Main(listening.Commands()...) }
