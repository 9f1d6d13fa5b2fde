package hdfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/hdfs/hdfstest"
	"github.com/crunchgo/crunchgo/storage/storagetest"
)

// startCluster starts a test cluster and makes sure the shared client for
// it is closed before the cluster shuts down.
func startCluster(t *testing.T, opts ...hdfstest.Option) *hdfstest.Cluster {
	t.Helper()
	// Keep the machine's Hadoop configuration (say, Kerberos) out of tests
	// that name the test namenode explicitly.
	t.Setenv("HADOOP_CONF_DIR", "")
	t.Setenv("HADOOP_HOME", "")
	c := hdfstest.Start(t, opts...)
	t.Cleanup(func() { Disconnect(c.Addr()) })
	return c
}

func TestConformance(t *testing.T) {
	c := startCluster(t)
	n := 0
	storagetest.Run(t, func(t *testing.T) string {
		n++
		return c.URL(fmt.Sprintf("/conformance/%d", n))
	})
}

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 3))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestMultiBlockRoundTrip(t *testing.T) {
	c := startCluster(t, hdfstest.WithBlockSize(64<<10))
	ctx := context.Background()
	for _, n := range []int{64 << 10, 64<<10 + 1, 5*64<<10 - 7} {
		url := c.URL("/multi/" + strings.Repeat("f", n%7+1))
		data := randomBytes(uint64(n), n)
		if err := storage.WriteFile(ctx, url, data); err != nil {
			t.Fatal(err)
		}
		got, err := storage.ReadFile(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%d bytes over 64 KiB blocks: read back different bytes", n)
		}
		storage.Remove(ctx, url)
	}
}

// smallBlock is the block size of smallBlockFile's cluster.
const smallBlock = 64 << 10

// smallBlockFile starts a cluster with 64 KiB blocks and writes a file of
// four blocks and a bit to it, returning its URL and contents.
func smallBlockFile(t *testing.T) (string, []byte) {
	t.Helper()
	c := startCluster(t, hdfstest.WithBlockSize(smallBlock))
	url := c.URL("/blocks")
	data := randomBytes(9, 4*smallBlock+123)
	if err := storage.WriteFile(context.Background(), url, data); err != nil {
		t.Fatal(err)
	}
	return url, data
}

// TestReadAtAfterShortSkip reads where the client's own seek would skip a
// short distance forward in its datanode stream, which left its block
// offset behind the stream (colinmarc/hdfs issue #312): reads that then
// crossed into the next block failed with "invalid checksum".
func TestReadAtAfterShortSkip(t *testing.T) {
	const block = smallBlock
	ctx := context.Background()
	url, data := smallBlockFile(t)
	// Each case: reads on one open file, in order (offset, length).
	for _, reads := range [][][2]int{
		{{block, 59547}, {2*block - 525, 1027}}, // a skip of 5,464 bytes, then across the boundary
		{{0, 10}, {8192, 10}, {4096, 10}},       // the sequence: forward, then back
	} {
		f, err := storage.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reads {
			off, n := r[0], r[1]
			buf := make([]byte, n)
			got, err := f.ReadAt(buf, int64(off))
			if err != nil || got != n || !bytes.Equal(buf, data[off:off+n]) {
				t.Errorf("reads %v: ReadAt(len %d, off %d) = %d, %v; want %d correct bytes", reads, n, off, got, err, n)
			}
		}
		f.Close()
	}
}

// TestConcurrentReadAtAcrossBlocks reads a file of several small blocks from
// many goroutines at offsets straddling block boundaries; run it with -race.
func TestConcurrentReadAtAcrossBlocks(t *testing.T) {
	const block = smallBlock
	ctx := context.Background()
	url, data := smallBlockFile(t)
	f, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 4))
			for i := range 60 {
				var off, n int
				switch i % 3 {
				case 0: // straddle a block boundary
					off = (1+r.IntN(4))*block - 1 - r.IntN(600)
					n = 1 + r.IntN(3000)
				case 1: // sequential continuation of a previous read
					off = (i * 1000) % len(data)
					n = 1000
				default:
					off = r.IntN(len(data))
					n = 1 + r.IntN(2*block)
				}
				buf := make([]byte, n)
				got, err := f.ReadAt(buf, int64(off))
				want := data[off:min(off+n, len(data))]
				if (err != nil && err != io.EOF) || got != len(want) || !bytes.Equal(buf[:got], want) {
					t.Errorf("goroutine %d: ReadAt(len %d, off %d) = %d, %v; want %d correct bytes", g, n, off, got, err, len(want))
					return
				}
				if got < n && err != io.EOF {
					t.Errorf("short ReadAt without io.EOF")
				}
			}
		})
	}
	wg.Wait()
}

func TestDatanodeFailureNamesFile(t *testing.T) {
	c := startCluster(t, hdfstest.WithBlockSize(64<<10))
	ctx := context.Background()
	url := c.URL("/out/part-00000")
	c.FailDatanodeWritesAfter(100 << 10)
	w, err := storage.Create(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	data := randomBytes(1, 300<<10)
	var werr error
	for rest := data; len(rest) > 0 && werr == nil; rest = rest[min(len(rest), 4096):] {
		_, werr = w.Write(rest[:min(len(rest), 4096)])
	}
	err = w.Close()
	if werr == nil && err == nil {
		t.Fatal("write through a failed datanode succeeded")
	}
	if werr != nil && err == nil {
		t.Fatal("Close after a failed Write succeeded")
	}
	t.Logf("write error: %v\nclose error: %v", werr, err)
	for _, e := range []error{werr, err} {
		if e != nil && (!strings.Contains(e.Error(), url) || !strings.Contains(e.Error(), c.Addr())) {
			t.Errorf("error %q does not name the file %s and namenode %s", e, url, c.Addr())
		}
	}
	if _, err := storage.Stat(ctx, url); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after a failed write, Stat: got %v, want fs.ErrNotExist", err)
	}
	if infos, err := storage.List(ctx, c.URL("/out")); err != nil || len(infos) != 0 {
		t.Errorf("after a failed write, List: got %v, %v, want no temporary files", infos, err)
	}
}

func TestCloseRetriesReplicating(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	url := c.URL("/slow")
	c.FailCompletes(3)
	if err := storage.WriteFile(ctx, url, []byte("hello")); err != nil {
		t.Fatalf("WriteFile with complete() false 3 times: %v", err)
	}
	if got, want := c.Calls("complete"), 4; got != want {
		t.Errorf("complete calls: got %d, want %d", got, want)
	}
	got, err := storage.ReadFile(ctx, url)
	if err != nil || string(got) != "hello" {
		t.Errorf("read back %q, %v", got, err)
	}
}

func TestCloseGivesUpReplicating(t *testing.T) {
	old := closeRetry
	closeRetry.attempts, closeRetry.delay = 3, time.Millisecond
	t.Cleanup(func() { closeRetry = old })
	c := startCluster(t)
	ctx := context.Background()
	url := c.URL("/never")
	c.FailCompletes(100)
	err := storage.WriteFile(ctx, url, []byte("hello"))
	if err == nil || !strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), "replication in progress") {
		t.Fatalf("got %v, want an error naming %s and replication", err, url)
	}
	c.FailCompletes(0)
	if infos, err := storage.List(ctx, c.URL("/")); err != nil || len(infos) != 0 {
		t.Errorf("List after failed close: got %v, %v, want nothing", infos, err)
	}
}

func TestExceptionsMapToErrors(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	url := c.URL("/f")
	if err := storage.WriteFile(ctx, url, []byte("x")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		exception string
		want      error
	}{
		{"org.apache.hadoop.security.AccessControlException", fs.ErrPermission},
		{"java.io.FileNotFoundException", fs.ErrNotExist},
	}
	for _, tc := range tests {
		c.InjectError("getBlockLocations", tc.exception, "injected\n\tat some.Java(Stack.java:1)")
		f, err := storage.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.ReadAt(make([]byte, 1), 0)
		f.Close()
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want errors.Is %v", tc.exception, err, tc.want)
		}
		if err != nil && (!strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), tc.exception)) {
			t.Errorf("%s: error %q does not name the URL and the exception", tc.exception, err)
		}
	}
}

func TestStandbyNamenode(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	fsys, err := NewFS(ctx, mustParse(t, c.URL("/")))
	if err != nil {
		t.Fatal(err)
	}
	c.StandbyFor(1)
	_, err = fsys.Stat(ctx, "/")
	if err == nil || !strings.Contains(err.Error(), "StandbyException") || !strings.Contains(err.Error(), c.Addr()) {
		t.Errorf("got %v, want a StandbyException naming namenode %s", err, c.Addr())
	}
}

func TestEmptyFileAllocatesNoBlock(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	if err := storage.WriteFile(ctx, c.URL("/empty"), nil); err != nil {
		t.Fatal(err)
	}
	if got := c.Calls("addBlock"); got != 0 {
		t.Errorf("addBlock calls for an empty file: got %d, want 0", got)
	}
	if fi, err := storage.Stat(ctx, c.URL("/empty")); err != nil || fi.Size != 0 {
		t.Errorf("Stat: got %+v, %v", fi, err)
	}
}

func TestCorruptReadNamesFile(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	url := c.URL("/data/part-00000")
	data := randomBytes(5, 10_000)
	if err := storage.WriteFile(ctx, url, data); err != nil {
		t.Fatal(err)
	}
	f, err := storage.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c.CorruptReads(1)
	buf := make([]byte, 100)
	_, err = f.ReadAt(buf, 0)
	if err == nil || !strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("read of corrupt data: got %v, want a checksum error naming %s", err, url)
	}
	// The failed reader was dropped; the next read gets good data.
	if n, err := f.ReadAt(buf, 0); err != nil || n != len(buf) || !bytes.Equal(buf, data[:100]) {
		t.Errorf("read after the corrupt one: got %d, %v", n, err)
	}
}

// TestCreateExclusive checks that of clients creating one file at once
// exactly one succeeds, and that the others get fs.ErrExist: Create's
// commit, a check then an overwriting rename, would let several succeed.
func TestCreateExclusive(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	for round := range 5 {
		url := c.URL(fmt.Sprintf("/locks/%d/_commit.lock", round))
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { errs[i] = storage.CreateExclusive(ctx, url, []byte(fmt.Sprint("holder ", i))) })
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won >= 0:
				t.Fatalf("round %d: clients %d and %d both created %s", round, won, i, url)
			case err == nil:
				won = i
			case !errors.Is(err, fs.ErrExist):
				t.Fatalf("round %d: client %d: %v, want fs.ErrExist", round, i, err)
			}
		}
		if won < 0 {
			t.Fatalf("round %d: no client created %s", round, url)
		}
		if got, err := storage.ReadFile(ctx, url); err != nil || string(got) != fmt.Sprint("holder ", won) {
			t.Errorf("round %d: %s holds %q, %v, want the winner's %q", round, url, got, err, fmt.Sprint("holder ", won))
		}
	}
}
