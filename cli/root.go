package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/hadoop"
	"github.com/crunchgo/crunchgo/runner/local"
	_ "github.com/crunchgo/crunchgo/storage/hdfs" // hdfs:// URLs for jobs and the file tools
)

// Exit codes of the crunchgo command.
const (
	ExitOK     = 0 // success
	ExitFailed = 1 // the job or file operation failed
	ExitUsage  = 2 // the command line is wrong: unknown command, job or flag, bad value
)

// UsageError is an error in the command line. Commands return it (through
// Usagef) for mistakes the user fixes by changing the arguments; Execute maps
// it to ExitUsage.
type UsageError struct {
	Err error
	Job string // the job whose flags are wrong, if any: the help pointer names it
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a *UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// Main runs the crunchgo command line with os.Args and exits with its code.
// extra commands are added to the root (a binary's own tools, such as a data
// generator). A process started by the local runner as a worker, or by
// Hadoop Streaming as a task, serves tasks instead and never reaches the
// command line, so Main must be called first thing in main, after the
// binary's jobs are registered (at init).
func Main(extra ...*cobra.Command) {
	local.WorkerMain()
	hadoop.MaybeTask()
	ctx, stop := signalContext()
	// Unless SIGPIPE is notified, Go kills the process when a write to fd 1
	// or 2 hits a closed pipe ("crunchgo run ... | head -1"), leaving
	// workers, temporary files and output attempts behind; notified, the
	// write fails with EPIPE and the run goes on. Notify, not Ignore: an
	// ignored SIGPIPE would stay ignored in the processes the runners
	// start, a caught one is reset to the default by exec.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	root := NewRoot(extra...)
	rename(root, programName(os.Args[0], root.Use))
	code := Execute(ctx, root, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// programName is the name the command line goes by in usage lines and
// errors: the binary's (a user's own, such as examples/custombinary, is not
// crunchgo), else def.
func programName(arg0, def string) string {
	if name := filepath.Base(arg0); arg0 != "" && name != "." && name != string(filepath.Separator) {
		return name
	}
	return def
}

// rename makes root's command line go by name: its usage lines, and the
// "crunchgo ..." commands its help texts suggest.
func rename(root *cobra.Command, name string) {
	old := root.Name()
	if name == old {
		return
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.Long = strings.ReplaceAll(c.Long, old+" ", name+" ")
		c.Example = strings.ReplaceAll(c.Example, old+" ", name+" ")
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	root.Use = name
}

// signalContext returns a context cancelled by the signals that should
// stop a command cleanly, so that a run kills its workers and removes its
// temporary files before exiting: Ctrl-C, SIGTERM, and SIGHUP (the terminal
// or ssh session closed). A signal this process started with ignored stays
// ignored (nohup ignores SIGHUP, a shell SIGINT for a background job):
// notifying it would undo that.
func signalContext() (context.Context, context.CancelFunc) {
	var sigs []os.Signal
	for _, s := range []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP} {
		if !signal.Ignored(s) {
			sigs = append(sigs, s)
		}
	}
	if len(sigs) == 0 {
		return context.WithCancel(context.Background()) // no signals: Notify would relay them all
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, sigs...)
	go cancelOnSignal(ch, cancel, os.Stderr, os.Exit)
	return ctx, func() { signal.Stop(ch); cancel(nil) }
}

// cancelOnSignal cancels with the first signal from ch, and exits at once
// with the second: what the first should have stopped (a call that takes
// no context, a server that never answers) must not hold the terminal.
func cancelOnSignal(ch <-chan os.Signal, cancel context.CancelCauseFunc, stderr io.Writer, exit func(int)) {
	s := <-ch
	cancel(fmt.Errorf("%v signal received", s))
	s = <-ch
	fmt.Fprintf(stderr, "%v signal received again: exiting without cleaning up\n", s)
	exit(ExitFailed)
}

// Execute runs root with args, writing to stdout and stderr, and returns the
// exit code. An error is printed on stderr as one line, "crunchgo: <what
// failed>", followed by details (the rest of a multi-line error, and for a
// usage error a pointer to the help).
func Execute(ctx context.Context, root *cobra.Command, args []string, stdout, stderr io.Writer) int {
	out := &closedPipe{w: stdout}
	root.SetArgs(args)
	root.SetOut(out)
	root.SetErr(stderr)
	root.SetIn(strings.NewReader(""))
	st := &execState{}
	instrument(root, st)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, errOutputClosed) || out.closed {
		return ExitFailed
	}
	var ue *UsageError
	usage := errors.As(err, &ue) || !st.started
	name := root.Name()
	first, rest, _ := strings.Cut(err.Error(), "\n")
	fmt.Fprintf(stderr, "%s: %s\n", name, first)
	if rest != "" {
		fmt.Fprintln(stderr, rest)
	}
	if usage {
		path := name
		if cmd != nil {
			path = cmd.CommandPath()
		}
		if ae := (*runner.ArgsError)(nil); errors.As(err, &ae) && ae.Job != "" {
			path += " " + ae.Job // whose flags the help then lists
		} else if ue != nil && ue.Job != "" {
			path += " " + ue.Job
		}
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", path)
		return ExitUsage
	}
	return ExitFailed
}

// execState records whether a command's Run started: errors before it (flag
// parsing, argument checks, unknown commands) are usage errors.
type execState struct{ started bool }

// instrument wraps every command's Run so that Execute knows whether an error
// came from cobra's argument handling or from the command itself, and makes
// a command group name an unknown subcommand as such (isGroup).
func instrument(c *cobra.Command, st *execState) {
	group := isGroup(c)
	if group {
		c.Args = noArgs // names a first argument as an unknown subcommand
	}
	if !c.DisableFlagParsing {
		pre := c.PreRunE
		c.PreRunE = func(cmd *cobra.Command, args []string) error {
			if err := checkRequiredFlags(cmd); err != nil {
				return err
			}
			if pre != nil {
				return pre(cmd, args)
			}
			return nil
		}
	}
	switch {
	case c.RunE != nil:
		run := c.RunE
		c.RunE = func(cmd *cobra.Command, args []string) error {
			st.started = true
			return run(cmd, args)
		}
	case c.Run != nil:
		run := c.Run
		c.Run = nil
		c.RunE = func(cmd *cobra.Command, args []string) error {
			st.started = true
			run(cmd, args)
			return nil
		}
	}
	c.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		// cobra parses a group's flags before it checks its arguments, so
		// "crunchgo gen nosuch --out x" fails on --out, a flag of the
		// generators; the mistake is the unknown "nosuch" that precedes it.
		if args := cmd.Flags().Args(); group && len(args) > 0 {
			return unknownCommand(cmd, args[0])
		}
		return &UsageError{Err: err}
	})
	for _, sub := range c.Commands() {
		instrument(sub, st)
	}
}

// checkRequiredFlags is cobra's check of the flags marked required
// (MarkFlagRequired), run first so that its errors read as those of a job's
// required flags do (runner.RequiredFlagsGiven): "missing required flag(s)
// --out", and "required flag(s) --out given empty" for "--out=" (an unset
// shell variable).
func checkRequiredFlags(cmd *cobra.Command) error {
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if req := f.Annotations[cobra.BashCompOneRequiredFlag]; len(req) > 0 && req[0] == "true" {
			names = append(names, f.Name)
		}
	})
	if err := runner.RequiredFlagsGiven(cmd.Flags(), names, nil); err != nil {
		return &UsageError{Err: err}
	}
	return nil
}

// NewRoot returns the root command with every crunchgo command and extra
// added. Each call builds a fresh tree, so tests can run commands
// concurrently.
func NewRoot(extra ...*cobra.Command) *cobra.Command {
	root := &cobra.Command{
		Use:   "crunchgo",
		Short: "run and inspect crunchgo batch jobs and their data files",
		Long: `crunchgo runs the batch jobs registered in this binary (crunchgo jobs lists
them) on the in-memory, local multi-process or Hadoop runner, explains their
plans, and inspects Avro, Parquet, CSV, JSON-lines and text files on any
storage URL.`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.AddGroup(&cobra.Group{ID: "jobs", Title: "Jobs:"}, &cobra.Group{ID: "files", Title: "Files:"})
	for _, c := range []*cobra.Command{newJobsCmd(), newRunCmd(), newExplainCmd()} {
		c.GroupID = "jobs"
		root.AddCommand(c)
	}
	for _, c := range fileCommands() {
		c.GroupID = "files"
		root.AddCommand(c)
	}
	root.AddCommand(newWorkerCmd(), newHadoopTaskCmd())
	root.AddCommand(extra...)
	return root
}

// isGroup reports whether c is a command group below the root, such as
// "crunchgo gen": it has subcommands and takes no arguments of its own, so
// a first argument that is not one of its subcommands is a mistyped one.
// (The root names unknown commands already, before parsing flags.)
func isGroup(c *cobra.Command) bool {
	return c.HasParent() && c.HasAvailableSubCommands() &&
		c.ValidateArgs(nil) == nil && c.ValidateArgs([]string{"x"}) != nil
}

// unknownCommand is the usage error for name, not a subcommand of cmd,
// listing the ones it has.
func unknownCommand(cmd *cobra.Command, name string) error {
	var known []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			known = append(known, c.Name())
		}
	}
	return Usagef("unknown command %q for %q; known commands: %s", name, cmd.CommandPath(), strings.Join(known, ", "))
}

// noArgs rejects positional arguments, naming an unknown command as such.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if cmd.HasSubCommands() {
			return unknownCommand(cmd, args[0])
		}
		return Usagef("%s takes no arguments, got %q", cmd.Name(), args)
	}
	return nil
}

// newWorkerCmd is the hidden command the local runner re-executes this binary
// with. Main serves workers before cobra runs (they are marked by the
// environment), so this command only answers a worker argument given by hand.
func newWorkerCmd() *cobra.Command {
	return &cobra.Command{
		Use:                local.WorkerArg,
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !local.IsWorker() {
				return Usagef("%s is started by the local runner, not by hand", local.WorkerArg)
			}
			if code := local.ServeWorker(); code != 0 {
				return fmt.Errorf("worker exited with code %d", code)
			}
			return nil
		},
	}
}

// newHadoopTaskCmd is the hidden command Hadoop Streaming runs tasks with.
// Main runs them before cobra (hadoop.MaybeTask); this command serves a
// root built by NewRoot.
func newHadoopTaskCmd() *cobra.Command {
	return &cobra.Command{
		Use:                hadoop.TaskCommand,
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if code := hadoop.TaskMain(args); code != 0 {
				return fmt.Errorf("hadoop task exited with code %d", code)
			}
			return nil
		},
	}
}

// closedPipe notes when stdout turns out to be a pipe whose reader has
// exited ("crunchgo jobs | head -1"): a command failing on that has done
// what the reader wanted, and exits 1 without a message, as cat does.
type closedPipe struct {
	w      io.Writer
	closed bool
}

func (c *closedPipe) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if errors.Is(err, syscall.EPIPE) {
		c.closed = true
	}
	return n, err
}
