package avroio

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crunchgo/crunchgo/internal/hivepart"
	"github.com/crunchgo/crunchgo/storage"
)

// Partition pruning: Avro files carry no statistics, so the only thing to
// judge a file by before opening it is its path. The predicate sees the
// path's partition values and nothing else, which keeps it from reading
// record fields that would be zero at planning (a predicate over T could).

// WherePartition makes Read read only the files of a partitioned table
// (events/dt=2026-11-26/country=SE/part-0.avro) for whose partition values
// keep returns true. The others are left out when splits are planned,
// unopened, and counted ("files pruned", by the first split's task: when
// every file is left out, no task runs and nothing counts them). keep
// judges the path alone, never the records, so a file that holds a column
// of a key's name is still judged by its path's value. A key that the path
// lacks, a value Int or Time cannot parse, or a table with no key=value
// directories fails the job at planning, naming the file or pattern.
// NewFileReader and NewDecoder ignore this option.
func WherePartition(keep func(p Partition) bool) ReadOption {
	return func(c *readConfig) { c.wherePartition = keep }
}

// Partition is the partition values of one file's path, as a
// WherePartition predicate sees them. Where a key appears twice in a path,
// the innermost value counts.
type Partition struct {
	path   string
	values []hivepart.Value
	err    *error // the first misuse, reported once keep returns
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

// keptByPartition returns the files of pattern that keep (WherePartition)
// takes, in order.
func keptByPartition(pattern string, files []storage.FileInfo, keep func(Partition) bool) ([]storage.FileInfo, error) {
	var out []storage.FileInfo
	for _, fi := range files {
		p := Partition{path: fi.URL, values: hivepart.Values(fi.URL), err: new(error)}
		if len(p.values) == 0 {
			return nil, fmt.Errorf("avroio: WherePartition on %s: not a partitioned table (no key=value directories in %s)", pattern, fi.URL)
		}
		ok := keep(p)
		if *p.err != nil {
			return nil, fmt.Errorf("avroio: WherePartition on %s: %w", fi.URL, *p.err)
		}
		if ok {
			out = append(out, fi)
		}
	}
	return out, nil
}
