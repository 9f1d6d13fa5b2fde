package filesplit

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/storage"
)

// Size is the total size of the data files matching pattern, or -1 when
// they cannot be listed: the EstimateSize of a file source.
func Size(ctx context.Context, pattern string) int64 {
	files, err := storage.DataFiles(ctx, pattern)
	if err != nil {
		return -1
	}
	return Total(files)
}

// Total adds up the files' sizes.
func Total(files []storage.FileInfo) int64 {
	var n int64
	for _, f := range files {
		n += f.Size
	}
	return n
}

// RangeSize is the byte range length that cuts files into about hint
// splits overall: fixed if positive, else total/hint but at least minSize.
func RangeSize(files []storage.FileInfo, hint int, fixed, minSize int64) int64 {
	if fixed > 0 {
		return fixed
	}
	return max(Total(files)/int64(max(hint, 1)), minSize)
}

// ByteRanges cuts every file into about equal ranges of at most size bytes
// that tile it exactly; files for which whole returns true (gzip, say) and
// files no larger than size are one split each, and empty files none. The
// splits are numbered in order. Formats decide which records a range owns
// (a line, a block, a row group starting inside it).
func ByteRanges(files []storage.FileInfo, size int64, whole func(storage.FileInfo) bool) []plan.Split {
	var out []plan.Split
	for _, f := range files {
		switch {
		case f.Size == 0:
		case f.Size <= size || (whole != nil && whole(f)):
			out = append(out, plan.Split{Path: f.URL, Offset: 0, Length: f.Size})
		default:
			n := (f.Size + size - 1) / size
			for i := range n {
				lo, hi := f.Size*i/n, f.Size*(i+1)/n
				out = append(out, plan.Split{Path: f.URL, Offset: lo, Length: hi - lo})
			}
		}
	}
	Number(out)
	return out
}

// Number sets every split's Index and Count.
func Number(splits []plan.Split) {
	for i := range splits {
		splits[i].Index, splits[i].Count = i, len(splits)
	}
}

// Parallelism is how many files EachFile works on at once. Planning a
// source opens each of its files in the driver (a Parquet footer, a text
// file's first bytes); on HDFS an open is a namenode call and a datanode
// connection, a few milliseconds that add up to minutes over thousands of
// files taken one after another.
const Parallelism = 16

// EachFile calls fn for every file, up to Parallelism at a time, and
// returns the error of the first file, in files' order, for which fn
// failed: the one a loop would have stopped at. After a failure no further
// file is started.
func EachFile(files []storage.FileInfo, fn func(i int, f storage.FileInfo) error) error {
	errs := make([]error, len(files))
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(Parallelism, len(files)) {
		wg.Go(func() {
			// Files are taken in order and each taken one is finished, so
			// every file before a failing one is tried.
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				if errs[i] = fn(i, files[i]); errs[i] != nil {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
