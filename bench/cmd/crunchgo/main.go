// Command crunchgo is the crunchgo CLI with the listening-log jobs and
// commands, built inside the bench module so that the harness runs exactly
// the code of this checkout (the same main as cmd/crunchgo).
package main

import (
	"github.com/crunchgo/crunchgo/cli"
	"github.com/crunchgo/crunchgo/examples/listening"
)

func main() { cli.Main(listening.Commands()...) }
