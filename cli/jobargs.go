package cli

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
)

// jobInvocation is a command line of the form "CMD JOB [flags]" split into
// the command's own flags (already parsed into the command's flag set) and
// the job's argv, which goes to job.Build unchanged.
type jobInvocation struct {
	job     *runner.Job
	jobArgs []string
	help    bool
}

// parseJobArgs splits args between the command's flags (own) and the job's.
// A flag belongs to the command if own defines it, else to the job; job flags
// must follow the job name. Everything after "--" is the job's, which is how
// a job flag named like one of the command's is set; otherwise the command's
// flag wins the clash.
func parseJobArgs(prog string, own *pflag.FlagSet, args []string) (*jobInvocation, error) {
	inv := &jobInvocation{}
	var ownArgs [][]string // a flag of own's and its value, if separate
	var jobFS *pflag.FlagSet
	// The scan goes on past a mistake, and every own flag is parsed on
	// its own, so that the flags given are set whatever fails: run
	// removes the --report files of a run that does not start.
	var mistake error
	named := false // a job name was given, known or not
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			// The rest are the job's flags, even those named like ours.
			inv.jobArgs = append(inv.jobArgs, args[i+1:]...)
			i = len(args)
		case a == "-h" || a == "--help":
			inv.help = true
		case strings.HasPrefix(a, "-") && len(a) > 1:
			name, hasValue := flagName(a)
			var f *pflag.Flag
			if strings.HasPrefix(a, "--") {
				f = own.Lookup(name)
			} else {
				f = own.ShorthandLookup(name[:1])
				if len(name) > 1 {
					hasValue = true // -n5
				}
			}
			if f != nil {
				arg := []string{a}
				if !hasValue && f.NoOptDefVal == "" && i+1 < len(args) {
					i++
					arg = append(arg, args[i])
				}
				ownArgs = append(ownArgs, arg)
				continue
			}
			if !named {
				if lookupHelp(args) {
					inv.help = true
					continue
				}
				mistake = cmp.Or(mistake, Usagef("unknown flag %s (job flags go after the job name)", a))
				continue
			}
			inv.jobArgs = append(inv.jobArgs, a)
			if jobFS == nil {
				continue // the job is unknown
			}
			if jf := jobFlag(jobFS, a, name); jf != nil && !hasValue && jf.NoOptDefVal == "" && i+1 < len(args) {
				i++
				inv.jobArgs = append(inv.jobArgs, args[i])
			}
		case !named:
			named = true
			j, ok := runner.Lookup(a)
			if !ok {
				mistake = cmp.Or(mistake, Usagef("unknown job %q (%s jobs lists them)", a, prog))
				continue
			}
			inv.job = j
			jobFS, _ = j.FlagSet()
		default:
			inv.jobArgs = append(inv.jobArgs, a)
		}
	}
	for _, arg := range ownArgs {
		if err := own.Parse(arg); err != nil {
			mistake = cmp.Or(mistake, error(&UsageError{Err: err}))
		}
	}
	if mistake != nil {
		return nil, mistake
	}
	if inv.job == nil && !inv.help {
		return nil, Usagef("no job given (%s jobs lists them)", prog)
	}
	if inv.job != nil && !inv.help {
		// Parse the job's flags once here so that their mistakes are usage
		// errors; job.Build parses them again.
		fs, _ := inv.job.FlagSet()
		fs.SetOutput(io.Discard)
		if err := fs.Parse(inv.jobArgs); err != nil {
			return nil, &UsageError{Err: fmt.Errorf("job %s: %w", inv.job.Name, err), Job: inv.job.Name}
		}
		if fs.NArg() > 0 {
			return nil, &UsageError{Err: fmt.Errorf("job %s: unexpected arguments %q", inv.job.Name, fs.Args()), Job: inv.job.Name}
		}
	}
	return inv, nil
}

// lookupHelp reports whether args ask for help before any "--".
func lookupHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "-h" || a == "--help" {
			return true
		}
	}
	return false
}

// flagName returns the name of a flag token ("--name=v" → "name", true).
func flagName(a string) (string, bool) {
	name := strings.TrimLeft(a, "-")
	name, _, hasValue := strings.Cut(name, "=")
	return name, hasValue
}

func jobFlag(fs *pflag.FlagSet, a, name string) *pflag.Flag {
	if strings.HasPrefix(a, "--") {
		return fs.Lookup(name)
	}
	return fs.ShorthandLookup(name[:1])
}

// jobHelp writes the help of "CMD JOB": the job's doc and flags, then the
// command's own flags.
func jobHelp(w io.Writer, cmd *cobra.Command, j *runner.Job) {
	if j == nil {
		if cmd.Long != "" {
			fmt.Fprintf(w, "%s\n\n", strings.TrimRight(cmd.Long, "\n"))
		}
		fmt.Fprint(w, cmd.UsageString())
		return
	}
	fmt.Fprintf(w, "%s: %s\n\nUsage:\n  %s %s [job flags] [%s flags]\n", j.Name, j.Doc, cmd.CommandPath(), j.Name, cmd.Name())
	fs, _ := j.FlagSet()
	if fs.HasFlags() {
		fmt.Fprintf(w, "\nJob flags:\n%s", fs.FlagUsages())
	}
	fmt.Fprintf(w, "\n%s flags:\n%s", cmd.Name(), cmd.LocalFlags().FlagUsages())
}

// buildJob builds the invoked job's pipeline; arguments the job rejects
// (a missing required flag, a value that does not parse) are usage errors.
func buildJob(inv *jobInvocation) (*pcollection.Pipeline, error) {
	p, err := inv.job.Build(inv.jobArgs)
	var ae *runner.ArgsError
	if errors.As(err, &ae) {
		return nil, &UsageError{Err: err}
	}
	return p, err
}
