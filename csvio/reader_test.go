package csvio_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/csvio"
	"github.com/crunchgo/crunchgo/textio"
)

func eachRecord(t *testing.T, text string, opts ...csvio.Option) ([]string, error) {
	t.Helper()
	r := strings.NewReader(text)
	lines, err := textio.NewLineReader("a.csv", r, r.Size(), 0, r.Size())
	if err != nil {
		t.Fatal(err)
	}
	defer lines.Close()
	var got []string
	err = csvio.EachRecord(context.Background(), "a.csv", lines, func(rec []string, header bool) error {
		s := strings.Join(rec, "|")
		if header {
			s = "header " + s
		}
		got = append(got, s)
		return nil
	}, opts...)
	return got, err
}

func TestEachRecord(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		opts       []csvio.Option
		want       []string
		wantErr    string
	}{
		{name: "header and records; a quoted newline; blank lines skipped",
			text: "a,b\n1,\"x\ny\"\n\n3,4\n", want: []string{"header a|b", "1|x\ny", "3|4"}},
		{name: "another delimiter, no header", text: "1;2\n3;4;5\n", opts: []csvio.Option{csvio.Delimiter(';'), csvio.NoHeader()},
			want: []string{"1|2", "3|4|5"}},
		{name: "a record wider than the header fails as a pipeline's read does",
			text: "a,b\n1,2\n1,2,3\n", want: []string{"header a|b", "1|2"},
			wantErr: "csvio: a.csv: line 3 (offset 8): 3 columns, want 2 (the header's): wrong columns"},
		{name: "a bad quote", text: "a,b\n1,x\"y\n", want: []string{"header a|b"},
			wantErr: `csvio: a.csv: line 2 (offset 4): bare " in non-quoted-field (line 2, byte 4)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := eachRecord(t, tc.text, tc.opts...)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("records = %q, want %q", got, tc.want)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
				t.Errorf("error %v, want %s", err, tc.wantErr)
			}
			var ce *csvio.Error
			if tc.wantErr != "" && !errors.As(err, &ce) {
				t.Errorf("error %T is not a *csvio.Error", err)
			}
		})
	}
}
