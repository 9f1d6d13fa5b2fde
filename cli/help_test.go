package cli_test

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/crunchgo/crunchgo/cli"
	"github.com/crunchgo/crunchgo/examples/listening"
)

// filledWidth is how far a line of the commands' long help, filled by hand
// to 80 columns, reaches at least when the next line's first word would
// have fit on it: a shorter line reads as a stray line break.
const filledWidth = 64

// helpWidth is the width the long help is filled to, which no line
// passes.
const helpWidth = 80

// TestHelpFilled checks that each paragraph of every command's long help
// is filled to 80 columns, with no stray line break inside.
func TestHelpFilled(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, para := range strings.Split(c.Long, "\n\n") {
			lines := strings.Split(para, "\n")
			for _, line := range lines {
				if n := len([]rune(line)); n > helpWidth {
					t.Errorf("%s --help: %q is %d columns, more than %d", c.CommandPath(), line, n, helpWidth)
				}
			}
			for i := 0; i+1 < len(lines); i++ {
				line, next := lines[i], lines[i+1]
				if strings.HasPrefix(next, " ") || strings.HasPrefix(line, " ") {
					continue // an indented block keeps its lines
				}
				word, _, _ := strings.Cut(next, " ")
				if len([]rune(line))+1+len([]rune(word)) <= filledWidth {
					t.Errorf("%s --help: %q breaks before %q, which fits on it", c.CommandPath(), line, word)
				}
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cli.NewRoot(listening.Commands()...))
}
