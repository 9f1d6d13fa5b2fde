package faultfs_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/faultfs"
	"github.com/crunchgo/crunchgo/storage/storagetest"
)

// mount wraps a fresh memory FS, registers it under a scheme unique to the
// test and returns the FS and the root URL.
func mount(t *testing.T, rules ...faultfs.Rule) (*faultfs.FS, string) {
	t.Helper()
	host := "faultfs-" + strings.NewReplacer("/", "-", "#", "-").Replace(t.Name())
	storage.ResetMem(host)
	inner, _, err := storage.Resolve(context.Background(), "mem://"+host+"/")
	if err != nil {
		t.Fatal(err)
	}
	f := faultfs.Wrap(inner, rules...)
	scheme := "fault" + fmt.Sprint(len(host)) + strings.ToLower(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, t.Name()))
	faultfs.Register(scheme, f)
	return f, scheme + "://h/"
}

// TestConformance runs the storage suite through a rule-less wrapper
// reached by URL: the wrapper must be invisible.
func TestConformance(t *testing.T) {
	_, root := mount(t)
	n := 0
	storagetest.Run(t, func(t *testing.T) string {
		n++
		return storage.Join(root, fmt.Sprintf("t%d", n))
	})
}

func TestOpString(t *testing.T) {
	tests := []struct {
		op   faultfs.Op
		want string
	}{
		{faultfs.OpOpen, "open"},
		{faultfs.OpWrite | faultfs.OpClose, "write|close"},
		{0, "none"},
		{faultfs.OpAny, "open|read|create|write|close|stat|list|rename|remove|removeall|mkdir"},
	}
	for _, tc := range tests {
		if got := tc.op.String(); got != tc.want {
			t.Errorf("Op(%d).String(): got %q, want %q", tc.op, got, tc.want)
		}
	}
}

func TestRules(t *testing.T) {
	ctx := context.Background()
	enospc := syscall.ENOSPC
	tests := []struct {
		name string
		rule faultfs.Rule
		// ops runs calls against root and returns one outcome per call:
		// "ok" or the error.
		ops  func(root string) []error
		want []string // "ok" or a substring of the error
	}{
		{
			name: "after 2 opens",
			rule: faultfs.Rule{Op: faultfs.OpOpen, After: 2},
			ops: func(root string) []error {
				return repeat(3, func() error { _, err := storage.Open(ctx, storage.Join(root, "f")); return err })
			},
			want: []string{"ok", "ok", "open fault"},
		},
		{
			name: "times 1",
			rule: faultfs.Rule{Op: faultfs.OpStat, Times: 1},
			ops: func(root string) []error {
				return repeat(3, func() error { _, err := storage.Stat(ctx, storage.Join(root, "f")); return err })
			},
			want: []string{"stat fault", "ok", "ok"},
		},
		{
			name: "path pattern",
			rule: faultfs.Rule{Op: faultfs.OpCreate, Path: "/out/part-*"},
			ops: func(root string) []error {
				return []error{
					storage.WriteFile(ctx, storage.Join(root, "out/_SUCCESS"), nil),
					storage.WriteFile(ctx, storage.Join(root, "out/part-0"), nil),
					storage.WriteFile(ctx, storage.Join(root, "other/part-0"), nil),
				}
			},
			want: []string{"ok", "create fault", "ok"},
		},
		{
			name: "custom error",
			rule: faultfs.Rule{Op: faultfs.OpMkdirAll, Err: enospc},
			ops: func(root string) []error {
				err := storage.MkdirAll(ctx, storage.Join(root, "d"))
				if !errors.Is(err, syscall.ENOSPC) {
					return []error{fmt.Errorf("got %v, want ENOSPC", err)}
				}
				return []error{err}
			},
			want: []string{"mkdir fault" /* the URL */},
		},
		{
			name: "read",
			rule: faultfs.Rule{Op: faultfs.OpRead, After: 1},
			ops: func(root string) []error {
				f, err := storage.Open(ctx, storage.Join(root, "f"))
				if err != nil {
					return []error{err}
				}
				defer f.Close()
				return repeat(2, func() error { _, err := f.ReadAt(make([]byte, 1), 0); return err })
			},
			want: []string{"ok", "read fault"},
		},
		{
			name: "rename matches the destination",
			rule: faultfs.Rule{Op: faultfs.OpRename, Path: "/final/*"},
			ops: func(root string) []error {
				return []error{
					storage.Rename(ctx, storage.Join(root, "f"), storage.Join(root, "g")),
					storage.Rename(ctx, storage.Join(root, "g"), storage.Join(root, "final/g")),
				}
			},
			want: []string{"ok", "rename fault"},
		},
		{
			name: "list breaks glob",
			rule: faultfs.Rule{Op: faultfs.OpList},
			ops: func(root string) []error {
				_, err1 := storage.Glob(ctx, storage.Join(root, "f")) // Stat only
				_, err2 := storage.Glob(ctx, storage.Join(root, "*")) // List
				return []error{err1, err2}
			},
			want: []string{"ok", "list fault"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, root := mount(t)
			if err := storage.WriteFile(ctx, storage.Join(root, "f"), []byte("data")); err != nil {
				t.Fatal(err)
			}
			f.SetRules(tc.rule)
			got := tc.ops(root)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d outcomes %v, want %d", len(got), got, len(tc.want))
			}
			wantInjected := 0
			for i, err := range got {
				if tc.want[i] == "ok" {
					if err != nil {
						t.Errorf("call %d: got %v, want success", i, err)
					}
					continue
				}
				wantInjected++
				if err == nil || !strings.Contains(err.Error(), strings.Fields(tc.want[i])[0]+" ") || !strings.Contains(err.Error(), root) {
					t.Errorf("call %d: got %v, want an injected %s error naming a URL under %s", i, err, tc.want[i], root)
				}
				if tc.rule.Err == nil && !errors.Is(err, faultfs.ErrInjected) {
					t.Errorf("call %d: got %v, want errors.Is ErrInjected", i, err)
				}
			}
			if got := f.Injected(); got != wantInjected {
				t.Errorf("Injected: got %d, want %d", got, wantInjected)
			}
		})
	}
}

func repeat(n int, call func() error) []error {
	var out []error
	for range n {
		out = append(out, call())
	}
	return out
}

func TestShortWrite(t *testing.T) {
	ctx := context.Background()
	_, root := mount(t, faultfs.Rule{Op: faultfs.OpWrite, Path: "*.avro", AfterBytes: 10})
	url := storage.Join(root, "out/part-0.avro")
	w, err := storage.Create(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	var got []string
	for range 3 {
		n, err := w.Write([]byte("abcd"))
		got = append(got, fmt.Sprintf("%d %v", n, errors.Is(err, faultfs.ErrInjected)))
	}
	if want := []string{"4 false", "4 false", "2 true"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("writes: got %q, want %q", got, want)
	}
	w.Abort()
	if ok, err := storage.Exists(ctx, url); ok || err != nil {
		t.Errorf("Exists after aborted short write: got %v, %v, want false, nil", ok, err)
	}
	// Other files are not limited.
	if err := storage.WriteFile(ctx, storage.Join(root, "out/x.txt"), make([]byte, 100)); err != nil {
		t.Errorf("WriteFile(x.txt): %v", err)
	}
}

func TestCloseFailureCommitsNothing(t *testing.T) {
	ctx := context.Background()
	_, root := mount(t, faultfs.Rule{Op: faultfs.OpClose})
	url := storage.Join(root, "f")
	err := storage.WriteFile(ctx, url, []byte("data"))
	if !errors.Is(err, faultfs.ErrInjected) {
		t.Fatalf("WriteFile: got %v, want an injected fault", err)
	}
	if ok, err := storage.Exists(ctx, url); ok || err != nil {
		t.Errorf("Exists after failed commit: got %v, %v, want false, nil", ok, err)
	}
}

func TestURLsStayUnderScheme(t *testing.T) {
	ctx := context.Background()
	_, root := mount(t)
	if err := storage.WriteFile(ctx, storage.Join(root, "d/a"), nil); err != nil {
		t.Fatal(err)
	}
	infos, err := storage.Glob(ctx, storage.Join(root, "*/a"))
	if err != nil || len(infos) != 1 {
		t.Fatalf("Glob: got %v, %v", infos, err)
	}
	if want := storage.Join(root, "d/a"); infos[0].URL != want {
		t.Errorf("URL: got %q, want %q", infos[0].URL, want)
	}
	if _, err := storage.Open(ctx, root+"missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing): got %v, want fs.ErrNotExist", err)
	}
}
