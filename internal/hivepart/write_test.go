package hivepart

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Stockholm", "Stockholm"},
		{"New York", "New York"},
		{"a/b=c%d", "a%2Fb%3Dc%25d"},
		{"10:30:00", "10%3A30%3A00"},
		{"q?*#[]^{'\"\\", "q%3F%2A%23%5B%5D%5E%7B%27%22%5C"},
		{"tab\there\x7f", "tab%09here%7F"},
		{"Malmö", "Malmö"},
	} {
		got := Escape(tc.in)
		if got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if back := unescape(got); back != tc.in {
			t.Errorf("unescape(Escape(%q)) = %q", tc.in, back)
		}
	}
}

// Each type's directory value reads back, through a Setter, as the value
// written.
func TestDirsRoundTrip(t *testing.T) {
	type rec struct {
		S  string
		P  *string
		I  int16
		U  uint64
		F  float64
		B  bool
		T  time.Time
		TS time.Time
		D  days
	}
	rt := reflect.TypeFor[rec]()
	var fields []Field
	var cols []string
	for i := range rt.NumField() {
		f := rt.Field(i)
		fields = append(fields, Field{Column: strings.ToLower(f.Name), Name: f.Name, Type: f.Type, Offset: f.Offset})
		cols = append(cols, strings.ToLower(f.Name))
	}
	d, err := NewDirs(rt, cols, fields, reflect.TypeFor[days]())
	if err != nil {
		t.Fatal(err)
	}
	in := rec{S: "a/b", I: -7, U: 1 << 63, F: 0.1, B: true,
		T:  time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC),
		TS: time.Date(2026, 11, 26, 10, 30, 0, 5, time.FixedZone("CET", 3600)),
		D:  days(20418)}
	dir := string(d.Append(nil, unsafe.Pointer(&in)))
	want := "s=a%2Fb/p=__HIVE_DEFAULT_PARTITION__/i=-7/u=9223372036854775808/f=0.1/b=true/t=2026-11-26/ts=2026-11-26 09%3A30%3A00.000000005/d=2025-11-26"
	if dir != want {
		t.Errorf("dir = %s\nwant  %s", dir, want)
	}
	s, err := NewSetter(dir+"/part-0", rt, fields, func(string) bool { return false }, reflect.TypeFor[days]())
	if err != nil {
		t.Fatal(err)
	}
	var out rec
	s.Set(unsafe.Pointer(&out))
	if !out.TS.Equal(in.TS) || !out.T.Equal(in.T) {
		t.Errorf("times read back %v, %v, want %v, %v", out.T, out.TS, in.T, in.TS)
	}
	out.T, out.TS, in.T, in.TS = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if out != in {
		t.Errorf("read back %+v, want %+v", out, in)
	}
}

func TestNewDirsRefuses(t *testing.T) {
	type rec struct {
		Tags []string
		N    int
	}
	rt := reflect.TypeFor[rec]()
	fields := []Field{{Column: "tags", Name: "Tags", Type: rt.Field(0).Type}, {Column: "n", Name: "N", Type: rt.Field(1).Type, Offset: rt.Field(1).Offset}}
	for cols, want := range map[string]string{"tags": "field Tags ([]string)", "nope": `column "nope"`, "n,n": "named twice"} {
		if _, err := NewDirs(rt, strings.Split(cols, ","), fields); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewDirs(%s): error %v, want one containing %q", cols, err, want)
		}
	}
}
