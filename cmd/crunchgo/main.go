// Command crunchgo runs and inspects crunchgo jobs and data files; see
// package cli for the commands. The example jobs are linked in by import.
package main

import (
	"github.com/crunchgo/crunchgo/cli"
	_ "github.com/crunchgo/crunchgo/examples/wordcount"
)

func main() { cli.Main() }
