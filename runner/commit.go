package runner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/crunchgo/crunchgo/internal/hivepart"
	"github.com/crunchgo/crunchgo/internal/partprune"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
)

// Committer carries out the output commit protocol of one sink directory,
// in the manner of Hadoop's FileOutputCommitter:
//
//	task attempts write  <dir>/_temporary/<run>/<attempt>/<part>
//	a task commit moves  them to <dir>/_temporary/<run>/committed/<part>
//	the job commit moves them to <dir>/<part>, writes <dir>/_SUCCESS and
//	removes <dir>/_temporary/<run>
//
// An output no task wrote to (an input of no splits runs no map task) gets
// one part file of no records, as Spark writes, so that it reads back as
// empty.
//
// Readers ignore names starting with "_" or ".", so until the job commits a
// reader sees nothing new; an aborted job removes what it wrote (and the
// directory itself if the job created it and nothing else was written
// there since).
//
// Unlike Hadoop's, the job commit of a run's sinks is all or nothing (see
// Sinks.CommitJob): what it replaces or hides is moved aside, not deleted,
// until every sink has its new parts and _SUCCESS, and a failure on the way
// moves everything back. Before it moves anything it journals its renames
// in each output, from which RecoverCommit, or the next commit to find the
// dead process's lock (recoverHolder), finishes or undoes the commit of a
// process that died on the way.
type Committer struct {
	dir string
	ext string // the part files' extension; "" when unknown
	// sink writes the empty part of an output no task wrote to; nil for
	// committers of leftovers.
	sink    plan.SinkPayload
	mode    WriteMode
	run     string
	created bool
	// moves journals what the job commit did, for undo: renames, and files
	// it created (from "").
	moves []move
	// parents are the directories above dir that the run created, deepest
	// first: an aborted run removes them too when nothing else is in them.
	parents []string
	// keep is set when undo failed: the run's temporary directory then holds
	// files of the output as it was, which AbortJob must not delete.
	keep bool
	// locked is set while the committer holds the output's commit lock
	// (commitlock.go).
	locked bool
	// journalled is set once the job commit has journalled its renames
	// in the output (recover.go).
	journalled bool
	// waiting, if set, is told when the commit starts waiting for another
	// run's lock (Sinks.ReportWaits).
	waiting func(msg string)
	// notify, if set, is told when the commit recovers the commit of a
	// dead run holding the output's lock (Sinks.ReportWaits).
	notify func(msg string)
	// tasks holds, by attempt, the part files CommitTask moved into the
	// committed set, so that AbortTask can take them out again.
	tasksMu sync.Mutex
	tasks   map[string][]string
	// sources are the job's file sources, when the commit replaces some
	// partitions of the output (replacesPartitions): a partition it
	// replaces must not hold a file the job read. inputs caches their
	// files' canonical forms.
	sources []*plan.Node
	inputs  [][]string
	// written are the partitions the job commit publishes (planWritten),
	// for Result.Partitions.
	written []PartitionWrite
}

// move is a rename the job commit makes, or a file it creates (From "").
type move struct {
	From string `json:"from,omitempty"`
	To   string `json:"to"`
}

// successName marks a directory whose part files are complete.
const successName = "_SUCCESS"

// NewCommitter prepares dir for a run with the given ID, applying mode:
// WriteFail refuses an existing directory (one holding only runs' _temporary
// files does not count: see planCommitter).
func NewCommitter(ctx context.Context, dir string, mode WriteMode, run string) (*Committer, error) {
	c, err := planCommitter(ctx, dir, mode, run, false)
	if err != nil {
		return nil, err
	}
	if err := c.create(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// planCommitter checks dir, partitioned or not, against mode and notes
// which directories the run will create, creating nothing yet.
func planCommitter(ctx context.Context, dir string, mode WriteMode, run string, partitioned bool) (*Committer, error) {
	fi, err := storage.Stat(ctx, dir)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if exists && !fi.IsDir {
		// Overwrite would replace a directory's contents, append add to
		// them: neither applies to a file.
		return nil, fmt.Errorf("output %s is a file, not a directory: write the output elsewhere", dir)
	}
	if exists && mode == WriteFail {
		entries, err := storage.List(ctx, dir)
		if err != nil || len(entries) == 0 || slices.ContainsFunc(entries, func(f storage.FileInfo) bool { return f.Name != "_temporary" }) {
			hint := "--write-mode overwrite replaces it, append adds to it"
			switch {
			case partitioned && holdsData(entries):
				// Adding partitions beside part files would mix
				// layouts: checkAppend refuses both other modes.
				hint = "it holds part files outside partition directories, so only --write-mode overwrite, which replaces it, can write partitions there"
			case partitioned:
				// Overwrite would delete the partitions the run
				// does not write: a daily job wants the other mode.
				hint = "--write-mode overwrite-partitions replaces the partitions the run writes and keeps the others, append adds to them, overwrite replaces the whole table"
			}
			return nil, fmt.Errorf("output %s already exists (%s): %w", dir, hint, fs.ErrExist)
		}
		// Only runs' temporary files: a run under way (the first of the
		// two to commit wins, as publish checks again), or a killed one's,
		// which its workers may still be removing. Neither is an output.
		exists = false
	}
	c := &Committer{dir: dir, mode: mode, run: run, created: !exists}
	if c.created {
		for d := storage.Dir(dir); d != ""; d = storage.Dir(d) {
			if ok, err := storage.Exists(ctx, d); err != nil || ok {
				break
			}
			c.parents = append(c.parents, d)
		}
	}
	return c, nil
}

// create makes the run's temporary directory in the output, and the
// output and its parents as needed.
func (c *Committer) create(ctx context.Context) error {
	err := storage.MkdirAll(ctx, c.temp())
	if errors.Is(err, fs.ErrNotExist) {
		// Another run's commit removed the shared _temporary, empty then,
		// between MkdirAll finding it and making this run's directory in
		// it (removeTemporary).
		err = storage.MkdirAll(ctx, c.temp())
	}
	return err
}

// Dir is the output directory.
func (c *Committer) Dir() string { return c.dir }

func (c *Committer) temp() string { return storage.Join(c.dir, "_temporary", c.run) }

// TaskFile is where attempt writes the part file name.
func (c *Committer) TaskFile(attempt, name string) string {
	return storage.Join(c.temp(), attempt, name)
}

// CommitTask publishes an attempt's files to the run's committed set. A
// second commit of the same part is an error. If a commit fails part way,
// AbortTask of the attempt takes out the parts it moved, so that a retry
// can commit its parts under the same names.
func (c *Committer) CommitTask(ctx context.Context, attempt string) error {
	files, err := listTree(ctx, storage.Join(c.temp(), attempt))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := storage.Rename(ctx, f.URL, c.committed(f.Name)); err != nil {
			return fmt.Errorf("committing task %s: %w", attempt, err)
		}
		c.tasksMu.Lock()
		if c.tasks == nil {
			c.tasks = map[string][]string{}
		}
		c.tasks[attempt] = append(c.tasks[attempt], f.Name)
		c.tasksMu.Unlock()
	}
	// The attempt's directory is empty now; failing to remove it does not
	// undo the commit, and the run's temporary directory goes at its end.
	_ = storage.RemoveAll(ctx, storage.Join(c.temp(), attempt))
	return nil
}

// AbortTask removes an attempt's files, and the parts it committed, with
// the partition directories only those were in: the attempt failed after
// it committed them (in another sink, say), so a retry will write them
// again.
func (c *Committer) AbortTask(ctx context.Context, attempt string) error {
	c.tasksMu.Lock()
	names := c.tasks[attempt]
	delete(c.tasks, attempt)
	kept := map[string]bool{} // the directories other attempts' parts are in
	for _, other := range c.tasks {
		if len(names) == 0 {
			break // most attempts fail before they commit
		}
		for _, name := range other {
			for d := path.Dir(name); d != "."; d = path.Dir(d) {
				kept[d] = true
			}
		}
	}
	c.tasksMu.Unlock()
	var errs []error
	emptied := map[string]bool{}
	for _, name := range names {
		if err := storage.Remove(ctx, c.committed(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		for d := path.Dir(name); d != "." && !kept[d]; d = path.Dir(d) {
			emptied[d] = true
		}
	}
	// Partition directories only this attempt's parts were in go too: the
	// job commit moves a partition directory the output lacks whole, and
	// an empty one inside it would be published as a partition, though
	// the commit knows and reports the committed set from the names
	// alone. Deepest first; a directory another attempt's commit has just
	// moved a part into is not empty, and stays.
	for _, d := range slices.SortedFunc(maps.Keys(emptied), func(a, b string) int { return cmp.Compare(len(b), len(a)) }) {
		_ = storage.Remove(ctx, c.committed(d))
	}
	if err := storage.RemoveAll(ctx, storage.Join(c.temp(), attempt)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// listTree lists the files under dir, in partition directories too, each
// named by its slash-separated path relative to dir.
func listTree(ctx context.Context, dir string) ([]storage.FileInfo, error) {
	entries, err := storage.List(ctx, dir)
	if err != nil {
		return nil, err
	}
	var files []storage.FileInfo
	for _, f := range entries {
		if !f.IsDir {
			files = append(files, f)
			continue
		}
		sub, err := listTree(ctx, f.URL)
		if err != nil {
			return nil, err
		}
		for _, s := range sub {
			s.Name = f.Name + "/" + s.Name
			files = append(files, s)
		}
	}
	return files, nil
}

// addCommitted gives ls the listings of the run's committed set, from the
// names of the files CommitTask moved there (AbortTask takes out an
// attempt's), which are all it holds: the job commit then lists none of its
// directories, where appending into partitions the output has would
// otherwise list each to move its files in one by one.
func (c *Committer) addCommitted(ls dirListings) {
	c.tasksMu.Lock()
	var names []string
	for _, attempt := range c.tasks {
		names = append(names, attempt...)
	}
	c.tasksMu.Unlock()
	ls.addTree(storage.Join(c.temp(), "committed"), names)
}

func (c *Committer) committed(name string) string {
	return storage.Join(c.temp(), "committed", name)
}

// checkAppend refuses to append parts of one format to a directory of
// another, or of a schema its files' readers cannot read (AppendChecker):
// its readers would then fail on the mix. Replacing some partitions of a
// table keeps the others, so it is checked as appending is.
func (c *Committer) checkAppend(ctx context.Context) error {
	if (c.mode != WriteAppend && !c.replacesPartitions()) || c.created || c.ext == "" {
		return nil
	}
	if keys := c.partitionKeys(); len(keys) > 0 {
		data, err := c.checkPartitions(ctx, c.dir, keys)
		if err != nil {
			return err
		}
		if ac, ok := c.sink.(plan.AppendChecker); ok && data {
			if err := ac.CheckAppend(ctx); err != nil {
				return fmt.Errorf("output %s: %w (write to another directory, or replace all of it with --write-mode overwrite)", c.dir, err)
			}
		}
		return nil
	}
	files, err := storage.List(ctx, c.dir)
	if err != nil {
		return err
	}
	for _, f := range files {
		if storage.Hidden(f.Name) {
			continue
		}
		if f.IsDir {
			// Readers refuse a table of part files beside key=value
			// directories, so appending flat part files would break it.
			if _, _, ok := hivepart.Split(f.Name); ok {
				return fmt.Errorf("output %s is partitioned (it holds %s), so appending unpartitioned %s part files would mix layouts in it (write with the table's partition columns, to another directory, or replace all of it with --write-mode overwrite)", c.dir, f.Name, c.ext)
			}
			continue
		}
		if !strings.HasSuffix(f.Name, c.ext) {
			return fmt.Errorf("output %s holds %s, so appending %s part files would mix formats in it (write to another directory, or replace all of it with --write-mode overwrite)", c.dir, f.Name, c.ext)
		}
	}
	if ac, ok := c.sink.(plan.AppendChecker); ok && holdsData(files) {
		if err := ac.CheckAppend(ctx); err != nil {
			return fmt.Errorf("output %s: %w (write to another directory, or replace all of it with --write-mode overwrite)", c.dir, err)
		}
	}
	return nil
}

// checkPartitions checks that dir, to be appended partitions of keys to,
// holds partition directories of those keys, in that order, and part
// files of the sink's format only in the innermost ones; it reports
// whether it found a part file.
func (c *Committer) checkPartitions(ctx context.Context, dir string, keys []string) (data bool, err error) {
	entries, err := storage.List(ctx, dir)
	if err != nil {
		return false, err
	}
	for _, f := range entries {
		if storage.Hidden(f.Name) {
			continue
		}
		if len(keys) == 0 {
			if f.IsDir || !strings.HasSuffix(f.Name, c.ext) {
				return false, fmt.Errorf("output %s holds %s, so %s %s part files partitioned by %s would mix layouts or formats in it (write to another directory, or replace all of it with --write-mode overwrite)", c.dir, f.URL, c.adding(), c.ext, strings.Join(c.partitionKeys(), ", "))
			}
			data = true
			continue
		}
		key, _, ok := hivepart.Split(f.Name)
		if !f.IsDir || !ok || key != hivepart.Escape(keys[0]) {
			return false, fmt.Errorf("output %s holds %s where %s rows partitioned by %s expects a directory %s=<value> (write to another directory, or replace all of it with --write-mode overwrite)", c.dir, f.URL, c.adding(), strings.Join(c.partitionKeys(), ", "), keys[0])
		}
		sub, err := c.checkPartitions(ctx, f.URL, keys[1:])
		if err != nil {
			return false, err
		}
		data = data || sub
	}
	return data, nil
}

// adding names, for errors, how the run adds to an existing output.
func (c *Committer) adding() string {
	if c.replacesPartitions() {
		return "replacing partitions with"
	}
	return "appending"
}

// replacesPartitions reports whether the commit replaces only the
// partitions the run wrote (WriteOverwritePartitions of a partitioned
// output); of an output that is not partitioned, that mode replaces all.
func (c *Committer) replacesPartitions() bool {
	return c.mode == WriteOverwritePartitions && c.partitioned()
}

// move renames from to to and journals it.
func (c *Committer) move(ctx context.Context, from, to string) error {
	if err := storage.Rename(ctx, from, to); err != nil {
		return err
	}
	c.moves = append(c.moves, move{from, to})
	return nil
}

// planPublish works out the renames that publish makes. First they move
// aside, into the run's temporary directory, what a reader could take for
// a complete output: everything when overwriting, _SUCCESS when appending
// or replacing partitions. Then they move the run's committed parts into
// the directory (planAppend, planReplace say how when the output stays).
// It lists through ls, for planWritten to list no directory again.
func (c *Committer) planPublish(ctx context.Context, ls dirListings) ([]move, error) {
	entries, err := ls.list(ctx, c.dir)
	if err != nil {
		return nil, err
	}
	old := slices.DeleteFunc(entries, func(f storage.FileInfo) bool { return f.Name == "_temporary" })
	if c.mode == WriteFail && len(old) > 0 {
		return nil, fmt.Errorf("output %s was written by another run while this one ran: %w", c.dir, fs.ErrExist)
	}
	switch {
	case c.created && len(old) > 0:
		// Another run created the output after this one found it
		// missing, and committed first: the output is that run's, which
		// an abort must not remove, and this run adds to it, unchecked
		// when it opened the output.
		c.created = false
		if err := c.checkAppend(ctx); err != nil {
			return nil, err
		}
	case !c.created:
		if err := c.recheckLayout(ctx, ls); err != nil {
			return nil, err
		}
	}
	replaceAll := c.mode == WriteOverwrite || (c.mode == WriteOverwritePartitions && !c.partitioned())
	var moves []move
	for _, f := range old {
		if replaceAll || f.Name == successName {
			moves = append(moves, move{f.URL, storage.Join(c.temp(), "replaced", f.Name)})
		}
	}
	files, err := ls.list(ctx, storage.Join(c.temp(), "committed"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if len(files) == 0 && c.sink != nil && !c.partitioned() && !(c.mode == WriteAppend && holdsData(old)) {
		f, err := c.emptyPart(ctx)
		if err != nil {
			return nil, err
		}
		files = []storage.FileInfo{f}
	}
	if c.mode == WriteAppend && len(old) > 0 {
		return c.planAppend(ctx, ls, moves, files, c.dir)
	}
	if c.replacesPartitions() && len(old) > 0 {
		return c.planReplace(ctx, ls, moves, files, c.dir, "", c.partitionKeys())
	}
	// A partition directory moves whole: the directory it goes into
	// exists, so no rename needs a parent made for it, and undoing the
	// rename leaves no directory behind.
	for _, f := range files {
		moves = append(moves, move{f.URL, storage.Join(c.dir, f.Name)})
	}
	return moves, nil
}

// planAppend adds to moves the renames of committed entries files into
// directory dir of an output being appended to: part files under names
// unique to the run, and partition directories whole where dir has none
// of their name, else their entries into the one it has.
func (c *Committer) planAppend(ctx context.Context, ls dirListings, moves []move, files []storage.FileInfo, dir string) ([]move, error) {
	for _, f := range files {
		if !f.IsDir {
			moves = append(moves, move{f.URL, storage.Join(dir, appendName(f.Name, c.run))})
			continue
		}
		to := storage.Join(dir, f.Name)
		there, err := partitionThere(ctx, ls, dir, f.Name)
		if err != nil {
			return nil, err
		}
		if !there {
			moves = append(moves, move{f.URL, to})
			continue
		}
		sub, err := ls.list(ctx, f.URL)
		if err != nil {
			return nil, err
		}
		if moves, err = c.planAppend(ctx, ls, moves, sub, to); err != nil {
			return nil, err
		}
	}
	return moves, nil
}

// partitionThere reports whether directory dir of the output has
// partition directory name, which a committed one of that name then goes
// into rather than moving in whole; a file there is an error. It looks in
// dir's listing: one call for all the partitions the run wrote there.
func partitionThere(ctx context.Context, ls dirListings, dir, name string) (bool, error) {
	fi, found, err := ls.entry(ctx, dir, name)
	if err != nil || !found {
		return false, err
	}
	if !fi.IsDir {
		return false, fmt.Errorf("partition directory %s is a file", storage.Join(dir, name))
	}
	return true, nil
}

// planReplace adds to moves the renames of committed partition
// directories files, of keys, into directory dir (at path rel in the
// output) of an output whose other partitions stay: a directory dir lacks
// moves in whole; one it has is gone into, down to the partitions of
// every key, which replace dir's (moved aside first, each just before its
// replacement, so that a reader misses few partitions at any one time).
// A partition the job read from is not replaced: the commit would delete
// its input.
func (c *Committer) planReplace(ctx context.Context, ls dirListings, moves []move, files []storage.FileInfo, dir, rel string, keys []string) ([]move, error) {
	for _, f := range files {
		to, relTo := storage.Join(dir, f.Name), path.Join(rel, f.Name)
		if !f.IsDir {
			// partwrite puts part files in the partitions of every key.
			return nil, fmt.Errorf("the run wrote %s outside a partition directory of %s", to, strings.Join(c.partitionKeys(), ", "))
		}
		there, err := partitionThere(ctx, ls, dir, f.Name)
		if err != nil {
			return nil, err
		}
		if !there {
			moves = append(moves, move{f.URL, to})
			continue
		}
		if len(keys) > 1 {
			sub, err := ls.list(ctx, f.URL)
			if err != nil {
				return nil, err
			}
			if moves, err = c.planReplace(ctx, ls, moves, sub, to, relTo, keys[1:]); err != nil {
				return nil, err
			}
			continue
		}
		if err := c.checkNotRead(ctx, to); err != nil {
			return nil, err
		}
		moves = append(moves, move{to, storage.Join(c.temp(), "replaced", relTo)}, move{f.URL, to})
	}
	return moves, nil
}

// checkNotRead refuses to replace partition dir if it holds a file the
// job read. The check comes at the commit, when the run's partitions are
// known, not when the sinks open: a job may read some partitions of a
// table and replace others (yesterday's state, today's output).
func (c *Committer) checkNotRead(ctx context.Context, dir string) error {
	if c.inputs == nil {
		c.inputs = [][]string{}
		for _, src := range c.sources {
			// The sources have been read: a pattern that no longer
			// lists was changed by someone else, whose files the
			// run did not read.
			for _, u := range readFiles(ctx, src.Payload.(plan.FileSource)) {
				c.inputs = append(c.inputs, canonical(u))
			}
		}
	}
	forms := canonical(dir)
	for _, in := range c.inputs {
		if within(in, forms) {
			return fmt.Errorf("replacing partition %s would delete %s, which the job read: write the output elsewhere, or read only partitions the run does not write", dir, in[0])
		}
	}
	return nil
}

// readFiles lists the files a source reads: those its pattern matches,
// less those it prunes by their paths (plan.PrunedFileSource). A daily
// job may read yesterday's partition of the table it replaces today's
// of, through a predicate over the whole table.
func readFiles(ctx context.Context, src plan.FileSource) []string {
	if p, ok := src.(plan.PrunedFileSource); ok {
		urls, _ := p.ReadFiles(ctx)
		return urls
	}
	urls, _ := partprune.URLs(ctx, src.Pattern(), nil) // every file
	return urls
}

// partitioned reports whether the output's sink writes partition
// directories (plan.PartitionedSinkPayload).
func (c *Committer) partitioned() bool {
	return len(c.partitionKeys()) > 0
}

func (c *Committer) partitionKeys() []string {
	if ps, ok := c.sink.(plan.PartitionedSinkPayload); ok {
		return ps.PartitionKeys()
	}
	return nil
}

// publish makes the renames planPublish worked out, journalling each for
// undo.
func (c *Committer) publish(ctx context.Context, moves []move) error {
	for _, m := range moves {
		if err := c.move(ctx, m.From, m.To); err != nil {
			return err
		}
	}
	return nil
}

// emptyPart writes a part file of no records into the committed set, for
// an output no task wrote to (an input of no splits runs no map task): the
// output must read back as empty, where a directory of no data files is
// refused as a likely mistake, and Avro and Parquet readers of other tools
// need a file to find its schema (Spark writes one too).
func (c *Committer) emptyPart(ctx context.Context) (storage.FileInfo, error) {
	url := c.committed("part-m-00000" + c.ext)
	w, err := storage.Create(ctx, url)
	if err != nil {
		return storage.FileInfo{}, err
	}
	_, closeFn, err := c.sink.NewWriter(ctx, NewTask(plan.TaskInfo{Role: "map"}), w)
	if err == nil {
		err = closeFn()
	}
	if err != nil {
		_ = w.Abort()
		return storage.FileInfo{}, fmt.Errorf("writing an empty part file: %w", err)
	}
	if err := w.Close(); err != nil {
		return storage.FileInfo{}, err
	}
	return storage.FileInfo{URL: url, Name: "part-m-00000" + c.ext}, nil
}

// holdsData reports whether entries of a directory include a data file (a
// name not starting with _ or .).
func holdsData(entries []storage.FileInfo) bool {
	return slices.ContainsFunc(entries, func(f storage.FileInfo) bool {
		return !f.IsDir && !storage.Hidden(f.Name)
	})
}

// succeed writes _SUCCESS.
func (c *Committer) succeed(ctx context.Context) error {
	success := storage.Join(c.dir, successName)
	if err := storage.WriteFile(ctx, success, nil); err != nil {
		return err
	}
	c.moves = append(c.moves, move{"", success})
	return nil
}

// undo reverses the journalled moves, last first, and removes the files the
// commit created. It goes on past a failure, so that as much as possible is
// put back; if any step failed, the run's temporary directory is kept.
func (c *Committer) undo(ctx context.Context) error {
	var errs []error
	for _, m := range slices.Backward(c.moves) {
		var err error
		if m.From == "" {
			err = storage.Remove(ctx, m.To)
		} else {
			err = storage.Rename(ctx, m.To, m.From)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	c.moves = nil
	if len(errs) > 0 {
		c.keep = true
		return fmt.Errorf("output %s: %w (what it held before this run is under %s)", c.dir, errors.Join(errs...), c.temp())
	}
	return nil
}

// appendName makes a part name unique to the run: part-r-00000.avro becomes
// part-r-00000-<run>.avro.
func appendName(name, run string) string {
	base, ext := name, ""
	if i := strings.IndexByte(name, '.'); i > 0 {
		base, ext = name[:i], name[i:]
	}
	return base + "-" + run + ext
}

func (c *Committer) removeTemp(ctx context.Context) error {
	if err := storage.RemoveAll(ctx, c.temp()); err != nil {
		return err
	}
	return c.removeTemporary(ctx)
}

// removeTemporary removes the output's _temporary directory if no run has
// anything in it, not even a commit lock.
func (c *Committer) removeTemporary(ctx context.Context) error {
	parent := storage.Join(c.dir, "_temporary")
	if rest, err := storage.List(ctx, parent); err == nil && len(rest) == 0 {
		err := storage.Remove(ctx, parent)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // another run's commit removed it first
		}
		if err != nil {
			if rest, lerr := storage.List(ctx, parent); lerr == nil && len(rest) > 0 {
				return nil // another run has started writing there since
			}
		}
		return err
	}
	return nil
}

// AbortJob removes what the run wrote: its temporary files, and the
// directory if the run created it and it holds nothing else (another run may
// have written there since). It keeps the temporary files if a rolled back
// commit could not put everything back. It uses a fresh context so that it
// still works after the run's context was cancelled.
func (c *Committer) AbortJob() error {
	if c.keep {
		return nil
	}
	ctx := context.WithoutCancel(context.Background())
	if err := c.removeTemp(ctx); err != nil {
		return err
	}
	if c.created {
		if rest, err := storage.List(ctx, c.dir); err == nil && len(rest) == 0 {
			return storage.Remove(ctx, c.dir)
		}
	}
	return nil
}

// Sinks are the committers of a run's Sink nodes, by node.
type Sinks map[plan.NodeID]*Committer

// Leftover is what a run's committer of one output needs kept outside the
// process, so that if the process dies another one can clean up after the
// run there (RecoverCommit): its temporary files would otherwise stay in
// the output, an output the run created would stay and fail the next run
// in WriteFail mode, and a commit under way would stay half done.
type Leftover struct {
	Dir     string   `json:"dir"`
	Run     string   `json:"run"`
	Created bool     `json:"created,omitempty"`
	Parents []string `json:"parents,omitempty"`
	// Journalled is set once the job commit has journalled its renames in
	// the output: a journal missing then was removed by the commit's end.
	Journalled bool `json:"journalled,omitempty"`
}

// Leftovers describes the run's outputs for RecoverCommit.
func (s Sinks) Leftovers() []Leftover {
	var ls []Leftover
	for _, id := range slices.Sorted(maps.Keys(s)) {
		ls = append(ls, s[id].leftover())
	}
	return ls
}

func (c *Committer) leftover() Leftover {
	// Another process, in another working directory, may abort the run:
	// relative local paths would name other directories there.
	var parents []string
	for _, p := range c.parents {
		parents = append(parents, absLocal(p))
	}
	return Leftover{Dir: absLocal(c.dir), Run: c.run, Created: c.created, Parents: parents, Journalled: c.journalled}
}

// absLocal makes a local path (bare or file://) absolute; other URLs stay.
func absLocal(u string) string {
	p, local := storage.LocalPath(u)
	if !local {
		return u
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return u
	}
	return abs
}

// plainRun reports whether a run ID is a plain name, as run IDs are: a
// Leftover's run that is not (a path, "..") would put its temporary
// directory somewhere else than in its output.
func plainRun(run string) bool {
	return run != "" && run != "." && run != ".." && !strings.ContainsAny(run, "/\\")
}

// OpenSinks prepares the output directory of every Sink node of g for run,
// applying mode. If one cannot be prepared, those already prepared are
// aborted and the error names the sink.
func OpenSinks(ctx context.Context, g *plan.Graph, mode WriteMode, run string) (Sinks, error) {
	return OpenSinksRecorded(ctx, g, mode, run, nil)
}

// OpenSinksRecorded is OpenSinks calling record, before it creates anything
// in or for each output, with the Leftovers of that output and those
// before it: a process that dies in between has recorded what another one
// must abort (RecoverCommit). An error from record fails the opening.
func OpenSinksRecorded(ctx context.Context, g *plan.Graph, mode WriteMode, run string, record func([]Leftover) error) (Sinks, error) {
	ends := endpointsOf(g)
	if err := checkOutsideInputs(ends); err != nil {
		return nil, err
	}
	if mode == WriteOverwrite || mode == WriteOverwritePartitions {
		// Replacing some partitions is checked at the commit
		// (checkNotRead); an output that is not partitioned is
		// replaced whole.
		whole := ends
		if mode == WriteOverwritePartitions {
			whole = ends.unpartitioned()
		}
		if err := checkOverwrite(ctx, whole); err != nil {
			return nil, err
		}
	}
	s := Sinks{}
	for _, n := range g.Nodes() {
		if n.Op != plan.OpSink {
			continue
		}
		sink := n.Payload.(plan.SinkPayload)
		ps, ok := sink.(plan.PartitionedSinkPayload)
		c, err := planCommitter(ctx, sink.URL(), mode, run, ok && len(ps.PartitionKeys()) > 0)
		if err == nil && record != nil {
			err = record(append(s.Leftovers(), c.leftover()))
		}
		if err == nil {
			// In the sinks before it is created: a create that fails
			// half way is aborted with the others.
			s[n.ID] = c
			c.ext, c.sink = sink.Ext(), sink
			if c.replacesPartitions() {
				c.sources = ends.sources
			}
			if err = c.create(ctx); err == nil {
				err = c.checkAppend(ctx)
			}
		}
		if err != nil {
			s.AbortJob()
			return nil, fmt.Errorf("%s (%s): %w", n.Label(), n.Caller, err)
		}
	}
	return s, nil
}

// endpoints are a graph's sinks, with the canonical forms of their
// directories, and its file sources: what the checks before opening the
// sinks compare.
type endpoints struct {
	sinks    []*plan.Node
	sinkDirs [][]string // by sink: canonical(its URL)
	sources  []*plan.Node
}

func endpointsOf(g *plan.Graph) endpoints {
	var e endpoints
	for _, n := range g.Nodes() {
		switch n.Op {
		case plan.OpSink:
			e.sinks = append(e.sinks, n)
			e.sinkDirs = append(e.sinkDirs, canonical(n.Payload.(plan.SinkPayload).URL()))
		case plan.OpSource:
			if _, ok := n.Payload.(plan.FileSource); ok {
				e.sources = append(e.sources, n)
			}
		}
	}
	return e
}

// unpartitioned is e without its partitioned sinks.
func (e endpoints) unpartitioned() endpoints {
	out := endpoints{sources: e.sources}
	for i, n := range e.sinks {
		if ps, ok := n.Payload.(plan.PartitionedSinkPayload); ok && len(ps.PartitionKeys()) > 0 {
			continue
		}
		out.sinks = append(out.sinks, n)
		out.sinkDirs = append(out.sinkDirs, e.sinkDirs[i])
	}
	return out
}

// checkOverwrite refuses to overwrite a directory that holds files the job
// reads: its commit would delete its own input (Spark refuses the same).
func checkOverwrite(ctx context.Context, e endpoints) error {
	if len(e.sinks) == 0 {
		return nil
	}
	for _, src := range e.sources {
		// A pattern that matches nothing, or cannot be listed, is the
		// source's to report when it runs.
		files, _ := storage.DataFiles(ctx, src.Payload.(plan.FileSource).Pattern())
		for _, f := range files {
			forms := canonical(f.URL) // resolving links is I/O: once a file
			for i, sink := range e.sinks {
				if within(forms, e.sinkDirs[i]) {
					return fmt.Errorf("%s (%s): overwriting %s would delete %s, which %s (%s) reads: write the output elsewhere", sink.Label(), sink.Caller, sink.Payload.(plan.SinkPayload).URL(), f.URL, src.Label(), src.Caller)
				}
			}
		}
	}
	return nil
}

// checkOutsideInputs refuses an output inside a directory that a source
// lists (a directory, or a glob's entries when its wildcards are all in its
// last segment), unless a name starting with "_" or "." leaves it out of
// the listing: creating it would fail this run's listing of its input,
// which refuses subdirectories, and a later run would read the output as
// input.
func checkOutsideInputs(e endpoints) error {
	for _, src := range e.sources {
		pattern := src.Payload.(plan.FileSource).Pattern()
		// A glob whose wildcards are all in its last segment lists the
		// directory before it and reads the matching entries, and the
		// files directly inside those that are directories: an output
		// there is read by the next run as input.
		listed, last, ok := storage.ListedDir(pattern)
		if !ok {
			continue
		}
		inputs := canonical(listed)
		for i, sink := range e.sinks {
			for _, o := range e.sinkDirs[i] {
				for _, in := range inputs {
					rest, inside := strings.CutPrefix(o, strings.TrimSuffix(in, "/")+"/")
					if inside && last != "" {
						first, _, _ := strings.Cut(rest, "/")
						inside = storage.MatchSegment(last, first)
					}
					if inside && rest != "" && !storage.Hidden(rest) {
						return fmt.Errorf("%s (%s): output %s is inside %s, which %s (%s) reads as an input directory: write the output elsewhere (or under a name starting with _, which listings leave out)",
							sink.Label(), sink.Caller, sink.Payload.(plan.SinkPayload).URL(), pattern, src.Label(), src.Caller)
					}
				}
			}
		}
	}
	return nil
}

// canonical gives the forms of a storage URL to compare as strings: of a
// local path (bare or file://), the absolute clean path and the same with
// its symbolic links resolved (an output reached through a link to the
// input's directory is that directory, and an input file that is a link
// to elsewhere is still deleted where it is); of other URLs, the URL with
// a clean path.
func canonical(u string) []string {
	p, local := storage.LocalPath(u)
	if !local {
		return []string{storage.CanonicalURL(u)}
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return []string{filepath.Clean(p)}
	}
	if r := resolveLinks(abs); r != abs {
		return []string{abs, r}
	}
	return []string{abs}
}

// within reports whether some form of a path is some form of a directory
// or below it.
func within(path, dirs []string) bool {
	for _, d := range dirs {
		d = strings.TrimSuffix(d, "/")
		for _, p := range path {
			if p == d || strings.HasPrefix(p, d+"/") {
				return true
			}
		}
	}
	return false
}

// resolveLinks resolves the symbolic links in absolute path p. Of a path
// that does not exist yet (an output to be created), it resolves the
// longest part that does and keeps the rest.
func resolveLinks(p string) string {
	var rest []string
	for {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(append([]string{r}, rest...)...)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(append([]string{p}, rest...)...)
		}
		rest = append([]string{filepath.Base(p)}, rest...)
		p = parent
	}
}

// CommitJob commits every sink, all or nothing, and returns their
// directories in node order. It moves each sink's parts into place (and
// what they replace aside), then writes each _SUCCESS, then removes the
// run's temporary files, with what was replaced. If a step before the last
// fails, every sink is put back as it was and the error says so; if only
// the last fails, the outputs are committed and it returns their
// directories with the error (CommitInto makes that a warning). First it
// takes every output's commit lock, a wait that ends if ctx is cancelled;
// from then on it runs to its end or rolls back whatever happens to ctx: an
// interrupt must not leave outputs half committed.
func (s Sinks) CommitJob(ctx context.Context) ([]string, error) {
	return s.commitJob(ctx, nil)
}

func (s Sinks) commitJob(ctx context.Context, locked func() error) ([]string, error) {
	wait := ctx // until every lock is taken, nothing has moved
	ctx = context.WithoutCancel(ctx)
	ids := slices.Sorted(maps.Keys(s))
	unlock := func() error {
		var errs []error
		for _, id := range ids {
			if err := s[id].unlock(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	fail := func(dir string, err error) ([]string, error) {
		err = fmt.Errorf("committing output %s: %w", dir, err)
		var undo []error
		for _, id := range slices.Backward(ids) {
			if uerr := s[id].undo(ctx); uerr != nil {
				undo = append(undo, uerr)
			}
		}
		if uerr := unlock(); uerr != nil {
			undo = append(undo, uerr)
		}
		if len(undo) > 0 {
			return nil, fmt.Errorf("%w; putting the outputs back as they were failed too: %w", err, errors.Join(undo...))
		}
		return nil, fmt.Errorf("%w (every output was left as it was)", err)
	}
	// Locks are taken in the order of their outputs' names, so that two
	// runs writing the same outputs cannot each wait for the other.
	byDir := slices.SortedFunc(maps.Values(s), func(a, b *Committer) int { return cmp.Compare(a.dir, b.dir) })
	outputs := s.Leftovers()
	for _, c := range byDir {
		if err := c.lock(ctx, wait, outputs); err != nil {
			return fail(c.dir, err)
		}
	}
	// Every output's journal is written before anything moves, so that
	// RecoverCommit can tell, for a run that dies on the way, whether all
	// of them were published.
	allDirs := make([]string, len(ids))
	for i, id := range ids {
		allDirs[i] = s[id].dir
	}
	planned := make([][]move, len(ids))
	for i, id := range ids {
		ls := dirListings{}
		s[id].addCommitted(ls)
		moves, err := s[id].planPublish(ctx, ls)
		if err == nil {
			s[id].written, err = s[id].planWritten(ctx, ls)
		}
		if err == nil {
			err = s[id].writeJournal(ctx, commitJournal{Outputs: allDirs, Moves: moves})
		}
		if err != nil {
			return fail(s[id].dir, err)
		}
		planned[i] = moves
	}
	if locked != nil {
		if err := locked(); err != nil {
			return fail(byDir[0].dir, err)
		}
	}
	for i, id := range ids {
		if err := s[id].publish(ctx, planned[i]); err != nil {
			return fail(s[id].dir, err)
		}
	}
	for _, id := range ids {
		if err := s[id].succeed(ctx); err != nil {
			return fail(s[id].dir, err)
		}
	}
	// Every journal goes before any other temporary file, so that
	// RecoverCommit finds either all of them and all the files they name,
	// or a journal missing, which says the commit was done.
	var dirs []string
	var errs []error
	for _, id := range ids {
		if err := s[id].removeJournal(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	for _, id := range ids {
		c := s[id]
		c.moves = nil
		dirs = append(dirs, c.dir)
		if err := storage.RemoveAll(ctx, c.temp()); err != nil {
			errs = append(errs, err)
		}
	}
	if err := unlock(); err != nil {
		errs = append(errs, err)
	}
	for _, id := range ids {
		if err := s[id].removeTemporary(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return dirs, fmt.Errorf("the outputs were committed, but removing their temporary files failed: %w", errors.Join(errs...))
	}
	return dirs, nil
}

// CommitInto commits every sink (see CommitJob) and sets res.Outputs and,
// for partitioned outputs, res.Partitions.
// Once the outputs are committed the run has succeeded: a failure to
// remove their temporary files is then one of res.Warnings, not an error.
// If locked is not nil, it runs once every commit lock is taken and every
// output's journal written, before anything moves, and its error fails the
// commit: a runner records there that a run killed from then on may leave
// an output half committed, for RecoverCommit.
func (s Sinks) CommitInto(ctx context.Context, res *Result, locked func() error) error {
	dirs, err := s.commitJob(ctx, locked)
	if err != nil && dirs == nil {
		return err
	}
	res.Outputs = dirs
	for _, c := range s {
		if c.partitioned() {
			if res.Partitions == nil {
				res.Partitions = map[string][]PartitionWrite{}
			}
			// Empty, not nil, when the run wrote no rows.
			res.Partitions[c.dir] = append([]PartitionWrite{}, c.written...)
		}
	}
	if err != nil {
		res.Warnings = append(res.Warnings, err.Error())
	}
	return nil
}

// AbortJob aborts every sink (see Committer.AbortJob), ignoring errors: it
// runs after a failure, which is the error to report.
func (s Sinks) AbortJob() {
	var parents []string
	for _, c := range s {
		_ = c.AbortJob()
		if !c.keep {
			parents = append(parents, c.parents...)
		}
	}
	// Deepest first, once all sinks are gone: sinks may share parents.
	slices.SortFunc(parents, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a, b)) })
	ctx := context.Background()
	for _, d := range slices.Compact(parents) {
		if rest, err := storage.List(ctx, d); err == nil && len(rest) == 0 {
			_ = storage.Remove(ctx, d)
		}
	}
}
