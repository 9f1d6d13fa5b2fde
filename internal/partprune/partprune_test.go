package partprune

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/storage"
)

func files(urls ...string) []storage.FileInfo {
	var out []storage.FileInfo
	for _, u := range urls {
		out = append(out, storage.FileInfo{URL: u})
	}
	return out
}

// A key given twice in a path counts by its innermost value, values are
// unescaped and parsed, and the files kept stay in order.
func TestKept(t *testing.T) {
	in := files(
		"/w/env=prod/t/env=test/h=10/t=2026-11-26%2010%3A30%3A00/a.csv",
		"/w/env=test/t/env=prod/h=9/t=2026-11-26/b.csv",
		"/w/env=prod/t/env=prod/h=__HIVE_DEFAULT_PARTITION__/t=2026-11-27/c.csv",
		"/w/env=prod/t/env=prod/h=23/t=2026-11-27T01:00:00Z/d.csv",
	)
	var seen []string
	kept, err := Kept("/w", in, func(p Partition) bool {
		h := "null"
		if !p.Null("h") {
			h = fmt.Sprint(p.Int("h"))
		}
		seen = append(seen, fmt.Sprintf("%s %s %s", p.Value("env"), h, p.Time("t").Format(time.RFC3339)))
		return p.Value("env") == "prod" && (p.Null("h") || p.Int("h") >= 9)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"test 10 2026-11-26T10:30:00Z",
		"prod 9 2026-11-26T00:00:00Z",
		"prod null 2026-11-27T00:00:00Z",
		"prod 23 2026-11-27T01:00:00Z",
	}
	if got := strings.Join(seen, "; "); got != strings.Join(want, "; ") {
		t.Errorf("the predicate saw %s, want %s", got, strings.Join(want, "; "))
	}
	var got []string
	for _, f := range kept {
		got = append(got, f.URL[len(f.URL)-5:])
	}
	if fmt.Sprint(got) != "[b.csv c.csv d.csv]" {
		t.Errorf("kept %v, want [b.csv c.csv d.csv]", got)
	}
}

// Only the first misuse is reported, once the predicate returns, naming
// the file; a file with no partitions fails whatever the predicate does.
func TestKeptErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		url   string
		where func(Partition) bool
		want  string
	}{
		{"two misuses", "/t/h=x/a.csv", func(p Partition) bool { return p.Value("dt") == "" && p.Int("h") > 0 },
			`WherePartition on /t/h=x/a.csv: no partition key "dt" in the path (its keys: h)`},
		{"a null as a time", "/t/h=__HIVE_DEFAULT_PARTITION__/a.csv", func(p Partition) bool { return p.Time("h").IsZero() },
			"WherePartition on /t/h=__HIVE_DEFAULT_PARTITION__/a.csv: partition h=__HIVE_DEFAULT_PARTITION__ is null: check Null first"},
		{"no partitions", "/t/a.csv", func(Partition) bool { return true },
			"WherePartition on /t: not a partitioned table (no key=value directories in /t/a.csv)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Kept("/t", files(tc.url), tc.where)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		})
	}
}
