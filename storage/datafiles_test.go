package storage_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/storage"
)

func TestDataFiles(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("datafiles")
	for _, name := range []string{"out/part-m-00000.avro", "out/part-m-00001.avro", "out/_SUCCESS",
		"out/.part-m-00002.avro.tmp", "out/_temporary/x/part-m-00003.avro", "logs/a.txt", "logs/b.txt"} {
		if err := storage.WriteFile(ctx, "mem://datafiles/"+name, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		pattern string
		want    []string
	}{
		{"mem://datafiles/out", []string{"part-m-00000.avro", "part-m-00001.avro"}},
		{"mem://datafiles/out/part-*", []string{"part-m-00000.avro", "part-m-00001.avro"}},
		{"mem://datafiles/{out,logs}", []string{"a.txt", "b.txt", "part-m-00000.avro", "part-m-00001.avro"}},
		{"mem://datafiles/logs/b.txt", []string{"b.txt"}},
	}
	for _, tt := range tests {
		got, err := storage.DataFiles(ctx, tt.pattern)
		if err != nil {
			t.Errorf("DataFiles(%q): %v", tt.pattern, err)
			continue
		}
		var names []string
		for _, f := range got {
			names = append(names, f.Name)
		}
		if len(names) != len(tt.want) {
			t.Errorf("DataFiles(%q) = %v, want %v", tt.pattern, names, tt.want)
			continue
		}
		for i := range names {
			if names[i] != tt.want[i] {
				t.Errorf("DataFiles(%q) = %v, want %v", tt.pattern, names, tt.want)
				break
			}
		}
	}
	for _, missing := range []string{"mem://datafiles/nope", "mem://datafiles/out/*.parquet"} {
		if _, err := storage.DataFiles(ctx, missing); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("DataFiles(%q) error = %v, want fs.ErrNotExist", missing, err)
		}
	}
}

// TestDataFilesSaysWhyNone checks that a pattern without data files says
// whether it found nothing or found a directory without data files in it.
func TestDataFilesSaysWhyNone(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("nodata")
	if err := storage.WriteFile(ctx, "mem://nodata/day/sub/part-0.avro", []byte("x")); err != nil {
		t.Fatal(err)
	}
	for pattern, want := range map[string]string{
		"mem://nodata/day":     "the directory holds no data files",
		"mem://nodata/missing": "no data files match",
		"mem://nodata/d*":      "the directory holds no data files",
	} {
		_, err := storage.DataFiles(ctx, pattern)
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", pattern, err, want)
		}
	}
}
