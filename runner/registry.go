package runner

import (
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/crunchgo/crunchgo/pcollection"
)

// Job is a named recipe for a pipeline: a function that builds it from
// arguments. Jobs are registered at init, so every process running the same
// binary knows them: a worker rebuilds the driver's pipeline by name.
type Job struct {
	Name     string
	Doc      string
	newArgs  func() any
	build    func(p *pcollection.Pipeline, args any) error
	required []requiredFlag // flags tagged required:"true"
}

// requiredFlag is a flag that must be given, unless it has a default.
type requiredFlag struct {
	name       string
	hasDefault bool
}

// ArgsError reports job arguments that do not parse, a required flag that
// is missing, or arguments the job's build function rejected (InvalidArgs):
// a usage error of the caller, not a failure of the job. The command line
// exits with its usage code for it.
type ArgsError struct {
	Job string // empty until Build names it
	Err error
}

func (e *ArgsError) Error() string {
	if e.Job == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("job %s: %v", e.Job, e.Err)
}

func (e *ArgsError) Unwrap() error { return e.Err }

// InvalidArgs marks err as a mistake in the job's arguments, for a build
// function to return when it validates them: a missing or malformed value,
// flags that conflict, a value out of range.
//
//	if a.Gap <= 0 {
//		return runner.InvalidArgs(fmt.Errorf("--gap %v: must be positive", a.Gap))
//	}
//
// Build returns it as an *ArgsError naming the job. Failures of what the
// arguments point at (no file matches a glob, an unreadable input) are not
// argument errors: return them unmarked.
func InvalidArgs(err error) error { return &ArgsError{Err: err} }

var jobs = struct {
	sync.Mutex
	m map[string]*Job
}{m: map[string]*Job{}}

// Register adds a job. A is the job's arguments struct: each field tagged
// `flag:"name"` becomes a command-line flag (with `help:"..."`,
// `default:"..."` and `required:"true"`: a required flag must be given, and
// not blank); supported field types are string, bool, int, int64,
// float64, time.Duration and []string. Register panics on a duplicate name
// or an unsupported field.
func Register[A any](name, doc string, build func(p *pcollection.Pipeline, args *A) error) *Job {
	j := &Job{
		Name:    name,
		Doc:     doc,
		newArgs: func() any { return new(A) },
		build:   func(p *pcollection.Pipeline, args any) error { return build(p, args.(*A)) },
	}
	if _, err := j.flags(new(A)); err != nil {
		panic(fmt.Sprintf("runner: job %s: %v", name, err))
	}
	t := reflect.TypeFor[A]()
	for i := range t.NumField() {
		if f := t.Field(i); f.Tag.Get("flag") != "" && f.Tag.Get("required") == "true" {
			j.required = append(j.required, requiredFlag{f.Tag.Get("flag"), f.Tag.Get("default") != ""})
		}
	}
	jobs.Lock()
	defer jobs.Unlock()
	if _, dup := jobs.m[name]; dup {
		panic(fmt.Sprintf("runner: job %s registered twice", name))
	}
	jobs.m[name] = j
	return j
}

// Lookup finds a registered job.
func Lookup(name string) (*Job, bool) {
	jobs.Lock()
	defer jobs.Unlock()
	j, ok := jobs.m[name]
	return j, ok
}

// Jobs lists the registered jobs by name.
func Jobs() []*Job {
	jobs.Lock()
	defer jobs.Unlock()
	var out []*Job
	for _, j := range jobs.m {
		out = append(out, j)
	}
	slices.SortFunc(out, func(a, b *Job) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// FlagSet returns the job's flags bound to a fresh arguments value, for help
// output and for callers that parse flags themselves.
func (j *Job) FlagSet() (*pflag.FlagSet, any) {
	args := j.newArgs()
	fs, err := j.flags(args)
	if err != nil {
		panic(err) // checked at Register
	}
	return fs, args
}

// Build parses argv as the job's flags and builds its pipeline, recording
// the recipe (name and argv) on it. Arguments that do not parse, missing
// required flags and arguments the build function rejects with InvalidArgs
// are an *ArgsError.
func (j *Job) Build(argv []string) (*pcollection.Pipeline, error) {
	fs, args := j.FlagSet()
	if err := fs.Parse(argv); err != nil {
		return nil, &ArgsError{Job: j.Name, Err: err}
	}
	if fs.NArg() > 0 {
		return nil, &ArgsError{Job: j.Name, Err: fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	var names []string
	hasDefault := map[string]bool{}
	for _, r := range j.required {
		names = append(names, r.name)
		hasDefault[r.name] = r.hasDefault
	}
	if err := RequiredFlagsGiven(fs, names, hasDefault); err != nil {
		return nil, &ArgsError{Job: j.Name, Err: err}
	}
	p := pcollection.NewPipeline(j.Name)
	p.SetRecipe(pcollection.Recipe{Job: j.Name, Args: slices.Clone(argv)})
	if err := j.callBuild(p, args); err != nil {
		if ae, ok := err.(*ArgsError); ok && ae.Job == "" { // InvalidArgs
			return nil, &ArgsError{Job: j.Name, Err: ae.Err}
		}
		return nil, fmt.Errorf("job %s: %w", j.Name, err)
	}
	return p, nil
}

// blank reports whether a flag's value is only white space: a string, or
// every element of a list ("--input=" gives an empty list).
// RequiredFlagsGiven checks that each flag of fs named in names was given
// (or, if hasDefault says so, has a default) and is not blank: its error
// reads "missing required flag(s) --a, --b", else "required flag(s) --a
// given empty". Jobs' flags and the CLI's commands check theirs with it,
// so that both read alike.
func RequiredFlagsGiven(fs *pflag.FlagSet, names []string, hasDefault map[string]bool) error {
	var missing, empty []string
	for _, name := range names {
		// Whether a flag was given is Changed, not its value: an int's
		// unset value is "0" and a list's "[]", never "".
		switch f := fs.Lookup(name); {
		case !f.Changed && !hasDefault[name]:
			missing = append(missing, "--"+name)
		case blank(f.Value):
			// "--output=" (an unset shell variable, say) would write to
			// the working directory, "--output ' '" to a directory " ".
			empty = append(empty, "--"+name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing required flag(s) %s", strings.Join(missing, ", "))
	}
	if len(empty) > 0 {
		return fmt.Errorf("required flag(s) %s given empty", strings.Join(empty, ", "))
	}
	return nil
}

func blank(v pflag.Value) bool {
	if sv, ok := v.(pflag.SliceValue); ok {
		return !slices.ContainsFunc(sv.GetSlice(), func(s string) bool { return strings.TrimSpace(s) != "" })
	}
	return strings.TrimSpace(v.String()) == ""
}

// callBuild runs the job's build function, returning a panic as an error:
// the plain forms of transforms (Top, Read, ...) panic with a
// *pcollection.BuildError when misused, and a mistake in building a
// pipeline should fail the job with one line, not crash the process with a
// goroutine dump. Other panics keep their stack, after the first line.
func (j *Job) callBuild(p *pcollection.Pipeline, args any) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if e, ok := r.(error); ok {
			if be := (*pcollection.BuildError)(nil); errors.As(e, &be) {
				err = e
				return
			}
		}
		err = fmt.Errorf("building the pipeline panicked: %v\n%s", r, debug.Stack())
	}()
	return j.build(p, args)
}

// BuildPipeline rebuilds a pipeline from its recipe.
func BuildPipeline(r pcollection.Recipe) (*pcollection.Pipeline, error) {
	j, ok := Lookup(r.Job)
	if !ok {
		return nil, fmt.Errorf("unknown job %q", r.Job)
	}
	return j.Build(r.Args)
}

func (j *Job) flags(args any) (*pflag.FlagSet, error) {
	fs := pflag.NewFlagSet(j.Name, pflag.ContinueOnError)
	fs.SortFlags = false
	v := reflect.ValueOf(args).Elem()
	if v.Kind() != reflect.Struct {
		return nil, fmt.Errorf("arguments type %s is not a struct", v.Type())
	}
	for i := range v.NumField() {
		f := v.Type().Field(i)
		name := f.Tag.Get("flag")
		if name == "" {
			continue
		}
		help, def := f.Tag.Get("help"), f.Tag.Get("default")
		if f.Tag.Get("required") == "true" {
			help += " (required)"
		}
		ptr := v.Field(i).Addr().Interface()
		switch p := ptr.(type) {
		case *string:
			fs.StringVar(p, name, def, help)
		case *bool:
			fs.BoolVar(p, name, def == "true", help)
		case *int:
			fs.IntVar(p, name, 0, help)
		case *int64:
			fs.Int64Var(p, name, 0, help)
		case *float64:
			fs.Float64Var(p, name, 0, help)
		case *time.Duration:
			fs.DurationVar(p, name, 0, help)
		case *[]string:
			fs.StringSliceVar(p, name, nil, help)
		default:
			return nil, fmt.Errorf("field %s: unsupported flag type %s", f.Name, f.Type)
		}
		if def != "" {
			if err := fs.Set(name, def); err != nil {
				return nil, fmt.Errorf("field %s: default %q: %w", f.Name, def, err)
			}
			fs.Lookup(name).Changed = false
			fs.Lookup(name).DefValue = def
		}
	}
	return fs, nil
}
