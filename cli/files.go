package cli

import "github.com/spf13/cobra"

// fileCommands returns the file tools.
func fileCommands() []*cobra.Command { return nil }
