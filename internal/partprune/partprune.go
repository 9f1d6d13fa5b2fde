package partprune

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crunchgo/crunchgo/internal/filesplit"
	"github.com/crunchgo/crunchgo/internal/hivepart"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
)

// Partition is the partition values of one file's path, as a
// WherePartition predicate sees them. Where a key appears twice in a path,
// the innermost value counts.
type Partition struct {
	values []hivepart.Value
	err    *error // the first misuse, reported once the predicate returns
}

// Value returns the value of key, with %XX escapes undone; "" if it is
// null (__HIVE_DEFAULT_PARTITION__; see Null).
func (p Partition) Value(key string) string {
	v, _ := p.lookup(key)
	return v.Value
}

// Null reports whether key's value is null (__HIVE_DEFAULT_PARTITION__,
// as Hive and Spark write a null partition value).
func (p Partition) Null(key string) bool {
	v, _ := p.lookup(key)
	return v.Null
}

// Int returns the value of key as a base-10 integer. A null or a value that
// is not one fails the planning (check Null first where nulls occur).
func (p Partition) Int(key string) int64 {
	v, ok := p.lookup(key)
	if !ok || p.fail(v) {
		return 0
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		p.setErr(fmt.Errorf("partition %s=%s is not an integer: %w", v.Key, v.Value, err))
	}
	return n
}

// Time returns the value of key as a time, read as a partition field of
// type time.Time is: a date (2026-11-26, midnight UTC), a timestamp
// (2026-11-26 10:30:00, UTC) or RFC 3339. A null or a value that is none of
// these fails the planning (check Null first where nulls occur).
func (p Partition) Time(key string) time.Time {
	v, ok := p.lookup(key)
	if !ok || p.fail(v) {
		return time.Time{}
	}
	t, err := hivepart.ParseTime(v.Value)
	if err != nil {
		p.setErr(fmt.Errorf("partition %s=%s: %w", v.Key, v.Value, err))
	}
	return t
}

// lookup returns key's value; a key the path lacks is a misuse.
func (p Partition) lookup(key string) (hivepart.Value, bool) {
	for _, v := range slices.Backward(p.values) {
		if v.Key == key {
			return v, true
		}
	}
	keys := make([]string, len(p.values))
	for i, v := range p.values {
		keys[i] = v.Key
	}
	p.setErr(fmt.Errorf("no partition key %q in the path (its keys: %s)", key, strings.Join(keys, ", ")))
	return hivepart.Value{}, false
}

// fail records a null asked for as a number or time, and reports it.
func (p Partition) fail(v hivepart.Value) bool {
	if v.Null {
		p.setErr(fmt.Errorf("partition %s=%s is null: check Null first", v.Key, hivepart.DefaultPartition))
	}
	return v.Null
}

func (p Partition) setErr(err error) {
	if *p.err == nil {
		*p.err = err
	}
}

// Kept returns the files of pattern that keep takes, in order. The error,
// for the caller to prefix with its package, names the file keep could not
// judge, or pattern and a file if the table has no partitions.
func Kept(pattern string, files []storage.FileInfo, keep func(Partition) bool) ([]storage.FileInfo, error) {
	var out []storage.FileInfo
	for _, fi := range files {
		p := Partition{values: hivepart.Values(fi.URL), err: new(error)}
		if len(p.values) == 0 {
			return nil, fmt.Errorf("WherePartition on %s: not a partitioned table (no key=value directories in %s)", pattern, fi.URL)
		}
		ok := keep(p)
		if *p.err != nil {
			return nil, fmt.Errorf("WherePartition on %s: %w", fi.URL, *p.err)
		}
		if ok {
			out = append(out, fi)
		}
	}
	return out, nil
}

// Files lists the data files of pattern and returns those keep takes
// (all, if keep is nil) and how many it left out. The error is unprefixed,
// as Kept's.
func Files(ctx context.Context, pattern string, keep func(Partition) bool) (kept []storage.FileInfo, pruned int, err error) {
	all, err := storage.DataFiles(ctx, pattern)
	if err != nil || keep == nil {
		return all, 0, err
	}
	if kept, err = Kept(pattern, all, keep); err != nil {
		return nil, 0, err
	}
	return kept, len(all) - len(kept), nil
}

// URLs is the URLs of the files Files keeps (plan.PrunedFileSource).
func URLs(ctx context.Context, pattern string, keep func(Partition) bool) ([]string, error) {
	files, _, err := Files(ctx, pattern, keep)
	urls := make([]string, len(files))
	for i, f := range files {
		urls[i] = f.URL
	}
	return urls, err
}

// CountPruned puts the number of files pruned on the first of splits
// (plan.Split.Pruned), for its task to count. When every file was pruned
// there are no splits, and no task runs to count them, as in parquetio.
func CountPruned(splits []plan.Split, pruned int) {
	if pruned > 0 && len(splits) > 0 {
		splits[0].Pruned = pruned
	}
}

// Size is the total size of the data files of pattern that keep takes
// (all, if keep is nil), or -1 if they cannot be listed: the EstimateSize
// of a source that prunes. If keep cannot judge a file it is the size of
// them all, leaving the error to the source's Splits.
func Size(ctx context.Context, pattern string, keep func(Partition) bool) int64 {
	if keep == nil {
		return filesplit.Size(ctx, pattern)
	}
	files, err := storage.DataFiles(ctx, pattern)
	if err != nil {
		return -1
	}
	kept, err := Kept(pattern, files, keep)
	if err != nil {
		return filesplit.Total(files)
	}
	return filesplit.Total(kept)
}
