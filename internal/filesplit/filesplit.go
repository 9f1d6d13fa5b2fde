package filesplit

import (
	"context"

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
