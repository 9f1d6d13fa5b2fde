package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/crunchgo/crunchgo/storage"
)

// Run runs the conformance suite as subtests of t. newRoot is called once
// per subtest and must return a URL naming a directory that is empty or
// does not exist yet.
func Run(t *testing.T, newRoot func(t *testing.T) string) {
	tests := []struct {
		name string
		fn   func(t *testing.T, ctx context.Context, root string)
	}{
		{"CreateReadBack", testCreateReadBack},
		{"EmptyFile", testEmptyFile},
		{"ReadAtPastEOF", testReadAtPastEOF},
		{"ConcurrentReadAt", testConcurrentReadAt},
		{"CommitOnClose", testCommitOnClose},
		{"Abort", testAbort},
		{"CancelledContext", testCancelledContext},
		{"CreateExisting", testCreateExisting},
		{"CreateMakesParents", testCreateMakesParents},
		{"Missing", testMissing},
		{"OpenDir", testOpenDir},
		{"ListSorted", testListSorted},
		{"Stat", testStat},
		{"RenameFile", testRenameFile},
		{"RenameDir", testRenameDir},
		{"RenameOntoExisting", testRenameOntoExisting},
		{"Remove", testRemove},
		{"RemoveAll", testRemoveAll},
		{"MkdirAll", testMkdirAll},
		{"Glob", testGlob},
		{"LargeFileSmallWrites", testLargeFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := newRoot(t)
			ctx := context.Background()
			if err := storage.MkdirAll(ctx, root); err != nil {
				t.Fatalf("MkdirAll(%q): %v", root, err)
			}
			tc.fn(t, ctx, root)
		})
	}
}

func write(t *testing.T, ctx context.Context, url string, data []byte) {
	t.Helper()
	if err := storage.WriteFile(ctx, url, data); err != nil {
		t.Fatalf("WriteFile(%q): %v", url, err)
	}
}

func read(t *testing.T, ctx context.Context, url string) []byte {
	t.Helper()
	b, err := storage.ReadFile(ctx, url)
	if err != nil {
		t.Fatalf("ReadFile(%q): %v", url, err)
	}
	return b
}

func wantContent(t *testing.T, ctx context.Context, url string, want []byte) {
	t.Helper()
	if got := read(t, ctx, url); !bytes.Equal(got, want) {
		t.Errorf("content of %s: got %d bytes %.40q, want %d bytes %.40q", url, len(got), got, len(want), want)
	}
}

func wantMissing(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if _, err := storage.Stat(ctx, url); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(%q): got err %v, want fs.ErrNotExist", url, err)
	}
}

// names lists dir and returns the entry names (dot files included).
func names(t *testing.T, ctx context.Context, dir string) []string {
	t.Helper()
	infos, err := storage.List(ctx, dir)
	if err != nil {
		t.Fatalf("List(%q): %v", dir, err)
	}
	out := []string{}
	for _, fi := range infos {
		out = append(out, fi.Name)
	}
	return out
}

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func testCreateReadBack(t *testing.T, ctx context.Context, root string) {
	url := storage.Join(root, "hello.txt")
	want := []byte("hello, world\n")
	w, err := storage.Create(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, part := range [][]byte{want[:5], want[5:]} {
		if n, err := w.Write(part); n != len(part) || err != nil {
			t.Fatalf("Write: got %d, %v, want %d, nil", n, err, len(part))
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Close: got %v, want nil", err)
	}
	fi, err := storage.Stat(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size != int64(len(want)) || fi.IsDir || fi.Name != "hello.txt" {
		t.Errorf("Stat: got %+v, want a %d byte file named hello.txt", fi, len(want))
	}
	f, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Size() != int64(len(want)) {
		t.Errorf("Size: got %d, want %d", f.Size(), len(want))
	}
	got := make([]byte, 5)
	if n, err := f.ReadAt(got, 7); n != 5 || (err != nil && err != io.EOF) || string(got) != "world" {
		t.Errorf("ReadAt(5, 7): got %d, %v, %q, want 5, nil, %q", n, err, got, "world")
	}
	wantContent(t, ctx, url, want)
	if ok, err := storage.Exists(ctx, url); !ok || err != nil {
		t.Errorf("Exists: got %v, %v, want true, nil", ok, err)
	}
}

func testEmptyFile(t *testing.T, ctx context.Context, root string) {
	url := storage.Join(root, "empty")
	write(t, ctx, url, nil)
	f, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Size() != 0 {
		t.Errorf("Size: got %d, want 0", f.Size())
	}
	if n, err := f.ReadAt(make([]byte, 1), 0); n != 0 || err != io.EOF {
		t.Errorf("ReadAt on empty file: got %d, %v, want 0, io.EOF", n, err)
	}
}

func testReadAtPastEOF(t *testing.T, ctx context.Context, root string) {
	url := storage.Join(root, "ten")
	write(t, ctx, url, []byte("0123456789"))
	f, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct {
		off, len int
		want     string
		eof      bool // io.EOF required (otherwise nil or io.EOF)
	}{
		{0, 10, "0123456789", false},
		{8, 2, "89", false},
		{8, 5, "89", true},
		{10, 1, "", true},
		{100, 4, "", true},
	}
	for _, tc := range tests {
		buf := make([]byte, tc.len)
		n, err := f.ReadAt(buf, int64(tc.off))
		got := string(buf[:n])
		if got != tc.want || (tc.eof && err != io.EOF) || (err != nil && err != io.EOF) {
			t.Errorf("ReadAt(len %d, off %d): got %q, %v, want %q (io.EOF required: %v)", tc.len, tc.off, got, err, tc.want, tc.eof)
		}
	}
}

func testConcurrentReadAt(t *testing.T, ctx context.Context, root string) {
	url := storage.Join(root, "random")
	data := randomBytes(1, 1<<20)
	write(t, ctx, url, data)
	f, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 2))
			buf := make([]byte, 64<<10)
			for range 100 {
				off := r.IntN(len(data))
				n := 1 + r.IntN(len(buf))
				got, err := f.ReadAt(buf[:n], int64(off))
				want := data[off:min(off+n, len(data))]
				if err != nil && err != io.EOF || got != len(want) || !bytes.Equal(buf[:got], want) {
					t.Errorf("goroutine %d: ReadAt(len %d, off %d): got %d bytes, %v; want %d bytes equal to the file", g, n, off, got, err, len(want))
					return
				}
			}
		})
	}
	wg.Wait()
}

func testCommitOnClose(t *testing.T, ctx context.Context, root string) {
	dir := storage.Join(root, "out")
	url := storage.Join(dir, "part-00000")
	w, err := storage.Create(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if _, err := w.Write([]byte("data")); err != nil {
		t.Fatal(err)
	}
	wantMissing(t, ctx, url)
	if got, err := storage.Glob(ctx, storage.Join(dir, "*")); err != nil || len(got) != 0 {
		t.Errorf("Glob(out/*) before Close: got %v, %v, want nothing", got, err)
	}
	if slices.Contains(names(t, ctx, dir), "part-00000") {
		t.Errorf("List before Close shows part-00000")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	wantContent(t, ctx, url, []byte("data"))
	if got, want := names(t, ctx, dir), []string{"part-00000"}; !slices.Equal(got, want) {
		t.Errorf("List after Close: got %q, want %q", got, want)
	}
	if _, err := w.Write([]byte("more")); err == nil {
		t.Errorf("Write after Close: got nil error")
	}
	if err := w.Close(); err == nil {
		t.Errorf("second Close: got nil error")
	}
}

func testAbort(t *testing.T, ctx context.Context, root string) {
	dir := storage.Join(root, "out")
	url := storage.Join(dir, "f")
	w, err := storage.Create(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("data")); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("second Abort: got %v, want nil", err)
	}
	if err := w.Close(); err == nil {
		t.Errorf("Close after Abort: got nil error")
	}
	wantMissing(t, ctx, url)
	if got := names(t, ctx, dir); len(got) != 0 {
		t.Errorf("List after Abort: got %q, want nothing (no temporary files either)", got)
	}
}

func testCancelledContext(t *testing.T, ctx context.Context, root string) {
	dir := storage.Join(root, "out")
	url := storage.Join(dir, "f")
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := storage.Create(cctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if _, err := w.Write([]byte("data")); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := w.Close(); !errors.Is(err, context.Canceled) {
		t.Errorf("Close after cancel: got %v, want context.Canceled", err)
	}
	if _, err := storage.Create(cctx, storage.Join(dir, "g")); !errors.Is(err, context.Canceled) {
		t.Errorf("Create with a cancelled context: got %v, want context.Canceled", err)
	}
	wantMissing(t, ctx, url)
	if got := names(t, ctx, dir); len(got) != 0 {
		t.Errorf("List after cancelled Close: got %q, want nothing", got)
	}
}

func testCreateExisting(t *testing.T, ctx context.Context, root string) {
	url := storage.Join(root, "f")
	write(t, ctx, url, []byte("first"))
	if _, err := storage.Create(ctx, url); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create over a file: got %v, want fs.ErrExist", err)
	}
	if err := storage.WriteFile(ctx, root, []byte("x")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create over a directory: got %v, want fs.ErrExist", err)
	}

	// Two writers race for one name: the first Close wins.
	url = storage.Join(root, "g")
	w1, err := storage.Create(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer w1.Abort()
	w2, err := storage.Create(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Abort()
	w1.Write([]byte("one"))
	w2.Write([]byte("two"))
	if err := w1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w2.Close(); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second writer's Close: got %v, want fs.ErrExist", err)
	}
	wantContent(t, ctx, url, []byte("one"))
	if got, want := names(t, ctx, root), []string{"f", "g"}; !slices.Equal(got, want) {
		t.Errorf("List: got %q, want %q (no temporary files left)", got, want)
	}
}

func testCreateMakesParents(t *testing.T, ctx context.Context, root string) {
	write(t, ctx, storage.Join(root, "a/b/c/f"), []byte("x"))
	fi, err := storage.Stat(ctx, storage.Join(root, "a/b"))
	if err != nil || !fi.IsDir {
		t.Errorf("Stat(a/b): got %+v, %v, want a directory", fi, err)
	}
}

func testMissing(t *testing.T, ctx context.Context, root string) {
	url := storage.Join(root, "nope")
	if _, err := storage.Open(ctx, url); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open: got %v, want fs.ErrNotExist", err)
	}
	wantMissing(t, ctx, url)
	if _, err := storage.List(ctx, url); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("List: got %v, want fs.ErrNotExist", err)
	}
	if _, err := storage.ReadFile(ctx, url); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile: got %v, want fs.ErrNotExist", err)
	}
	if ok, err := storage.Exists(ctx, url); ok || err != nil {
		t.Errorf("Exists: got %v, %v, want false, nil", ok, err)
	}
}

func testOpenDir(t *testing.T, ctx context.Context, root string) {
	if f, err := storage.Open(ctx, root); err == nil {
		f.Close()
		t.Errorf("Open(directory): got nil error")
	}
}

func testListSorted(t *testing.T, ctx context.Context, root string) {
	files := map[string]string{"b": "bb", "a": "a", "c/x": "", "a.txt": "txt", "B": "upper"}
	for _, name := range []string{"b", "c/x", "a.txt", "B", "a"} {
		write(t, ctx, storage.Join(root, name), []byte(files[name]))
	}
	infos, err := storage.List(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fi := range infos {
		got = append(got, fmt.Sprintf("%s dir=%v size=%d", fi.Name, fi.IsDir, fi.Size))
		if !fi.IsDir {
			wantContent(t, ctx, fi.URL, []byte(files[fi.Name])) // URL goes back to Open
		}
	}
	want := []string{"B dir=false size=5", "a dir=false size=1", "a.txt dir=false size=3", "b dir=false size=2", "c dir=true size=0"}
	if !slices.Equal(got, want) {
		t.Errorf("List:\ngot  %q\nwant %q", got, want)
	}
	if _, err := storage.List(ctx, storage.Join(root, "a")); err == nil {
		t.Errorf("List(file): got nil error")
	}
}

func testStat(t *testing.T, ctx context.Context, root string) {
	write(t, ctx, storage.Join(root, "d/f"), []byte("12345"))
	tests := []struct {
		name  string
		isDir bool
		size  int64
	}{
		{"d", true, 0},
		{"d/f", false, 5},
	}
	for _, tc := range tests {
		fi, err := storage.Stat(ctx, storage.Join(root, tc.name))
		if err != nil {
			t.Errorf("Stat(%s): %v", tc.name, err)
			continue
		}
		base := tc.name[len(tc.name)-1:]
		if fi.Name != base || fi.IsDir != tc.isDir || fi.Size != tc.size || fi.ModTime.IsZero() {
			t.Errorf("Stat(%s): got %+v, want name %q, dir %v, size %d, a mod time", tc.name, fi, base, tc.isDir, tc.size)
		}
		if again, err := storage.Stat(ctx, fi.URL); err != nil || again.URL != fi.URL {
			t.Errorf("Stat(Stat(%s).URL): got %+v, %v, want the same URL", tc.name, again, err)
		}
	}
}

func testRenameFile(t *testing.T, ctx context.Context, root string) {
	from, to := storage.Join(root, "a"), storage.Join(root, "sub/dir/b")
	write(t, ctx, from, []byte("content"))
	if err := storage.Rename(ctx, from, to); err != nil {
		t.Fatalf("Rename (destination parents missing): %v", err)
	}
	wantMissing(t, ctx, from)
	wantContent(t, ctx, to, []byte("content"))
	if err := storage.Rename(ctx, from, to+"2"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Rename of a missing file: got %v, want fs.ErrNotExist", err)
	}
}

func testRenameDir(t *testing.T, ctx context.Context, root string) {
	for _, name := range []string{"attempt/part-0", "attempt/sub/part-1"} {
		write(t, ctx, storage.Join(root, name), []byte(name))
	}
	from, to := storage.Join(root, "attempt"), storage.Join(root, "out/final")
	if err := storage.Rename(ctx, from, to); err != nil {
		t.Fatal(err)
	}
	wantMissing(t, ctx, from)
	wantContent(t, ctx, storage.Join(to, "part-0"), []byte("attempt/part-0"))
	wantContent(t, ctx, storage.Join(to, "sub/part-1"), []byte("attempt/sub/part-1"))
	if err := storage.Rename(ctx, to, storage.Join(to, "sub/inside")); err == nil {
		t.Errorf("Rename of a directory into itself: got nil error")
	}
}

func testRenameOntoExisting(t *testing.T, ctx context.Context, root string) {
	a, b := storage.Join(root, "a"), storage.Join(root, "b")
	write(t, ctx, a, []byte("a"))
	write(t, ctx, b, []byte("b"))
	if err := storage.Rename(ctx, a, b); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Rename file onto file: got %v, want fs.ErrExist", err)
	}
	wantContent(t, ctx, a, []byte("a"))
	wantContent(t, ctx, b, []byte("b"))

	d, e := storage.Join(root, "d"), storage.Join(root, "e")
	write(t, ctx, storage.Join(d, "f"), []byte("f"))
	if err := storage.MkdirAll(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := storage.Rename(ctx, d, e); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Rename directory onto empty directory: got %v, want fs.ErrExist", err)
	}
	if err := storage.Rename(ctx, d, a); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Rename directory onto file: got %v, want fs.ErrExist", err)
	}
	wantContent(t, ctx, storage.Join(d, "f"), []byte("f"))
}

func testRemove(t *testing.T, ctx context.Context, root string) {
	f, d := storage.Join(root, "d/f"), storage.Join(root, "d")
	write(t, ctx, f, []byte("x"))
	if err := storage.Remove(ctx, d); err == nil {
		t.Errorf("Remove of a non-empty directory: got nil error")
	}
	if err := storage.Remove(ctx, f); err != nil {
		t.Errorf("Remove(file): %v", err)
	}
	wantMissing(t, ctx, f)
	if err := storage.Remove(ctx, d); err != nil {
		t.Errorf("Remove(empty directory): %v", err)
	}
	wantMissing(t, ctx, d)
	if err := storage.Remove(ctx, f); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Remove(missing): got %v, want fs.ErrNotExist", err)
	}
}

func testRemoveAll(t *testing.T, ctx context.Context, root string) {
	for _, name := range []string{"t/a", "t/b/c", "t/b/d/e", "keep"} {
		write(t, ctx, storage.Join(root, name), []byte(name))
	}
	if err := storage.RemoveAll(ctx, storage.Join(root, "t")); err != nil {
		t.Fatal(err)
	}
	if got, want := names(t, ctx, root), []string{"keep"}; !slices.Equal(got, want) {
		t.Errorf("List after RemoveAll: got %q, want %q", got, want)
	}
	if err := storage.RemoveAll(ctx, storage.Join(root, "missing/deeper")); err != nil {
		t.Errorf("RemoveAll(missing): got %v, want nil", err)
	}
	if err := storage.RemoveAll(ctx, storage.Join(root, "keep")); err != nil {
		t.Errorf("RemoveAll(file): %v", err)
	}
	wantMissing(t, ctx, storage.Join(root, "keep"))
}

func testMkdirAll(t *testing.T, ctx context.Context, root string) {
	d := storage.Join(root, "x/y/z")
	for i := range 2 {
		if err := storage.MkdirAll(ctx, d); err != nil {
			t.Fatalf("MkdirAll #%d: %v", i+1, err)
		}
	}
	if fi, err := storage.Stat(ctx, d); err != nil || !fi.IsDir {
		t.Errorf("Stat: got %+v, %v, want a directory", fi, err)
	}
	if got := names(t, ctx, d); len(got) != 0 {
		t.Errorf("List(new directory): got %q, want nothing", got)
	}
	f := storage.Join(root, "file")
	write(t, ctx, f, nil)
	if err := storage.MkdirAll(ctx, storage.Join(f, "sub")); err == nil {
		t.Errorf("MkdirAll below a file: got nil error")
	}
}

func testGlob(t *testing.T, ctx context.Context, root string) {
	for _, name := range []string{
		"a.txt", "b.txt", "ab.txt", "c.csv", ".hidden.txt",
		"d1/part-0", "d1/part-1", "d2/part-0", "d2/other", "x/part-0", "x/y/part-0",
	} {
		write(t, ctx, storage.Join(root, name), []byte(name))
	}
	if err := storage.MkdirAll(ctx, storage.Join(root, "d3")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pattern string
		want    []string // relative to root, in URL order
	}{
		{"*.txt", []string{"a.txt", "ab.txt", "b.txt"}},
		{"?.txt", []string{"a.txt", "b.txt"}},
		{"[a-b].txt", []string{"a.txt", "b.txt"}},
		{"[!a].txt", []string{"b.txt"}},
		{"[^a].txt", []string{"b.txt"}},
		{"{a,c}.*", []string{"a.txt", "c.csv"}},
		{"{a,d1/part-1}*", []string{"a.txt", "ab.txt", "d1/part-1"}},
		{".*", []string{".hidden.txt"}},
		{"*", []string{"a.txt", "ab.txt", "b.txt", "c.csv", "d1", "d2", "d3", "x"}},
		{"*/part-*", []string{"d1/part-0", "d1/part-1", "d2/part-0", "x/part-0"}},
		{"d*/part-0", []string{"d1/part-0", "d2/part-0"}},
		{"d{1,2}/part-{0,1}", []string{"d1/part-0", "d1/part-1", "d2/part-0"}},
		{"*/*/part-0", []string{"x/y/part-0"}},
		{"d1/part-0", []string{"d1/part-0"}},
		{"*part*", nil},
		{"nomatch*", nil},
		{"missing.txt", nil},
		{"missing/*", nil},
		{"a.txt/*", nil},
		{"*/missing", nil},
	}
	for _, tc := range tests {
		got, err := storage.Glob(ctx, storage.Join(root, tc.pattern))
		if err != nil {
			t.Errorf("Glob(%q): %v", tc.pattern, err)
			continue
		}
		if got == nil {
			t.Errorf("Glob(%q): got nil, want a non-nil slice", tc.pattern)
		}
		var gotURLs, wantURLs []string
		for _, fi := range got {
			gotURLs = append(gotURLs, fi.URL)
		}
		for _, name := range tc.want {
			fi, err := storage.Stat(ctx, storage.Join(root, name))
			if err != nil {
				t.Fatal(err)
			}
			wantURLs = append(wantURLs, fi.URL)
		}
		if !slices.Equal(gotURLs, wantURLs) {
			t.Errorf("Glob(%q):\ngot  %q\nwant %q", tc.pattern, gotURLs, wantURLs)
		}
	}
	if _, err := storage.Glob(ctx, storage.Join(root, "[")); err == nil {
		t.Errorf("Glob of a malformed pattern: got nil error")
	}
}

func testLargeFile(t *testing.T, ctx context.Context, root string) {
	url := storage.Join(root, "big")
	data := randomBytes(3, 3<<20+17)
	w, err := storage.Create(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for rest := data; len(rest) > 0; {
		n := min(len(rest), 1000)
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := storage.Stat(ctx, url); err != nil || fi.Size != int64(len(data)) {
		t.Errorf("Stat: got %+v, %v, want size %d", fi, err, len(data))
	}
	wantContent(t, ctx, url, data)
}
