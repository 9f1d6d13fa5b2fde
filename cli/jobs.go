package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
)

func newJobsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "jobs",
		Short: "list the registered jobs",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			js := runner.Jobs()
			if len(js) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no jobs are registered in this binary")
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			for _, j := range js {
				fmt.Fprintf(tw, "%s\t%s\n", j.Name, j.Doc)
			}
			return tw.Flush()
		},
	}
}

func newExplainCmd() *cobra.Command {
	var dot bool
	cmd := &cobra.Command{
		Use:   "explain JOB [job flags] [--dot]",
		Short: "show how a job's pipeline is planned into stages, without running it",
		Long: `explain builds the job's pipeline from its flags and prints the planner's stage
graph: per stage the fused map and reduce phases, the shuffles, materialized
intermediates and the planner's notes; with --dot, the graph in Graphviz DOT.`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			inv, err := parseJobArgs(cmd.Root().Name(), cmd.Flags(), args)
			if err != nil {
				return err
			}
			if inv.help {
				jobHelp(cmd.OutOrStdout(), cmd, inv.job)
				return nil
			}
			p, err := buildJob(inv)
			if err != nil {
				return err
			}
			sg, err := plan.Optimize(cmd.Context(), p.Graph(), plan.Options{})
			if err != nil {
				return fmt.Errorf("planning job %s: %w", inv.job.Name, err)
			}
			if dot {
				_, err = fmt.Fprint(cmd.OutOrStdout(), sg.DOT())
			} else {
				_, err = fmt.Fprint(cmd.OutOrStdout(), sg.Explain())
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&dot, "dot", false, "print the stage graph in Graphviz DOT")
	return cmd
}

// writesNothing reports whether g has no sink (nor Materialize): the planner
// leaves every transform of it out, so a run does nothing and succeeds, as
// a job that forgot its Write would.
func writesNothing(g *plan.Graph) bool {
	for _, n := range g.Nodes() {
		if n.Op == plan.OpSink || n.Op == plan.OpMaterialize {
			return false
		}
	}
	return true
}
