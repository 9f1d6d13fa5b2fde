package storage_test

import (
	"cmp"
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/crunchgo/crunchgo/storage"
)

func TestJoin(t *testing.T) {
	tests := []struct {
		base string
		elem []string
		want string
	}{
		{"hdfs://nn:8020/out", []string{"part-0"}, "hdfs://nn:8020/out/part-0"},
		{"hdfs:///out/", []string{"a", "b"}, "hdfs:///out/a/b"},
		{"mem://h", []string{"x"}, "mem://h/x"},
		{"mem://h/a", []string{"../b"}, "mem://h/b"},
		{"mem://h/a", nil, "mem://h/a"},
		{"/tmp/out", []string{"a", "b"}, filepath.Join("/tmp/out", "a", "b")},
		{"out", []string{"a"}, filepath.Join("out", "a")},
		{"file:///tmp", []string{"a"}, "file:///tmp/a"},
	}
	for _, tc := range tests {
		if got := storage.Join(tc.base, tc.elem...); got != tc.want {
			t.Errorf("Join(%q, %q): got %q, want %q", tc.base, tc.elem, got, tc.want)
		}
	}
}

func TestDir(t *testing.T) {
	for url, want := range map[string]string{
		"hdfs://nn:8020/out/day": "hdfs://nn:8020/out",
		"hdfs:///out/day/":       "hdfs:///out",
		"mem://h/a":              "",
		"mem://h":                "",
		"file:///tmp/a/b":        "file:///tmp/a",
		"/tmp/out":               "/tmp",
		"/tmp":                   "",
		"out/day":                "out",
		"out":                    "",
	} {
		if got := storage.Dir(url); got != want {
			t.Errorf("Dir(%q) = %q, want %q", url, got, want)
		}
	}
}

func TestResolveUnknownScheme(t *testing.T) {
	_, _, err := storage.Resolve(context.Background(), "nosuch://h/x")
	if err == nil || !strings.Contains(err.Error(), "nosuch://h/x") {
		t.Errorf("Resolve(nosuch://...): got %v, want an error naming the URL", err)
	}
	if _, err := storage.Open(context.Background(), "file://remote/x"); err == nil {
		t.Errorf("Open(file://remote/x): got nil error")
	}
}

func TestErrorsNameURL(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("errs")
	_, err := storage.Open(ctx, "mem://errs/dir/missing")
	var pe *storage.PathError
	if !errors.As(err, &pe) || pe.URL != "mem://errs/dir/missing" || pe.Op != "open" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing): got %#v, want a *PathError{open, mem://errs/dir/missing, ErrNotExist}", err)
	}
	if got, want := err.Error(), "open mem://errs/dir/missing: file does not exist"; got != want {
		t.Errorf("message: got %q, want %q", got, want)
	}
	local := filepath.Join(t.TempDir(), "missing")
	_, err = storage.Open(ctx, local)
	if !errors.As(err, &pe) || pe.URL != local || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(local missing): got %#v, want a *PathError naming %s", err, local)
	}
}

func TestRenameAcrossFileSystems(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("a")
	storage.ResetMem("b")
	if err := storage.WriteFile(ctx, "mem://a/f", []byte("x")); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"mem://b/f", filepath.Join(t.TempDir(), "f")} {
		if err := storage.Rename(ctx, "mem://a/f", to); err == nil || !strings.Contains(err.Error(), "same file system") {
			t.Errorf("Rename(mem://a/f, %s): got %v, want a not-same-file-system error", to, err)
		}
	}
	// A bare path and a file:// URL are the same FS.
	dir := t.TempDir()
	if err := storage.WriteFile(ctx, filepath.Join(dir, "f"), nil); err != nil {
		t.Fatal(err)
	}
	if err := storage.Rename(ctx, filepath.Join(dir, "f"), "file://"+filepath.Join(dir, "g")); err != nil {
		t.Errorf("Rename(path, file://...): %v", err)
	}
}

func TestRelativeLocalPaths(t *testing.T) {
	ctx := context.Background()
	t.Chdir(t.TempDir())
	if err := storage.WriteFile(ctx, "data/in/a.txt", []byte("a")); err != nil {
		t.Fatal(err)
	}
	got, err := storage.Glob(ctx, "data/*/*.txt")
	if err != nil || len(got) != 1 || got[0].URL != filepath.Join("data", "in", "a.txt") {
		t.Fatalf("Glob(data/*/*.txt): got %+v, %v, want data/in/a.txt", got, err)
	}
	if b, err := os.ReadFile(got[0].URL); err != nil || string(b) != "a" {
		t.Errorf("os.ReadFile(%s): got %q, %v", got[0].URL, b, err)
	}
	if got, err := storage.Glob(ctx, "*"); err != nil || len(got) != 1 || got[0].URL != "data" {
		t.Errorf("Glob(*): got %+v, %v, want [data]", got, err)
	}
}

// fakeFS is a memory FS reached through a test scheme.
type fakeFS struct{ storage.FS }

func TestRegisterCachesPerHost(t *testing.T) {
	ctx := context.Background()
	var opened atomic.Int32
	var hosts []string
	storage.Register("cachetest", func(ctx context.Context, u *url.URL) (storage.FS, error) {
		opened.Add(1)
		hosts = append(hosts, u.Host)
		if u.Host == "bad" {
			return nil, errors.New("cannot connect")
		}
		fsys, _, err := storage.Resolve(ctx, "mem://cachetest-"+u.Host+"/")
		return fakeFS{fsys}, err
	})
	for _, u := range []string{"cachetest://h1/a", "cachetest://h1/b", "cachetest:///c", "cachetest://h2/d", "cachetest:///e"} {
		if _, err := storage.Exists(ctx, u); err != nil {
			t.Fatalf("Exists(%s): %v", u, err)
		}
	}
	if got, want := hosts, []string{"h1", "", "h2"}; !slices.Equal(got, want) {
		t.Errorf("opened hosts: got %q, want %q", got, want)
	}
	// Failures are not cached.
	for range 2 {
		if _, err := storage.Stat(ctx, "cachetest://bad/x"); err == nil || !strings.Contains(err.Error(), "cannot connect") {
			t.Errorf("Stat(cachetest://bad/x): got %v, want the opener's error", err)
		}
	}
	if got := opened.Load(); got != 5 {
		t.Errorf("opener calls: got %d, want 5", got)
	}
	// Registering again drops the cache.
	storage.Register("cachetest", func(ctx context.Context, u *url.URL) (storage.FS, error) {
		return nil, errors.New("replaced")
	})
	if _, err := storage.Stat(ctx, "cachetest://h1/a"); err == nil || !strings.Contains(err.Error(), "replaced") {
		t.Errorf("after re-Register: got %v, want the new opener's error", err)
	}
}

// TestRegisterAuthority checks that URLs whose authorities have one
// canonical form share one FS, rename between each other and compare
// equal, and that others do not.
func TestRegisterAuthority(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("authtest-nn")
	var hosts []string
	storage.Register("authtest", func(ctx context.Context, u *url.URL) (storage.FS, error) {
		hosts = append(hosts, u.Host)
		fsys, _, err := storage.Resolve(ctx, "mem://authtest-"+u.Host+"/")
		return fakeFS{fsys}, err
	})
	storage.RegisterAuthority("authtest", func(host string) string {
		return strings.TrimSuffix(cmp.Or(host, "nn:99"), ":99") // a default, and a default port
	})
	if err := storage.WriteFile(ctx, "authtest:///a", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := storage.Rename(ctx, "authtest://nn:99/a", "authtest://nn/b"); err != nil {
		t.Fatalf("Rename between spellings of one authority: %v", err)
	}
	if b, err := storage.ReadFile(ctx, "authtest:///b"); err != nil || string(b) != "x" {
		t.Errorf("ReadFile(authtest:///b) = %q, %v", b, err)
	}
	if !slices.Equal(hosts, []string{"nn"}) {
		t.Errorf("opened hosts %q, want one FS for nn", hosts)
	}
	for _, u := range []string{"authtest:///x/../b", "authtest://nn:99/b", "authtest://nn/b/"} {
		if got := storage.CanonicalURL(u); got != "authtest://nn/b" {
			t.Errorf("CanonicalURL(%s) = %s, want authtest://nn/b", u, got)
		}
	}
	if got := storage.CanonicalURL("authtest://nn:98/b"); got != "authtest://nn:98/b" {
		t.Errorf("CanonicalURL with another port = %s", got)
	}
	if err := storage.Rename(ctx, "authtest://nn/b", "authtest://other/b"); err == nil || !strings.Contains(err.Error(), "same file system") {
		t.Errorf("Rename to another authority: got %v, want a not-same-file-system error", err)
	}
}

func TestReadWriteFile(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("rw")
	if err := storage.WriteFile(ctx, "mem://rw/a", []byte("abc")); err != nil {
		t.Fatal(err)
	}
	if err := storage.WriteFile(ctx, "mem://rw/a", []byte("def")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("WriteFile over a file: got %v, want fs.ErrExist", err)
	}
	if got, err := storage.ReadFile(ctx, "mem://rw/a"); string(got) != "abc" || err != nil {
		t.Errorf("ReadFile: got %q, %v, want %q", got, err, "abc")
	}
}

func TestGlobTooManyAlternatives(t *testing.T) {
	storage.ResetMem("alts")
	pattern := "mem://alts/" + strings.Repeat("{a,b}", 11)
	if _, err := storage.Glob(context.Background(), pattern); err == nil || !strings.Contains(err.Error(), "alternatives") {
		t.Errorf("Glob(2^11 alternatives): got %v, want an error", err)
	}
	if got, err := storage.Glob(context.Background(), "mem://alts/"+strings.Repeat("{a,b}", 10)); err != nil || len(got) != 0 {
		t.Errorf("Glob(2^10 alternatives): got %v, %v, want no match", got, err)
	}
}

func TestLocalPath(t *testing.T) {
	for _, tc := range []struct {
		url, path string
		ok        bool
	}{
		{"out/day", "out/day", true},
		{"/data/x", "/data/x", true},
		{"file:///data/x", "/data/x", true},
		{"file://localhost/data/x", "/data/x", true},
		{"file://other/data/x", "", false},
		{"hdfs://nn/data/x", "", false},
		{"mem://h/x", "", false},
	} {
		if p, ok := storage.LocalPath(tc.url); p != tc.path || ok != tc.ok {
			t.Errorf("LocalPath(%q) = %q, %v; want %q, %v", tc.url, p, ok, tc.path, tc.ok)
		}
	}
}
