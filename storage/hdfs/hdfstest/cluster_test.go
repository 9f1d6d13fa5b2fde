package hdfstest

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	hdfs "github.com/colinmarc/hdfs/v2"
)

func newClient(t *testing.T, addrs ...string) *hdfs.Client {
	t.Helper()
	cl, err := hdfs.NewClient(hdfs.ClientOptions{Addresses: addrs, User: "tester"})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func writeFile(t *testing.T, cl *hdfs.Client, name string, data []byte) {
	t.Helper()
	w, err := cl.Create(name)
	if err != nil {
		t.Fatalf("Create(%s): %v", name, err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatalf("Write(%s): %v", name, err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close(%s): %v", name, err)
	}
}

func TestRoundTrip(t *testing.T) {
	c := Start(t, WithBlockSize(64<<10))
	cl := newClient(t, c.Addr())
	if err := cl.MkdirAll("/a/b", 0o755); err != nil {
		t.Fatal(err)
	}
	sizes := []int{0, 1, 511, 512, 513, 64 << 10, 64<<10 + 1, 200_000}
	for i, n := range sizes {
		data := randomBytes(n, uint64(i))
		name := "/a/b/f" + string(rune('0'+i))
		writeFile(t, cl, name, data)
		got, err := cl.ReadFile(name)
		if err != nil {
			t.Fatalf("ReadFile(%s): %v", name, err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("size %d: read back %d bytes that differ from the %d written", n, len(got), len(data))
		}
		fi, err := cl.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() != int64(n) || fi.IsDir() {
			t.Errorf("Stat(%s) = size %d dir %v, want %d false", name, fi.Size(), fi.IsDir(), n)
		}
	}
	// Random reads across block boundaries.
	data := randomBytes(200_000, 7)
	f, err := cl.Open("/a/b/f7")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, off := range []int64{0, 65535, 65536, 65537, 131071, 199_999, 100, 150_000} {
		buf := make([]byte, 70_000)
		n, err := f.ReadAt(buf, off)
		want := data[off:min(off+70_000, int64(len(data)))]
		if err != nil && !(err == io.EOF && n < len(buf)) {
			t.Fatalf("ReadAt(%d): %v", off, err)
		}
		if !bytes.Equal(buf[:n], want) {
			t.Errorf("ReadAt(%d) returned wrong bytes (n=%d want %d)", off, n, len(want))
		}
	}
}

func TestNamespace(t *testing.T) {
	c := Start(t, WithListingLimit(2))
	cl := newClient(t, c.Addr())
	for _, name := range []string{"/d/x", "/d/y", "/d/z", "/d/sub/w"} {
		if err := cl.MkdirAll("/d/sub", 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, cl, name, []byte(name))
	}
	infos, err := cl.ReadDir("/d")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fi := range infos {
		names = append(names, fi.Name())
	}
	if got, want := strings.Join(names, ","), "sub,x,y,z"; got != want {
		t.Errorf("ReadDir(/d) = %s, want %s (paged by 2)", got, want)
	}
	if _, err := cl.Create("/d/x"); !errors.Is(err, os.ErrExist) {
		t.Errorf("Create of existing file: got %v, want ErrExist", err)
	}
	if _, err := cl.Stat("/nope"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Stat of missing file: got %v, want ErrNotExist", err)
	}
	if err := cl.Rename("/d/x", "/d/sub/x2"); err != nil {
		t.Fatal(err)
	}
	if got, err := cl.ReadFile("/d/sub/x2"); err != nil || string(got) != "/d/x" {
		t.Errorf("after rename: %q, %v", got, err)
	}
	if err := cl.Rename("/d/sub", "/e"); err != nil {
		t.Fatal(err)
	}
	if got, err := cl.ReadFile("/e/w"); err != nil || string(got) != "/d/sub/w" {
		t.Errorf("after directory rename: %q, %v", got, err)
	}
	if err := cl.Remove("/e"); err == nil {
		t.Error("Remove of non-empty directory succeeded")
	}
	if err := cl.RemoveAll("/e"); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Stat("/e/w"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after RemoveAll: got %v, want ErrNotExist", err)
	}
	if _, err := cl.CreateFile("/missing/parent", 1, c.BlockSize(), 0o644); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("create without parent: got %v, want ErrNotExist", err)
	}
}

func TestFaults(t *testing.T) {
	c := Start(t, WithBlockSize(64<<10))
	cl := newClient(t, c.Addr())

	t.Run("datanode dies mid-write", func(t *testing.T) {
		c.FailDatanodeWritesAfter(100_000)
		w, err := cl.Create("/dn-fail")
		if err != nil {
			t.Fatal(err)
		}
		_, werr := w.Write(randomBytes(300_000, 1))
		cerr := w.Close()
		if werr == nil && cerr == nil {
			t.Fatal("write through a failing datanode succeeded")
		}
	})
	t.Run("complete returns false", func(t *testing.T) {
		c.FailCompletes(2)
		w, err := cl.Create("/slow")
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("hello"))
		for i := 0; i < 2; i++ {
			if err := w.Close(); !hdfs.IsErrReplicating(err) {
				t.Fatalf("Close %d: got %v, want ErrReplicating", i, err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatalf("third Close: %v", err)
		}
		if got, err := cl.ReadFile("/slow"); err != nil || string(got) != "hello" {
			t.Errorf("read back %q, %v", got, err)
		}
	})
	t.Run("injected exception", func(t *testing.T) {
		c.InjectError("getFileInfo", "org.apache.hadoop.security.AccessControlException", "Permission denied")
		if _, err := cl.Stat("/slow"); !errors.Is(err, os.ErrPermission) {
			t.Errorf("got %v, want ErrPermission", err)
		}
	})
}

func TestStandbyFailover(t *testing.T) {
	c := Start(t, WithStandbyNamenode())
	cl := newClient(t, c.StandbyAddr(), c.Addr())
	writeFile(t, cl, "/f", []byte("x"))
	if got, err := cl.ReadFile("/f"); err != nil || string(got) != "x" {
		t.Errorf("read back %q, %v", got, err)
	}
}

func TestStandbyFor(t *testing.T) {
	c := Start(t)
	cl := newClient(t, c.Addr())
	c.StandbyFor(1)
	_, err := cl.Stat("/")
	if err == nil || !strings.Contains(err.Error(), "StandbyException") {
		t.Errorf("got %v, want a StandbyException", err)
	}
}

// TestNoGoroutineLeaks checks that a cluster's goroutines (acceptors and
// connection handlers) are gone after Close, even with clients still
// connected.
func TestNoGoroutineLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	c, err := New(WithBlockSize(64 << 10))
	if err != nil {
		t.Fatal(err)
	}
	cl, err := hdfs.NewClient(hdfs.ClientOptions{Addresses: []string{c.Addr()}, User: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, cl, "/f", randomBytes(200_000, 1))
	f, err := cl.Open("/f")
	if err != nil {
		t.Fatal(err)
	}
	f.Read(make([]byte, 1000)) // leaves a datanode connection open
	c.Close()
	f.Close()
	cl.Close()
	// The client's lease renewer exits asynchronously; poll for up to 10 s
	// (it takes microseconds, but a loaded machine may not run it soon).
	for i := 0; ; i++ {
		n := runtime.NumGoroutine()
		if n <= before {
			break
		}
		if i == 500 {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
