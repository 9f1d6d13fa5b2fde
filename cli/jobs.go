package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/hadoop"
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
	var f runFlags
	cmd := &cobra.Command{
		Use:   "explain JOB [job flags] [--dot]",
		Short: "show how a job's pipeline is planned into stages, without running it",
		Long: `explain builds the job's pipeline from its flags and prints the planner's stage
graph: per stage the fused map and reduce phases, the shuffles, materialized
intermediates and the planner's notes; with --dot, the graph in Graphviz DOT.
It takes run's flags too, so a run command line can be explained as it is:
--runner hadoop plans as the hadoop runner does (a reducer reads no side input
its own stage writes); the others do not change the plan and are ignored.`,
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
			opts, err := explainPlanOptions(f.runner)
			if err != nil {
				return err
			}
			p, err := buildJob(inv)
			if err != nil {
				return err
			}
			sg, err := plan.Optimize(cmd.Context(), p.Graph(), opts)
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
	f.addFlags(cmd.Flags())
	return cmd
}

// explainPlanOptions are the planner's options on the runner called name.
// Of run's flags only the runner changes the plan: how many tasks run and
// how sources split is decided when the job runs.
func explainPlanOptions(name string) (plan.Options, error) {
	switch name {
	case "mem", "local":
		return plan.Options{}, nil
	case "hadoop":
		return hadoop.PlanOptions(plan.Options{}), nil
	}
	return plan.Options{}, Usagef("unknown runner %q (want %s)", name, strings.Join(Runners, ", "))
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
